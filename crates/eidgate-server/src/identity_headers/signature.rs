//! The optional signature over the identity headers: HMAC-SHA256 with a key shared with the
//! app, so that an app that can also be reached without eidgate tells a forged identity from a
//! real one.
//!
//! The signed text is the version line `eidgate-identity-v1`, then `timestamp:<seconds>`, then
//! one line per contract header in the fixed order of [`super::SIGNED_FIELDS`]: `name:value`
//! with the header's lower-case name without the prefix and its value exactly as sent
//! (percent-encoded), or the bare `name` when the header is absent. Every line ends in `\n`.
//! The signature header carries the lower-case hex of the HMAC. `docs/verify_identity.py`
//! checks it on the app side.
//!
//! The signature covers the identity and the time, not the request: whoever reads one signed
//! set of headers (from an app's log, say) can replay it against any path of the app until the
//! app's maximum age has passed. Apps should keep that age short (the example uses 60 seconds).

use std::fmt::Write;
use std::path::{Path, PathBuf};

use aws_lc_rs::hmac;

/// First line of the signed text; a new layout gets a new version.
pub const SIGNATURE_VERSION: &str = "eidgate-identity-v1";

/// Shortest accepted key, in bytes: the output length of SHA-256 (RFC 2104 §3 advises keys no
/// shorter than the hash output).
pub const MIN_KEY_BYTES: usize = 32;

/// Why the signing key could not be loaded. The key itself is never part of a message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigningKeyError {
    #[error("identity_headers.hmac_key_file: cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error(
        "identity_headers.hmac_key_file: {path} holds {len} bytes; at least {MIN_KEY_BYTES} \
         are needed (e.g. `openssl rand -hex 32`)"
    )]
    TooShort { path: PathBuf, len: usize },
}

/// Signs identity headers with the shared key.
pub struct IdentitySigner {
    key: hmac::Key,
}

impl std::fmt::Debug for IdentitySigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentitySigner { key: (not shown) }")
    }
}

impl IdentitySigner {
    /// Reads the key file: its bytes, with leading and trailing ASCII whitespace removed, are
    /// the key (so a file written by `openssl rand -hex 32 > key` works as it is).
    ///
    /// # Errors
    ///
    /// [`SigningKeyError`] when the file is unreadable or the key shorter than
    /// [`MIN_KEY_BYTES`].
    pub fn from_key_file(path: &Path) -> Result<Self, SigningKeyError> {
        let bytes = std::fs::read(path)
            .map_err(|source| SigningKeyError::Read { path: path.to_owned(), source })?;
        let secret = bytes.trim_ascii();
        if secret.len() < MIN_KEY_BYTES {
            return Err(SigningKeyError::TooShort { path: path.to_owned(), len: secret.len() });
        }
        Ok(Self::new(secret))
    }

    /// A signer with `secret` as the HMAC-SHA256 key.
    pub fn new(secret: &[u8]) -> Self {
        Self { key: hmac::Key::new(hmac::HMAC_SHA256, secret) }
    }

    /// The signature header value for `fields` (name, value as sent or `None` when absent)
    /// at `timestamp` (Unix seconds).
    pub fn sign(&self, timestamp: u64, fields: &[(&str, Option<&str>)]) -> String {
        let tag = hmac::sign(&self.key, signed_text(timestamp, fields).as_bytes());
        let mut hex = String::with_capacity(64);
        for byte in tag.as_ref() {
            let _ = write!(hex, "{byte:02x}");
        }
        hex
    }
}

/// The text the HMAC is computed over (see the module documentation).
pub fn signed_text(timestamp: u64, fields: &[(&str, Option<&str>)]) -> String {
    let mut text = format!("{SIGNATURE_VERSION}\ntimestamp:{timestamp}\n");
    for (name, value) in fields {
        text.push_str(name);
        if let Some(value) = value {
            text.push(':');
            text.push_str(value);
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn absent_and_empty_fields_are_written_differently() {
        let text = signed_text(1_700_000_000, &[("given-name", None), ("surname", Some(""))]);
        assert_eq!(text, "eidgate-identity-v1\ntimestamp:1700000000\ngiven-name\nsurname:\n");
    }

    /// The expected value was computed independently, with `printf` of the text (version line,
    /// `timestamp:1700000000`, `given-name:MARI-LIIS`, `surname:M%C3%84NNIK`, each ending in a
    /// line feed) piped to `openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef`.
    #[test]
    fn signature_matches_openssl_hmac() {
        let signer = IdentitySigner::new(KEY);
        let fields = [("given-name", Some("MARI-LIIS")), ("surname", Some("M%C3%84NNIK"))];
        assert_eq!(signer.sign(1_700_000_000, &fields), EXPECTED_HMAC);
    }

    const EXPECTED_HMAC: &str = "9e51e93f493aee369a11e69440f6cc6dfdffcb583b4faff6226ffa0e436e02ca";

    #[test]
    fn short_key_file_is_refused_with_its_length() {
        let dir = std::env::temp_dir().join(format!("eidgate-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("short.key");
        std::fs::write(&path, "  tooshort\n").unwrap();
        let error = IdentitySigner::from_key_file(&path).unwrap_err().to_string();
        assert!(error.contains("holds 8 bytes"), "{error}");
        std::fs::write(&path, format!("{}\n", String::from_utf8_lossy(KEY))).unwrap();
        assert!(IdentitySigner::from_key_file(&path).is_ok());
    }
}
