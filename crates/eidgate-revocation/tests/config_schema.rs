//! The `[revocation]` configuration: documented defaults, the documented example, unknown keys
//! refused, and mistakes reported with the key that holds them.

mod common;

use std::path::PathBuf;

use common::{Pki, TempDir};
use eidgate_revocation::config::{CertIdHash, Methods, ResponderConfig, RevocationConfig};
use eidgate_revocation::{ConfigError, RevocationChecker};

fn parse(text: &str) -> Result<RevocationConfig, toml::de::Error> {
    toml::from_str(text)
}

#[test]
fn empty_table_gives_the_documented_defaults() {
    let config = parse("").unwrap();

    assert_eq!(config, RevocationConfig::default());
    assert_eq!(config.dangerous_grace_period_secs, 0);
    assert_eq!(config.cache.max_entries, 100_000);
    assert_eq!(config.cache.max_lifetime_secs, 300);
    let unlisted = &config.unlisted;
    assert_eq!(unlisted.methods, Methods::OcspThenCrl);
    assert_eq!(unlisted.clock_skew_secs, 300);
    assert_eq!(unlisted.ocsp.responders, vec![ResponderConfig::aia()]);
    assert!(unlisted.ocsp.responders[0].nonce);
    assert_eq!(unlisted.ocsp.responders[0].cert_id_hash, CertIdHash::Sha1);
    assert_eq!(unlisted.ocsp.connect_timeout_ms, 3000);
    assert_eq!(unlisted.ocsp.response_timeout_ms, 5000);
    assert_eq!(unlisted.ocsp.max_response_bytes, 65536);
    assert_eq!(unlisted.ocsp.max_this_update_age_secs, 120);
    assert!(!unlisted.crl.distribution_points);
    assert_eq!(unlisted.crl.refresh_interval_secs, 900);
    assert_eq!(unlisted.crl.download_timeout_ms, 30_000);
    assert_eq!(unlisted.crl.max_crl_bytes, 64 * 1024 * 1024);
}

#[test]
fn documented_example_parses() {
    let text = r#"
        dangerous_grace_period_secs = 0

        [cache]
        max_entries = 100000
        max_lifetime_secs = 300

        [[issuers]]
        issuer_cert = "ca/ESTEID2018.cer"
        methods = "ocsp-then-crl"
        ocsp.responders = [
            { url = "aia" },
            { url = "http://ocsp.sk.ee/", responder_cert = "ca/SK_OCSP_2024.cer" },
        ]
        crl.urls = ["http://c.sk.ee/esteid2018.crl"]
    "#;

    let config = parse(text).unwrap();

    let issuer = &config.issuers[0];
    assert_eq!(issuer.issuer_cert, PathBuf::from("ca/ESTEID2018.cer"));
    assert_eq!(issuer.methods, Methods::OcspThenCrl);
    assert_eq!(issuer.clock_skew_secs, 300);
    assert_eq!(issuer.ocsp.responders[1].url, "http://ocsp.sk.ee/");
    assert_eq!(
        issuer.ocsp.responders[1].responder_cert,
        Some(PathBuf::from("ca/SK_OCSP_2024.cer"))
    );
    assert!(issuer.ocsp.responders[1].nonce);
    assert_eq!(issuer.crl.urls, vec!["http://c.sk.ee/esteid2018.crl".to_string()]);
}

#[test]
fn unknown_keys_are_refused_with_their_name() {
    let err = parse("[unlisted.ocsp]\nnonse = false\n").unwrap_err();
    assert!(err.to_string().contains("nonse"), "{err}");

    let err = parse("dangerous_grace_period = 60\n").unwrap_err();
    assert!(err.to_string().contains("dangerous_grace_period"), "{err}");
}

#[test]
fn methods_and_hashes_use_their_documented_spellings() {
    let config =
        parse("[unlisted]\nmethods = \"crl\"\n[unlisted.crl]\ndistribution_points = true\n")
            .unwrap();
    assert_eq!(config.unlisted.methods, Methods::Crl);
    let err = parse("[unlisted]\nmethods = \"ocsp_then_crl\"\n").unwrap_err();
    assert!(err.to_string().contains("ocsp-then-crl"), "{err}");
    let hash =
        parse("[[unlisted.ocsp.responders]]\nurl = \"aia\"\ncert_id_hash = \"sha256\"\n").unwrap();
    assert_eq!(hash.unlisted.ocsp.responders[0].cert_id_hash, CertIdHash::Sha256);
}

fn build(text: &str, dir: &TempDir) -> Result<RevocationChecker, ConfigError> {
    RevocationChecker::new(&parse(text).unwrap(), dir.path())
}

#[test]
fn https_responder_url_is_refused_naming_the_key() {
    let dir = TempDir::new("config");
    dir.write("ca.der", &Pki::new("TEST CA").ca_der);
    let text = r#"
        [[issuers]]
        issuer_cert = "ca.der"
        ocsp.responders = [{ url = "aia" }, { url = "https://ocsp.example/" }]
    "#;

    let err = build(text, &dir).err().unwrap();

    let ConfigError::Invalid { key, .. } = &err else {
        panic!("expected an invalid value, got {err}");
    };
    assert_eq!(key, "issuers[0].ocsp.responders[1].url");
}

#[test]
fn missing_issuer_certificate_is_reported_with_its_path() {
    let dir = TempDir::new("config");
    let err = build("[[issuers]]\nissuer_cert = \"nope.der\"\n", &dir).err().unwrap();

    let ConfigError::Certificate { key, path, .. } = &err else {
        panic!("expected a certificate error, got {err}");
    };
    assert_eq!(key, "issuers[0].issuer_cert");
    assert_eq!(path, &dir.path().join("nope.der"));
}

#[test]
fn same_issuer_listed_twice_is_refused() {
    let dir = TempDir::new("config");
    dir.write("ca.der", &Pki::new("TEST CA").ca_der);
    let text = "[[issuers]]\nissuer_cert = \"ca.der\"\n[[issuers]]\nissuer_cert = \"ca.der\"\n";

    let err = build(text, &dir).err().unwrap();

    assert!(
        matches!(&err, ConfigError::DuplicateIssuer { key, .. } if key == "issuers[1]"),
        "{err}"
    );
}

#[test]
fn crl_files_for_unlisted_issuers_are_refused() {
    let dir = TempDir::new("config");
    let err = build("[unlisted.crl]\nfiles = [\"x.crl\"]\n", &dir).err().unwrap();
    assert!(err.to_string().starts_with("unlisted.crl:"), "{err}");
}

#[test]
fn zero_timeout_is_refused() {
    let dir = TempDir::new("config");
    let err = build("[unlisted.ocsp]\nresponse_timeout_ms = 0\n", &dir).err().unwrap();
    assert_eq!(
        err,
        ConfigError::Invalid {
            key: "unlisted.ocsp.response_timeout_ms".into(),
            reason: "must be above 0".into()
        }
    );
}
