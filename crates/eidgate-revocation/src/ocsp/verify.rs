//! Complete verification of one OCSP response, RFC 6960 §3.2 and §4.2. Pure: no I/O, and the
//! time of the check is an argument.

use std::time::Duration;

use const_oid::db::rfc6960::{ID_PKIX_OCSP_BASIC, ID_PKIX_OCSP_NONCE};
use der::Decode;
use time::OffsetDateTime;
use x509_cert::ext::Extension;
use x509_ocsp::{OcspResponse, OcspResponseStatus};

use super::asn1::{self, ResponderIdRef, ResponseDataRef, SingleResponseRef, StatusRef};
use super::authority::{authorised_signer, ResponderAuthority, Signer};
use super::error::{OcspError, ResponderStatus};
use super::request::{CertId, CertIdHash};
use crate::cert::{CertInfo, Serial};
use crate::signature::{self, SignatureError};
use crate::status::{CertStatus, RevocationReason};

/// How fresh a response must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Freshness {
    /// Allowed difference between our clock and the responder's, both ways: thisUpdate may lie
    /// this far in the future, nextUpdate may have passed by this much.
    pub clock_skew: Duration,
    /// For a response without nextUpdate: how old thisUpdate may be (plus the skew). A response
    /// with nextUpdate is valid until nextUpdate, however old its thisUpdate.
    pub max_age_without_next_update: Duration,
}

impl Default for Freshness {
    /// Clock skew 5 minutes: OpenSSL's and nginx's tolerance, between TARA's 2 s (too tight for
    /// servers without exact time) and Web eID's 15 min (a quarter of an hour of staleness past
    /// nextUpdate). Maximum age 2 minutes, as Web eID: live responders such as SK's AIA service
    /// sign each answer on request without nextUpdate.
    fn default() -> Self {
        Freshness {
            clock_skew: Duration::from_secs(300),
            max_age_without_next_update: Duration::from_secs(120),
        }
    }
}

/// What the response must match.
#[derive(Clone, Copy, Debug)]
pub struct Expectation<'a> {
    /// The CertID that was asked about.
    pub cert_id: &'a CertId,
    /// The nonce extension value that was sent (see [`EncodedRequest::nonce_extension`]).
    ///
    /// [`EncodedRequest::nonce_extension`]: super::EncodedRequest::nonce_extension
    pub nonce_extension: Option<&'a [u8]>,
    /// The CA that issued the card.
    pub issuer: &'a CertInfo,
    /// Who may sign.
    pub authority: ResponderAuthority<'a>,
    /// How fresh the answer must be.
    pub freshness: Freshness,
}

/// A response that passed every check. Only [`verify_response`] builds one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedResponse {
    /// The status, which may still be revoked or unknown.
    pub status: CertStatus,
    /// When the responder signed the answer.
    pub produced_at: OffsetDateTime,
    /// When the status was known to be correct.
    pub this_update: OffsetDateTime,
    /// When newer information will be available; `None` for live answers.
    pub next_update: Option<OffsetDateTime>,
    /// Who signed, among the accepted signers.
    pub signer: Signer,
}

/// Verifies an OCSP response completely, in this order: responseStatus successful; basic
/// response; exactly one SingleResponse; its CertID equal to the one asked; signer authorised;
/// signature over the received tbsResponseData bytes; no unknown critical extension;
/// thisUpdate/nextUpdate fresh at `now`; nonce echoed when one was sent.
///
/// # Errors
///
/// The [`OcspError`] of the first check that fails. A revoked or unknown status is not an error
/// here: it is a verified answer, and the caller decides.
pub fn verify_response(
    der: &[u8],
    expect: &Expectation<'_>,
    now: OffsetDateTime,
) -> Result<VerifiedResponse, OcspError> {
    let basic_der = successful_basic(der)?;
    let parts = asn1::split_basic(&basic_der).map_err(malformed)?;
    let data = ResponseDataRef::from_der(parts.tbs).map_err(malformed)?;
    let single = the_single_response(&data)?;
    check_cert_id(single, expect.cert_id)?;

    let included = read_included(&parts.certs)?;
    let responder_id = ResponderIdRef::read(data.responder_id).map_err(malformed)?;
    let (signer, key) =
        authorised_signer(&responder_id, &included, expect.issuer, expect.authority, now)?;
    let signature_bytes = parts.signature.as_bytes().ok_or(OcspError::BadSignature)?;
    check_signature(key, parts.signature_algorithm, parts.tbs, signature_bytes)?;

    check_critical(data.extensions.as_deref(), true)?;
    check_critical(single.extensions.as_deref(), false)?;
    let this_update = single.this_update.0;
    let next_update = single.next_update.map(|t| t.0);
    check_freshness(this_update, next_update, &expect.freshness, now)?;
    check_nonce(data.extensions.as_deref(), expect.nonce_extension)?;

    Ok(VerifiedResponse {
        status: read_status(single)?,
        produced_at: data.produced_at.0,
        this_update,
        next_update,
        signer,
    })
}

