//! The acceptance decision over the real certificates in ../shared/eid-data, at the times and
//! with the outcomes its MANIFEST gives (the Web eID validators' results).

use std::path::Path;
use std::time::Duration;

use eidgate_core::{verify_card, AcceptancePolicy, Refusal, TrustStore};
use eidgate_testpki::eid_data::{eid_data_dir, read};
use rustls_pki_types::{CertificateDer, UnixTime};
use time::macros::datetime;
use time::OffsetDateTime;

const SK_TEST_2018: [&str; 2] = ["ca/TEST_of_ESTEID2018.cer", "ca/TEST_of_EE-GovCA2018.pem.crt"];
const SK_TEST_2015: [&str; 2] =
    ["ca/TEST_of_ESTEID-SK_2015.cer", "ca/TEST_of_EE_Certification_Centre_Root_CA.der"];

fn trust(data: &Path, files: &[&str]) -> TrustStore {
    let mut certs = Vec::new();
    for file in files {
        certs.extend(TrustStore::read_certificates(&read(data, file)).unwrap());
    }
    TrustStore::new(certs).unwrap()
}

fn card(data: &Path, file: &str) -> Vec<CertificateDer<'static>> {
    TrustStore::read_certificates(&read(data, file)).unwrap()
}

fn at(instant: OffsetDateTime) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(instant.unix_timestamp() as u64))
}

/// The decision's reason code, or "accepted".
fn decide(data: &Path, file: &str, trust: &TrustStore, instant: OffsetDateTime) -> String {
    let policy = AcceptancePolicy::default();
    match verify_card(&card(data, file), trust, &policy, at(instant)) {
        Ok(_) => "accepted".into(),
        Err(refusal) => refusal.code().into(),
    }
}

#[test]
fn sk_test_cards_of_joeorg_are_accepted_inside_their_validity_only() {
    let Some(data) = eid_data_dir("sk_test_cards_of_joeorg_are_accepted") else { return };
    let trust = trust(&data, &SK_TEST_2018);
    let card_2018 = "user/EE_JOEORG_auth_TEST_ESTEID2018_2018-10-18_2023-10-17.cer";
    let card_2021 = "user/EE_JOEORG_auth_TEST_ESTEID2018_2021-07-22_2026-07-09.der";
    let tara = "user/EE_JOEORG_auth_TEST_ESTEID2018_2019-05-02_2029-05-02_TARA.cer.pem";

    assert_eq!(decide(&data, card_2018, &trust, datetime!(2021-08-01 0:00 UTC)), "accepted");
    assert_eq!(decide(&data, card_2018, &trust, datetime!(2000-01-01 0:00 UTC)), "not-yet-valid");
    assert_eq!(decide(&data, card_2018, &trust, datetime!(2030-01-01 0:00 UTC)), "expired");
    assert_eq!(decide(&data, card_2021, &trust, datetime!(2021-08-01 0:00 UTC)), "accepted");
    assert_eq!(decide(&data, card_2021, &trust, datetime!(2026-07-09 21:59:59 UTC)), "accepted");
    assert_eq!(decide(&data, card_2021, &trust, datetime!(2026-10-19 0:00 UTC)), "expired");
    assert_eq!(decide(&data, card_2021, &trust, datetime!(2018-10-17 0:00 UTC)), "not-yet-valid");
    assert_eq!(decide(&data, tara, &trust, datetime!(2026-12-01 0:00 UTC)), "accepted");
}

#[test]
fn issuing_ca_alone_is_a_trust_anchor_as_in_web_eid() {
    let Some(data) = eid_data_dir("issuing_ca_alone_is_a_trust_anchor") else { return };
    let trust = trust(&data, &["ca/TEST_of_ESTEID2018.cer"]);
    assert_eq!(trust.cas()[0].issuer, None);
    assert!(!trust.cas()[0].is_root);
    let card = "user/EE_JOEORG_auth_TEST_ESTEID2018_2021-07-22_2026-07-09.der";
    assert_eq!(decide(&data, card, &trust, datetime!(2021-08-01 0:00 UTC)), "accepted");
}

