//! The values of nginx's client-certificate variables, for apps that were written against
//! nginx: `$ssl_client_s_dn`, `$ssl_client_s_dn_legacy`, `$ssl_client_verify` and
//! `$ssl_client_escaped_cert`, each in nginx's exact format (see `openssl_name` for the DNs).

use x509_parser::parse_x509_certificate;

use eidgate_core::{Refusal, RevocationFailure};

use super::encoding::percent_encode;
use super::openssl_name::{self, NameFormatError};

/// PEM base64 line length, as `PEM_write_bio_X509` writes it (RFC 7468 §2).
const PEM_LINE: usize = 64;

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The subject DNs of a certificate in both nginx formats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NginxSubject {
    /// `$ssl_client_s_dn`: RFC 2253, last RDN first.
    pub rfc2253: String,
    /// `$ssl_client_s_dn_legacy`: `/C=EE/CN=…`, certificate order.
    pub legacy: String,
}

/// Why the nginx subject formats could not be produced.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NginxFormatError {
    #[error("the certificate does not parse: {0}")]
    Malformed(String),
    #[error("the subject cannot be printed: {0}")]
    Name(#[from] NameFormatError),
}

impl NginxSubject {
    /// Reads the subject of a DER certificate and prints it both ways.
    ///
    /// # Errors
    ///
    /// [`NginxFormatError`] when the certificate does not parse or a value cannot be printed
    /// (OpenSSL fails on the same values, and nginx then sends no header either).
    pub fn from_der(der: &[u8]) -> Result<Self, NginxFormatError> {
        let (_, cert) =
            parse_x509_certificate(der).map_err(|e| NginxFormatError::Malformed(e.to_string()))?;
        let subject = cert.subject();
        Ok(Self {
            rfc2253: openssl_name::rfc2253(subject)?,
            legacy: openssl_name::oneline(subject),
        })
    }
}

/// `$ssl_client_escaped_cert`: the certificate as PEM, URL-escaped like nginx's
/// `NGX_ESCAPE_URI_COMPONENT` (only `A-Z a-z 0-9 - . _ ~` stay; line feeds become `%0A`).
pub fn escaped_certificate(der: &[u8]) -> String {
    percent_encode(pem(der).as_bytes())
}

/// The certificate as `PEM_write_bio_X509` writes it: 64-character lines, each ending in `\n`.
pub fn pem(der: &[u8]) -> String {
    let body = base64(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(PEM_LINE) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// `$ssl_client_verify` for a connection that presented no card or a refused one: `NONE`
/// without a certificate, `FAILED:<reason>` otherwise. Where OpenSSL's verifier would refuse the
/// same certificate, the reason is OpenSSL's text; eID checks OpenSSL does not make (a signing
/// certificate, Mobile-ID, a missing policy) give eidgate's refusal code. A verified card is
/// always `SUCCESS`.
pub fn verify_refused(refusal: &Refusal) -> String {
    let reason = match refusal {
        Refusal::NoCertificate => return "NONE".to_owned(),
        Refusal::Expired { .. } | Refusal::IssuerNotValid { .. } => "certificate has expired",
        Refusal::NotYetValid { .. } => "certificate is not yet valid",
        Refusal::UntrustedIssuer { .. } => "unable to get local issuer certificate",
        Refusal::BadSignature => "certificate signature failure",
        Refusal::ChainTooDeep { .. } => "certificate chain too long",
        // nginx's `ssl_ocsp` words for the same outcomes.
        Refusal::Revocation { kind, .. } => match kind {
            RevocationFailure::Revoked => "certificate revoked",
            RevocationFailure::Unknown => "certificate status unknown",
            RevocationFailure::Unavailable => "certificate status request failed",
        },
        other => other.code(),
    };
    format!("FAILED:{reason}")
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let mut group = [0u8; 3];
        group[..chunk.len()].copy_from_slice(chunk);
        let n = (u32::from(group[0]) << 16) | (u32::from(group[1]) << 8) | u32::from(group[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let index = (n >> (18 - 6 * i)) & 0x3f;
                out.push(char::from(BASE64[index as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases =
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg==")];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn pem_lines_are_64_characters_and_end_with_a_newline() {
        let text = pem(&[0xAB; 100]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
        // 100 bytes are 136 base64 characters: two full lines and one of 8.
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines[3], "q6urqw==");
        assert_eq!(lines[4], "-----END CERTIFICATE-----");
        assert!(text.ends_with("-----\n"));
    }

    #[test]
    fn escaped_certificate_looks_like_nginx_output() {
        let escaped = escaped_certificate(&[0xFB, 0xEF, 0xBE]);
        assert_eq!(
            escaped,
            "-----BEGIN%20CERTIFICATE-----%0A%2B%2B%2B%2B%0A-----END%20CERTIFICATE-----%0A"
        );
    }

    #[test]
    fn refusals_read_like_openssl_verify_results() {
        assert_eq!(verify_refused(&Refusal::NoCertificate), "NONE");
        let expired = Refusal::Expired { not_after: time::OffsetDateTime::UNIX_EPOCH, now: None };
        assert_eq!(verify_refused(&expired), "FAILED:certificate has expired");
        assert_eq!(verify_refused(&Refusal::MobileId), "FAILED:mobile-id");
    }
}