fn malformed(e: der::Error) -> OcspError {
    OcspError::Malformed(e.to_string())
}

/// The BasicOCSPResponse DER of a successful response (RFC 6960 §4.2.1).
fn successful_basic(der: &[u8]) -> Result<Vec<u8>, OcspError> {
    let response = OcspResponse::from_der(der).map_err(malformed)?;
    let status = match response.response_status {
        OcspResponseStatus::Successful => None,
        OcspResponseStatus::MalformedRequest => Some(ResponderStatus::MalformedRequest),
        OcspResponseStatus::InternalError => Some(ResponderStatus::InternalError),
        OcspResponseStatus::TryLater => Some(ResponderStatus::TryLater),
        OcspResponseStatus::SigRequired => Some(ResponderStatus::SigRequired),
        OcspResponseStatus::Unauthorized => Some(ResponderStatus::Unauthorized),
    };
    if let Some(status) = status {
        return Err(OcspError::Unsuccessful(status));
    }
    let bytes = response
        .response_bytes
        .ok_or_else(|| OcspError::Malformed("successful response without responseBytes".into()))?;
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err(OcspError::NotBasic(bytes.response_type));
    }
    Ok(bytes.response.into_bytes())
}

fn the_single_response<'d, 'a>(
    data: &'d ResponseDataRef<'a>,
) -> Result<&'d SingleResponseRef<'a>, OcspError> {
    match data.responses.as_slice() {
        [] => Err(OcspError::NoResponses),
        [single] => Ok(single),
        many => Err(OcspError::TooManyResponses(many.len())),
    }
}

/// The CertID must repeat what was asked: same hash algorithm (parameters NULL or absent, both
/// seen in practice), same hashes, same serial.
fn check_cert_id(single: &SingleResponseRef<'_>, asked: &CertId) -> Result<(), OcspError> {
    let got = &single.cert_id;
    let found = Serial::from_integer_bytes(got.serial_number.as_bytes());
    let same = CertIdHash::from_oid(got.hash_algorithm.oid) == Some(asked.hash)
        && got.issuer_name_hash.as_bytes() == asked.issuer_name_hash.as_slice()
        && got.issuer_key_hash.as_bytes() == asked.issuer_key_hash.as_slice()
        && found == asked.serial;
    if same {
        return Ok(());
    }
    Err(OcspError::WrongCertificate { expected: asked.serial.clone(), found })
}

fn read_included(certs: &[&[u8]]) -> Result<Vec<CertInfo>, OcspError> {
    certs
        .iter()
        .map(|der| CertInfo::from_der(der))
        .collect::<Result<_, _>>()
        .map_err(|e| OcspError::Malformed(format!("included certificate: {e}")))
}

fn check_signature(
    signer: &CertInfo,
    algorithm: der::oid::ObjectIdentifier,
    tbs: &[u8],
    signature_bytes: &[u8],
) -> Result<(), OcspError> {
    match signature::verify(&signer.spki, algorithm, tbs, signature_bytes) {
        Ok(()) => Ok(()),
        Err(SignatureError::Invalid) => Err(OcspError::BadSignature),
        Err(other) => Err(OcspError::UnsupportedSignature(other)),
    }
}

/// Refuses unknown critical extensions. The nonce is the only one understood at the response
/// level; no single-response extension is understood (archiveCutoff and the CRL references
/// are informational and never critical).
fn check_critical(extensions: Option<&[Extension]>, response_level: bool) -> Result<(), OcspError> {
    let unknown_critical = extensions
        .unwrap_or_default()
        .iter()
        .find(|ext| ext.critical && !(response_level && ext.extn_id == ID_PKIX_OCSP_NONCE));
    match unknown_critical {
        Some(ext) => Err(OcspError::UnsupportedCriticalExtension(ext.extn_id)),
        None => Ok(()),
    }
}

/// RFC 6960 §3.2 items 4 and 5, with the allowances of [`Freshness`]. Arithmetic is done on
/// `now` (a sane clock reading) and never on the responder's times, which may be absurd.
fn check_freshness(
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    freshness: &Freshness,
    now: OffsetDateTime,
) -> Result<(), OcspError> {
    let skew = freshness.clock_skew;
    if this_update > now + skew {
        return Err(OcspError::ThisUpdateInFuture { this_update, now });
    }
    match next_update {
        Some(next_update) if next_update < this_update => {
            Err(OcspError::NextUpdateBeforeThisUpdate { this_update, next_update })
        }
        Some(next_update) if next_update < now - skew => {
            Err(OcspError::NextUpdatePassed { next_update, now })
        }
        Some(_) => Ok(()),
        None if this_update < now - skew - freshness.max_age_without_next_update => {
            let max_age_secs = freshness.max_age_without_next_update.as_secs();
            Err(OcspError::ThisUpdateTooOld { this_update, now, max_age_secs })
        }
        None => Ok(()),
    }
}

