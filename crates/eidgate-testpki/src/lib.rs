//! Test PKI for eidgate: a hierarchy shaped like the Estonian eID one, generated in code, and a
//! locator for the real public test data that sits beside the repository.
//!
//! [`TestPki::generate`] builds a trusted root and issuing CA (P-521, like TEST of EE-GovCA2018
//! and TEST of ESTEID2018), an untrusted pair for the wrong-issuer case, a TLS server
//! certificate for localhost, and the demo cards named in [`DEMO_CARDS`]. [`CardSpec`] describes
//! any other card a test needs, [`TestPki::issue_card`] issues it. [`TestPki::load_or_generate`]
//! keeps one PKI in a folder for `eidgate demo`.
//!
//! ```no_run
//! use eidgate_testpki::{CardSpec, TestPki};
//!
//! let now = time::OffsetDateTime::now_utc();
//! let pki = TestPki::generate(now)?;
//! let valid = pki.card("valid").expect("a demo card");
//! let rsa_card = pki.issue_card(
//!     &CardSpec::authentication("JAAN", "TAMM", "38001085718")
//!         .key_type(eidgate_testpki::KeyType::Rsa2048),
//!     now,
//! )?;
//! # Ok::<(), eidgate_testpki::TestPkiError>(())
//! ```

#![forbid(unsafe_code)]

mod card;
mod credential;
mod demo;
mod error;
mod extensions;
mod hierarchy;
mod key;
mod pki;
mod store;
mod subject;

pub mod eid_data;
pub mod oids;
pub mod personal_code;
pub mod pkcs12;

pub use card::{
    Card, CardSpec, DnLayout, ExtendedKeyUsage, IssuingCa, LEGACY_O_ID_CARD, LEGACY_O_MOBILE_ID,
};
pub use credential::{Authority, Credential};
pub use demo::{demo_card_spec, DEMO_CARDS, DEMO_OCSP_URL, DEMO_P12_PASSWORD};
pub use error::TestPkiError;
pub use key::KeyType;
pub use pki::TestPki;
pub use store::layout;

/// rcgen, for callers that sign more with an [`Authority::issuer`] (CRLs, odd certificates).
pub use rcgen;
