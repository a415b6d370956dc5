//! `pki DIR`: the demo PKI of `eidgate demo` (loaded when DIR has one), plus what a benchmark
//! needs beside it: many distinct cards for cold-cache logins, and the files of an OpenSSL OCSP
//! responder (`openssl ocsp -index`) that answers for every card, so that both servers compared
//! ask one neutral responder.
//!
//! Written under DIR:
//! - `many-cards/card-NNNNNN.crt`, `.key`: P-384 ID-card authentication certificates under the
//!   trusted issuing CA, with the demo OCSP URL; existing ones are kept and only missing ones
//!   issued;
//! - `ocsp/responder.crt`, `ocsp/responder.key`: a delegated OCSP responder of the issuing CA;
//! - `ocsp/index.txt` (+ `.attr`): every card of the trusted CA as good, `revoked` as revoked;
//! - `crl/`: CRLs of the sizes asked for with `--crl-entries` (see [`crate::crl`]).
//!
//! Known shortcoming: the many cards' index lines are kept in `many-cards/index-lines.txt` as
//! they are issued; a card whose line was lost (the run was killed between writing the card and
//! its line) is answered "unknown" by the responder, and such a login is refused.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use time::{Duration, OffsetDateTime};

use eidgate_testpki::personal_code::with_check_digit;
use eidgate_testpki::{CardSpec, Credential, IssuingCa, TestPki, DEMO_OCSP_URL};

use crate::args::PkiArgs;

/// Index lines of the many cards, one per card, kept beside them.
const MANY_INDEX_LINES: &str = "many-cards/index-lines.txt";

/// Creates or completes the benchmark PKI in `args.dir`.
pub fn main(args: &PkiArgs) -> Result<ExitCode, String> {
    let now = OffsetDateTime::now_utc();
    let dir = &args.dir;
    let pki = TestPki::load_or_generate(dir, now).map_err(|e| format!("{}: {e}", dir.display()))?;
    let issued = issue_many_cards(&pki, dir, args.cards, now)?;
    write_responder(&pki, dir, now)?;
    write_index(&pki, dir, now)?;
    crate::crl::write_missing(&pki, dir, &args.crl_entries, now)?;
    println!(
        "pki {}: demo PKI, {} cards in many-cards/ ({issued} new), OCSP responder files in ocsp/",
        dir.display(),
        args.cards
    );
    Ok(ExitCode::SUCCESS)
}

/// Issues `many-cards/card-NNNNNN` for every number below `count` that has no files yet.
fn issue_many_cards(
    pki: &TestPki,
    dir: &Path,
    count: usize,
    now: OffsetDateTime,
) -> Result<usize, String> {
    let folder = dir.join("many-cards");
    fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let mut issued = 0;
    for number in 0..count {
        let stem = folder.join(format!("card-{number:06}"));
        if stem.with_extension("crt").exists() && stem.with_extension("key").exists() {
            continue;
        }
        let code = personal_code(number)
            .ok_or_else(|| format!("no personal code for card number {number}"))?;
        let spec = CardSpec::authentication("KOORMUS", &format!("TEST{number:06}"), &code)
            .ocsp_url(Some(DEMO_OCSP_URL.to_owned()));
        let card = pki.issue_card(&spec, now).map_err(|e| format!("card {number}: {e}"))?;
        let credential = card.credential();
        write_new(&stem.with_extension("key"), credential.key_pkcs8_pem().as_bytes())?;
        write_new(&stem.with_extension("crt"), credential.cert_pem().as_bytes())?;
        let line = index_line('V', credential, now, &format!("/CN=card-{number:06}"));
        append(&dir.join(MANY_INDEX_LINES), &line)?;
        issued += 1;
    }
    Ok(issued)
}

/// A personal code with a valid check digit, distinct for each number below 16.8 million:
/// born 1950-1999, the number spread over birth date and sequence.
fn personal_code(number: usize) -> Option<String> {
    let sequence = number % 1000;
    let day_index = number / 1000;
    let day = 1 + day_index % 28;
    let month = 1 + (day_index / 28) % 12;
    let year = 50 + (day_index / (28 * 12)) % 50;
    with_check_digit(&format!("3{year:02}{month:02}{day:02}{sequence:03}"))
}

