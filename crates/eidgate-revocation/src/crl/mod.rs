//! CRLs: reading and verifying them (pure), keeping the current one per source, and refreshing
//! them before they expire.

mod error;
mod parse;
mod schedule;
mod snapshot;
pub(crate) mod store;

pub use error::CrlError;
pub use parse::parse_crl;
pub use snapshot::{CrlSnapshot, RevokedEntry};
