//! The pure core of eidgate: reading eID authentication certificates and deciding whether to
//! accept them.
//!
//! Nothing here does I/O or reads the clock. Every check that depends on time takes `now` as an
//! argument, so that the caller reads the clock once at the edge and tests can pin an instant.

#![forbid(unsafe_code)]

pub mod decision;
pub mod identity;
pub mod refusal;
pub mod trust;

pub use decision::{verify_card, AcceptancePolicy, VerifiedCard};
pub use refusal::{Refusal, RefusalKind, RevocationFailure};
pub use trust::{TrustError, TrustStore, TrustedCa};
