//! The revocation configuration, as read from the `[revocation]` table of eidgate's TOML.
//!
//! Every field has a default, written on the field. With nothing configured, every card is
//! checked by OCSP at the URL in its own certificate (Authority Information Access), with a
//! nonce and a SHA-1 CertID, and a card whose status cannot be established is refused.
//!
//! ```toml
//! [revocation]
//! dangerous_grace_period_secs = 0
//!
//! [revocation.cache]
//! max_entries = 100000
//! max_lifetime_secs = 300
//!
//! [[revocation.issuers]]
//! issuer_cert = "ca/ESTEID2018.cer"
//! methods = "ocsp-then-crl"
//! ocsp.responders = [
//!     { url = "aia" },
//!     { url = "http://ocsp.sk.ee/", responder_cert = "ca/SK_OCSP_2024.cer" },
//! ]
//! crl.urls = ["http://c.sk.ee/esteid2018.crl"]
//! ```

use std::path::PathBuf;

use serde::Deserialize;

pub use crate::ocsp::CertIdHash;

/// The whole `[revocation]` table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RevocationConfig {
    /// Policy for cards whose issuer is not listed in `issuers`. Default: OCSP via the card's
    /// AIA URL, nonce on, no CRL.
    pub unlisted: PolicyConfig,
    /// Per-issuer policies, matched by the issuer certificate (its subject name and public key
    /// must both equal the card's issuer). Default: none.
    pub issuers: Vec<IssuerConfig>,
    /// The cache of good answers.
    pub cache: CacheConfig,
    /// How long, in seconds, the last good answer for a card may still be used after it
    /// expired, when no responder or CRL can be reached. Default 0: never. Anything above zero
    /// lets a card revoked during an outage in for that long.
    pub dangerous_grace_period_secs: u64,
}

/// A policy for the cards of one issuer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// Path of the issuing CA certificate (DER or PEM). Required. Relative paths are taken
    /// from the directory given to [`RevocationChecker::new`](crate::RevocationChecker::new).
    pub issuer_cert: PathBuf,
    /// Which methods, in which order. Default `ocsp-then-crl`.
    #[serde(default)]
    pub methods: Methods,
    /// OCSP settings (`[revocation.issuers.ocsp]`); defaults as in [`OcspConfig`].
    #[serde(default)]
    pub ocsp: OcspConfig,
    /// CRL settings (`[revocation.issuers.crl]`); defaults as in [`CrlConfig`].
    #[serde(default)]
    pub crl: CrlConfig,
    /// Allowed clock difference with responders and CRL issuers, seconds. Default 300.
    #[serde(default = "default_clock_skew_secs")]
    pub clock_skew_secs: u64,
}

/// A policy without an issuer: the one for unlisted issuers.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// As [`IssuerConfig::methods`]. Default `ocsp-then-crl`.
    pub methods: Methods,
    /// OCSP settings; defaults as in [`OcspConfig`].
    pub ocsp: OcspConfig,
    /// CRL settings; defaults as in [`CrlConfig`]. Files and URLs are refused here.
    pub crl: CrlConfig,
    /// As [`IssuerConfig::clock_skew_secs`]. Default 300.
    pub clock_skew_secs: u64,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            methods: Methods::default(),
            ocsp: OcspConfig::default(),
            crl: CrlConfig::default(),
            clock_skew_secs: default_clock_skew_secs(),
        }
    }
}

/// Which revocation methods are used, in order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Methods {
    /// OCSP only.
    Ocsp,
    /// CRL only.
    Crl,
    /// OCSP; the CRL only when no OCSP responder can be reached (or none is known). A
    /// responder's answer (revoked, unknown, or a response that fails verification) is final.
    #[default]
    OcspThenCrl,
}

