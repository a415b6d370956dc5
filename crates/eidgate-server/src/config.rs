//! The configuration file, `eidgate.toml`.
//!
//! Every field has a documented default; unknown keys are errors, so a misspelt option is never
//! silently ignored. Relative paths are taken from the folder that holds the configuration file.
//!
//! ```toml
//! [server]
//! listen = "127.0.0.1:8443"
//! certificate = "server.crt"     # PEM: the server certificate, then any intermediates
//! private_key = "server.key"     # PEM: PKCS#8, PKCS#1 or SEC1
//!
//! [trust]
//! ca_files = ["ca/trust-bundle.pem"]   # PEM bundles or DER files: issuing CAs and roots
//! verify_depth = 2
//! require_authentication_policy = true
//! require_document_policy = true
//!
//! [log]
//! personal_codes = false
//!
//! [revocation]                      # optional: by default OCSP via each card's AIA
//! [[revocation.issuers]]
//! issuer_cert = "ca/ESTEID2018.cer"
//! methods = "ocsp-then-crl"
//! ocsp.responders = [{ url = "aia" }]
//! crl.urls = ["http://c.sk.ee/esteid2018.crl"]
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use eidgate_core::AcceptancePolicy;

/// The whole configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerSection,
    pub trust: TrustSection,
    #[serde(default)]
    pub log: LogSection,
    /// `[[route]]` tables; default none, and the built-in greeting answers every path.
    #[serde(default, rename = "route")]
    pub routes: Vec<crate::routes::RouteSection>,
    /// `[proxy]`: upstream timeouts; every field has a default.
    #[serde(default)]
    pub proxy: crate::proxy::ProxySection,
    /// `[identity_headers]`: the header contract's prefix, nginx-format headers, signing key.
    #[serde(default)]
    pub identity_headers: crate::identity_headers::IdentityHeadersSection,
    /// `[revocation]`: how cards are checked for revocation. Default: OCSP at the responder named
    /// in each card's AIA, with a nonce, falling back to the card's CRL where configured; a
    /// card whose status cannot be established is refused.
    #[serde(default)]
    pub revocation: eidgate_revocation::RevocationConfig,
    /// `[test_responder]`: a built-in OCSP responder and CRL publisher for a test CA whose key
    /// is on disk, as `eidgate demo` uses. Default none. Never for a production CA.
    #[serde(default)]
    pub test_responder: Option<crate::revocation::TestResponderSection>,
    /// Folder of the configuration file; relative paths are resolved against it.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

/// `[server]`: where to listen and how to speak TLS.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    /// Address and port to listen on. Required.
    pub listen: SocketAddr,
    /// PEM file with the server certificate followed by its intermediates. Required.
    pub certificate: PathBuf,
    /// PEM file with the server's private key. Required.
    pub private_key: PathBuf,
    /// Where a refused card is told so. Default `page`.
    #[serde(default)]
    pub refuse_at: RefuseAt,
    /// Seconds a client has to finish the TLS handshake. Default 10: a card's PIN prompt
    /// happens before the handshake starts, so a live client needs well under a second.
    #[serde(default = "defaults::handshake_timeout_secs")]
    pub handshake_timeout_secs: u64,
    /// Most connections served at once; further ones wait in the listen queue. Default 20000.
    #[serde(default = "defaults::max_connections")]
    pub max_connections: usize,
    /// Seconds a connection may wait for a request, its first or the next, before it is closed
    /// (HTTP/2: shut down with GOAWAY). Default 75, as nginx's `keepalive_timeout`: an idle
    /// HTTP/1.1 connection costs a few KiB here, so keeping it for as long as browsers reuse
    /// connections is cheap.
    #[serde(default = "defaults::idle_timeout_secs")]
    pub idle_timeout_secs: u64,
}

/// How a refused card is answered.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RefuseAt {
    /// Complete the handshake and answer every request with a page that says what is wrong
    /// (401 without a certificate, 403 for a refused one). The default: a person can act on it.
    #[default]
    Page,
    /// Abort the handshake with a TLS alert. Browsers then show their own, vaguer, error.
    Handshake,
}

/// `[trust]`: which cards are accepted.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustSection {
    /// CA certificate files (PEM bundles or DER). Required and must not be empty.
    pub ca_files: Vec<PathBuf>,
    /// Most CA certificates above a card in its path. Default 2 (issuing CA and root).
    #[serde(default = "defaults::verify_depth")]
    pub verify_depth: usize,
    /// Require the authentication policy `0.4.0.2042.1.2`. Default false.
    #[serde(default)]
    pub require_authentication_policy: bool,
    /// Require an Estonian document policy issued by the card's CA. Default false.
    #[serde(default)]
    pub require_document_policy: bool,
    /// Accept Mobile-ID certificates as cards. Default false.
    #[serde(default)]
    pub dangerous_accept_mobile_id: bool,
    /// Skip the revocation check: a revoked card is then accepted. Default false; only for
    /// test set-ups without any way to reach a responder.
    #[serde(default)]
    pub dangerous_skip_revocation_check: bool,
}

