//! Certificates with their keys: end-entity credentials and signing authorities.

use std::fmt;

use rcgen::{Certificate, Issuer, KeyPair};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::TestPkiError;

/// A certificate in DER with the PEM text it was written or read as, and its serial number.
///
/// Both forms are kept because this crate has no base64 encoder of its own: generated
/// certificates get their PEM from rcgen, loaded ones keep the text of their file.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct EncodedCert {
    der: CertificateDer<'static>,
    pem: String,
    serial: Vec<u8>,
    public_key_info: Vec<u8>,
}

impl EncodedCert {
    pub(crate) fn from_rcgen(cert: &Certificate) -> Result<Self, TestPkiError> {
        Self::from_der(cert.der().clone(), cert.pem())
            .ok_or(TestPkiError::Unreadable { what: "certificate rcgen generated" })
    }

    /// Reads the first `CERTIFICATE` block of PEM text; `None` when there is none or it does not
    /// hold a certificate.
    pub(crate) fn from_pem(pem: &str) -> Option<Self> {
        let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).ok()?;
        if block.label != "CERTIFICATE" {
            return None;
        }
        Self::from_der(CertificateDer::from(block.contents), pem.to_owned())
    }

    fn from_der(der: CertificateDer<'static>, pem: String) -> Option<Self> {
        let (_, cert) = x509_parser::parse_x509_certificate(&der).ok()?;
        let serial = cert.tbs_certificate.serial.to_bytes_be();
        let public_key_info = cert.tbs_certificate.subject_pki.raw.to_vec();
        Some(Self { der, pem, serial, public_key_info })
    }

    /// The DER SubjectPublicKeyInfo of the certificate.
    pub(crate) fn public_key_info(&self) -> &[u8] {
        &self.public_key_info
    }
}

/// An end-entity certificate with its private key: a TLS server, an OCSP responder, the
/// certificate of a card.
pub struct Credential {
    cert: EncodedCert,
    key: KeyPair,
}

impl Credential {
    pub(crate) fn new(cert: EncodedCert, key: KeyPair) -> Self {
        Self { cert, key }
    }

    /// The certificate in DER.
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert.der
    }

    /// The certificate as one PEM `CERTIFICATE` block.
    pub fn cert_pem(&self) -> &str {
        &self.cert.pem
    }

    /// The certificate's serial number, big-endian, without the sign octet DER may add.
    pub fn serial(&self) -> &[u8] {
        &self.cert.serial
    }

    /// The private key as PKCS#8 DER.
    pub fn key_pkcs8_der(&self) -> &[u8] {
        self.key.serialized_der()
    }

    /// The private key as a PEM `PRIVATE KEY` (PKCS#8) block.
    pub fn key_pkcs8_pem(&self) -> String {
        self.key.serialize_pem()
    }

    /// The private key in the form rustls takes.
    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivatePkcs8KeyDer::from(self.key.serialized_der().to_vec()).into()
    }

    /// The rcgen key pair, e.g. to sign something else with it.
    pub fn key_pair(&self) -> &KeyPair {
        &self.key
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential").field("serial", &self.cert.serial).finish_non_exhaustive()
    }
}

/// A CA certificate with the key that signs under it.
pub struct Authority {
    cert: EncodedCert,
    issuer: Issuer<'static, KeyPair>,
}

impl Authority {
    /// Pairs a CA certificate with its key. The issuer name and key identifier are taken from the
    /// certificate itself, so certificates issued later chain to it byte for byte.
    pub(crate) fn new(cert: EncodedCert, key: KeyPair) -> Result<Self, TestPkiError> {
        let issuer = Issuer::from_ca_cert_der(&cert.der, key)
            .map_err(TestPkiError::rcgen("read back a CA certificate"))?;
        Ok(Self { cert, issuer })
    }

    /// The CA certificate in DER.
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert.der
    }

    /// The CA certificate as one PEM `CERTIFICATE` block.
    pub fn cert_pem(&self) -> &str {
        &self.cert.pem
    }

    /// The CA's private key as PKCS#8 DER (an OCSP responder or a CRL signer needs it).
    pub fn key_pkcs8_der(&self) -> &[u8] {
        self.issuer.key().serialized_der()
    }

    /// The CA's private key as a PEM `PRIVATE KEY` (PKCS#8) block.
    pub fn key_pkcs8_pem(&self) -> String {
        self.issuer.key().serialize_pem()
    }

    /// The rcgen issuer, to sign further certificates or CRLs
    /// (`rcgen::CertificateRevocationListParams::signed_by`).
    pub fn issuer(&self) -> &Issuer<'static, KeyPair> {
        &self.issuer
    }
}

impl fmt::Debug for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authority").field("serial", &self.cert.serial).finish_non_exhaustive()
    }
}
