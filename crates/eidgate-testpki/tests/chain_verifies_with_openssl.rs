//! The written demo PKI forms chains that OpenSSL accepts or refuses for the intended reason.

mod common;

use common::{run, text, Demo, NOW};
use eidgate_testpki::layout;

/// `openssl verify` at the generation instant, so the result does not depend on today's date.
fn verify(extra: &[&str], cert: &str) -> (bool, String) {
    let at = NOW.unix_timestamp().to_string();
    let mut args = vec!["verify", "-attime", &at];
    args.extend_from_slice(extra);
    args.push(cert);
    let output = run("openssl", &args);
    (output.status.success(), text(&output))
}

fn verify_card(demo: &Demo, name: &str) -> (bool, String) {
    let (root, issuing) = (demo.path(layout::ROOT_CERT), demo.path(layout::ISSUING_CERT));
    let card = demo.path(layout::card_file(name, "crt"));
    verify(&["-CAfile", &root, "-untrusted", &issuing, "-purpose", "sslclient"], &card)
}

#[test]
fn cards_of_the_trusted_ca_verify_as_tls_clients() {
    let demo = Demo::write("chain-trusted");
    for name in ["valid", "e-resident", "mobile-id", "revoked"] {
        let (ok, output) = verify_card(&demo, name);
        assert!(ok, "{name}: {output}");
        assert!(output.contains(": OK"), "{name}: {output}");
    }
}

#[test]
fn trust_bundle_alone_verifies_a_card() {
    let demo = Demo::write("chain-bundle");
    let bundle = demo.path(layout::TRUST_BUNDLE);
    let card = demo.path(layout::card_file("valid", "crt"));
    let (ok, output) = verify(&["-CAfile", &bundle], &card);
    assert!(ok, "{output}");
}

#[test]
fn expired_card_is_refused_as_expired() {
    let demo = Demo::write("chain-expired");
    let (ok, output) = verify_card(&demo, "expired");
    assert!(!ok, "{output}");
    assert!(output.contains("certificate has expired"), "{output}");
}

#[test]
fn wrong_issuer_card_has_no_path_to_the_trusted_root() {
    let demo = Demo::write("chain-wrong");
    let (ok, output) = verify_card(&demo, "wrong-issuer");
    assert!(!ok, "{output}");
    assert!(output.contains("unable to get local issuer certificate"), "{output}");
}

#[test]
fn wrong_issuer_card_verifies_under_its_own_untrusted_root() {
    let demo = Demo::write("chain-untrusted");
    let root = demo.path(layout::UNTRUSTED_ROOT_CERT);
    let issuing = demo.path(layout::UNTRUSTED_ISSUING_CERT);
    let card = demo.path(layout::card_file("wrong-issuer", "crt"));
    let (ok, output) = verify(&["-CAfile", &root, "-untrusted", &issuing], &card);
    assert!(ok, "{output}");
}

#[test]
fn server_certificate_verifies_for_localhost_and_loopback_addresses() {
    let demo = Demo::write("chain-server");
    let ca = demo.path(layout::SERVER_CA_CERT);
    let server = demo.path(layout::SERVER_CERT);
    for check in
        [["-verify_hostname", "localhost"], ["-verify_ip", "127.0.0.1"], ["-verify_ip", "::1"]]
    {
        let args = ["-CAfile", &ca, "-purpose", "sslserver", check[0], check[1]];
        let (ok, output) = verify(&args, &server);
        assert!(ok, "{check:?}: {output}");
    }
}
