//! `CardSpec` builds the variants tests need, and refuses input it cannot encode.

mod common;

use std::sync::OnceLock;

use common::{parse, policies, subject_attributes, NOW};
use eidgate_testpki::rcgen::KeyUsagePurpose;
use eidgate_testpki::{
    oids, CardSpec, DnLayout, ExtendedKeyUsage, TestPki, TestPkiError, LEGACY_O_ID_CARD,
};
use time::Duration;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};

fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::generate(NOW).expect("generate test PKI"))
}

fn spec() -> CardSpec {
    CardSpec::authentication("JAAK-KRISTJAN", "JÕEORG", "38001085718")
}

fn issue_der(spec: CardSpec) -> Vec<u8> {
    let card = pki().issue_card(&spec, NOW).expect("issue card");
    card.credential().cert_der().to_vec()
}

fn attribute_types(der: &[u8]) -> Vec<String> {
    subject_attributes(&parse(der)).into_iter().map(|(oid, _)| oid).collect()
}

#[test]
fn alternative_layout_puts_given_name_before_surname_and_common_name() {
    let der = issue_der(spec().layout(DnLayout::Esteid2018Alt));
    assert_eq!(attribute_types(&der), ["2.5.4.6", "2.5.4.42", "2.5.4.4", "2.5.4.3", "2.5.4.5"]);
}

#[test]
fn legacy_signing_card_has_organization_unit_digital_signature_and_a_bare_code() {
    let legacy = DnLayout::LegacySk { organization: LEGACY_O_ID_CARD.to_owned() };
    let der = issue_der(CardSpec::signing("MARI-LIIS", "MÄNNIK", "47101010033").layout(legacy));
    let subject = subject_attributes(&parse(&der));
    let values: Vec<&str> = subject.iter().map(|(_, value)| value.as_str()).collect();
    assert_eq!(
        values,
        [
            "EE",
            "ESTEID",
            "digital signature",
            "MÄNNIK,MARI-LIIS,47101010033",
            "MÄNNIK",
            "MARI-LIIS",
            "47101010033"
        ]
    );
}

#[test]
fn country_sets_both_the_country_attribute_and_the_identifier_prefix() {
    let der = issue_der(spec().country("LV"));
    let subject = subject_attributes(&parse(&der));
    assert_eq!(subject[0].1, "LV");
    assert_eq!(subject[4].1, "PNOLV-38001085718");
}

#[test]
fn extended_key_usage_can_be_non_critical_or_absent() {
    let purposes = vec![oids::EKU_CLIENT_AUTH.to_owned()];
    let der = issue_der(spec().extended_key_usage(ExtendedKeyUsage::NonCritical(purposes)));
    let cert = parse(&der);
    let eku = cert.extended_key_usage().unwrap().expect("EKU");
    assert!(!eku.critical && eku.value.client_auth && !eku.value.email_protection);

    let der = issue_der(spec().extended_key_usage(ExtendedKeyUsage::Absent));
    assert!(parse(&der).extended_key_usage().unwrap().is_none());
}

#[test]
fn empty_key_usages_and_policies_leave_the_extensions_out() {
    let der = issue_der(spec().key_usages(Vec::new()).policies(Vec::<String>::new()));
    let cert = parse(&der);
    assert!(cert.key_usage().unwrap().is_none());
    assert!(policies(&cert).is_empty());
}

#[test]
fn chosen_key_usages_replace_the_default() {
    let der = issue_der(spec().key_usages(vec![KeyUsagePurpose::KeyAgreement]));
    let cert = parse(&der);
    let ku = cert.key_usage().unwrap().expect("key usage").value;
    assert!(ku.key_agreement() && !ku.digital_signature());
}

#[test]
fn crl_url_becomes_a_distribution_point() {
    let url = "http://127.0.0.1:8089/test.crl";
    let der = issue_der(spec().crl_url(Some(url.to_owned())));
    let cert = parse(&der);
    let found = cert.extensions().iter().find_map(|ext| match ext.parsed_extension() {
        ParsedExtension::CRLDistributionPoints(points) => points.points.first().cloned(),
        _ => None,
    });
    let name = found.expect("distribution point").distribution_point.expect("name");
    let DistributionPointName::FullName(names) = name else { panic!("full name") };
    assert!(matches!(names.as_slice(), [GeneralName::URI(u)] if *u == url));
}

#[test]
fn chosen_serial_and_validity_are_used() {
    let not_before = NOW - Duration::days(30);
    let not_after = NOW + Duration::days(30);
    let der = issue_der(spec().serial(vec![0x01, 0x02, 0x03]).validity(not_before, not_after));
    let cert = parse(&der);
    assert_eq!(cert.raw_serial(), [0x01, 0x02, 0x03]);
    assert_eq!(cert.validity().not_before.to_datetime(), not_before);
    assert_eq!(cert.validity().not_after.to_datetime(), not_after);
}

#[test]
fn serial_longer_than_twenty_octets_is_refused() {
    let err = pki().issue_card(&spec().serial(vec![1; 21]), NOW).unwrap_err();
    assert!(matches!(err, TestPkiError::BadSerial { len: 21 }), "{err}");
    let err = pki().issue_card(&spec().serial(Vec::new()), NOW).unwrap_err();
    assert!(matches!(err, TestPkiError::BadSerial { len: 0 }), "{err}");
}

#[test]
fn policy_that_is_not_an_oid_is_refused() {
    let err = pki().issue_card(&spec().policies(["not.an.oid"]), NOW).unwrap_err();
    assert!(matches!(err, TestPkiError::BadOid { ref oid } if oid == "not.an.oid"), "{err}");
}

#[test]
fn country_outside_printable_string_is_refused() {
    let err = pki().issue_card(&spec().country("EÄ"), NOW).unwrap_err();
    assert!(matches!(err, TestPkiError::BadText { .. }), "{err}");
}

#[test]
fn wrong_check_digit_is_issued_as_given() {
    let der = issue_der(CardSpec::authentication("MATI", "KÕVERSAR", "38309140420"));
    assert_eq!(subject_attributes(&parse(&der))[4].1, "PNOEE-38309140420");
}
