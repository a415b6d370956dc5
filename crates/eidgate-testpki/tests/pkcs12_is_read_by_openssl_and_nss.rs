//! The demo `.p12` files open in OpenSSL and import into an NSS database (what Firefox and
//! Chrome on Linux use), with the right certificate, key and nickname.

mod common;

use common::{pki, run, text, Demo, Scratch};
use eidgate_testpki::{layout, DEMO_P12_PASSWORD};

fn pass() -> String {
    format!("pass:{DEMO_P12_PASSWORD}")
}

/// Runs a tool and fails the test with its output when it exits non-zero.
fn run_ok(program: &str, args: &[&str]) -> String {
    let output = run(program, args);
    let all = text(&output);
    assert!(output.status.success(), "{program} {args:?} failed:\n{all}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn openssl_reads_the_bags_with_sha256_mac_and_pbes2() {
    let demo = Demo::write("p12-info");
    for name in ["valid", "e-resident"] {
        let p12 = demo.path(layout::card_file(name, "p12"));
        let output =
            run("openssl", &["pkcs12", "-in", &p12, "-passin", &pass(), "-nodes", "-info"]);
        let all = text(&output);
        assert!(output.status.success(), "{name}: {all}");
        assert!(all.contains("MAC: sha256, Iteration 2048"), "{name}: {all}");
        assert!(all.contains("PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"));
        assert!(all.contains("-----BEGIN PRIVATE KEY-----"), "{name}: {all}");
    }
}

#[test]
fn openssl_finds_the_card_certificate_and_its_own_key() {
    let demo = Demo::write("p12-key");
    let key_out = &demo.path("key.pem");
    let p12 = demo.path(layout::card_file("valid", "p12"));
    let base = ["pkcs12", "-in", &p12, "-passin", &pass(), "-nodes"];

    let certs = run_ok("openssl", &[&base[..], &["-nokeys", "-clcerts"]].concat());
    assert!(
        certs.contains("subject=C = EE, CN = \"M\\C3\\84NNIK,MARI-LIIS,49103151230\""),
        "{certs}"
    );

    run_ok("openssl", &[&base[..], &["-nocerts", "-out", key_out]].concat());
    let key_public = run_ok("openssl", &["pkey", "-in", key_out, "-pubout"]);
    let cert = demo.path(layout::card_file("valid", "crt"));
    let cert_public = run_ok("openssl", &["x509", "-in", &cert, "-pubkey", "-noout"]);
    assert_eq!(key_public, cert_public);
}

#[test]
fn openssl_refuses_a_wrong_password_at_the_mac() {
    let demo = Demo::write("p12-password");
    let p12 = demo.path(layout::card_file("valid", "p12"));
    let output = run("openssl", &["pkcs12", "-in", &p12, "-passin", "pass:4321", "-nodes"]);
    assert!(!output.status.success());
    assert!(text(&output).contains("Mac verify error"), "{}", text(&output));
}

#[test]
fn nss_imports_the_card_under_the_holder_name() {
    let demo = Demo::write("p12-nss");
    let db = Scratch::new("p12-nssdb");
    let db_arg = format!("sql:{}", db.path().display());
    run_ok("certutil", &["-N", "-d", &db_arg, "--empty-password"]);

    for (name, nickname) in [("valid", "MARI-LIIS MÄNNIK"), ("e-resident", "SØREN ØSTERGÅRD")] {
        let p12 = demo.path(layout::card_file(name, "p12"));
        let imported =
            run_ok("pk12util", &["-i", &p12, "-d", &db_arg, "-W", DEMO_P12_PASSWORD, "-K", ""]);
        assert!(imported.contains("PKCS12 IMPORT SUCCESSFUL"), "{imported}");

        // The certificate stored under the nickname is the card's, byte for byte.
        let stored = run("certutil", &["-L", "-d", &db_arg, "-n", nickname, "-r"]);
        assert!(stored.status.success(), "{name}: {}", text(&stored));
        let card = pki().card(name).unwrap();
        assert_eq!(stored.stdout, card.credential().cert_der().as_ref(), "{name}");
    }

    let keys = run_ok("certutil", &["-K", "-d", &db_arg]);
    assert!(keys.contains("MARI-LIIS MÄNNIK") && keys.contains("SØREN ØSTERGÅRD"), "{keys}");
}
