//! The acceptance decision over a test PKI generated in code: every demo card, trust built from
//! roots or issuing CAs alone, CA certificates presented as cards, and document policies that
//! the issuing CA does not issue.

use std::time::Duration;

use eidgate_core::{verify_card, AcceptancePolicy, Refusal, TrustStore};
use eidgate_testpki::rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P384_SHA384,
};
use eidgate_testpki::{oids, CardSpec, TestPki};
use rustls_pki_types::{CertificateDer, UnixTime};
use time::OffsetDateTime;

fn unix(at: OffsetDateTime) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(at.unix_timestamp() as u64))
}

fn strict() -> AcceptancePolicy {
    AcceptancePolicy {
        require_authentication_policy: true,
        require_document_policy: true,
        ..Default::default()
    }
}

fn bundle(pki: &TestPki) -> TrustStore {
    TrustStore::new(vec![pki.issuing_ca().cert_der().clone(), pki.root().cert_der().clone()])
        .unwrap()
}

fn reason(result: Result<eidgate_core::VerifiedCard, Refusal>) -> String {
    match result {
        Ok(_) => "accepted".into(),
        Err(refusal) => refusal.code().into(),
    }
}

#[test]
fn every_demo_card_gets_the_decision_its_name_promises() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now).unwrap();
    let trust = bundle(&pki);
    let expected = [
        ("valid", "accepted"),
        ("e-resident", "accepted"),
        ("revoked", "accepted"),
        ("expired", "expired"),
        ("signing", "signing-certificate"),
        ("mobile-id", "mobile-id"),
        ("wrong-issuer", "untrusted-issuer"),
    ];
    for (name, outcome) in expected {
        let card = pki.card(name).unwrap().credential().cert_der().clone();
        assert_eq!(reason(verify_card(&[card], &trust, &strict(), unix(now))), outcome, "{name}");
    }
}

#[test]
fn intermediate_sent_by_the_client_completes_a_path_to_a_configured_root() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now).unwrap();
    let root_only = TrustStore::new(vec![pki.root().cert_der().clone()]).unwrap();
    let card = pki.card("valid").unwrap().credential().cert_der().clone();

    let alone = verify_card(std::slice::from_ref(&card), &root_only, &strict(), unix(now));
    assert_eq!(reason(alone), "untrusted-issuer");
    let with_issuer = [card, pki.issuing_ca().cert_der().clone()];
    let verified = verify_card(&with_issuer, &root_only, &strict(), unix(now)).unwrap();
    assert_eq!(verified.issuer(), pki.issuing_ca().cert_der());
    assert_eq!(verified.chain_depth(), 2);
}

#[test]
fn ca_certificate_presented_as_a_card_is_refused() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now).unwrap();
    let trust = TrustStore::new(vec![pki.root().cert_der().clone()]).unwrap();
    let issuing = pki.issuing_ca().cert_der().clone();
    let result = verify_card(&[issuing], &trust, &AcceptancePolicy::default(), unix(now));
    assert_eq!(reason(result), "ca-certificate");
}

#[test]
fn empty_chain_and_garbage_are_refused_with_their_own_reasons() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now).unwrap();
    let trust = bundle(&pki);
    assert_eq!(verify_card(&[], &trust, &strict(), unix(now)).unwrap_err(), Refusal::NoCertificate);
    let garbage = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x01]);
    assert_eq!(reason(verify_card(&[garbage], &trust, &strict(), unix(now))), "malformed");
}

#[test]
fn card_without_the_authentication_policy_is_refused_only_when_it_is_required() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now).unwrap();
    let spec = CardSpec::authentication("MARI", "TAMM", "48812040138")
        .policies([oids::POLICY_TEST_ID_CARD]);
    let card = pki.issue_card(&spec, now).unwrap().credential().cert_der().clone();
    let trust = bundle(&pki);

    let lenient =
        verify_card(std::slice::from_ref(&card), &trust, &AcceptancePolicy::default(), unix(now));
    assert_eq!(reason(lenient), "accepted");
    assert_eq!(
        reason(verify_card(&[card], &trust, &strict(), unix(now))),
        "missing-authentication-policy"
    );
}

#[test]
fn card_without_a_document_policy_is_refused_when_one_is_required() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now).unwrap();
    let spec =
        CardSpec::authentication("MARI", "TAMM", "48812040138").policies([oids::POLICY_NCP_PLUS]);
    let card = pki.issue_card(&spec, now).unwrap().credential().cert_der().clone();
    assert_eq!(
        reason(verify_card(&[card], &bundle(&pki), &strict(), unix(now))),
        "missing-document-policy"
    );
}

