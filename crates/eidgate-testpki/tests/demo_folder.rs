//! `write_to`, `load` and `load_or_generate` keep one PKI in a folder without ever replacing a
//! file.

mod common;

use std::fs;
use std::path::Path;

use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P521_SHA512_ASN1};
use common::{parse, Scratch, NOW};
use eidgate_testpki::{layout, CardSpec, Credential, TestPki, TestPkiError, DEMO_CARDS};
use time::Duration;

fn same_credential(a: &Credential, b: &Credential) -> bool {
    a.cert_der() == b.cert_der() && a.key_pkcs8_der() == b.key_pkcs8_der()
}

fn assert_same_pki(a: &TestPki, b: &TestPki) {
    let authorities = [
        (a.root(), b.root()),
        (a.issuing_ca(), b.issuing_ca()),
        (a.untrusted_root(), b.untrusted_root()),
        (
            a.issuing_ca_for(eidgate_testpki::IssuingCa::Untrusted),
            b.issuing_ca_for(eidgate_testpki::IssuingCa::Untrusted),
        ),
        (a.server_ca(), b.server_ca()),
    ];
    for (x, y) in authorities {
        assert_eq!(x.cert_der(), y.cert_der());
        assert_eq!(x.key_pkcs8_der(), y.key_pkcs8_der());
    }
    assert!(same_credential(a.server(), b.server()));
    for name in DEMO_CARDS {
        let (x, y) = (a.card(name).unwrap(), b.card(name).unwrap());
        assert!(same_credential(x.credential(), y.credential()), "{name}");
        assert_eq!(x.holder_name(), y.holder_name(), "{name}");
    }
}

#[test]
fn load_or_generate_writes_once_and_then_loads_the_same_pki() {
    let dir = Scratch::new("round-trip");
    let generated = TestPki::load_or_generate(dir.path(), NOW).unwrap();
    assert!(dir.path().join(layout::ROOT_CERT).is_file());
    assert!(dir.path().join(layout::card_file("revoked", "p12")).is_file());

    // A later instant does not regenerate anything.
    let loaded = TestPki::load_or_generate(dir.path(), NOW + Duration::days(400)).unwrap();
    assert_same_pki(&generated, &loaded);
    assert_eq!(generated.trust_bundle_pem(), loaded.trust_bundle_pem());
}

#[test]
fn loaded_issuing_ca_still_issues_cards_that_chain_to_it() {
    let dir = Scratch::new("reissue");
    TestPki::generate(NOW).unwrap().write_to(dir.path()).unwrap();
    let loaded = TestPki::load(dir.path()).unwrap();

    let spec = CardSpec::authentication("JAAN", "TAMM", "38001085718");
    let card = loaded.issue_card(&spec, NOW).unwrap();
    let cert = parse(card.credential().cert_der());
    let issuing = parse(loaded.issuing_ca().cert_der());
    assert_eq!(cert.issuer().as_raw(), issuing.subject().as_raw());
    // x509-parser cannot check ecdsa-with-SHA512, so aws-lc-rs checks the signature directly.
    let ca_key = UnparsedPublicKey::new(
        &ECDSA_P521_SHA512_ASN1,
        issuing.public_key().subject_public_key.as_ref(),
    );
    let tbs = cert.tbs_certificate.as_ref();
    ca_key.verify(tbs, cert.signature_value.as_ref()).expect("signed by the loaded CA key");
}

#[test]
fn write_to_never_overwrites_an_existing_file() {
    let dir = Scratch::new("no-overwrite");
    TestPki::generate(NOW).unwrap().write_to(dir.path()).unwrap();
    let before = fs::read(dir.path().join(layout::ROOT_CERT)).unwrap();

    let err = TestPki::generate(NOW).unwrap().write_to(dir.path()).unwrap_err();
    let TestPkiError::Io { source, .. } = &err else { panic!("{err}") };
    assert_eq!(source.kind(), std::io::ErrorKind::AlreadyExists);
    assert_eq!(fs::read(dir.path().join(layout::ROOT_CERT)).unwrap(), before);
}

#[test]
fn folder_with_part_of_a_pki_is_refused_not_completed() {
    let dir = Scratch::new("partial");
    fs::create_dir_all(dir.path().join("ca")).unwrap();
    fs::write(dir.path().join(layout::ISSUING_KEY), "placeholder").unwrap();

    let err = TestPki::load_or_generate(dir.path(), NOW).unwrap_err();
    assert!(
        matches!(&err, TestPkiError::Io { path, .. } if path.ends_with(layout::ISSUING_KEY)),
        "{err}"
    );
    assert_eq!(fs::read_to_string(dir.path().join(layout::ISSUING_KEY)).unwrap(), "placeholder");
    assert!(!dir.path().join(layout::ROOT_CERT).exists());
}

#[test]
fn key_that_does_not_belong_to_its_certificate_is_refused() {
    let dir = Scratch::new("mismatch");
    TestPki::generate(NOW).unwrap().write_to(dir.path()).unwrap();
    let root_key = fs::read(dir.path().join(layout::ROOT_KEY)).unwrap();
    fs::write(dir.path().join(layout::ISSUING_KEY), root_key).unwrap();

    let err = TestPki::load(dir.path()).unwrap_err();
    let TestPkiError::BadFile { path, .. } = &err else { panic!("{err}") };
    assert!(path.ends_with(layout::ISSUING_KEY), "{err}");
}

#[cfg(unix)]
#[test]
fn private_keys_and_pkcs12_files_are_readable_by_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;

    let dir = Scratch::new("modes");
    TestPki::generate(NOW).unwrap().write_to(dir.path()).unwrap();
    let mode =
        |relative: &Path| fs::metadata(dir.path().join(relative)).unwrap().permissions().mode();

    let secret = [layout::ROOT_KEY, layout::ISSUING_KEY, layout::SERVER_KEY, layout::SERVER_CA_KEY];
    for relative in secret.map(Path::new).into_iter().chain([
        layout::card_file("valid", "key").as_path(),
        layout::card_file("valid", "p12").as_path(),
    ]) {
        assert_eq!(mode(relative) & 0o777, 0o600, "{}", relative.display());
    }
}