/// The nonce extension value must be echoed byte for byte (RFC 8954 §2.1).
fn check_nonce(extensions: Option<&[Extension]>, sent: Option<&[u8]>) -> Result<(), OcspError> {
    let Some(sent) = sent else {
        return Ok(());
    };
    let echoed = extensions
        .unwrap_or_default()
        .iter()
        .find(|ext| ext.extn_id == ID_PKIX_OCSP_NONCE)
        .ok_or(OcspError::NonceMissing)?;
    if echoed.extn_value.as_bytes() != sent {
        return Err(OcspError::NonceMismatch);
    }
    Ok(())
}

fn read_status(single: &SingleResponseRef<'_>) -> Result<CertStatus, OcspError> {
    let status = match StatusRef::read(single.cert_status).map_err(malformed)? {
        StatusRef::Good => CertStatus::Good,
        StatusRef::Unknown => CertStatus::Unknown,
        StatusRef::Revoked { time, reason } => CertStatus::Revoked {
            revoked_at: time,
            reason: reason.map(RevocationReason::from_code),
        },
    };
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn freshness() -> Freshness {
        Freshness::default()
    }

    #[test]
    fn response_with_next_update_is_valid_until_next_update_plus_skew() {
        let this = datetime!(2024-01-01 00:00 UTC);
        let next = Some(datetime!(2024-01-02 00:00 UTC));
        let ok = check_freshness(this, next, &freshness(), datetime!(2024-01-02 00:04 UTC));
        assert_eq!(ok, Ok(()));
        let late = check_freshness(this, next, &freshness(), datetime!(2024-01-02 00:06 UTC));
        assert!(matches!(late, Err(OcspError::NextUpdatePassed { .. })));
    }

    #[test]
    fn response_without_next_update_ages_out_after_max_age_plus_skew() {
        let this = datetime!(2024-01-01 00:00 UTC);
        let ok = check_freshness(this, None, &freshness(), datetime!(2024-01-01 00:07 UTC));
        assert_eq!(ok, Ok(()));
        let old = check_freshness(this, None, &freshness(), datetime!(2024-01-01 00:07:01 UTC));
        assert!(matches!(old, Err(OcspError::ThisUpdateTooOld { max_age_secs: 120, .. })));
    }

    #[test]
    fn this_update_beyond_skew_is_in_the_future() {
        let this = datetime!(2024-01-01 00:05:01 UTC);
        let now = datetime!(2024-01-01 00:00 UTC);
        let err = check_freshness(this, None, &freshness(), now).unwrap_err();
        assert_eq!(err, OcspError::ThisUpdateInFuture { this_update: this, now });
    }

    #[test]
    fn next_update_before_this_update_is_refused() {
        let this = datetime!(2024-01-02 00:00 UTC);
        let next = datetime!(2024-01-01 00:00 UTC);
        let err = check_freshness(this, Some(next), &freshness(), this).unwrap_err();
        assert_eq!(
            err,
            OcspError::NextUpdateBeforeThisUpdate { this_update: this, next_update: next }
        );
    }

    #[test]
    fn nonce_must_be_echoed_exactly() {
        let ext = |value: &[u8]| Extension {
            extn_id: ID_PKIX_OCSP_NONCE,
            critical: false,
            extn_value: der::asn1::OctetString::new(value).unwrap(),
        };
        let sent = [0x04, 0x02, 1, 2];
        assert_eq!(check_nonce(Some(&[ext(&sent)]), Some(&sent)), Ok(()));
        assert_eq!(
            check_nonce(Some(&[ext(&[0x04, 0x02, 1, 3])]), Some(&sent)),
            Err(OcspError::NonceMismatch)
        );
        assert_eq!(check_nonce(None, Some(&sent)), Err(OcspError::NonceMissing));
        assert_eq!(check_nonce(None, None), Ok(()));
    }

    #[test]
    fn garbage_is_malformed_and_try_later_is_busy() {
        assert!(matches!(successful_basic(b"<html>"), Err(OcspError::Malformed(_))));
        let try_later = der::Encode::to_der(&OcspResponse::try_later()).unwrap();
        let err = successful_basic(&try_later).unwrap_err();
        assert_eq!(err, OcspError::Unsuccessful(ResponderStatus::TryLater));
        assert!(err.is_responder_busy());
    }
}