/// OCSP settings of one policy.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OcspConfig {
    /// Responders, tried in order; the next one only when the previous cannot be reached, times
    /// out, answers an HTTP error or tryLater/internalError. Default `[{ url = "aia" }]`.
    pub responders: Vec<ResponderConfig>,
    /// TCP connect timeout, milliseconds. Default 3000 (TARA's).
    pub connect_timeout_ms: u64,
    /// Timeout of the whole exchange, milliseconds. Default 5000 (Web eID's).
    pub response_timeout_ms: u64,
    /// Largest response read, bytes. Default 65536.
    pub max_response_bytes: usize,
    /// For responses without nextUpdate: how old thisUpdate may be, seconds. Default 120.
    pub max_this_update_age_secs: u64,
}

impl Default for OcspConfig {
    fn default() -> Self {
        OcspConfig {
            responders: vec![ResponderConfig::aia()],
            connect_timeout_ms: 3000,
            response_timeout_ms: 5000,
            max_response_bytes: crate::client::DEFAULT_MAX_OCSP_RESPONSE_BYTES,
            max_this_update_age_secs: 120,
        }
    }
}

/// One OCSP responder.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponderConfig {
    /// `"aia"`: the first OCSP URL of the card's Authority Information Access extension (a card
    /// without one skips this responder). Otherwise an `http://` URL. Required.
    pub url: String,
    /// Path of a designated responder certificate (DER or PEM). When set, only responses signed
    /// by exactly this certificate are accepted from this responder. Default: none (the CA or a
    /// responder it delegated must sign).
    #[serde(default)]
    pub responder_cert: Option<PathBuf>,
    /// Send a nonce and require it back. Default true. SK's AIA responders for ESTEID-SK 2015
    /// do not echo nonces and need `false`.
    #[serde(default = "default_true")]
    pub nonce: bool,
    /// CertID hash, `sha1` or `sha256`. Default `sha1` (SK answers only SHA-1 CertIDs).
    #[serde(default)]
    pub cert_id_hash: CertIdHash,
}

impl ResponderConfig {
    /// The default responder: the card's AIA URL with a nonce and a SHA-1 CertID.
    pub fn aia() -> Self {
        ResponderConfig {
            url: AIA.to_string(),
            responder_cert: None,
            nonce: true,
            cert_id_hash: CertIdHash::Sha1,
        }
    }
}

/// The `url` value that means "the card's AIA OCSP URL".
pub const AIA: &str = "aia";

/// CRL settings of one policy.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrlConfig {
    /// CRL files (DER or PEM), re-read on every refresh. Default none.
    pub files: Vec<PathBuf>,
    /// CRL URLs (`http://`). Default none.
    pub urls: Vec<String>,
    /// Also use the `http://` CRL distribution points named in the card certificate. Default
    /// false: the first card of an issuer would otherwise wait for a download of megabytes.
    pub distribution_points: bool,
    /// Longest time between two loads of one CRL, seconds; loads also happen before nextUpdate.
    /// Default 900.
    pub refresh_interval_secs: u64,
    /// Timeout of one CRL download, milliseconds. Default 30000.
    pub download_timeout_ms: u64,
    /// Largest CRL read, bytes. Default 64 MiB (room for about a million entries).
    pub max_crl_bytes: usize,
}

impl Default for CrlConfig {
    fn default() -> Self {
        CrlConfig {
            files: Vec::new(),
            urls: Vec::new(),
            distribution_points: false,
            refresh_interval_secs: 900,
            download_timeout_ms: 30_000,
            max_crl_bytes: 64 * 1024 * 1024,
        }
    }
}

/// The cache of good answers.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    /// Most cards remembered. Default 100000; when full, expired answers and then the oldest
    /// go first.
    pub max_entries: usize,
    /// Longest time a good OCSP answer is reused, seconds, even when its nextUpdate is later.
    /// Default 300: a revocation reaches the gateway within five minutes. 0 turns reuse off.
    pub max_lifetime_secs: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig { max_entries: 100_000, max_lifetime_secs: 300 }
    }
}

fn default_clock_skew_secs() -> u64 {
    300
}

fn default_true() -> bool {
    true
}
