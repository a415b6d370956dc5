//! Revocation in the server: the checker built from `[revocation]`, and the optional built-in
//! test responder of `[test_responder]`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;
use time::OffsetDateTime;

use eidgate_core::{Refusal, RevocationFailure};
use eidgate_revocation::cert::CertInfo;
use eidgate_revocation::responder::{
    ResponderIdentity, ResponderSettings, RunningResponder, TestResponder,
};
use eidgate_revocation::{RefusalKind, RevocationConfig, RevocationError};

use crate::config::Config;

/// `[test_responder]`: answers OCSP requests and publishes a CRL for one CA whose key is on
/// disk. Meant for test hierarchies such as the demo's; a production CA key never belongs in a
/// file readable by a web server.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestResponderSection {
    /// Address to serve on; OCSP at `/ocsp`, the CRL at `/crl/issuing.crl`. Required.
    pub listen: SocketAddr,
    /// The CA certificate (PEM or DER). Required.
    pub ca_certificate: PathBuf,
    /// The CA's private key (PEM, PKCS#8). Required; the CA signs the answers itself.
    pub ca_key: PathBuf,
    /// Certificates (PEM or DER) to report as revoked from the start. Default none.
    #[serde(default)]
    pub revoked: Vec<PathBuf>,
}

/// Why revocation could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RevocationSetupError {
    #[error("revocation: {0}")]
    Config(#[from] eidgate_revocation::ConfigError),
    #[error("test_responder: {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("test_responder: {0}")]
    Responder(String),
}

/// Builds the checker `[revocation]` describes, or `None` when
/// `trust.dangerous_skip_revocation_check` is set.
///
/// # Errors
///
/// [`RevocationSetupError::Config`] naming the offending key.
pub fn checker(
    config: &Config,
) -> Result<Option<Arc<eidgate_revocation::RevocationChecker>>, RevocationSetupError> {
    if config.trust.dangerous_skip_revocation_check {
        tracing::warn!("trust.dangerous_skip_revocation_check is set: revoked cards are accepted");
        return Ok(None);
    }
    let checker = eidgate_revocation::RevocationChecker::new(&config.revocation, &config.base_dir)?;
    Ok(Some(Arc::new(checker)))
}

/// Starts the `[test_responder]`, if any. When it was asked to listen on port 0, responder URLs
/// in `revocation` that name its configured address are pointed at the address it got.
///
/// # Errors
///
/// [`RevocationSetupError`] naming the unreadable file or the address that cannot be bound.
pub async fn start_test_responder(
    config: &mut Config,
) -> Result<Option<RunningResponder>, RevocationSetupError> {
    let Some(section) = config.test_responder.clone() else { return Ok(None) };
    let ca_cert = read_certificate(&config.resolve(&section.ca_certificate))?;
    let ca_key = read_key(&config.resolve(&section.ca_key))?;
    let identity = ResponderIdentity {
        ca_cert_der: ca_cert.clone(),
        ca_key_pkcs8: ca_key.clone(),
        responder_cert_der: ca_cert,
        responder_key_pkcs8: ca_key,
    };
    let responder = TestResponder::new(&identity, ResponderSettings::default())
        .map_err(|e| RevocationSetupError::Responder(e.to_string()))?;

    for path in &section.revoked {
        let path = config.resolve(path);
        let der = read_certificate(&path)?;
        let info = CertInfo::from_der(&der).map_err(|e| file_error(&path, e))?;
        responder.revoke(info.serial(), OffsetDateTime::now_utc(), None);
    }

    let running = responder
        .spawn(section.listen)
        .await
        .map_err(|e| RevocationSetupError::Responder(format!("{}: {e}", section.listen)))?;
    move_test_responder(config, running.addr());
    tracing::info!(ocsp = %running.ocsp_url(), crl = %running.crl_url(), "test responder serving");
    Ok(Some(running))
}

/// The refusal for a failed revocation check: its own code for every way it can fail, the
/// facts in the detail.
pub fn refusal(error: &RevocationError) -> Refusal {
    let kind = match error.kind() {
        RefusalKind::Revoked => RevocationFailure::Revoked,
        RefusalKind::StatusUnknown => RevocationFailure::Unknown,
        _ => RevocationFailure::Unavailable,
    };
    Refusal::Revocation { code: error.code(), detail: error.to_string(), kind }
}

/// Moves the `[test_responder]` to `to`, and points the responder and CRL URLs in
/// `[revocation]` that named its old address at the new one. Used when it listens on port 0.
pub fn move_test_responder(config: &mut Config, to: SocketAddr) {
    let Some(section) = config.test_responder.as_mut() else { return };
    let from = std::mem::replace(&mut section.listen, to);
    redirect_urls(&mut config.revocation, from, to);
}

fn redirect_urls(revocation: &mut RevocationConfig, configured: SocketAddr, bound: SocketAddr) {
    if configured == bound {
        return;
    }
    let (from, to) = (format!("http://{configured}/"), format!("http://{bound}/"));
    let policies = std::iter::once(&mut revocation.unlisted.ocsp)
        .chain(revocation.issuers.iter_mut().map(|issuer| &mut issuer.ocsp));
    for ocsp in policies {
        for responder in &mut ocsp.responders {
            if let Some(rest) = responder.url.strip_prefix(&from) {
                responder.url = format!("{to}{rest}");
            }
        }
    }
    for issuer in &mut revocation.issuers {
        for url in &mut issuer.crl.urls {
            if let Some(rest) = url.strip_prefix(&from) {
                *url = format!("{to}{rest}");
            }
        }
    }
}

fn read_certificate(path: &Path) -> Result<Vec<u8>, RevocationSetupError> {
    let bytes = std::fs::read(path).map_err(|e| file_error(path, e))?;
    match CertificateDer::from_pem_slice(&bytes) {
        Ok(cert) => Ok(cert.to_vec()),
        Err(_) => Ok(bytes),
    }
}

fn read_key(path: &Path) -> Result<Vec<u8>, RevocationSetupError> {
    match PrivateKeyDer::from_pem_file(path).map_err(|e| file_error(path, e))? {
        PrivateKeyDer::Pkcs8(key) => Ok(key.secret_pkcs8_der().to_vec()),
        _ => Err(file_error(path, "the key must be PKCS#8")),
    }
}

fn file_error(path: &Path, error: impl std::fmt::Display) -> RevocationSetupError {
    RevocationSetupError::File { path: path.to_owned(), message: error.to_string() }
}
