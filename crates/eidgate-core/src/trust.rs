//! The configured certificate authorities that card certificates must chain to.
//!
//! ID-cards send only their own certificate, so the issuing CAs (ESTEID2018, ESTEID2025, ...) must
//! come from configuration. A trust store is built from any mix of roots and issuing CAs, for
//! example the concatenated PEM bundle that nginx takes as `ssl_client_certificate`:
//!
//! - a CA whose issuer is also in the store is linked to it: its signature is verified once,
//!   here, and every decision then checks the whole line up to the root (validity, extended key
//!   usage, path length), as nginx and OpenSSL do;
//! - a CA whose issuer is not in the store (a root, or an issuing CA given alone, as the Web eID
//!   libraries recommend so that a revoked CA can be dropped on its own) is trusted on its own.
//!
//! Every configured CA is a trust anchor for path building, so a card's path ends at its issuing
//! CA and only the card's own signature is verified per login. The CA-to-CA signatures never
//! change; verifying them once saves half the public-key work of a login under ESTEID2018, whose
//! P-521 signatures are the most expensive part of a handshake.
//!
//! Known shortcoming: name constraints are not supported. A store in which a CA with name
//! constraints issued another configured CA is refused rather than half-applied.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};
use webpki::anchor_from_trusted_cert;
use x509_parser::prelude::{FromDer, ParsedExtension, X509Certificate};

use crate::decision::CHAIN_ALGORITHMS;
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
    /// One anchor per entry of `cas`, at the same index.
    anchors: Vec<rustls_pki_types::TrustAnchor<'static>>,
    /// Cards whose signature was verified, and by which CA.
    verified: VerifiedCards,
}

/// Most card certificates whose verified signature is remembered. Each entry is 40 bytes; a
/// full cache is emptied and starts again, which costs one signature check per card.
pub const MAX_REMEMBERED_CARDS: usize = 200_000;

/// Card certificates whose signature by a configured CA has been verified, keyed by the SHA-256
/// of the whole certificate. A signature is a fact about the bytes and the CA's key and never
/// changes with time, so a card seen again needs no second verification of it; everything that
/// depends on the time (validity, the CA line) is still checked at every login. The TLS proof
/// that the client holds the card's key is never cached.
#[derive(Debug, Default)]
struct VerifiedCards {
    by_digest: Mutex<HashMap<[u8; 32], usize>>,
}

