//! The facts a revocation check needs from a certificate, read once and kept as owned bytes.
//!
//! Certificates are read with x509-parser, which is lenient about the small encoding slips found
//! in real card certificates. Everything that is compared or hashed later (the subject name, the
//! public key, the signed part) is kept as the exact DER bytes of the certificate, never
//! re-encoded.

use std::fmt;

use der::oid::ObjectIdentifier;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::oid_registry::OID_PKIX_ACCESS_DESCRIPTOR_OCSP;
use x509_parser::prelude::FromDer;

/// Why a certificate could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// The bytes are not a DER (or PEM) X.509 certificate.
    #[error("not an X.509 certificate: {0}")]
    Malformed(String),
    /// Bytes were left over after the certificate.
    #[error("{0} bytes follow the certificate")]
    TrailingData(usize),
}

/// A certificate serial number: the big-endian magnitude, without leading zero bytes.
///
/// DER keeps a leading zero byte when the top bit of the first byte is set; it is removed here so
/// that serials read from certificates, OCSP responses and CRLs compare equal.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Serial(Box<[u8]>);

impl Serial {
    /// Builds a serial from the content bytes of a DER INTEGER.
    pub fn from_integer_bytes(bytes: &[u8]) -> Self {
        let first_non_zero = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        let magnitude = bytes.get(first_non_zero..).unwrap_or_default();
        if magnitude.is_empty() {
            return Serial(Box::new([0]));
        }
        Serial(magnitude.into())
    }

    /// The magnitude bytes, big-endian, without leading zeros (a zero serial is `[0]`).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The content bytes of the DER INTEGER for this serial (a zero byte prepended when needed).
    pub fn to_integer_bytes(&self) -> Vec<u8> {
        let needs_pad = self.0.first().is_some_and(|b| b & 0x80 != 0);
        let mut out = Vec::with_capacity(self.0.len() + 1);
        if needs_pad {
            out.push(0);
        }
        out.extend_from_slice(&self.0);
        out
    }
}

impl fmt::Display for Serial {
    /// Upper-case hex without separators, as eidgate-core prints serials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02X}"))
    }
}

impl fmt::Debug for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Serial({self})")
    }
}

/// What this crate reads from one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertInfo {
    pub(crate) der: Vec<u8>,
    pub(crate) tbs: Vec<u8>,
    pub(crate) subject: Vec<u8>,
    pub(crate) issuer: Vec<u8>,
    pub(crate) subject_text: String,
    pub(crate) serial: Serial,
    pub(crate) spki: Vec<u8>,
    pub(crate) key_bits: Vec<u8>,
    pub(crate) signature_algorithm: ObjectIdentifier,
    pub(crate) signature: Vec<u8>,
    pub(crate) not_before: OffsetDateTime,
    pub(crate) not_after: OffsetDateTime,
    pub(crate) ocsp_signing: bool,
    pub(crate) ocsp_urls: Vec<String>,
    pub(crate) crl_urls: Vec<String>,
}

