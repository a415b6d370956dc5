//! What a revocation check answers: a good status with where it came from, or why the card is
//! refused.

use std::fmt;

use time::OffsetDateTime;

use crate::cert::CertError;
use crate::client::FetchError;
use crate::crl::CrlError;
use crate::ocsp::{OcspError, RequestError, ResponderStatus, Signer};
use crate::status::RevocationReason;
use crate::timefmt::Rfc3339;

/// A card found not revoked. Only [`RevocationChecker::check`](crate::RevocationChecker::check)
/// builds one, so holding one means the check passed.
///
/// There is no status field: a revoked or unknown card is an error
/// ([`RevocationError::Revoked`], [`RevocationError::Unknown`]) carrying the same facts, so no
/// caller can forget to look at the status.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationOutcome {
    /// Where the answer came from.
    pub source: StatusSource,
    /// Set when the answer had expired and was accepted only because
    /// `dangerous_grace_period_secs` allows it while every source is unreachable.
    pub dangerous_grace: bool,
}

/// Where a status came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusSource {
    /// An OCSP response.
    Ocsp {
        url: String,
        /// Whether the answer was reused (from the cache, or from a concurrent check of the same
        /// card) instead of fetched for this check.
        cached: bool,
        produced_at: OffsetDateTime,
        this_update: OffsetDateTime,
        next_update: Option<OffsetDateTime>,
        signer: Signer,
    },
    /// A CRL.
    Crl {
        /// File path or URL.
        source: String,
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
    },
}

impl RevocationOutcome {
    pub(crate) fn marked_cached(mut self) -> Self {
        if let StatusSource::Ocsp { cached, .. } = &mut self.source {
            *cached = true;
        }
        self
    }
}

impl fmt::Display for RevocationOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "good according to {}", self.source)?;
        if self.dangerous_grace {
            f.write_str(" [EXPIRED answer reused under dangerous_grace_period_secs]")?;
        }
        Ok(())
    }
}

impl fmt::Display for StatusSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusSource::Ocsp { url, cached, produced_at, next_update, .. } => {
                write!(f, "OCSP {url}, produced {}", Rfc3339(*produced_at))?;
                if let Some(next) = next_update {
                    write!(f, ", next update {}", Rfc3339(*next))?;
                }
                f.write_str(if *cached { ", cached" } else { ", fetched" })
            }
            StatusSource::Crl { source, this_update, next_update } => write!(
                f,
                "CRL {source}, issued {}, next update {}",
                Rfc3339(*this_update),
                Rfc3339(*next_update)
            ),
        }
    }
}

/// Why a card is refused. Every variant refuses the card; [`RevocationError::kind`] tells the
/// server which page to show.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RevocationError {
    /// The card is revoked.
    #[error("revoked at {} ({}) according to {origin}", Rfc3339(*revoked_at), reason_text(*reason))]
    Revoked { revoked_at: OffsetDateTime, reason: Option<RevocationReason>, origin: StatusSource },
    /// The responder does not know the card (OCSP "unknown"); refused.
    #[error("status unknown according to {origin}")]
    Unknown { origin: StatusSource },
    /// A responder answered, and its answer failed verification; no fallback is asked, since
    /// the answer may be an attack.
    #[error("OCSP response from {url} refused: {error}")]
    InvalidResponse { url: String, error: OcspError },
    /// No responder could be reached (every one timed out, was unreachable, answered an HTTP
    /// error or tryLater/internalError).
    #[error("no OCSP responder answered: {}", attempts_text(attempts))]
    Unavailable { attempts: Vec<ResponderAttempt> },
    /// The CRL could not give an answer.
    #[error("CRL check failed: {0}")]
    Crl(CrlError),
    /// Nothing to ask: no responder (the card has no AIA and none is configured) and no CRL.
    #[error("no revocation source for this card: {reason}")]
    NoSource { reason: &'static str },
    /// The card or issuer certificate given could not be read.
    #[error("cannot read the {which} certificate: {error}")]
    Certificate { which: &'static str, error: CertError },
    /// The issuer certificate given is not the card's issuer (names differ).
    #[error("the issuer certificate given did not issue this card")]
    IssuerMismatch,
}

/// One responder that did not answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponderAttempt {
    /// The URL asked (or `aia` when the card has no AIA URL).
    pub url: String,
    pub error: AttemptError,
}

/// Why one responder gave no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttemptError {
    #[error("{0}")]
    Fetch(FetchError),
    /// The responder said tryLater or internalError.
    #[error("responder answered {0}")]
    Busy(ResponderStatus),
    /// The responder is `aia` and the card has no AIA OCSP URL.
    #[error("the card names no OCSP responder")]
    NoAiaUrl,
    #[error("{0}")]
    Request(RequestError),
}

/// What the server should tell the card holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
    /// The card is revoked.
    Revoked,
    /// The CA does not know the card.
    StatusUnknown,
    /// The status could not be established now (outage, bad answer, configuration); a retry
    /// later may succeed. Maps to a 503 page.
    StatusUnavailable,
}

impl RevocationError {
    /// A stable token for the log's `reason` field that tells every failure apart, e.g.
    /// `revoked`, `ocsp-timeout`, `ocsp-bad-signature`, `crl-expired`.
    pub fn code(&self) -> String {
        match self {
            RevocationError::Revoked { .. } => "revoked".into(),
            RevocationError::Unknown { .. } => "revocation-unknown".into(),
            RevocationError::InvalidResponse { error, .. } => format!("ocsp-{}", error.code()),
            RevocationError::Unavailable { attempts } => match attempts.last().map(|a| &a.error) {
                Some(AttemptError::Fetch(error)) => format!("ocsp-{}", error.code()),
                Some(AttemptError::Busy(_)) => "ocsp-responder-busy".into(),
                Some(AttemptError::NoAiaUrl) => "ocsp-no-aia-url".into(),
                Some(AttemptError::Request(_)) => "ocsp-request-unencodable".into(),
                None => "ocsp-unavailable".into(),
            },
            RevocationError::Crl(error) => format!("crl-{}", error.code()),
            RevocationError::NoSource { .. } => "no-revocation-source".into(),
            RevocationError::Certificate { .. } => "revocation-certificate-unreadable".into(),
            RevocationError::IssuerMismatch => "revocation-issuer-mismatch".into(),
        }
    }

    /// The coarse kind, for choosing the page; the detail belongs in the log.
    pub fn kind(&self) -> RefusalKind {
        match self {
            RevocationError::Revoked { .. } => RefusalKind::Revoked,
            RevocationError::Unknown { .. } => RefusalKind::StatusUnknown,
            _ => RefusalKind::StatusUnavailable,
        }
    }

    /// Whether every source was merely unreachable or out of date (not a refusal by a source,
    /// not a bad answer): the case the dangerous grace period covers, and the case in which
    /// `ocsp-then-crl` turns to the CRL.
    pub fn is_outage(&self) -> bool {
        match self {
            RevocationError::Unavailable { .. } => true,
            RevocationError::Crl(error) => matches!(
                error,
                CrlError::Expired { .. } | CrlError::Fetch { .. } | CrlError::File { .. }
            ),
            _ => false,
        }
    }
}

fn reason_text(reason: Option<RevocationReason>) -> String {
    reason.map_or_else(|| "no reason given".to_string(), |r| format!("reason {r}"))
}

fn attempts_text(attempts: &[ResponderAttempt]) -> String {
    let parts: Vec<String> = attempts.iter().map(|a| format!("{}: {}", a.url, a.error)).collect();
    parts.join("; ")
}