/// DER of a certificatePolicies extension value listing `oids` without qualifiers.
fn policies_der(oids: &[&[u64]]) -> Vec<u8> {
    let mut infos = Vec::new();
    for oid in oids {
        let mut body = vec![(oid[0] * 40 + oid[1]) as u8];
        for &arc in &oid[2..] {
            let mut bytes = vec![(arc & 0x7f) as u8];
            let mut rest = arc >> 7;
            while rest > 0 {
                bytes.push((rest & 0x7f) as u8 | 0x80);
                rest >>= 7;
            }
            body.extend(bytes.iter().rev());
        }
        let oid_tlv = [&[0x06, body.len() as u8][..], &body].concat();
        infos.extend([&[0x30, oid_tlv.len() as u8][..], &oid_tlv].concat());
    }
    [&[0x30, infos.len() as u8][..], &infos].concat()
}

#[test]
fn document_policy_of_another_generation_is_refused_when_the_ca_lists_its_policies() {
    const ESTEID2018_TEST_ID_CARD: &[u64] = &[1, 3, 6, 1, 4, 1, 51361, 1, 2, 1];
    const ESTEID2025_ID_CARD: &[u64] = &[1, 3, 6, 1, 4, 1, 51361, 2, 1, 1];
    const NCP_PLUS: &[u64] = &[0, 4, 0, 2042, 1, 2];
    const POLICIES: &[u64] = &[2, 5, 29, 32];

    // A self-signed issuing CA that, like TEST of ESTEID2018, lists its document policies.
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
    let mut ca = CertificateParams::default();
    ca.distinguished_name.push(DnType::CommonName, "POLICY-LISTING TEST CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let listed = policies_der(&[ESTEID2018_TEST_ID_CARD, NCP_PLUS]);
    ca.custom_extensions = vec![CustomExtension::from_oid_content(POLICIES, listed)];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let card = |document: &[u64]| {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, "TAMM,MARI,48812040138");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let policies = policies_der(&[document, NCP_PLUS]);
        params.custom_extensions = vec![CustomExtension::from_oid_content(POLICIES, policies)];
        params.signed_by(&key, &issuer).unwrap().der().clone()
    };

    let trust = TrustStore::new(vec![ca_cert.der().clone()]).unwrap();
    let now = unix(OffsetDateTime::now_utc());
    let own = verify_card(&[card(ESTEID2018_TEST_ID_CARD)], &trust, &strict(), now);
    assert_eq!(reason(own), "accepted");
    let other = verify_card(&[card(ESTEID2025_ID_CARD)], &trust, &strict(), now);
    assert_eq!(
        other.unwrap_err(),
        Refusal::DocumentPolicyNotOfIssuer { policy: "1.3.6.1.4.1.51361.2.1.1".into() }
    );
}

#[test]
fn trust_store_refuses_no_certificates_and_end_entity_certificates() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now).unwrap();
    assert!(matches!(TrustStore::new(vec![]), Err(eidgate_core::TrustError::Empty)));
    let card = pki.card("valid").unwrap().credential().cert_der().clone();
    assert!(matches!(TrustStore::new(vec![card]), Err(eidgate_core::TrustError::NotCa { .. })));
}

/// A small hierarchy made with rcgen for the checks of the line above an issuing CA.
mod line {
    use super::*;
    use eidgate_testpki::rcgen::{Certificate, ExtendedKeyUsagePurpose};
    use time::Duration as Span;

    pub struct Ca {
        pub cert: Certificate,
        pub issuer: Issuer<'static, KeyPair>,
    }

    pub fn ca(name: &str, parent: Option<&Ca>, edit: impl FnOnce(&mut CertificateParams)) -> Ca {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        edit(&mut params);
        let cert = match parent {
            Some(parent) => params.signed_by(&key, &parent.issuer).unwrap(),
            None => params.self_signed(&key).unwrap(),
        };
        Ca { cert, issuer: Issuer::new(params, key) }
    }