#[test]
fn card_of_another_hierarchy_is_from_an_untrusted_issuer() {
    let Some(data) = eid_data_dir("card_of_another_hierarchy_is_untrusted") else { return };
    let card = "user/EE_JOEORG_auth_TEST_ESTEID2018_2018-10-18_2023-10-17.cer";
    let wrong = trust(&data, &SK_TEST_2015);
    assert_eq!(decide(&data, card, &wrong, datetime!(2021-08-01 0:00 UTC)), "untrusted-issuer");
    let production = trust(&data, &["ca/ESTEID2018.cer", "ca/EE-GovCA2018.pem"]);
    assert_eq!(
        decide(&data, card, &production, datetime!(2021-08-01 0:00 UTC)),
        "untrusted-issuer"
    );
    let org = "user/EE_ORG_Testijad_TEST_KLASS3-SK2016_2022-11-02_2025-12-01.der";
    let sk_2018 = trust(&data, &SK_TEST_2018);
    assert_eq!(decide(&data, org, &sk_2018, datetime!(2024-01-01 0:00 UTC)), "untrusted-issuer");
}

#[test]
fn tampered_and_wrong_kind_certificates_are_refused_for_the_reference_reason() {
    let Some(data) = eid_data_dir("tampered_and_wrong_kind_certificates") else { return };
    let trust = trust(&data, &SK_TEST_2018);
    let cases = [
        ("user/EE_JOEORG_auth_WRONG_POLICY_tampered_MobileID_policy.der", "mobile-id"),
        ("user/EE_JOEORG_auth_WRONG_PURPOSE_tampered_EKU.der", "wrong-extended-key-usage"),
        ("user/EE_JOEORG_sign_TEST_ESTEID2018_2019-05-02_2029-05-02.der", "signing-certificate"),
        ("user/EE_MANNIK_sign_TEST_ESTEID-SK2015_2017-10-03_2022-10-02.der", "signing-certificate"),
        ("user/EE_KOVERSAR_MobileID_new_ESTEID-SK2015_2020-08-31_2025-08-31.der", "mobile-id"),
        ("user/MISSING_KEY_USAGE_selfsigned_web-eid.eu.der", "missing-key-usage"),
    ];
    for (file, reason) in cases {
        assert_eq!(decide(&data, file, &trust, datetime!(2021-08-01 0:00 UTC)), reason, "{file}");
    }
    let kass = "user/EE_KASS_MobileID_old_ESTEID-SK2015_2016-05-16_2021-05-16.der";
    assert_eq!(decide(&data, kass, &trust, datetime!(2021-03-01 0:00 UTC)), "mobile-id");
}

#[test]
fn tampered_certificate_with_a_valid_purpose_fails_its_signature() {
    let Some(data) = eid_data_dir("tampered_certificate_fails_its_signature") else { return };
    let trust = trust(&data, &SK_TEST_2018);
    let policy = AcceptancePolicy { dangerous_accept_mobile_id: true, ..Default::default() };
    let file = "user/EE_JOEORG_auth_WRONG_POLICY_tampered_MobileID_policy.der";
    let result =
        verify_card(&card(&data, file), &trust, &policy, at(datetime!(2021-08-01 0:00 UTC)));
    assert_eq!(result.unwrap_err(), Refusal::BadSignature);
}