/// One configured CA certificate and the facts the decision needs about it.
#[derive(Clone, Debug)]
pub struct TrustedCa {
    pub der: CertificateDer<'static>,
    /// Subject DN in RFC 4514 form, for logs and errors.
    pub subject: String,
    /// The DER of the subject name, as it appears in issued certificates' issuer field.
    pub subject_der: Vec<u8>,
    /// Self-signed.
    pub is_root: bool,
    /// Index in the store of the CA that issued this one, its signature verified; `None` for a
    /// root, or for a CA trusted on its own because its issuer is not configured.
    pub issuer: Option<usize>,
    /// basicConstraints pathLenConstraint.
    pub path_len: Option<u32>,
    /// False when an extendedKeyUsage extension leaves out clientAuth (and anyExtendedKeyUsage).
    pub allows_client_auth: bool,
    has_name_constraints: bool,
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
    #[error(
        "{subject} names {issuer} as its issuer, but that CA's signature on it does not verify"
    )]
    BadCaSignature { subject: String, issuer: String },
    #[error("{issuer} has name constraints, which are not supported; it issued {subject}")]
    NameConstraints { subject: String, issuer: String },
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
        link_issuers(&mut cas)?;

        let mut anchors = Vec::with_capacity(cas.len());
        for (index, ca) in cas.iter().enumerate() {
            let anchor = anchor_from_trusted_cert(&ca.der)
                .map_err(|e| TrustError::Malformed { index, detail: format!("{e:?}") })?;
            anchors.push(anchor.to_owned());
        }
        Ok(Self { cas, anchors, verified: VerifiedCards::default() })
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

    /// The index of the configured CA a path built by webpki ended at: `anchor` must be one of
    /// [`Self::anchors`].
    pub(crate) fn index_of_anchor(
        &self,
        anchor: &rustls_pki_types::TrustAnchor<'_>,
    ) -> Option<usize> {
        self.anchors.iter().position(|a| std::ptr::eq(a, anchor))
    }

    /// The index of the configured CA whose signature on the card with this certificate digest
    /// was verified before.
    pub(crate) fn verified_issuer_of(&self, digest: &[u8; 32]) -> Option<usize> {
        let remembered = self.verified.by_digest.lock().unwrap_or_else(PoisonError::into_inner);
        remembered.get(digest).copied()
    }

    /// Remembers that the configured CA at `anchor` signed the card with this digest.
    pub(crate) fn remember_verified(&self, digest: [u8; 32], anchor: usize) {
        let mut remembered = self.verified.by_digest.lock().unwrap_or_else(PoisonError::into_inner);
        if remembered.len() >= MAX_REMEMBERED_CARDS {
            remembered.clear();
        }
        remembered.insert(digest, anchor);
    }

    /// The CA at `index` and the configured CAs above it, nearest first.
    pub(crate) fn line_up_from(&self, index: usize) -> impl Iterator<Item = &TrustedCa> {
        let mut next = Some(index);
        // Links point at other CAs only and were checked for cycles when the store was built;
        // the bound is a second guard.
        std::iter::from_fn(move || {
            let ca = self.cas.get(next?)?;
            next = ca.issuer;
            Some(ca)
        })
        .take(MAX_TRUSTED_CAS)
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
        let constraints =
            cert.basic_constraints().ok().flatten().map(|bc| bc.value.path_len_constraint);
        let eku =
            cert.extended_key_usage().ok().flatten().map(|e| e.value.client_auth || e.value.any);
        let name_constraints = cert.name_constraints().ok().flatten().is_some();
        Ok(Self {
            subject_der: cert.subject().as_raw().to_vec(),
            is_root: cert.subject().as_raw() == cert.issuer().as_raw(),
            issuer: None,
            path_len: constraints.flatten(),
            allows_client_auth: eku.unwrap_or(true),
            has_name_constraints: name_constraints,
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

/// Links each CA to the configured CA that issued it, verifying that CA's signature on it once.
/// A CA that names a configured issuer whose signature does not verify is an error: a broken
/// or forged line must not be trusted on its own by accident.
fn link_issuers(cas: &mut [TrustedCa]) -> Result<(), TrustError> {
    for index in 0..cas.len() {
        if cas[index].is_root {
            continue;
        }
        let Some(issuer) = verified_issuer(cas, index)? else { continue };
        if cas[issuer].has_name_constraints {
            let (subject, issuer) = (cas[index].subject.clone(), cas[issuer].subject.clone());
            return Err(TrustError::NameConstraints { subject, issuer });
        }
        cas[index].issuer = Some(issuer);
    }
    break_cycles(cas);
    Ok(())
}

/// The configured CA whose signature on `cas[index]` verifies, if any CA of that name exists.
fn verified_issuer(cas: &[TrustedCa], index: usize) -> Result<Option<usize>, TrustError> {
    let Some(cert) = parse(&cas[index]) else { return Ok(None) };
    let mut named = false;
    for (candidate, ca) in cas.iter().enumerate() {
        if candidate == index || ca.subject_der != cert.issuer().as_raw() {
            continue;
        }
        named = true;
        let Some(issuer_cert) = parse(ca) else { continue };
        if signed_by(&cas[index].der, &cert, &issuer_cert) {
            return Ok(Some(candidate));
        }
    }
    if named {
        let subject = cas[index].subject.clone();
        return Err(TrustError::BadCaSignature { subject, issuer: cert.issuer().to_string() });
    }
    Ok(None)
}

/// RFC 5280 §6.1.3 (a)(1): `cert`'s signature verifies with `issuer`'s key, under the algorithm
/// whose identifiers match the certificate's signatureAlgorithm and the issuer's key exactly,
/// as webpki chooses it for the card.
fn signed_by(cert_der: &[u8], cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> bool {
    let signature_alg = der_tlv(cert_der)
        .and_then(|(_, certificate, _)| der_tlv(certificate))
        .and_then(|(_, _tbs, rest)| der_tlv(rest))
        .map(|(_, algorithm, _)| algorithm);
    let key_alg = der_tlv(issuer.public_key().raw)
        .and_then(|(_, spki, _)| der_tlv(spki))
        .map(|(_, algorithm, _)| algorithm);
    let (Some(signature_alg), Some(key_alg)) = (signature_alg, key_alg) else { return false };

    let Some(algorithm) = CHAIN_ALGORITHMS.iter().find(|a| {
        a.signature_alg_id().as_ref() == signature_alg && a.public_key_alg_id().as_ref() == key_alg
    }) else {
        return false;
    };
    let key = &issuer.public_key().subject_public_key.data;
    let signature = &cert.signature_value.data;
    algorithm.verify_signature(key, cert.tbs_certificate.as_ref(), signature).is_ok()
}

/// One DER SEQUENCE at the start of `bytes`: its contents and what follows it. Definite lengths
/// up to four bytes, as X.509 uses.
fn der_tlv(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    const SEQUENCE: u8 = 0x30;
    let (&tag, rest) = bytes.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81..=0x84 => {
            let count = usize::from(first & 0x7f);
            let (length, rest) = (rest.get(..count)?, rest.get(count..)?);
            (length.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b)), rest)
        }
        _ => return None,
    };
    (tag == SEQUENCE).then_some((tag, rest.get(..length)?, rest.get(length..)?))
}

fn parse(ca: &TrustedCa) -> Option<X509Certificate<'_>> {
    X509Certificate::from_der(&ca.der).map(|(_, cert)| cert).ok()
}

/// Two CAs that issued each other (cross-certificates) would make a loop; the second link is
/// dropped, so each CA keeps one line up to a root.
fn break_cycles(cas: &mut [TrustedCa]) {
    for start in 0..cas.len() {
        let mut seen = vec![start];
        let mut at = start;
        while let Some(next) = cas[at].issuer {
            if seen.contains(&next) {
                cas[at].issuer = None;
                break;
            }
            seen.push(next);
            at = next;
        }
    }
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
