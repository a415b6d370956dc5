//! The configured certificate authorities that card certificates must chain to.
//!
//! ID-cards send only their own certificate, so the issuing CAs (ESTEID2018, ESTEID2025, ...) must
//! come from configuration. A trust store is built from any mix of roots and issuing CAs, for
//! example the concatenated PEM bundle that nginx takes as `ssl_client_certificate`:
//!
//! - a CA whose issuer is also in the store is used as an intermediate, so the path is checked
//!   all the way to the root (as nginx and OpenSSL do);
//! - a CA whose issuer is not in the store (a root, or an issuing CA given alone, as the Web eID
//!   libraries recommend so that a revoked CA can be dropped on its own) is a trust anchor.
//!
//! An anchor's own validity period is checked at every decision, because path validation does not
//! look at anchors.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};
use webpki::anchor_from_trusted_cert;
use x509_parser::prelude::{FromDer, ParsedExtension, X509Certificate};

use crate::identity::dotted_oid;

/// Most certificates a trust store takes. Real deployments list a handful of CAs; the bound
/// keeps a mistaken configuration (say, a whole OS bundle) from making every login slow.
pub const MAX_TRUSTED_CAS: usize = 256;

/// The CAs that card certificates are checked against.
///
/// Built only from a non-empty list of CA certificates; an empty store is an error, never a store
/// that accepts nothing silently or everything.
#[derive(Debug)]
pub struct TrustStore {
    cas: Vec<TrustedCa>,
    anchors: Vec<rustls_pki_types::TrustAnchor<'static>>,
    /// For each entry of `anchors`, the index of its CA in `cas`.
    anchor_cas: Vec<usize>,
    intermediates: Vec<CertificateDer<'static>>,
}

/// One configured CA certificate and the facts the decision needs about it.
#[derive(Clone, Debug)]
pub struct TrustedCa {
    pub der: CertificateDer<'static>,
    /// Subject DN in RFC 4514 form, for logs and errors.
    pub subject: String,
    /// The DER of the subject name, as it appears in issued certificates' issuer field.
    pub subject_der: Vec<u8>,
    pub is_anchor: bool,
    pub not_before: UnixTime,
    pub not_after: UnixTime,
    /// Explicit certificate policies of the CA, or `None` when it has none or lists anyPolicy.
    pub policies: Option<Vec<String>>,
}

/// Why a trust store could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    #[error("no CA certificates were given; an empty trust store would refuse every card")]
    Empty,
    #[error("{count} CA certificates given; at most {MAX_TRUSTED_CAS} are taken")]
    TooMany { count: usize },
    #[error("certificate #{index} is not a readable X.509 certificate: {detail}")]
    Malformed { index: usize, detail: String },
    #[error("{subject} is not a CA certificate (basicConstraints CA is not set)")]
    NotCa { subject: String },
    #[error("no certificate found in the PEM data")]
    NoPemCertificate,
    #[error("PEM data is unreadable: {0}")]
    Pem(String),
}

impl TrustStore {
    /// Builds a store from CA certificates; see the module documentation for how roots and
    /// issuing CAs are told apart.
    ///
    /// # Errors
    ///
    /// [`TrustError::Empty`] for no certificates, [`TrustError::NotCa`] for an end-entity
    /// certificate, [`TrustError::Malformed`] for unreadable DER.
    pub fn new(certs: Vec<CertificateDer<'static>>) -> Result<Self, TrustError> {
        if certs.is_empty() {
            return Err(TrustError::Empty);
        }
        if certs.len() > MAX_TRUSTED_CAS {
            return Err(TrustError::TooMany { count: certs.len() });
        }

        let mut cas = Vec::with_capacity(certs.len());
        for (index, der) in certs.into_iter().enumerate() {
            cas.push(TrustedCa::read(index, der)?);
        }
        mark_anchors(&mut cas);

        let mut anchors = Vec::new();
        let mut anchor_cas = Vec::new();
        let mut intermediates = Vec::new();
        for (index, ca) in cas.iter().enumerate() {
            if ca.is_anchor {
                let anchor = anchor_from_trusted_cert(&ca.der)
                    .map_err(|e| TrustError::Malformed { index, detail: format!("{e:?}") })?;
                anchors.push(anchor.to_owned());
                anchor_cas.push(index);
            } else {
                intermediates.push(ca.der.clone());
            }
        }
        Ok(Self { cas, anchors, anchor_cas, intermediates })
    }

