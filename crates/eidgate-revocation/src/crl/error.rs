//! Why a CRL could not be used.

use der::oid::ObjectIdentifier;
use time::OffsetDateTime;

use crate::client::FetchError;
use crate::timefmt::Rfc3339;

/// One reason a CRL is not used, or a lookup on it gives no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlError {
    /// The bytes are not a DER or PEM CRL.
    #[error("not a CRL: {0}")]
    Malformed(String),
    /// The CRL names another issuer than the card's CA.
    #[error("CRL is not issued by {expected}")]
    WrongIssuer { expected: String },
    /// The CRL signature does not verify with the CA's key.
    #[error("CRL signature does not verify")]
    BadSignature,
    /// The signature algorithm or key is one this crate does not check.
    #[error("CRL signature cannot be checked: {0}")]
    UnsupportedSignature(String),
    /// A delta CRL; eidgate reads only complete CRLs.
    #[error("delta CRLs are not supported")]
    DeltaCrl,
    /// An indirect CRL (entries for other issuers); not supported.
    #[error("indirect CRLs are not supported")]
    IndirectCrl,
    /// The CRL covers only some certificates or reasons, so it cannot show a card is good.
    #[error("CRL scope is partial (CA-only, attribute-only, some reasons, or indirect)")]
    PartialScope,
    /// An extension marked critical that this crate does not understand.
    #[error("unsupported critical CRL extension {0}")]
    UnsupportedCriticalExtension(ObjectIdentifier),
    /// The CRL has no nextUpdate, so its freshness cannot be judged.
    #[error("CRL has no nextUpdate")]
    NoNextUpdate,
    /// nextUpdate has passed and no newer CRL could be had.
    #[error("CRL from {location} expired at {} (now {})", Rfc3339(*next_update), Rfc3339(*now))]
    Expired { location: String, next_update: OffsetDateTime, now: OffsetDateTime },
    /// thisUpdate lies in the future beyond the allowed clock skew.
    #[error("CRL from {location} is not valid before {}", Rfc3339(*this_update))]
    NotYetValid { location: String, this_update: OffsetDateTime },
    /// The CRL could not be downloaded.
    #[error("CRL download from {url} failed: {error}")]
    Fetch { url: String, error: FetchError },
    /// The CRL file could not be read.
    #[error("cannot read CRL file {path}: {reason}")]
    File { path: String, reason: String },
    /// No CRL source is configured or named for the card's issuer.
    #[error("no CRL source for this issuer")]
    NoSource,
}

impl CrlError {
    /// A short stable token for logs, e.g. `expired`.
    pub fn code(&self) -> &'static str {
        match self {
            CrlError::Malformed(_) => "malformed",
            CrlError::WrongIssuer { .. } => "wrong-issuer",
            CrlError::BadSignature => "bad-signature",
            CrlError::UnsupportedSignature(_) => "unsupported-signature",
            CrlError::DeltaCrl => "delta",
            CrlError::IndirectCrl => "indirect",
            CrlError::PartialScope => "partial-scope",
            CrlError::UnsupportedCriticalExtension(_) => "unsupported-critical-extension",
            CrlError::NoNextUpdate => "no-next-update",
            CrlError::Expired { .. } => "expired",
            CrlError::NotYetValid { .. } => "not-yet-valid",
            CrlError::Fetch { error, .. } => error.code(),
            CrlError::File { .. } => "unreadable-file",
            CrlError::NoSource => "no-source",
        }
    }
}
