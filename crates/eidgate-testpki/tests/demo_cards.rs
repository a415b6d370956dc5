//! The generated hierarchy and demo cards have the shape of the Estonian eID certificates.

mod common;

use std::sync::OnceLock;

use common::{ocsp_urls, parse, policies, subject_attributes, NOW};
use eidgate_testpki::{oids, personal_code, IssuingCa, TestPki, DEMO_CARDS, DEMO_OCSP_URL};
use time::Duration;
use x509_parser::extensions::GeneralName;
use x509_parser::public_key::PublicKey;

const C: &str = "2.5.4.6";
const O: &str = "2.5.4.10";
const OU: &str = "2.5.4.11";
const CN: &str = "2.5.4.3";
const SN: &str = "2.5.4.4";
const GN: &str = "2.5.4.42";
const SERIAL: &str = "2.5.4.5";
const ORG_ID: &str = "2.5.4.97";
const ECDSA_WITH_SHA512: &str = "1.2.840.10045.4.3.4";
const SECP521R1: &str = "1.3.132.0.35";

fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::generate(NOW).expect("generate test PKI"))
}

fn card_der(name: &str) -> &'static [u8] {
    pki().card(name).expect("demo card").credential().cert_der()
}

fn attrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn valid_card_has_the_esteid2018_subject_order() {
    let cert = parse(card_der("valid"));
    let expected = [
        (C, "EE"),
        (CN, "MÄNNIK,MARI-LIIS,49103151230"),
        (SN, "MÄNNIK"),
        (GN, "MARI-LIIS"),
        (SERIAL, "PNOEE-49103151230"),
    ];
    assert_eq!(subject_attributes(&cert), attrs(&expected));
}

#[test]
fn valid_card_has_the_authentication_extensions() {
    let cert = parse(card_der("valid"));
    assert_eq!(policies(&cert), [oids::POLICY_TEST_ID_CARD, oids::POLICY_NCP_PLUS]);

    let ku = cert.key_usage().unwrap().expect("key usage");
    assert!(ku.critical);
    assert!(ku.value.digital_signature() && ku.value.key_agreement());
    assert!(!ku.value.non_repudiation() && !ku.value.key_encipherment());

    let eku = cert.extended_key_usage().unwrap().expect("extended key usage");
    assert!(eku.critical, "ESTEID2018 marks extKeyUsage critical");
    assert!(eku.value.client_auth && eku.value.email_protection);
    assert!(!eku.value.server_auth && eku.value.other.is_empty());

    let san = cert.subject_alternative_name().unwrap().expect("subjectAltName");
    assert_eq!(san.value.general_names, [GeneralName::RFC822Name("49103151230@eesti.ee")]);
    assert_eq!(ocsp_urls(&cert), [DEMO_OCSP_URL]);
    assert!(!cert.is_ca());
}

#[test]
fn valid_card_is_p384_signed_by_the_trusted_issuing_ca() {
    let cert = parse(card_der("valid"));
    let issuing = parse(pki().issuing_ca().cert_der());
    assert_eq!(cert.issuer().as_raw(), issuing.subject().as_raw());
    assert_eq!(cert.signature_algorithm.algorithm.to_id_string(), ECDSA_WITH_SHA512);
    let PublicKey::EC(point) = cert.public_key().parsed().unwrap() else { panic!("EC key") };
    assert_eq!(point.key_size(), 384);
}

#[test]
fn valid_card_is_valid_from_a_day_before_generation_for_five_years() {
    let validity = parse(card_der("valid")).validity().clone();
    assert_eq!(validity.not_before.to_datetime(), NOW - Duration::days(1));
    assert_eq!(validity.not_after.to_datetime(), NOW + Duration::days(5 * 365));
}

