//! Large CRLs for the growth measurements: `pki DIR --crl-entries 1000,1000000` writes
//! `crl/issuing-N.der` (DER) and `crl/issuing-N.pem`, signed by the demo issuing CA, listing the
//! `revoked` demo card and N−1 random serial numbers, plus `crl/root.pem`, an empty CRL of the
//! root, which OpenSSL needs before it checks a whole path against CRLs. Existing files are kept.

use std::path::Path;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use eidgate_testpki::rcgen::{
    CertificateRevocationListParams, KeyIdMethod, RevokedCertParams, SerialNumber,
};
use time::{Duration, OffsetDateTime};

use eidgate_testpki::{Authority, TestPki};

/// Octets of a random serial number, as the demo cards have.
const SERIAL_OCTETS: usize = 16;

/// How long the written CRLs stay valid: long enough that a benchmark folder kept for weeks
/// still works, as the PKI itself does.
const CRL_VALIDITY: Duration = Duration::days(365);

/// Writes the CRLs of `sizes` entries that are missing in `DIR/crl/`.
///
/// # Errors
///
/// A message naming the file that could not be written, or the signing failure.
pub fn write_missing(
    pki: &TestPki,
    dir: &Path,
    sizes: &[usize],
    now: OffsetDateTime,
) -> Result<(), String> {
    let folder = dir.join("crl");
    std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let root = folder.join("root.pem");
    if !root.exists() {
        let (_, pem) = signed(pki.root(), Vec::new(), now)?;
        write(&root, pem.as_bytes())?;
    }
    for &size in sizes {
        let der_path = folder.join(format!("issuing-{size}.der"));
        let pem_path = folder.join(format!("issuing-{size}.pem"));
        if der_path.exists() && pem_path.exists() {
            continue;
        }
        let revoked_card = pki.card("revoked").map(|card| card.credential().serial().to_vec());
        let serials = revoked_card.into_iter().chain(random_serials(size.saturating_sub(1))?);
        let entries = serials.map(|serial| entry(&serial, now)).collect();
        let (der, pem) = signed(pki.issuing_ca(), entries, now)?;
        write(&der_path, &der)?;
        write(&pem_path, pem.as_bytes())?;
    }
    Ok(())
}

fn entry(serial: &[u8], now: OffsetDateTime) -> RevokedCertParams {
    RevokedCertParams {
        serial_number: SerialNumber::from_slice(serial),
        revocation_time: now - Duration::hours(1),
        reason_code: None,
        invalidity_date: None,
    }
}

fn signed(
    ca: &Authority,
    revoked_certs: Vec<RevokedCertParams>,
    now: OffsetDateTime,
) -> Result<(Vec<u8>, String), String> {
    let params = CertificateRevocationListParams {
        this_update: now - Duration::hours(1),
        next_update: now + CRL_VALIDITY,
        crl_number: SerialNumber::from(now.unix_timestamp().unsigned_abs()),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    let crl = params.signed_by(ca.issuer()).map_err(|e| format!("signing a CRL: {e}"))?;
    let pem = crl.pem().map_err(|e| format!("encoding a CRL: {e}"))?;
    Ok((crl.der().to_vec(), pem))
}

/// `count` random positive serial numbers of [`SERIAL_OCTETS`] octets.
fn random_serials(count: usize) -> Result<impl Iterator<Item = Vec<u8>>, String> {
    let mut bytes = vec![0u8; count * SERIAL_OCTETS];
    SystemRandom::new().fill(&mut bytes).map_err(|_| "no random numbers".to_owned())?;
    let serials: Vec<Vec<u8>> = bytes
        .chunks_exact(SERIAL_OCTETS)
        .map(|chunk| {
            let mut serial = chunk.to_vec();
            // Positive, and no leading zero octet: a DER INTEGER of exactly 16 octets.
            if let Some(first) = serial.first_mut() {
                *first = (*first & 0x7f) | 0x40;
            }
            serial
        })
        .collect();
    Ok(serials.into_iter())
}

fn write(path: &Path, contents: &[u8]) -> Result<(), String> {
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_serials_are_positive_sixteen_octet_integers() {
        let serials: Vec<Vec<u8>> = random_serials(100).unwrap().collect();
        assert_eq!(serials.len(), 100);
        assert!(serials.iter().all(|s| s.len() == 16 && s[0] & 0x80 == 0 && s[0] != 0));
        let distinct: std::collections::BTreeSet<_> = serials.iter().collect();
        assert_eq!(distinct.len(), 100);
    }
}
