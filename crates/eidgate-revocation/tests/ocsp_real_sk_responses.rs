//! Real OCSP responses of SK's demo services (../shared/eid-data/ocsp) verify, or fail, the way
//! the data set's MANIFEST says, at the instants it gives.

use std::path::Path;

use eidgate_revocation::cert::CertInfo;
use eidgate_revocation::ocsp::{
    verify_response, CertId, CertIdHash, Expectation, Freshness, NotAuthorised, OcspError,
    ResponderAuthority, Signer, VerifiedResponse,
};
use eidgate_revocation::status::{CertStatus, RevocationReason};
use eidgate_testpki::eid_data::{eid_data_dir, read};
use time::macros::datetime;
use time::OffsetDateTime;

const LEAF: &str = "user/EE_JOEORG_auth_TEST_ESTEID2018_2018-10-18_2023-10-17.cer";
const ISSUER: &str = "ca/TEST_of_ESTEID2018.cer";
const DESIGNATED: &str = "ocsp/TEST_of_SK_OCSP_RESPONDER_2020.cer";

const GOOD_AT: OffsetDateTime = datetime!(2021-09-17 18:25:24 UTC);
const REVOKED_AT: OffsetDateTime = datetime!(2021-09-18 00:13:43 UTC);
const UNKNOWN_AT: OffsetDateTime = datetime!(2021-09-18 00:16:25 UTC);