#[test]
fn e_resident_card_has_rsa_2048_and_the_digi_id_policy() {
    let cert = parse(card_der("e-resident"));
    let PublicKey::RSA(rsa) = cert.public_key().parsed().unwrap() else { panic!("RSA key") };
    assert_eq!(rsa.key_size(), 2048);
    assert_eq!(policies(&cert), [oids::POLICY_TEST_E_RESIDENT_DIGI_ID, oids::POLICY_NCP_PLUS]);

    let ku = cert.key_usage().unwrap().expect("key usage").value;
    assert!(ku.digital_signature() && ku.key_encipherment() && !ku.key_agreement());
    let subject = subject_attributes(&cert);
    assert_eq!(subject[0], (C.to_owned(), "EE".to_owned()));
    assert_eq!(subject[1].1, "ØSTERGÅRD,SØREN,38507224562");
}

#[test]
fn expired_card_ended_the_day_before_generation() {
    let not_after = parse(card_der("expired")).validity().not_after.to_datetime();
    assert_eq!(not_after, NOW - Duration::days(1));
}

#[test]
fn signing_card_has_non_repudiation_only_and_no_extended_key_usage() {
    let cert = parse(card_der("signing"));
    let ku = cert.key_usage().unwrap().expect("key usage").value;
    assert!(ku.non_repudiation());
    assert_eq!(ku.flags.count_ones(), 1, "nonRepudiation only, got {ku}");
    assert!(cert.extended_key_usage().unwrap().is_none());
    assert!(cert.subject_alternative_name().unwrap().is_none());
    assert_eq!(policies(&cert), [oids::POLICY_TEST_ID_CARD, oids::POLICY_QCP_N_QSCD]);
}

#[test]
fn mobile_id_card_has_the_legacy_layout_and_policy() {
    let cert = parse(card_der("mobile-id"));
    let expected = [
        (C, "EE"),
        (O, "ESTEID (MOBIIL-ID)"),
        (OU, "authentication"),
        (CN, "ÕUN,ÜLLAR,36901015671"),
        (SN, "ÕUN"),
        (GN, "ÜLLAR"),
        (SERIAL, "36901015671"),
    ];
    assert_eq!(subject_attributes(&cert), attrs(&expected));
    assert_eq!(policies(&cert), [oids::POLICY_LEGACY_MOBILE_ID, oids::POLICY_NCP_PLUS]);
    let issuing = parse(pki().issuing_ca().cert_der());
    assert_eq!(cert.issuer().as_raw(), issuing.subject().as_raw());
}

#[test]
fn wrong_issuer_card_is_signed_by_the_untrusted_ca() {
    let cert = parse(card_der("wrong-issuer"));
    let untrusted = parse(pki().issuing_ca_for(IssuingCa::Untrusted).cert_der());
    let trusted = parse(pki().issuing_ca().cert_der());
    assert_eq!(cert.issuer().as_raw(), untrusted.subject().as_raw());
    assert_ne!(cert.issuer().as_raw(), trusted.subject().as_raw());
}

#[test]
fn revoked_card_looks_like_a_valid_one() {
    let revoked = parse(card_der("revoked"));
    let valid = parse(card_der("valid"));
    assert_eq!(revoked.issuer().as_raw(), valid.issuer().as_raw());
    assert_eq!(revoked.validity(), valid.validity());
    assert_eq!(policies(&revoked), policies(&valid));
    assert_ne!(revoked.raw_serial(), valid.raw_serial());
}

#[test]
fn every_demo_card_carries_a_personal_code_with_a_valid_check_digit() {
    for name in DEMO_CARDS {
        let cert = parse(card_der(name));
        let serial = subject_attributes(&cert)
            .into_iter()
            .find(|(oid, _)| oid == SERIAL)
            .map(|(_, value)| value)
            .unwrap_or_else(|| panic!("{name} has no serialNumber"));
        let code = serial.trim_start_matches("PNOEE-");
        assert!(personal_code::has_valid_check_digit(code), "{name}: {code}");
    }
}

