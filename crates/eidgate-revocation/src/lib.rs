//! Revocation checking for eID client certificates, after the TLS handshake and before the
//! first request is served: OCSP (with fallback responders, nonce, cache and single flight) and
//! CRLs (verified, indexed, refreshed in the background), failing closed.
//!
//! The server builds one [`RevocationChecker`] from [`RevocationConfig`] and calls
//! [`RevocationChecker::check`] with the card certificate, its issuing CA certificate and the
//! time. The pure parts (request building, response verification, CRL parsing) are in
//! [`ocsp`] and [`crl`] and take the time as an argument. [`responder`] is a test OCSP
//! responder and CRL publisher, used by the tests and by `eidgate demo`.
//!
//! Decisions where the references differ (eid-domain §4):
//! - Clock skew 5 minutes both ways (TARA 2 s, Web eID 15 min). A response without nextUpdate
//!   may be 2 minutes old (Web eID); one with nextUpdate is valid until nextUpdate.
//! - A good answer is reused until its nextUpdate, but at most `cache.max_lifetime_secs`
//!   (default 5 minutes) after it was fetched; the age limit applies when it is fetched.
//! - Exactly one SingleResponse is accepted (Web eID); TARA's tolerance of extra ones is not
//!   followed, since eidgate asks about one certificate.
//! - The nonce is 32 random bytes in an inner OCTET STRING, non-critical (Web eID), and the
//!   response must echo the whole extension value byte for byte.
//!
//! Known shortcomings:
//! - Only the card is checked; the revocation of the issuing CA or of a delegated responder
//!   certificate is not (SK's delegated responders carry id-pkix-ocsp-nocheck).
//! - Responders and CRL points are reached over plain `http://` only; `https://` is refused.
//! - RSA-PSS signatures are not verified (refused as unsupported).
//! - Delta CRLs, indirect CRLs and CRLs of partial scope are refused; the distributionPoint
//!   name of an issuing distribution point is not matched against the card.
//! - OCSP requests are always POSTed; the GET form of RFC 6960 Appendix A is not used.

#![forbid(unsafe_code)]

mod cache;
pub mod cert;
mod checker;
pub mod client;
pub mod config;
pub mod crl;
pub mod ocsp;
mod outcome;
mod policy;
pub mod responder;
mod signature;
pub mod status;
mod timefmt;

pub use checker::RevocationChecker;
pub use config::RevocationConfig;
pub use outcome::{
    AttemptError, RefusalKind, ResponderAttempt, RevocationError, RevocationOutcome, StatusSource,
};
pub use policy::ConfigError;
pub use timefmt::Rfc3339;