/// The nonce extension value (extnValue contents) of the request these responses answered. The
/// requests sent 8 bytes without an inner OCTET STRING (the responses echo them so), which is
/// fine: eidgate compares the whole extnValue with what it sent, whatever its shape.
fn nonce(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

struct Data {
    issuer: CertInfo,
    cert_id: CertId,
    designated: CertInfo,
}

fn load(dir: &Path) -> Data {
    let issuer = CertInfo::from_der(&read(dir, ISSUER)).unwrap();
    let leaf = CertInfo::from_der(&read(dir, LEAF)).unwrap();
    let cert_id = CertId::new(&issuer, leaf.serial(), CertIdHash::Sha1);
    let designated = CertInfo::from_der(&read(dir, DESIGNATED)).unwrap();
    Data { issuer, cert_id, designated }
}

fn verify(
    dir: &Path,
    data: &Data,
    file: &str,
    nonce: Option<&[u8]>,
    authority: ResponderAuthority<'_>,
    now: OffsetDateTime,
) -> Result<VerifiedResponse, OcspError> {
    verify_bytes(&read(dir, file), data, nonce, authority, now)
}

fn verify_bytes(
    der: &[u8],
    data: &Data,
    nonce: Option<&[u8]>,
    authority: ResponderAuthority<'_>,
    now: OffsetDateTime,
) -> Result<VerifiedResponse, OcspError> {
    let expect = Expectation {
        cert_id: &data.cert_id,
        nonce_extension: nonce,
        issuer: &data.issuer,
        authority,
        freshness: Freshness::default(),
    };
    verify_response(der, &expect, now)
}

const DELEGATED: ResponderAuthority<'static> = ResponderAuthority::IssuerOrDelegated;

#[test]
fn good_response_from_the_delegated_aia_responder_verifies() {
    let Some(dir) = eid_data_dir("good_response_from_the_delegated_aia_responder_verifies") else {
        return;
    };
    let data = load(&dir);
    let sent = nonce("47FFAFC91811770E");
    let file = "ocsp/ocsp_response_good.der";

    let verified = verify(&dir, &data, file, Some(&sent), DELEGATED, GOOD_AT).unwrap();

    assert_eq!(verified.status, CertStatus::Good);
    assert_eq!(verified.produced_at, GOOD_AT);
    assert_eq!(verified.this_update, GOOD_AT);
    assert_eq!(verified.next_update, None);
    let Signer::Delegated { subject } = verified.signer else {
        panic!("expected the delegated responder, got {:?}", verified.signer);
    };
    assert!(subject.contains("DEMO of ESTEID-SK 2018 AIA OCSP RESPONDER 2018"), "{subject}");
}

#[test]
fn good_response_is_too_old_three_minutes_later_without_next_update() {
    let Some(dir) = eid_data_dir("good_response_is_too_old_later") else {
        return;
    };
    let data = load(&dir);
    let sent = nonce("47FFAFC91811770E");
    let file = "ocsp/ocsp_response_good.der";

    let later = GOOD_AT + time::Duration::minutes(8);
    let err = verify(&dir, &data, file, Some(&sent), DELEGATED, later).unwrap_err();

    assert_eq!(
        err,
        OcspError::ThisUpdateTooOld { this_update: GOOD_AT, now: later, max_age_secs: 120 }
    );
}

#[test]
fn good_response_with_another_nonce_is_a_mismatch() {
    let Some(dir) = eid_data_dir("good_response_with_another_nonce_is_a_mismatch") else {
        return;
    };
    let data = load(&dir);
    let other = nonce("47FFAFC91811770F");
    let file = "ocsp/ocsp_response_good.der";

    let err = verify(&dir, &data, file, Some(&other), DELEGATED, GOOD_AT).unwrap_err();

    assert_eq!(err, OcspError::NonceMismatch);
}

#[test]
fn good_response_with_one_changed_signed_byte_fails_the_signature() {
    let Some(dir) = eid_data_dir("good_response_with_one_changed_signed_byte") else {
        return;
    };
    let data = load(&dir);
    let mut der = read(&dir, "ocsp/ocsp_response_good.der");
    // The last second digit of producedAt: still a valid time, but not what SK signed.
    let at = find(&der, b"20210917182524Z").unwrap();
    der[at + 13] = b'5';

    let sent = nonce("47FFAFC91811770E");
    let err = verify_bytes(&der, &data, Some(&sent), DELEGATED, GOOD_AT).unwrap_err();

    assert_eq!(err, OcspError::BadSignature);
}

#[test]
fn good_response_asked_about_another_card_is_the_wrong_certificate() {
    let Some(dir) = eid_data_dir("good_response_asked_about_another_card") else {
        return;
    };
    let mut data = load(&dir);
    let other = CertInfo::from_der(&read(
        &dir,
        "user/EE_JOEORG_auth_TEST_ESTEID2018_2021-07-22_2026-07-09.der",
    ))
    .unwrap();
    let asked = other.serial().clone();
    data.cert_id = CertId::new(&data.issuer, &asked, CertIdHash::Sha1);
    let sent = nonce("47FFAFC91811770E");

    let err = verify(&dir, &data, "ocsp/ocsp_response_good.der", Some(&sent), DELEGATED, GOOD_AT)
        .unwrap_err();

    let OcspError::WrongCertificate { expected, found } = err else {
        panic!("expected WrongCertificate, got {err:?}");
    };
    assert_eq!(expected, asked);
    assert_eq!(found.to_string(), "396901597343266D5BC857775EC5A4BE");
}

#[test]
fn good_response_is_refused_when_another_responder_is_pinned() {
    let Some(dir) = eid_data_dir("good_response_is_refused_when_another_responder_is_pinned")
    else {
        return;
    };
    let data = load(&dir);
    let sent = nonce("47FFAFC91811770E");
    let pinned = ResponderAuthority::Pinned(&data.designated);

    let err = verify(&dir, &data, "ocsp/ocsp_response_good.der", Some(&sent), pinned, GOOD_AT)
        .unwrap_err();

    assert!(
        matches!(err, OcspError::ResponderNotAuthorised(NotAuthorised::NotPinned { .. })),
        "{err:?}"
    );
}

#[test]
fn revoked_response_gives_the_time_and_reason_zero() {
    let Some(dir) = eid_data_dir("revoked_response_gives_the_time_and_reason_zero") else {
        return;
    };
    let data = load(&dir);
    let sent = nonce("4E4CFFFBE810EEA5");
    let file = "ocsp/ocsp_response_revoked.der";

    let verified = verify(&dir, &data, file, Some(&sent), DELEGATED, REVOKED_AT).unwrap();

    let CertStatus::Revoked { revoked_at, reason } = verified.status else {
        panic!("expected revoked, got {:?}", verified.status);
    };
    assert_eq!(revoked_at, datetime!(2021-09-18 00:10:14 UTC));
    assert_eq!(reason, Some(RevocationReason::Unspecified));
    assert_eq!(reason.map(RevocationReason::code), Some(0));
}

#[test]
fn unknown_response_from_the_pinned_designated_responder_says_unknown() {
    let Some(dir) = eid_data_dir("unknown_response_from_the_pinned_designated_responder") else {
        return;
    };
    let data = load(&dir);
    let sent = nonce("125855AD9ABA1D21");
    let pinned = ResponderAuthority::Pinned(&data.designated);
    let file = "ocsp/ocsp_response_unknown.der";

    let verified = verify(&dir, &data, file, Some(&sent), pinned, UNKNOWN_AT).unwrap();

    assert_eq!(verified.status, CertStatus::Unknown);
    assert!(matches!(&verified.signer, Signer::Pinned { subject }
        if subject.contains("TEST of SK OCSP RESPONDER 2020")));
}

#[test]
fn unknown_response_without_pinning_is_not_authorised() {
    let Some(dir) = eid_data_dir("unknown_response_without_pinning_is_not_authorised") else {
        return;
    };
    let data = load(&dir);
    let sent = nonce("125855AD9ABA1D21");
    let file = "ocsp/ocsp_response_unknown.der";

    let err = verify(&dir, &data, file, Some(&sent), DELEGATED, UNKNOWN_AT).unwrap_err();

    // The designated responder is issued by the legacy TEST root, not by TEST of ESTEID2018.
    assert!(
        matches!(err, OcspError::ResponderNotAuthorised(NotAuthorised::NotIssuedByCa { .. })),
        "{err:?}"
    );
}

#[test]
fn pinned_responder_after_its_expiry_is_not_authorised() {
    let Some(dir) = eid_data_dir("pinned_responder_after_its_expiry_is_not_authorised") else {
        return;
    };
    let data = load(&dir);
    let pinned = ResponderAuthority::Pinned(&data.designated);
    let after_expiry = datetime!(2024-06-14 00:00 UTC);
    let file = "ocsp/ocsp_response_unknown.der";

    let err = verify(&dir, &data, file, None, pinned, after_expiry).unwrap_err();

    assert!(
        matches!(err, OcspError::ResponderNotAuthorised(NotAuthorised::NotValidNow { .. })),
        "{err:?}"
    );
}

#[test]
fn response_with_two_answers_is_too_many_responses() {
    let Some(dir) = eid_data_dir("response_with_two_answers_is_too_many_responses") else {
        return;
    };
    let data = load(&dir);
    let file = "ocsp/ocsp_response_with_2_responses.der";
    let at = datetime!(2024-04-01 14:09:57 UTC);

    let err = verify(&dir, &data, file, None, DELEGATED, at).unwrap_err();

    assert_eq!(err, OcspError::TooManyResponses(2));
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