#[test]
fn demo_serial_numbers_are_16_random_octets() {
    let serials: Vec<&[u8]> = pki().cards().map(|(_, card)| card.credential().serial()).collect();
    for serial in &serials {
        assert_eq!(serial.len(), 16);
    }
    for (i, serial) in serials.iter().enumerate() {
        assert!(!serials[i + 1..].contains(serial), "serial numbers repeat");
    }
}

#[test]
fn cas_are_p521_with_the_sk_name_order_and_path_lengths() {
    let root = parse(pki().root().cert_der());
    let issuing = parse(pki().issuing_ca().cert_der());
    let expected = [
        (C, "EE"),
        (O, "EIDGATE TEST PKI"),
        (ORG_ID, "NTREE-00000000"),
        (CN, "EIDGATE TEST ESTEID"),
    ];
    assert_eq!(subject_attributes(&issuing), attrs(&expected));
    assert_eq!(issuing.issuer().as_raw(), root.subject().as_raw());
    assert_eq!(root.issuer().as_raw(), root.subject().as_raw());

    for (cert, path_len) in [(&root, 1), (&issuing, 0)] {
        let bc = cert.basic_constraints().unwrap().expect("basicConstraints").value;
        assert!(bc.ca);
        assert_eq!(bc.path_len_constraint, Some(path_len));
        assert_eq!(cert.signature_algorithm.algorithm.to_id_string(), ECDSA_WITH_SHA512);
        let curve = cert.public_key().algorithm.parameters.as_ref().unwrap().as_oid().unwrap();
        assert_eq!(curve.to_id_string(), SECP521R1);
    }
    let eku = issuing.extended_key_usage().unwrap().expect("issuing CA EKU");
    assert!(eku.critical && eku.value.ocsp_signing && eku.value.client_auth);
}

#[test]
fn server_certificate_names_localhost_and_loopback_addresses() {
    let cert = parse(pki().server().cert_der());
    let san = cert.subject_alternative_name().unwrap().expect("subjectAltName");
    let ipv6_loopback = std::net::Ipv6Addr::LOCALHOST.octets();
    let expected = [
        GeneralName::DNSName("localhost"),
        GeneralName::IPAddress(&[127, 0, 0, 1]),
        GeneralName::IPAddress(&ipv6_loopback),
    ];
    assert_eq!(san.value.general_names, expected);
    assert!(cert.extended_key_usage().unwrap().expect("EKU").value.server_auth);
    let server_ca = parse(pki().server_ca().cert_der());
    assert_eq!(cert.issuer().as_raw(), server_ca.subject().as_raw());
    let PublicKey::EC(point) = cert.public_key().parsed().unwrap() else { panic!("EC") };
    assert_eq!(point.key_size(), 256);
}

#[test]
fn ocsp_responder_certificate_is_for_ocsp_signing_only() {
    let responder = pki().issue_ocsp_responder(IssuingCa::Trusted, NOW).unwrap();
    let cert = parse(responder.cert_der());
    let eku = cert.extended_key_usage().unwrap().expect("EKU");
    assert!(eku.critical && eku.value.ocsp_signing);
    assert!(!eku.value.client_auth && !eku.value.server_auth);
    let ku = cert.key_usage().unwrap().expect("key usage");
    assert!(ku.critical && ku.value.digital_signature());
    let nocheck = "1.3.6.1.5.5.7.48.1.5";
    assert!(cert.extensions().iter().any(|e| e.oid.to_id_string() == nocheck));
    let issuing = parse(pki().issuing_ca().cert_der());
    assert_eq!(cert.issuer().as_raw(), issuing.subject().as_raw());
}

#[test]
fn trust_bundle_holds_the_issuing_ca_then_the_root() {
    let bundle = pki().trust_bundle_pem();
    let blocks: Vec<_> = x509_parser::pem::Pem::iter_from_buffer(bundle.as_bytes())
        .map(|pem| pem.expect("PEM block").contents)
        .collect();
    assert_eq!(blocks, [pki().issuing_ca().cert_der().to_vec(), pki().root().cert_der().to_vec()]);
}
