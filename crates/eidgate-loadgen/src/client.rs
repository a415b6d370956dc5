//! The TLS client: settings built once per card, and the operations the modes are made of (open
//! a connection, make one request on it, log in once).

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use rustls::client::{Resumption, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, HandshakeKind, RootCertStore, SupportedProtocolVersion};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use crate::args::TlsVersion;
use crate::cards::Card;
use crate::http1::{self, HttpError, ResponseReader};

/// Stored sessions per client settings when resumption is on. Each worker has its own
/// settings, and a TLS 1.3 server hands out a ticket or two per handshake, so a few suffice.
const SESSIONS_PER_WORKER: usize = 4;

const TLS12_ONLY: &[&SupportedProtocolVersion] = &[&rustls::version::TLS12];
const TLS13_ONLY: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13];

/// Why one handshake or request failed. [`OpError::kind`] is the key errors are counted under.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error("connect: {0}")]
    Connect(io::Error),
    #[error("tls: {0}")]
    Handshake(io::Error),
    #[error("{0}")]
    Http(#[from] HttpError),
    #[error("status {0}")]
    Status(u16),
    #[error("timeout")]
    Timeout,
    #[error("the server closed the connection")]
    ServerClosed,
}

impl OpError {
    /// A short, stable description to count errors by.
    pub fn kind(&self) -> String {
        match self {
            OpError::Connect(e) => format!("connect: {:?}", e.kind()),
            other => other.to_string(),
        }
    }
}

/// What every connection shares: the server-certificate verifier, the provider, the version.
pub struct TlsSettings {
    provider: Arc<CryptoProvider>,
    verifier: Arc<WebPkiServerVerifier>,
    versions: &'static [&'static SupportedProtocolVersion],
}

impl TlsSettings {
    /// Trusts the CA certificates in the PEM file `ca` for the server and offers `version`.
    ///
    /// # Errors
    ///
    /// A message naming the file when it is unreadable or holds no usable CA.
    pub fn new(ca: &Path, version: TlsVersion) -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let certs = CertificateDer::pem_file_iter(ca)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("--ca {}: {e}", ca.display()))?;
        let mut roots = RootCertStore::empty();
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(format!("--ca {}: holds no usable CA certificate", ca.display()));
        }
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                .build()
                .map_err(|e| format!("--ca {}: {e}", ca.display()))?;
        let versions = match version {
            TlsVersion::V1_2 => TLS12_ONLY,
            TlsVersion::V1_3 => TLS13_ONLY,
        };
        Ok(Self { provider, verifier, versions })
    }

    /// Client settings that present `card`, offer HTTP/1.1 by ALPN, and resume sessions only
    /// when `resume` is true.
    pub fn config(&self, card: &Card, resume: bool) -> Result<Arc<ClientConfig>, String> {
        let mut config = ClientConfig::builder_with_provider(Arc::clone(&self.provider))
            .with_protocol_versions(self.versions)
            .map_err(|e| e.to_string())?
            .with_webpki_verifier(Arc::clone(&self.verifier))
            .with_client_auth_cert(card.chain.clone(), card.key.clone_key())
            .map_err(|e| format!("card {}: {e}", card.name))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        config.resumption = if resume {
            Resumption::in_memory_sessions(SESSIONS_PER_WORKER)
        } else {
            Resumption::disabled()
        };
        Ok(Arc::new(config))
    }
}

/// Where the load goes and what it asks for.
#[derive(Clone, Debug)]
pub struct Target {
    pub addr: SocketAddr,
    pub server_name: ServerName<'static>,
    /// The whole HTTP/1.1 request, written as is.
    pub request: Arc<[u8]>,
}

impl Target {
    pub fn new(addr: SocketAddr, server_name: &str, path: &str) -> Result<Self, String> {
        let name = ServerName::try_from(server_name.to_owned())
            .map_err(|e| format!("--server-name {server_name}: {e}"))?;
        Ok(Self { addr, server_name: name, request: http1::get_request(server_name, path).into() })
    }
}

/// An open, authenticated connection.
pub type Connection = TlsStream<TcpStream>;

/// Opens a TCP connection and completes the TLS handshake; says whether it was resumed.
pub async fn open(
    config: &Arc<ClientConfig>,
    target: &Target,
) -> Result<(Connection, bool), OpError> {
    let tcp = TcpStream::connect(target.addr).await.map_err(OpError::Connect)?;
    let _ = tcp.set_nodelay(true);
    let connector = TlsConnector::from(Arc::clone(config));
    let tls =
        connector.connect(target.server_name.clone(), tcp).await.map_err(OpError::Handshake)?;
    let resumed = tls.get_ref().1.handshake_kind() == Some(HandshakeKind::Resumed);
    Ok((tls, resumed))
}

/// Whether a connection can carry another request after a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    KeepAlive,
    /// The server said it closes the connection after this response.
    Closing,
}

/// Sends the request and reads the whole response; anything but a 2xx status is an error.
pub async fn request(
    connection: &mut Connection,
    target: &Target,
    reader: &mut ResponseReader,
) -> Result<Reuse, OpError> {
    connection.write_all(&target.request).await.map_err(HttpError::Io)?;
    let head = reader.read_response(connection).await?;
    if !(200..300).contains(&head.status) {
        return Err(OpError::Status(head.status));
    }
    Ok(if head.closes { Reuse::Closing } else { Reuse::KeepAlive })
}

/// One login: handshake, one request, close_notify. Says whether the handshake was resumed.
pub async fn login(config: &Arc<ClientConfig>, target: &Target) -> Result<bool, OpError> {
    let (mut connection, resumed) = open(config, target).await?;
    let mut reader = ResponseReader::new();
    request(&mut connection, target, &mut reader).await?;
    // The server may already be gone; a failed close is no failed login.
    let _ = connection.shutdown().await;
    Ok(resumed)
}