    pub fn card(issuer: &Ca) -> CertificateDer<'static> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, "TAMM,MARI,48812040138");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.signed_by(&key, &issuer.issuer).unwrap().der().clone()
    }

    pub fn expired(params: &mut CertificateParams) {
        params.not_before = OffsetDateTime::now_utc() - Span::days(30);
        params.not_after = OffsetDateTime::now_utc() - Span::days(1);
    }

    pub fn no_client_auth(params: &mut CertificateParams) {
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
    }

    pub fn path_len_zero(params: &mut CertificateParams) {
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    }

    pub fn store(cas: &[&Ca]) -> Result<TrustStore, eidgate_core::TrustError> {
        TrustStore::new(cas.iter().map(|ca| ca.cert.der().clone()).collect())
    }
}

fn now() -> UnixTime {
    unix(OffsetDateTime::now_utc())
}

#[test]
fn expired_root_above_a_valid_issuing_ca_refuses_its_cards() {
    let root = line::ca("OLD ROOT", None, line::expired);
    let issuing = line::ca("ISSUING", Some(&root), |_| {});
    let trust = line::store(&[&issuing, &root]).unwrap();
    let refusal = verify_card(&[line::card(&issuing)], &trust, &AcceptancePolicy::default(), now());
    let names_the_root = |issuer: &str| issuer.contains("OLD ROOT");
    assert!(
        matches!(&refusal, Err(Refusal::IssuerNotValid { issuer, .. }) if names_the_root(issuer)),
        "{refusal:?}"
    );

    let alone = line::store(&[&issuing]).unwrap();
    let card = line::card(&issuing);
    assert_eq!(
        reason(verify_card(&[card], &alone, &AcceptancePolicy::default(), now())),
        "accepted"
    );
}

#[test]
fn issuing_ca_whose_configured_issuer_did_not_sign_it_is_refused_at_load() {
    let root = line::ca("ROOT", None, |_| {});
    let impostor = line::ca("ROOT", None, |_| {});
    let issuing = line::ca("ISSUING", Some(&impostor), |_| {});
    let error = line::store(&[&root, &issuing]).unwrap_err();
    assert!(matches!(error, eidgate_core::TrustError::BadCaSignature { .. }), "{error}");
}

#[test]
fn ca_without_client_auth_in_its_extended_key_usage_refuses_its_cards() {
    let root = line::ca("ROOT", None, |_| {});
    let issuing = line::ca("MAIL ONLY", Some(&root), line::no_client_auth);
    let trust = line::store(&[&issuing, &root]).unwrap();
    let result = verify_card(&[line::card(&issuing)], &trust, &AcceptancePolicy::default(), now());
    assert_eq!(reason(result), "wrong-extended-key-usage");
}

#[test]
fn path_length_of_a_configured_ca_limits_the_cas_a_client_sends_below_it() {
    let root = line::ca("ROOT", None, |_| {});
    let issuing = line::ca("ISSUING", Some(&root), line::path_len_zero);
    let sub = line::ca("SUB", Some(&issuing), line::path_len_zero);
    let trust = line::store(&[&issuing, &root]).unwrap();
    let policy = AcceptancePolicy { verify_depth: 3, ..Default::default() };

    let chain = [line::card(&sub), sub.cert.der().clone()];
    let refused = verify_card(&chain, &trust, &policy, now());
    assert_eq!(reason(refused), "invalid-path");
    let direct = verify_card(&[line::card(&issuing)], &trust, &policy, now()).unwrap();
    assert_eq!(direct.chain_depth(), 2);
}

#[test]
fn a_card_seen_again_still_has_the_ca_line_checked_at_the_new_time() {
    let root = line::ca("SHORT-LIVED ROOT", None, |params| {
        params.not_after = OffsetDateTime::now_utc() + time::Duration::days(1);
    });
    let issuing = line::ca("ISSUING", Some(&root), |_| {});
    let trust = line::store(&[&issuing, &root]).unwrap();
    let card = line::card(&issuing);
    let policy = AcceptancePolicy::default();

    let first = verify_card(std::slice::from_ref(&card), &trust, &policy, now()).unwrap();
    let again = verify_card(std::slice::from_ref(&card), &trust, &policy, now()).unwrap();
    assert_eq!(first.issuer(), again.issuer());
    assert_eq!(first.chain_depth(), again.chain_depth());

    let later = unix(OffsetDateTime::now_utc() + time::Duration::days(2));
    let refused = verify_card(&[card], &trust, &policy, later);
    assert!(matches!(refused, Err(Refusal::IssuerNotValid { .. })), "{refused:?}");
}