impl CertInfo {
    /// Reads a DER certificate.
    ///
    /// # Errors
    ///
    /// [`CertError`] when the bytes are not one complete certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let (rest, cert) =
            X509Certificate::from_der(der).map_err(|e| CertError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(CertError::TrailingData(rest.len()));
        }
        let consumed = der.len() - rest.len();
        Self::from_parsed(der.get(..consumed).unwrap_or(der), &cert)
    }

    /// Reads a certificate file's contents: DER, or the first PEM `CERTIFICATE` block.
    ///
    /// # Errors
    ///
    /// [`CertError`] when neither form holds a certificate.
    pub fn from_der_or_pem(bytes: &[u8]) -> Result<Self, CertError> {
        if !bytes.starts_with(b"-----BEGIN") {
            return Self::from_der(bytes);
        }
        let (_, pem) = x509_parser::pem::parse_x509_pem(bytes)
            .map_err(|e| CertError::Malformed(format!("PEM: {e}")))?;
        Self::from_der(&pem.contents)
    }

    fn from_parsed(der: &[u8], cert: &X509Certificate<'_>) -> Result<Self, CertError> {
        let spki = cert.public_key();
        let malformed = |what: &str| CertError::Malformed(what.to_string());
        let not_before = unix_time(cert.validity().not_before.timestamp())
            .ok_or_else(|| malformed("notBefore out of range"))?;
        let not_after = unix_time(cert.validity().not_after.timestamp())
            .ok_or_else(|| malformed("notAfter out of range"))?;
        let signature_algorithm =
            ObjectIdentifier::from_bytes(cert.signature_algorithm.algorithm.as_bytes())
                .map_err(|_| malformed("signature algorithm OID"))?;

        Ok(CertInfo {
            der: der.to_vec(),
            tbs: cert.tbs_certificate.as_ref().to_vec(),
            subject: cert.subject().as_raw().to_vec(),
            issuer: cert.issuer().as_raw().to_vec(),
            subject_text: cert.subject().to_string(),
            serial: Serial::from_integer_bytes(cert.raw_serial()),
            spki: spki.raw.to_vec(),
            key_bits: spki.subject_public_key.data.to_vec(),
            signature_algorithm,
            signature: cert.signature_value.data.to_vec(),
            not_before,
            not_after,
            ocsp_signing: has_ocsp_signing(cert),
            ocsp_urls: ocsp_urls(cert),
            crl_urls: crl_urls(cert),
        })
    }

    /// The whole certificate as DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The serial number.
    pub fn serial(&self) -> &Serial {
        &self.serial
    }

    /// The subject DN, printed for people (RFC 4514 style).
    pub fn subject_text(&self) -> &str {
        &self.subject_text
    }

    /// The OCSP URLs of the Authority Information Access extension, in certificate order.
    pub fn ocsp_urls(&self) -> &[String] {
        &self.ocsp_urls
    }

    /// The URI forms of the CRL distribution points, in certificate order.
    pub fn crl_urls(&self) -> &[String] {
        &self.crl_urls
    }

    /// Whether `now` lies within notBefore..=notAfter.
    pub fn is_valid_at(&self, now: OffsetDateTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// Whether `other` names this certificate as its issuer (byte-equal DER names).
    pub(crate) fn is_issuer_name_of(&self, other: &CertInfo) -> bool {
        self.subject == other.issuer
    }
}

fn unix_time(seconds: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(seconds).ok()
}

fn has_ocsp_signing(cert: &X509Certificate<'_>) -> bool {
    matches!(cert.extended_key_usage(), Ok(Some(eku)) if eku.value.ocsp_signing)
}

fn ocsp_urls(cert: &X509Certificate<'_>) -> Vec<String> {
    let mut urls = Vec::new();
    for ext in cert.iter_extensions() {
        let ParsedExtension::AuthorityInfoAccess(aia) = ext.parsed_extension() else {
            continue;
        };
        for desc in aia.iter() {
            if desc.access_method != OID_PKIX_ACCESS_DESCRIPTOR_OCSP {
                continue;
            }
            if let GeneralName::URI(uri) = desc.access_location {
                urls.push(uri.to_string());
            }
        }
    }
    urls
}

fn crl_urls(cert: &X509Certificate<'_>) -> Vec<String> {
    let mut urls = Vec::new();
    for ext in cert.iter_extensions() {
        let ParsedExtension::CRLDistributionPoints(points) = ext.parsed_extension() else {
            continue;
        };
        for point in points.iter() {
            let Some(DistributionPointName::FullName(names)) = &point.distribution_point else {
                continue;
            };
            for name in names {
                if let GeneralName::URI(uri) = name {
                    urls.push(uri.to_string());
                }
            }
        }
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_drops_the_der_sign_byte_and_puts_it_back() {
        let serial = Serial::from_integer_bytes(&[0x00, 0x96, 0x01]);
        assert_eq!(serial.as_bytes(), &[0x96, 0x01]);
        assert_eq!(serial.to_integer_bytes(), vec![0x00, 0x96, 0x01]);
        assert_eq!(serial.to_string(), "9601");
    }

    #[test]
    fn zero_serial_keeps_one_byte() {
        let serial = Serial::from_integer_bytes(&[0x00]);
        assert_eq!(serial.as_bytes(), &[0x00]);
        assert_eq!(serial.to_integer_bytes(), vec![0x00]);
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        assert!(matches!(CertInfo::from_der(b"\x30\x03abc"), Err(CertError::Malformed(_))));
    }
}
