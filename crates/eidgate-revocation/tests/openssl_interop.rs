//! Interoperability with OpenSSL, both ways: eidgate's client against `openssl ocsp` as a
//! responder, `openssl ocsp` as a client against eidgate's test responder, and a CRL made by
//! `openssl ca -gencrl` read by eidgate. OpenSSL must be installed (CI installs it); a missing
//! `openssl` fails these tests.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use common::{pem, serial, serve, Pki, TempDir};
use eidgate_revocation::cert::CertInfo;
use eidgate_revocation::crl::{parse_crl, CrlError};
use eidgate_revocation::ocsp::Signer;
use eidgate_revocation::responder::ResponderSettings;
use eidgate_revocation::status::RevocationReason;
use eidgate_revocation::{RevocationChecker, RevocationConfig, RevocationError, StatusSource};
use time::OffsetDateTime;

const GOOD: u64 = 0x1001;
const REVOKED: u64 = 0x1002;

/// How long `openssl ocsp` may take to open its port.
const STARTUP_BUDGET: Duration = Duration::from_secs(10);

fn openssl(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl (is it installed?): {e}"));
    output
}

fn openssl_ok(dir: &Path, args: &[&str]) -> Output {
    let output = openssl(dir, args);
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// An `openssl ocsp` responder process, killed when dropped.
struct OpensslResponder(Child);

impl Drop for OpensslResponder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn start_openssl_responder(dir: &Path, port: u16) -> OpensslResponder {
    let port_text = port.to_string();
    let args = [
        "ocsp",
        "-index",
        "index.txt",
        "-port",
        &port_text,
        "-rsigner",
        "responder.pem",
        "-rkey",
        "responder.key",
        "-CA",
        "ca.pem",
        "-nmin",
        "5",
        "-ignore_err",
    ];
    let mut child = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run openssl (is it installed?): {e}"));
    let stderr = child.stderr.take().unwrap();
    let responder = OpensslResponder(child);
    wait_until_listening(stderr);
    responder
}

/// Waits for `openssl ocsp` to say it listens. A probe connection would not do: the responder
/// serves one connection at a time and stalls on a probe that sends nothing.
fn wait_until_listening(stderr: std::process::ChildStderr) {
    let (ready, listening) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Keeps draining stderr after the line, so that the responder never blocks on it.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("waiting for OCSP client connections") {
                let _ = ready.send(());
            }
        }
    });
    listening.recv_timeout(STARTUP_BUDGET).expect("openssl ocsp did not start listening");
}

/// An OpenSSL CA database line: V(alid) or R(evoked) with time and reason.
fn index_line(serial: u64, revoked: Option<&str>) -> String {
    let (flag, revocation) = match revoked {
        Some(when) => ("R", when),
        None => ("V", ""),
    };
    format!("{flag}\t351231235959Z\t{revocation}\t{serial:04X}\tunknown\t/CN=card {serial:X}\n")
}

#[tokio::test]
async fn eidgate_client_reads_good_and_revoked_from_an_openssl_responder() {
    let pki = Pki::new("TEST of ESTEID-EIDGATE");
    let dir = TempDir::new("openssl-responder");
    dir.write("ca.pem", pem("CERTIFICATE", &pki.ca_der).as_bytes());
    dir.write("responder.pem", pem("CERTIFICATE", &pki.responder_der).as_bytes());
    dir.write("responder.key", pem("PRIVATE KEY", &pki.responder_key).as_bytes());
    let index = index_line(GOOD, None) + &index_line(REVOKED, Some("240601080000Z,keyCompromise"));
    dir.write("index.txt", index.as_bytes());
    let port = free_port();
    let _responder = start_openssl_responder(dir.path(), port);
    let url = format!("http://127.0.0.1:{port}/");
    let checker = RevocationChecker::new(&RevocationConfig::default(), dir.path()).unwrap();
    let now = OffsetDateTime::now_utc();

    let good_card = pki.card(GOOD, Some(&url), None);
    let good = checker.check(&good_card, &pki.ca_der, now).await.unwrap();
    let StatusSource::Ocsp { signer, next_update, .. } = &good.source else {
        panic!("expected OCSP, got {good}");
    };
    assert!(matches!(signer, Signer::Delegated { .. }), "{signer:?}");
    assert!(next_update.is_some(), "-nmin 5 sets nextUpdate");

    let revoked_card = pki.card(REVOKED, Some(&url), None);
    let err = checker.check(&revoked_card, &pki.ca_der, now).await.unwrap_err();
    let RevocationError::Revoked { revoked_at, reason, .. } = err else {
        panic!("expected revoked, got {err:?}");
    };
    assert_eq!(revoked_at, time::macros::datetime!(2024-06-01 08:00 UTC));
    assert_eq!(reason, Some(RevocationReason::KeyCompromise));
}

