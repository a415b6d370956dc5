//! The nginx-format subject names agree with what the `openssl` program prints for the same
//! certificate (`-nameopt RFC2253` is `$ssl_client_s_dn`, `-nameopt compat` is
//! `$ssl_client_s_dn_legacy`), for every attribute type eidgate names and for values that
//! exercise each escaping rule. scripts/test installs openssl.

use std::path::Path;
use std::process::Command;

use rcgen::string::{BmpString, Ia5String, PrintableString, TeletexString, UniversalString};
use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, KeyPair};

use eidgate_server::identity_headers::nginx::{pem, NginxSubject};
use eidgate_server::identity_headers::openssl_objects::known_oids;

/// A self-signed certificate whose subject is `attributes`, one per RDN, in this order.
fn certificate(attributes: Vec<(DnType, DnValue)>) -> Vec<u8> {
    let mut name = DistinguishedName::new();
    for (kind, value) in attributes {
        name.push(kind, value);
    }
    let mut params = CertificateParams::default();
    params.distinguished_name = name;
    let key = KeyPair::generate().expect("key");
    params.self_signed(&key).expect("certificate").der().to_vec()
}

/// What `openssl x509 -noout -subject -nameopt OPTION` prints, without `subject=` and the
/// final line feed.
fn openssl_subject(der: &[u8], option: &str, dir: &Path) -> String {
    let file = dir.join(format!("{option}.pem"));
    std::fs::write(&file, pem(der)).unwrap();
    let output = Command::new("openssl")
        .args(["x509", "-noout", "-subject", "-nameopt", option, "-in"])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl (scripts/test installs it): {e}"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).expect("openssl prints escaped ASCII");
    let text = text.strip_suffix('\n').unwrap_or(&text);
    text.strip_prefix("subject=").unwrap_or(text).to_owned()
}

fn assert_same_as_openssl(name: &str, attributes: Vec<(DnType, DnValue)>) {
    let dir = std::env::temp_dir().join(format!("eidgate-dn-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let der = certificate(attributes);
    let ours = NginxSubject::from_der(&der).expect("printable");
    assert_eq!(ours.rfc2253, openssl_subject(&der, "RFC2253", &dir), "{name}: RFC 2253");
    assert_eq!(ours.legacy, openssl_subject(&der, "compat", &dir), "{name}: legacy");
    let _ = std::fs::remove_dir_all(&dir);
}

fn oid(dotted: &str) -> DnType {
    DnType::CustomDnType(dotted.split('.').map(|arc| arc.parse().unwrap()).collect())
}

#[test]
fn every_named_attribute_type_prints_as_openssl_names_it() {
    let attributes =
        known_oids().map(|dotted| (oid(dotted), DnValue::Utf8String("v".into()))).collect();
    assert_same_as_openssl("names", attributes);
}

#[test]
fn unknown_attribute_types_print_dotted_like_openssl() {
    assert_same_as_openssl(
        "unknown",
        vec![
            (oid("1.3.6.1.4.1.99999.7"), DnValue::Utf8String("Zz".into())),
            (oid("2.5.4.55"), DnValue::PrintableString(PrintableString::try_from("x").unwrap())),
            (DnType::CommonName, DnValue::Utf8String("known".into())),
        ],
    );
}

#[test]
fn every_escaping_rule_matches_openssl() {
    let utf8 = |text: &str| DnValue::Utf8String(text.to_owned());
    assert_same_as_openssl(
        "escapes",
        vec![
            (DnType::CountryName, utf8(" #lead and trail ")),
            (DnType::OrganizationName, utf8(",+\"\\<>;=/#")),
            (DnType::OrganizationalUnitName, utf8("#")),
            (DnType::CommonName, utf8(" ")),
            (oid("2.5.4.4"), utf8("ctrl\u{1}\u{7f}end")),
            (oid("2.5.4.42"), utf8("JÕEORG Ž")),
        ],
    );
}

#[test]
fn every_string_type_matches_openssl() {
    assert_same_as_openssl(
        "types",
        vec![
            (
                DnType::CountryName,
                DnValue::PrintableString(PrintableString::try_from("EE").unwrap()),
            ),
            (DnType::CommonName, DnValue::BmpString(BmpString::try_from("ŠÕ a,b").unwrap())),
            (oid("2.5.4.4"), DnValue::UniversalString(UniversalString::try_from("Ž😀").unwrap())),
            (oid("2.5.4.42"), DnValue::TeletexString(TeletexString::try_from("T61 text").unwrap())),
            (
                oid("1.2.840.113549.1.9.1"),
                DnValue::Ia5String(Ia5String::try_from("a+b/c@example.ee").unwrap()),
            ),
        ],
    );
}