    /// Reads certificates from PEM (any number of `CERTIFICATE` blocks, other blocks ignored) or,
    /// when the data is not PEM, from a single DER certificate.
    ///
    /// # Errors
    ///
    /// [`TrustError::NoPemCertificate`] when PEM text holds no certificate.
    pub fn read_certificates(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, TrustError> {
        if !looks_like_pem(bytes) {
            return Ok(vec![CertificateDer::from(bytes.to_vec())]);
        }
        let certs = CertificateDer::pem_slice_iter(bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TrustError::Pem(e.to_string()))?;
        if certs.is_empty() {
            return Err(TrustError::NoPemCertificate);
        }
        Ok(certs)
    }

    /// All configured CAs, in the order given.
    pub fn cas(&self) -> &[TrustedCa] {
        &self.cas
    }

    /// The subject names a server should list in its CertificateRequest, so that browsers offer
    /// the cards these CAs issued. Every CA is listed: a browser matches a card by its issuer.
    pub fn hint_subjects(&self) -> impl Iterator<Item = &[u8]> {
        self.cas.iter().map(|ca| ca.subject_der.as_slice())
    }

    /// The configured CA whose subject is `issuer_der` (the raw issuer name of a certificate).
    pub fn ca_by_subject(&self, issuer_der: &[u8]) -> Option<&TrustedCa> {
        self.cas.iter().find(|ca| ca.subject_der == issuer_der)
    }

    pub(crate) fn anchors(&self) -> &[rustls_pki_types::TrustAnchor<'static>] {
        &self.anchors
    }

    /// The configured CA a path built by webpki ended at.
    pub(crate) fn ca_of_anchor(
        &self,
        anchor: &rustls_pki_types::TrustAnchor<'_>,
    ) -> Option<&TrustedCa> {
        let position = self.anchors.iter().position(|a| {
            a.subject_public_key_info == anchor.subject_public_key_info
                && a.subject == anchor.subject
        })?;
        self.cas.get(*self.anchor_cas.get(position)?)
    }

    pub(crate) fn intermediates(&self) -> &[CertificateDer<'static>] {
        &self.intermediates
    }
}

impl TrustedCa {
    fn read(index: usize, der: CertificateDer<'static>) -> Result<Self, TrustError> {
        let malformed = |detail: String| TrustError::Malformed { index, detail };
        let (_, cert) = X509Certificate::from_der(&der).map_err(|e| malformed(e.to_string()))?;

        let subject = cert.subject().to_string();
        if !cert.is_ca() {
            return Err(TrustError::NotCa { subject });
        }
        let validity = cert.validity();
        Ok(Self {
            subject_der: cert.subject().as_raw().to_vec(),
            is_anchor: false,
            not_before: unix_time(validity.not_before.timestamp()),
            not_after: unix_time(validity.not_after.timestamp()),
            policies: explicit_policies(&cert),
            subject,
            der,
        })
    }

    /// True when `now` lies within the CA's validity period.
    pub fn is_valid_at(&self, now: UnixTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

/// A CA is an anchor when no other configured CA issued it (roots always are).
fn mark_anchors(cas: &mut [TrustedCa]) {
    let issuers: Vec<Option<usize>> = cas.iter().map(|ca| issuer_index(cas, ca)).collect();
    for (ca, issuer) in cas.iter_mut().zip(issuers) {
        ca.is_anchor = issuer.is_none();
    }
}

fn issuer_index(cas: &[TrustedCa], ca: &TrustedCa) -> Option<usize> {
    let (_, cert) = X509Certificate::from_der(&ca.der).ok()?;
    let issuer = cert.issuer().as_raw();
    if issuer == ca.subject_der.as_slice() {
        return None;
    }
    cas.iter().position(|other| other.subject_der == issuer)
}

/// Certificate policies of a CA, or `None` for anyPolicy (2.5.29.32.0) or no extension at all:
/// both mean the CA does not restrict which document policies its certificates carry.
fn explicit_policies(cert: &X509Certificate<'_>) -> Option<Vec<String>> {
    const ANY_POLICY: &str = "2.5.29.32.0";
    let oids: Vec<String> = cert
        .iter_extensions()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::CertificatePolicies(policies) => Some(policies),
            _ => None,
        })?
        .iter()
        .filter_map(|p| dotted_oid(&p.policy_id))
        .collect();
    (!oids.iter().any(|o| o == ANY_POLICY)).then_some(oids)
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    const MARKER: &[u8] = b"-----BEGIN";
    bytes.windows(MARKER.len()).any(|w| w == MARKER)
}

pub(crate) fn unix_time(seconds: i64) -> UnixTime {
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(seconds.max(0).unsigned_abs()))
}