#[test]
fn expired_production_and_legacy_cards_are_reported_expired_before_trust() {
    let Some(data) = eid_data_dir("expired_production_and_legacy_cards") else { return };
    let trust = trust(&data, &SK_TEST_2018);
    let now = datetime!(2026-12-01 0:00 UTC);
    for file in [
        "user/EE_KITT_auth_EXPIRED_RSA_ESTEID-SK2011_2013-10-14_2018-10-11.der",
        "user/EE_TOOM_auth_EXPIRED_ECDSA_ESTEID-SK2015_2017-10-25_2021-02-10.der",
        "user/EE_VARNICK_auth_TEST_ESTEID-SK2011_2015-04-10_2020-04-08_TARA.pem",
        "user/EE_ZAIKOVSKI_auth_TEST_ESTEID-SK2015_2018-06-14_2023-06-13_TARA.pem",
        "user/LV_PARAUDZINS_auth_DEMO_LV_eID_ICA_2017.der",
        "user/EE_JOEORG_auth_REVOKED_TEST_ESTEID2018_2018-06-19_2020-01-02.der",
    ] {
        assert_eq!(decide(&data, file, &trust, now), "expired", "{file}");
    }
}

#[test]
fn legacy_esteid_sk_2015_cards_chain_with_rsa_cas() {
    let Some(data) = eid_data_dir("legacy_esteid_sk_2015_cards_chain") else { return };
    let toom = "user/EE_TOOM_auth_EXPIRED_ECDSA_ESTEID-SK2015_2017-10-25_2021-02-10.der";
    let production = trust(&data, &["ca/ESTEID-SK_2015.der"]);
    assert_eq!(decide(&data, toom, &production, datetime!(2020-01-01 0:00 UTC)), "accepted");
    assert_eq!(decide(&data, toom, &production, datetime!(2021-08-01 0:00 UTC)), "expired");

    let zaikovski = "user/EE_ZAIKOVSKI_auth_TEST_ESTEID-SK2015_2018-06-14_2023-06-13_TARA.pem";
    let test = trust(&data, &SK_TEST_2015);
    assert_eq!(decide(&data, zaikovski, &test, datetime!(2020-01-01 0:00 UTC)), "accepted");
}

#[test]
fn required_document_policy_accepts_sk_test_cards_and_refuses_an_organisation() {
    let Some(data) = eid_data_dir("required_document_policy") else { return };
    let policy = AcceptancePolicy {
        require_authentication_policy: true,
        require_document_policy: true,
        ..Default::default()
    };
    let sk = trust(&data, &SK_TEST_2018);
    let joeorg = card(&data, "user/EE_JOEORG_auth_TEST_ESTEID2018_2021-07-22_2026-07-09.der");
    let verified = verify_card(&joeorg, &sk, &policy, at(datetime!(2021-08-01 0:00 UTC))).unwrap();
    assert_eq!(verified.identity().identifier.as_ref().unwrap().to_string(), "PNOEE-38001085718");
    assert_eq!(verified.chain_depth(), 2);
    assert_eq!(verified.issuer().as_ref(), read(&data, "ca/TEST_of_ESTEID2018.cer"));

    let org_trust = trust(&data, &["ca/TEST_of_KLASS3-SK_2016.cer"]);
    let org = card(&data, "user/EE_ORG_Testijad_TEST_KLASS3-SK2016_2022-11-02_2025-12-01.der");
    let refused = verify_card(&org, &org_trust, &policy, at(datetime!(2024-01-01 0:00 UTC)));
    assert!(matches!(
        refused.unwrap_err(),
        Refusal::MissingAuthenticationPolicy | Refusal::MissingDocumentPolicy
    ));
}

#[test]
fn verify_depth_one_refuses_a_card_under_issuing_ca_and_root() {
    let Some(data) = eid_data_dir("verify_depth_one_refuses") else { return };
    let sk = trust(&data, &SK_TEST_2018);
    let policy = AcceptancePolicy { verify_depth: 1, ..Default::default() };
    let card = card(&data, "user/EE_JOEORG_auth_TEST_ESTEID2018_2021-07-22_2026-07-09.der");
    let refused = verify_card(&card, &sk, &policy, at(datetime!(2021-08-01 0:00 UTC)));
    assert_eq!(refused.unwrap_err(), Refusal::ChainTooDeep { depth: 2, max: 1 });
}