/// `[log]`: what the authentication log line may contain.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSection {
    /// Log the card holder's personal identification code. Default false: it is personal data.
    #[serde(default)]
    pub personal_codes: bool,
}

/// Why a configuration file was refused. The message names the file and, where it can, the key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{key}: {message}")]
    Invalid { key: &'static str, message: String },
}

mod defaults {
    pub fn handshake_timeout_secs() -> u64 {
        10
    }
    pub fn max_connections() -> usize {
        20_000
    }
    pub fn idle_timeout_secs() -> u64 {
        75
    }
    pub fn verify_depth() -> usize {
        2
    }
}

impl Config {
    /// Reads and checks a configuration file.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the file, or the key whose value is wrong.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        let base_dir = path.parent().unwrap_or(Path::new(".")).to_owned();
        Self::parse(&text, base_dir).map_err(|e| match e {
            ConfigError::Syntax { message, .. } => {
                ConfigError::Syntax { path: path.to_owned(), message }
            }
            other => other,
        })
    }

    /// Parses configuration text; relative paths are resolved against `base_dir`.
    ///
    /// # Errors
    ///
    /// As [`Config::load`].
    pub fn parse(text: &str, base_dir: PathBuf) -> Result<Self, ConfigError> {
        let mut config: Config = toml::from_str(text)
            .map_err(|e| ConfigError::Syntax { path: PathBuf::new(), message: e.to_string() })?;
        config.base_dir = base_dir;
        config.validate()?;
        Ok(config)
    }

    /// Resolves a configured path against the configuration file's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        self.base_dir.join(path)
    }

    /// The acceptance policy the `[trust]` section describes.
    pub fn acceptance_policy(&self) -> AcceptancePolicy {
        AcceptancePolicy {
            verify_depth: self.trust.verify_depth,
            require_authentication_policy: self.trust.require_authentication_policy,
            require_document_policy: self.trust.require_document_policy,
            dangerous_accept_mobile_id: self.trust.dangerous_accept_mobile_id,
        }
    }

    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(self.server.handshake_timeout_secs)
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.server.idle_timeout_secs)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid =
            |key, message: &str| Err(ConfigError::Invalid { key, message: message.into() });
        if self.trust.ca_files.is_empty() {
            return invalid(
                "trust.ca_files",
                "lists no files; an empty trust store refuses every card",
            );
        }
        if !(1..=6).contains(&self.trust.verify_depth) {
            return invalid("trust.verify_depth", "must be between 1 and 6");
        }
        if self.server.handshake_timeout_secs == 0 {
            return invalid("server.handshake_timeout_secs", "must be at least 1");
        }
        if self.server.idle_timeout_secs == 0 {
            return invalid("server.idle_timeout_secs", "must be at least 1");
        }
        if self.server.max_connections == 0 {
            return invalid("server.max_connections", "must be at least 1");
        }
        crate::routes::validate(self)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        [server]
        listen = "127.0.0.1:8443"
        certificate = "server.crt"
        private_key = "server.key"
        [trust]
        ca_files = ["ca.pem"]
    "#;

    #[test]
    fn minimal_config_takes_documented_defaults() {
        let config = Config::parse(MINIMAL, "/etc/eidgate".into()).unwrap();
        assert_eq!(config.server.refuse_at, RefuseAt::Page);
        assert_eq!(config.trust.verify_depth, 2);
        assert!(!config.log.personal_codes);
        assert!(!config.trust.dangerous_accept_mobile_id);
        assert_eq!(config.resolve(Path::new("ca.pem")), Path::new("/etc/eidgate/ca.pem"));
    }

    #[test]
    fn misspelt_key_is_named_in_the_error() {
        let text =
            MINIMAL.replace("verify_depth", "x").replace("[trust]", "[trust]\nverfy_depth = 3");
        let error = Config::parse(&text, PathBuf::new()).unwrap_err().to_string();
        assert!(error.contains("verfy_depth"), "{error}");
    }

    #[test]
    fn empty_trust_is_refused_with_the_key_named() {
        let text = MINIMAL.replace(r#"["ca.pem"]"#, "[]");
        let error = Config::parse(&text, PathBuf::new()).unwrap_err().to_string();
        assert!(error.starts_with("trust.ca_files"), "{error}");
    }
}
