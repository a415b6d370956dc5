//! `[identity_headers]`: the prefix of the header contract, the names of the nginx-format
//! headers, and the signing key.
//!
//! ```toml
//! [identity_headers]
//! prefix = "X-Eid-"                          # default
//! nginx_s_dn = "X-Client"                    # $ssl_client_s_dn; default: not sent
//! nginx_s_dn_legacy = "X-Client-Legacy"      # $ssl_client_s_dn_legacy; default: not sent
//! nginx_verify = "X-Client-Verify"           # $ssl_client_verify; default: not sent
//! nginx_escaped_cert = "X-Client-Cert"       # $ssl_client_escaped_cert; default: not sent
//! hmac_key_file = "identity.key"             # default: identity not signed
//! ```

use std::path::{Path, PathBuf};

use http::header::HeaderName;
use serde::Deserialize;

use super::{IdentityHeaders, IdentitySigner, NginxHeaderNames, SigningKeyError};
use crate::config::ConfigError;

/// Prefix of the header contract unless configured otherwise.
pub const DEFAULT_PREFIX: &str = "X-Eid-";

/// Request headers a proxy sets or must leave to the HTTP layer; an identity header may not
/// take one of these names.
const RESERVED_NAMES: &[&str] = &[
    "host",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "content-type",
    "cookie",
    "authorization",
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
];

/// `[identity_headers]`. Every field is optional.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityHeadersSection {
    /// Prefix of the contract headers and of eidgate's namespace: every incoming header that
    /// starts with it is removed. Default `X-Eid-`.
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// Header for nginx's `$ssl_client_s_dn` (RFC 2253 subject). Default: not sent.
    pub nginx_s_dn: Option<String>,
    /// Header for nginx's `$ssl_client_s_dn_legacy` (`/C=EE/CN=…`). Default: not sent.
    pub nginx_s_dn_legacy: Option<String>,
    /// Header for nginx's `$ssl_client_verify` (`SUCCESS`, `NONE`, `FAILED:…`). Default: not
    /// sent.
    pub nginx_verify: Option<String>,
    /// Header for nginx's `$ssl_client_escaped_cert` (URL-escaped PEM). Default: not sent.
    pub nginx_escaped_cert: Option<String>,
    /// File holding the HMAC-SHA256 key shared with the app (at least 32 bytes). Default:
    /// none, and the identity is not signed.
    pub hmac_key_file: Option<PathBuf>,
}

impl Default for IdentityHeadersSection {
    fn default() -> Self {
        Self {
            prefix: default_prefix(),
            nginx_s_dn: None,
            nginx_s_dn_legacy: None,
            nginx_verify: None,
            nginx_escaped_cert: None,
            hmac_key_file: None,
        }
    }
}

fn default_prefix() -> String {
    DEFAULT_PREFIX.to_owned()
}

impl IdentityHeadersSection {
    /// Checks the names: valid header names, not reserved, not inside the prefix, not twice.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let prefix_ok = self.prefix.len() >= 2
            && self.prefix.ends_with('-')
            && self.prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !prefix_ok {
            let message = "must be letters, digits and '-', ending in '-' (like X-Eid-)";
            return invalid("identity_headers.prefix", message.into());
        }
        let prefix = super::normalized_name(&self.prefix);
        let mut seen = Vec::new();
        for (key, name) in self.nginx_names() {
            let Some(name) = name else { continue };
            let header = HeaderName::try_from(name.as_str())
                .map_err(|_| config_error(key, format!("{name:?} is not a header name")))?;
            let normalized = super::normalized_name(header.as_str());
            if RESERVED_NAMES.contains(&normalized.as_str()) {
                return invalid(key, format!("{name} is set by the proxy itself"));
            }
            if normalized.starts_with(&prefix) {
                return invalid(key, format!("{name} is inside identity_headers.prefix"));
            }
            if seen.contains(&normalized) {
                return invalid(key, format!("{name} is used for two headers"));
            }
            seen.push(normalized);
        }
        Ok(())
    }

    /// Builds the runtime headers, reading the key file (resolved with `resolve`).
    ///
    /// # Errors
    ///
    /// [`SigningKeyError`] when the key file is unreadable or too short.
    pub fn build(
        &self,
        resolve: impl Fn(&Path) -> PathBuf,
    ) -> Result<IdentityHeaders, SigningKeyError> {
        let signer = match &self.hmac_key_file {
            Some(path) => Some(IdentitySigner::from_key_file(&resolve(path))?),
            None => None,
        };
        let name = |n: &Option<String>| n.as_deref().and_then(|n| HeaderName::try_from(n).ok());
        let nginx = NginxHeaderNames {
            s_dn: name(&self.nginx_s_dn),
            s_dn_legacy: name(&self.nginx_s_dn_legacy),
            verify: name(&self.nginx_verify),
            escaped_cert: name(&self.nginx_escaped_cert),
        };
        Ok(IdentityHeaders::new(&self.prefix, nginx, signer))
    }

    fn nginx_names(&self) -> [(&'static str, &Option<String>); 4] {
        [
            ("identity_headers.nginx_s_dn", &self.nginx_s_dn),
            ("identity_headers.nginx_s_dn_legacy", &self.nginx_s_dn_legacy),
            ("identity_headers.nginx_verify", &self.nginx_verify),
            ("identity_headers.nginx_escaped_cert", &self.nginx_escaped_cert),
        ]
    }
}

fn config_error(key: &'static str, message: String) -> ConfigError {
    ConfigError::Invalid { key, message }
}

fn invalid(key: &'static str, message: String) -> Result<(), ConfigError> {
    Err(config_error(key, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(text: &str) -> IdentityHeadersSection {
        toml::from_str(text).expect("parses")
    }

    #[test]
    fn defaults_are_the_x_eid_prefix_and_nothing_else() {
        let section = section("");
        assert_eq!(section.prefix, "X-Eid-");
        assert!(section.nginx_s_dn.is_none() && section.hmac_key_file.is_none());
        assert!(section.validate().is_ok());
    }

    #[test]
    fn nginx_names_inside_the_prefix_or_reserved_are_refused_by_key() {
        let inside = section("nginx_s_dn = \"X-Eid-Dn\"").validate().unwrap_err().to_string();
        assert!(inside.starts_with("identity_headers.nginx_s_dn:"), "{inside}");
        let host = section("nginx_verify = \"Host\"").validate().unwrap_err().to_string();
        assert!(host.starts_with("identity_headers.nginx_verify:"), "{host}");
        let twice = section("nginx_verify = \"X-A\"\nnginx_s_dn = \"x_a\"").validate();
        assert!(twice.unwrap_err().to_string().contains("two headers"));
    }

    #[test]
    fn bad_prefix_is_refused() {
        for prefix in ["X Eid-", "X-Eid", "X_Eid-", "-"] {
            let error = section(&format!("prefix = \"{prefix}\"")).validate().unwrap_err();
            assert!(error.to_string().starts_with("identity_headers.prefix"), "{prefix}: {error}");
        }
        assert!(section("prefix = \"X-Auth-\"").validate().is_ok());
    }
}
