//! Why an OCSP response was not accepted.

use std::fmt;

use der::oid::ObjectIdentifier;
use time::OffsetDateTime;

use crate::cert::Serial;
use crate::signature::SignatureError;
use crate::timefmt::Rfc3339;

/// One reason an OCSP response is refused. Each check of [`verify_response`] has its own
/// variant, carrying the facts that failed it.
///
/// [`verify_response`]: super::verify_response
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcspError {
    /// The body is not a DER OCSPResponse (or a part of it does not decode).
    #[error("not an OCSP response: {0}")]
    Malformed(String),
    /// responseStatus is not `successful` (RFC 6960 §4.2.1).
    #[error("responder answered {0}")]
    Unsuccessful(ResponderStatus),
    /// responseType is not id-pkix-ocsp-basic.
    #[error("response type {0} is not the basic OCSP response")]
    NotBasic(ObjectIdentifier),
    /// The response holds no SingleResponse.
    #[error("response holds no certificate status")]
    NoResponses,
    /// The response holds more than one SingleResponse; eidgate asks about one certificate and
    /// accepts exactly one answer.
    #[error("response holds {0} certificate statuses, expected exactly one")]
    TooManyResponses(usize),
    /// The SingleResponse is about another certificate than the one asked about.
    #[error("response is about serial {found} (or another issuer), not serial {expected}")]
    WrongCertificate { expected: Serial, found: Serial },
    /// The signer is not allowed to answer for this CA (RFC 6960 §4.2.2.2).
    #[error("responder not authorised: {0}")]
    ResponderNotAuthorised(NotAuthorised),
    /// The signature over tbsResponseData does not verify with the responder's key.
    #[error("response signature does not verify")]
    BadSignature,
    /// The signature algorithm or key is one this crate does not check.
    #[error("response signature cannot be checked: {0}")]
    UnsupportedSignature(SignatureError),
    /// thisUpdate lies after now plus the allowed clock skew.
    #[error("thisUpdate {} is in the future (now {})", Rfc3339(*this_update), Rfc3339(*now))]
    ThisUpdateInFuture { this_update: OffsetDateTime, now: OffsetDateTime },
    /// A response without nextUpdate whose thisUpdate is older than the allowed age.
    #[error(
        "thisUpdate {} is older than {max_age_secs} s (now {})",
        Rfc3339(*this_update),
        Rfc3339(*now)
    )]
    ThisUpdateTooOld { this_update: OffsetDateTime, now: OffsetDateTime, max_age_secs: u64 },
    /// nextUpdate (plus the allowed clock skew) has passed.
    #[error("nextUpdate {} has passed (now {})", Rfc3339(*next_update), Rfc3339(*now))]
    NextUpdatePassed { next_update: OffsetDateTime, now: OffsetDateTime },
    /// nextUpdate lies before thisUpdate.
    #[error(
        "nextUpdate {} lies before thisUpdate {}",
        Rfc3339(*next_update),
        Rfc3339(*this_update)
    )]
    NextUpdateBeforeThisUpdate { this_update: OffsetDateTime, next_update: OffsetDateTime },
    /// A nonce was sent and the response does not carry one (a possible replay).
    #[error("nonce sent but the response carries none")]
    NonceMissing,
    /// The response carries another nonce than the one sent (a possible replay).
    #[error("response nonce differs from the one sent")]
    NonceMismatch,
    /// An extension marked critical that this crate does not understand (RFC 5280 §4.2).
    #[error("unsupported critical extension {0}")]
    UnsupportedCriticalExtension(ObjectIdentifier),
}

impl OcspError {
    /// A short stable token for logs, e.g. `bad-signature`.
    pub fn code(&self) -> &'static str {
        match self {
            OcspError::Malformed(_) => "malformed",
            OcspError::Unsuccessful(_) => "unsuccessful",
            OcspError::NotBasic(_) => "not-basic",
            OcspError::NoResponses => "no-responses",
            OcspError::TooManyResponses(_) => "too-many-responses",
            OcspError::WrongCertificate { .. } => "wrong-certificate",
            OcspError::ResponderNotAuthorised(_) => "responder-not-authorised",
            OcspError::BadSignature => "bad-signature",
            OcspError::UnsupportedSignature(_) => "unsupported-signature",
            OcspError::ThisUpdateInFuture { .. } => "this-update-in-future",
            OcspError::ThisUpdateTooOld { .. } => "stale",
            OcspError::NextUpdatePassed { .. } => "next-update-passed",
            OcspError::NextUpdateBeforeThisUpdate { .. } => "next-update-before-this-update",
            OcspError::NonceMissing => "nonce-missing",
            OcspError::NonceMismatch => "nonce-mismatch",
            OcspError::UnsupportedCriticalExtension(_) => "unsupported-critical-extension",
        }
    }

    /// Whether the responder merely could not answer now (tryLater, internalError), so that a
    /// fallback responder may be asked.
    pub fn is_responder_busy(&self) -> bool {
        matches!(
            self,
            OcspError::Unsuccessful(ResponderStatus::TryLater | ResponderStatus::InternalError)
        )
    }
}

/// A non-successful OCSPResponseStatus, RFC 6960 §4.2.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponderStatus {
    MalformedRequest,
    InternalError,
    TryLater,
    SigRequired,
    Unauthorized,
}

impl fmt::Display for ResponderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResponderStatus::MalformedRequest => "malformedRequest",
            ResponderStatus::InternalError => "internalError",
            ResponderStatus::TryLater => "tryLater",
            ResponderStatus::SigRequired => "sigRequired",
            ResponderStatus::Unauthorized => "unauthorized",
        })
    }
}

/// Why the signer of a response may not answer for the card's CA.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotAuthorised {
    /// The ResponderID names neither the CA, nor a certificate in the response, nor the pinned
    /// responder.
    #[error("the responder ID names no usable certificate")]
    SignerNotFound,
    /// A pinned responder is configured and the response names another signer.
    #[error("the response is not signed by the pinned responder ({pinned})")]
    NotPinned { pinned: String },
    /// The included responder certificate was not issued (or not signed) by the card's CA.
    #[error("{subject} is not issued by the card's CA")]
    NotIssuedByCa { subject: String },
    /// The responder certificate lacks the id-kp-OCSPSigning extended key usage.
    #[error("{subject} lacks the OCSPSigning extended key usage")]
    NoOcspSigning { subject: String },
    /// The responder certificate is not valid at the time of the check.
    #[error(
        "{subject} is not valid at {} (valid {} to {})",
        Rfc3339(*now),
        Rfc3339(*not_before),
        Rfc3339(*not_after)
    )]
    NotValidNow {
        subject: String,
        now: OffsetDateTime,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    },
}