fn write_responder(pki: &TestPki, dir: &Path, now: OffsetDateTime) -> Result<(), String> {
    let folder = dir.join("ocsp");
    fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let (cert, key) = (folder.join("responder.crt"), folder.join("responder.key"));
    if cert.exists() && key.exists() {
        return Ok(());
    }
    let responder = pki
        .issue_ocsp_responder(IssuingCa::Trusted, now)
        .map_err(|e| format!("OCSP responder certificate: {e}"))?;
    fs::write(&key, responder.key_pkcs8_pem()).map_err(|e| format!("{}: {e}", key.display()))?;
    fs::write(&cert, responder.cert_pem()).map_err(|e| format!("{}: {e}", cert.display()))
}

/// Writes `ocsp/index.txt`: the demo cards of the trusted CA, then the many cards.
fn write_index(pki: &TestPki, dir: &Path, now: OffsetDateTime) -> Result<(), String> {
    let mut index = String::new();
    for (name, card) in pki.cards() {
        if name == "wrong-issuer" {
            continue; // another CA: its responder is not this one
        }
        let status = if name == "revoked" { 'R' } else { 'V' };
        index += &index_line(status, card.credential(), now, &format!("/CN={name}"));
    }
    let many = dir.join(MANY_INDEX_LINES);
    if many.exists() {
        index += &fs::read_to_string(&many).map_err(|e| format!("{}: {e}", many.display()))?;
    }
    let path = dir.join("ocsp/index.txt");
    fs::write(&path, index).map_err(|e| format!("{}: {e}", path.display()))?;
    let attr = dir.join("ocsp/index.txt.attr");
    fs::write(&attr, "unique_subject = no\n").map_err(|e| format!("{}: {e}", attr.display()))
}

/// One line of an OpenSSL CA database: status, expiry, revocation time, serial in upper-case
/// hex without leading zero octets (as OpenSSL looks it up), file name, subject.
fn index_line(status: char, credential: &Credential, now: OffsetDateTime, subject: &str) -> String {
    let expiry = utc_time(now + Duration::days(5 * 365));
    let revoked = if status == 'R' { utc_time(now - Duration::hours(1)) } else { String::new() };
    let serial = serial_hex(credential.serial());
    format!("{status}\t{expiry}\t{revoked}\t{serial}\tunknown\t{subject}\n")
}

fn serial_hex(serial: &[u8]) -> String {
    let significant: Vec<u8> = serial.iter().copied().skip_while(|&b| b == 0).collect();
    if significant.is_empty() {
        return "00".into();
    }
    significant.iter().map(|b| format!("{b:02X}")).collect()
}

/// ASN.1 UTCTime text, `YYMMDDHHMMSSZ`.
fn utc_time(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        at.year() % 100,
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn write_new(path: &Path, contents: &[u8]) -> Result<(), String> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(contents).map_err(|e| format!("{}: {e}", path.display()))
}

fn append(path: &Path, line: &str) -> Result<(), String> {
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(line.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use eidgate_testpki::personal_code::has_valid_check_digit;

    #[test]
    fn personal_codes_are_valid_and_distinct() {
        let codes: std::collections::BTreeSet<String> =
            (0..50_000).map(|n| personal_code(n).unwrap()).collect();
        assert_eq!(codes.len(), 50_000);
        assert!(codes.iter().all(|code| has_valid_check_digit(code)));
    }

    #[test]
    fn serials_are_written_as_openssl_looks_them_up() {
        assert_eq!(serial_hex(&[0x00, 0x0a, 0xff]), "0AFF");
        assert_eq!(serial_hex(&[0x7f]), "7F");
        assert_eq!(serial_hex(&[]), "00");
    }

    #[test]
    fn utc_time_has_thirteen_characters() {
        let at = time::macros::datetime!(2031-02-03 04:05:06 UTC);
        assert_eq!(utc_time(at), "310203040506Z");
    }
}
