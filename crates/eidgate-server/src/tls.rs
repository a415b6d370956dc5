//! TLS: the server's own certificate, and asking the client for its card.
//!
//! The handshake requests a client certificate and names every configured CA in the
//! CertificateRequest, so that browsers offer the cards those CAs issued. Whether the card is
//! accepted is normally decided after the handshake (see [`RefuseAt`]): the handshake only proves
//! that the client holds the card's private key, and a refused visitor then gets a page instead
//! of a bare TLS alert.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::ServerSessionMemoryCache;
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, ServerConfig};

use eidgate_core::{verify_card, AcceptancePolicy, Refusal, TrustStore};

use crate::config::RefuseAt;

/// TLS sessions kept for resumption by session ID. A resumed handshake skips the signature
/// operations of a full one; the card is still decided on again (see `auth`). rustls's default
/// of 256 is too few for a busy login page; 50,000 entries cost a few megabytes.
const SESSION_CACHE_ENTRIES: usize = 50_000;

/// Why the TLS settings could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("TLS settings rejected: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Builds the rustls server settings: TLS 1.2 and 1.3, ALPN h2 and http/1.1, client
/// certificates requested (and required when `refuse_at` is [`RefuseAt::Handshake`]).
///
/// # Errors
///
/// [`TlsError`] when the certificate or key file is unreadable or they do not match.
pub fn server_config(
    certificate: &Path,
    private_key: &Path,
    verifier: Arc<CardVerifier>,
) -> Result<ServerConfig, TlsError> {
    let chain = read_certificate_chain(certificate)?;
    let key = PrivateKeyDer::from_pem_file(private_key).map_err(|e| TlsError::File {
        path: private_key.display().to_string(),
        message: format!("no readable private key: {e}"),
    })?;

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.session_storage = ServerSessionMemoryCache::new(SESSION_CACHE_ENTRIES);
    config.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new()?;
    Ok(config)
}

/// Reads a PEM file of certificates, server certificate first.
///
/// # Errors
///
/// [`TlsError::File`] when the file is unreadable or holds no certificate.
pub fn read_certificate_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let file_error = |message: String| TlsError::File { path: path.display().to_string(), message };
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(|e| file_error(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(e.to_string()))?;
    if chain.is_empty() {
        return Err(file_error("holds no PEM certificate".into()));
    }
    Ok(chain)
}

/// The client-certificate verifier handed to rustls.
#[derive(Debug)]
pub struct CardVerifier {
    trust: Arc<TrustStore>,
    policy: AcceptancePolicy,
    refuse_at: RefuseAt,
    hints: Vec<DistinguishedName>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl CardVerifier {
    pub fn new(trust: Arc<TrustStore>, policy: AcceptancePolicy, refuse_at: RefuseAt) -> Self {
        let hints = trust.hint_subjects().map(|s| DistinguishedName::from(s.to_vec())).collect();
        let algorithms =
            CryptoProvider::get_default().map(|p| p.signature_verification_algorithms).unwrap_or(
                rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms,
            );
        Self { trust, policy, refuse_at, hints, algorithms }
    }
}

impl ClientCertVerifier for CardVerifier {
    fn client_auth_mandatory(&self) -> bool {
        self.refuse_at == RefuseAt::Handshake
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    /// With [`RefuseAt::Page`] every certificate passes here and the decision is made once the
    /// handshake is done, where it can also wait for revocation. With [`RefuseAt::Handshake`]
    /// the decision is made here and a refusal becomes a TLS alert.
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if self.refuse_at == RefuseAt::Page {
            return Ok(ClientCertVerified::assertion());
        }
        let mut chain = vec![end_entity.clone()];
        chain.extend(intermediates.iter().cloned());
        match verify_card(&chain, &self.trust, &self.policy, now) {
            Ok(_) => Ok(ClientCertVerified::assertion()),
            Err(refusal) => {
                tracing::info!(decision = "refused", reason = refusal.code(), detail = %refusal,
                    "authentication decision at handshake");
                Err(rustls::Error::InvalidCertificate(alert_for(&refusal)))
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The coarse TLS alert for a refusal. The detail goes to the log, not to the peer.
fn alert_for(refusal: &Refusal) -> CertificateError {
    match refusal {
        Refusal::Expired { .. } => CertificateError::Expired,
        Refusal::NotYetValid { .. } => CertificateError::NotValidYet,
        Refusal::UntrustedIssuer { .. } | Refusal::IssuerNotValid { .. } => {
            CertificateError::UnknownIssuer
        }
        Refusal::BadSignature => CertificateError::BadSignature,
        Refusal::Malformed { .. } => CertificateError::BadEncoding,
        _ => CertificateError::ApplicationVerificationFailure,
    }
}
