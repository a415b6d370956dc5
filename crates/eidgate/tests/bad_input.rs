//! What a hostile or broken peer can send: garbage, half a handshake, plain HTTP, a certificate
//! with thousands of attributes, names with markup. None of it crashes or stalls the server, and
//! each ends in a logged refusal.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use support::{curl, temp_dir, Server};

fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(server.addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream
}

/// The server still greets a valid card: it neither crashed nor stalled.
fn assert_still_serving(server: &Server) {
    let card = support::card_args(server, "valid");
    let args: Vec<&str> = card.iter().map(String::as_str).collect();
    let response = curl(server, "/", &args);
    assert_eq!(response.status, 200, "server stopped serving: {}", server.log());
}

#[test]
fn garbage_bytes_are_refused_and_logged() {
    let server = Server::demo(&temp_dir("bad-garbage"));
    let mut stream = connect(&server);
    // A TLS record header announcing a handshake, followed by junk.
    let mut junk = vec![0x16, 0x03, 0x01, 0x00, 0x40];
    junk.extend((0..64u8).map(|i| i.wrapping_mul(37)));
    stream.write_all(&junk).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);

    server.wait_for_log_line(&["decision=\"refused\"", "reason=\"tls-handshake-failed\""]);
    assert_still_serving(&server);
}

#[test]
fn truncated_handshake_is_dropped_after_the_handshake_timeout() {
    let dir = temp_dir("bad-truncated");
    // Serve the demo with a one-second handshake deadline.
    let config = support::demo_config_variant(&dir, "slow", "handshake_timeout_secs = 1");
    let server = Server::serve(&config);

    let mut stream = connect(&server);
    stream.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01]).unwrap();
    let mut answer = Vec::new();
    let closed = stream.read_to_end(&mut answer);
    assert!(closed.is_ok(), "the server did not close a stalled handshake: {closed:?}");
    server.wait_for_log_line(&["decision=\"refused\"", "reason=\"handshake-timeout\""]);
    assert_still_serving(&server);
}

#[test]
fn card_with_markup_in_its_names_is_shown_escaped() {
    let dir = temp_dir("bad-markup");
    let now = time::OffsetDateTime::now_utc();
    let pki = eidgate_testpki::TestPki::load_or_generate(&dir, now).unwrap();
    let spec = eidgate_testpki::CardSpec::authentication(
        "<script>alert(1)</script>",
        "O'BRIEN & <b>SON</b>",
        "38001085718",
    );
    let card = pki.issue_card(&spec, now).unwrap();
    support::write_card(
        &dir,
        "markup",
        card.credential().cert_pem(),
        &card.credential().key_pkcs8_pem(),
    );
    let server = Server::demo(&dir);

    let response =
        curl(&server, "/", &support::with_card(&support::card_pem_args(&server, "markup"), &[]));
    assert_eq!(response.status, 200, "{}", response.stderr);
    assert!(!response.body.contains("<script>alert"), "{}", response.body);
    assert!(response.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{}", response.body);
    assert!(response.body.contains("&amp; &lt;b&gt;SON&lt;/b&gt;"), "{}", response.body);
}

/// A card certificate whose subject holds `count` extra attributes, signed by the demo issuing
/// CA. Each has its own private-arc type, because rcgen keeps one value per attribute type.
fn card_with_attributes(dir: &std::path::Path, name: &str, count: usize) {
    use eidgate_testpki::rcgen::{CertificateParams, DnType, KeyPair, KeyUsagePurpose};
    let pki =
        eidgate_testpki::TestPki::load_or_generate(dir, time::OffsetDateTime::now_utc()).unwrap();
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CountryName, "EE");
    params.distinguished_name.push(DnType::CommonName, "TAMM,MARI,48812040138");
    for i in 0..count {
        let kind = DnType::CustomDnType(vec![1, 3, 6, 1, 4, 1, 99999, i as u64]);
        params.distinguished_name.push(kind, format!("unit {i}"));
    }
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let key = KeyPair::generate_for(&eidgate_testpki::rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let cert = params.signed_by(&key, pki.issuing_ca().issuer()).unwrap();
    support::write_card(dir, name, &cert.pem(), &key.serialize_pem());
}

#[test]
fn certificate_with_two_thousand_attributes_is_read_and_refused_promptly() {
    let dir = temp_dir("bad-attributes");
    card_with_attributes(&dir, "wide", 2000);
    let size = std::fs::metadata(dir.join("cards/wide.crt")).unwrap().len();
    assert!(size > 40_000, "the test certificate is only {size} bytes");
    let server = Server::demo(&dir);

    // The whole subject is read; the demo requires the authentication policy, which this
    // certificate lacks, so the answer is a refusal with that reason.
    let response = curl(
        &server,
        "/whoami",
        &support::with_card(&support::card_pem_args(&server, "wide"), &[]),
    );
    assert_eq!(response.status, 403, "{}\n{}", response.stderr, server.log());
    assert!(response.body.contains("missing-authentication-policy"), "{}", response.body);
    server.wait_for_log_line(&["decision=\"refused\"", "reason=\"missing-authentication-policy\""]);
    assert_still_serving(&server);
}

#[test]
fn certificate_larger_than_a_handshake_message_is_refused_and_logged() {
    let dir = temp_dir("bad-huge");
    card_with_attributes(&dir, "huge", 6000);
    let size = std::fs::metadata(dir.join("cards/huge.crt")).unwrap().len();
    assert!(size > 96 * 1024, "the test certificate is only {size} bytes");
    let server = Server::demo(&dir);

    let response =
        curl(&server, "/", &support::with_card(&support::card_pem_args(&server, "huge"), &[]));
    assert_eq!(response.status, 0, "a certificate over 64 KiB got an HTTP answer");
    server.wait_for_log_line(&["decision=\"refused\"", "reason=\"tls-handshake-failed\""]);
    assert_still_serving(&server);
}