#[tokio::test]
async fn openssl_client_reads_good_and_revoked_from_the_eidgate_responder() {
    let pki = Pki::new("TEST of ESTEID-EIDGATE");
    let running = serve(&pki.identity(), ResponderSettings::default()).await;
    running.responder().revoke(
        &serial(REVOKED),
        OffsetDateTime::now_utc(),
        Some(RevocationReason::Superseded),
    );
    let dir = TempDir::new("openssl-client");
    dir.write("ca.pem", pem("CERTIFICATE", &pki.ca_der).as_bytes());
    dir.write("good.pem", pem("CERTIFICATE", &pki.card(GOOD, None, None)).as_bytes());
    dir.write("revoked.pem", pem("CERTIFICATE", &pki.card(REVOKED, None, None)).as_bytes());
    let url = running.ocsp_url();

    let good = openssl_client(dir.path(), "good.pem", &url).await;
    assert!(good.contains("good.pem: good"), "{good}");

    let revoked = openssl_client(dir.path(), "revoked.pem", &url).await;
    assert!(revoked.contains("revoked.pem: revoked"), "{revoked}");
    assert!(revoked.contains("Reason: superseded"), "{revoked}");
}

/// Runs `openssl ocsp` as a client for `cert` and returns its stdout, after checking that it
/// verified the response and found the nonce echoed.
async fn openssl_client(dir: &Path, cert: &str, url: &str) -> String {
    let dir = dir.to_path_buf();
    let args: Vec<String> =
        ["ocsp", "-issuer", "ca.pem", "-cert", cert, "-url", url, "-CAfile", "ca.pem"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    // openssl blocks on the socket; run it off the runtime that serves the responder.
    let output = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        openssl_ok(&dir, &args)
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Response verify OK"), "{stderr}");
    assert!(!stderr.contains("WARNING"), "nonce echoed and times fine: {stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn crl_made_by_openssl_ca_is_verified_and_lists_the_revoked_serial() {
    let dir = TempDir::new("openssl-crl");
    let subject = "/C=EE/CN=OpenSSL TEST CA";
    let req =
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem"];
    openssl_ok(dir.path(), &[&req[..], &["-subj", subject, "-days", "2"]].concat());
    let index = index_line(GOOD, None) + &index_line(REVOKED, Some("240601080000Z,keyCompromise"));
    dir.write("index.txt", index.as_bytes());
    dir.write("crlnumber", b"1000\n");
    dir.write("ca.cnf", CA_CONFIG.as_bytes());
    openssl_ok(dir.path(), &["ca", "-config", "ca.cnf", "-gencrl", "-out", "crl.pem"]);
    let issuer =
        CertInfo::from_der_or_pem(&std::fs::read(dir.path().join("ca.pem")).unwrap()).unwrap();
    let crl_pem = std::fs::read(dir.path().join("crl.pem")).unwrap();

    let crl = parse_crl(&crl_pem, &issuer, "crl.pem").unwrap();

    assert_eq!(crl.len(), 1);
    let entry = crl.entry(&serial(REVOKED)).unwrap();
    assert_eq!(entry.reason, Some(RevocationReason::KeyCompromise));
    assert_eq!(entry.revoked_at, time::macros::datetime!(2024-06-01 08:00 UTC));
    assert!(crl.entry(&serial(GOOD)).is_none());
    assert_eq!(crl.number(), Some(&[0x10, 0x00][..]));
    assert_eq!(crl.next_update() - crl.this_update(), time::Duration::days(1));

    openssl_ok(dir.path(), &["crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der"]);
    let mut der = std::fs::read(dir.path().join("crl.der")).unwrap();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    assert_eq!(parse_crl(&der, &issuer, "crl.der"), Err(CrlError::BadSignature));
}

/// The least `openssl ca` needs to sign a CRL from index.txt.
const CA_CONFIG: &str = "\
[ ca ]
default_ca = CA_default

[ CA_default ]
database = index.txt
crlnumber = crlnumber
certificate = ca.pem
private_key = ca.key
default_md = sha256
default_crl_days = 1
";
