//! The one error type of this crate.

use std::path::PathBuf;

/// Why a test PKI could not be generated, issued from, written or loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestPkiError {
    /// rcgen refused to generate a key or to sign a certificate.
    #[error("rcgen could not {action}: {source}")]
    Rcgen {
        /// What was being done, e.g. "sign the card certificate".
        action: &'static str,
        /// rcgen's own error.
        #[source]
        source: rcgen::Error,
    },

    /// An object identifier given as text is not a dotted decimal OID.
    #[error("{oid:?} is not a dotted object identifier")]
    BadOid {
        /// The text as given.
        oid: String,
    },

    /// A value cannot be written in the ASN.1 string type its attribute requires.
    #[error("{value:?} cannot be encoded as the {field} of a certificate")]
    BadText {
        /// The field, e.g. "PrintableString serialNumber".
        field: &'static str,
        /// The value as given.
        value: String,
    },

    /// A serial number that RFC 5280 §4.1.2.2 does not allow (empty or longer than 20 octets).
    #[error("a certificate serial number must be 1 to 20 octets, this one has {len}")]
    BadSerial {
        /// Its length in octets.
        len: usize,
    },

    /// DER encoding of a structure built by this crate failed.
    #[error("could not DER-encode the {what}: {source}")]
    Der {
        /// The structure, e.g. "certificatePolicies extension".
        what: &'static str,
        /// The der crate's error.
        #[source]
        source: der::Error,
    },

    /// x509-parser cannot read back a certificate this crate generated.
    #[error("x509-parser cannot read the {what}")]
    Unreadable {
        /// Which certificate.
        what: &'static str,
    },

    /// An aws-lc-rs primitive failed (it gives no detail).
    #[error("aws-lc-rs could not {action}")]
    Crypto {
        /// What was being done, e.g. "encrypt the PKCS#12 key bag".
        action: &'static str,
    },

    /// A file or folder could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// "read", "create" or "write".
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// A demo card name that [`crate::DEMO_CARDS`] does not list.
    #[error("there is no demo card named {name:?}")]
    UnknownCard {
        /// The name asked for.
        name: String,
    },

    /// A file of a stored PKI does not hold what its name promises.
    #[error("{} does not hold {expected}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What it should hold, e.g. "a PEM certificate".
        expected: &'static str,
    },
}

impl TestPkiError {
    pub(crate) fn rcgen(action: &'static str) -> impl FnOnce(rcgen::Error) -> Self {
        move |source| Self::Rcgen { action, source }
    }

    pub(crate) fn der(what: &'static str) -> impl FnOnce(der::Error) -> Self {
        move |source| Self::Der { what, source }
    }

    pub(crate) fn io(action: &'static str, path: PathBuf) -> impl FnOnce(std::io::Error) -> Self {
        move |source| Self::Io { action, path, source }
    }
}
