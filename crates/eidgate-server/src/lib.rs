//! The TLS front door: client-certificate login with eID cards, the built-in pages, and the
//! configuration that ties them together.
//!
//! [`Gateway::from_config`] is the one place where the parts are wired; `eidgate serve` and the
//! tests start the server through it.

#![forbid(unsafe_code)]

pub mod app;
pub mod auth;
pub mod config;
pub mod http1;
pub mod http2;
pub mod identity_headers;
pub mod listener;
pub mod pages;
pub mod proxy;
pub mod revocation;
pub mod routes;
pub mod tls;

use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use eidgate_core::{TrustError, TrustStore};

pub use config::{Config, ConfigError};
pub use listener::Gateway;

/// Why the gateway could not start. Each variant names the file or key at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("trust.ca_files: {path}: {source}")]
    TrustFile { path: PathBuf, source: std::io::Error },
    #[error("trust.ca_files: {path}: {source}")]
    Trust { path: PathBuf, source: TrustError },
    #[error("trust.ca_files: {0}")]
    TrustStore(TrustError),
    #[error("server: {0}")]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    Routes(#[from] routes::RouteError),
    #[error(transparent)]
    Revocation(#[from] revocation::RevocationSetupError),
    #[error("server.listen: cannot listen on {addr}: {source}")]
    Listen { addr: std::net::SocketAddr, source: std::io::Error },
}

impl Gateway {
    /// Builds everything the configuration describes: the trust store, the TLS settings and
    /// the app. Reads files but opens no socket.
    ///
    /// # Errors
    ///
    /// [`StartError`] naming the key or file that is wrong.
    pub fn from_config(config: &Config) -> Result<Self, StartError> {
        let trust = Arc::new(load_trust(config)?);
        let policy = config.acceptance_policy();
        let verifier = Arc::new(tls::CardVerifier::new(
            Arc::clone(&trust),
            policy.clone(),
            config.server.refuse_at,
        ));
        let tls = tls::server_config(
            &config.resolve(&config.server.certificate),
            &config.resolve(&config.server.private_key),
            verifier,
        )?;

        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(tls)),
            authenticator: auth::Authenticator::new(
                trust,
                policy,
                revocation::checker(config)?,
                config.log.personal_codes,
            ),
            app: routes::router(config)?,
            handshake_timeout: config.handshake_timeout(),
            idle_timeout: config.idle_timeout(),
            connections: Arc::new(Semaphore::new(config.server.max_connections)),
        })
    }
}

/// Reads every configured CA file into one trust store.
///
/// # Errors
///
/// [`StartError`] naming the unreadable file, or the store-level problem.
pub fn load_trust(config: &Config) -> Result<TrustStore, StartError> {
    let mut certs = Vec::new();
    for file in &config.trust.ca_files {
        let path = config.resolve(file);
        let bytes = std::fs::read(&path)
            .map_err(|source| StartError::TrustFile { path: path.clone(), source })?;
        let found = TrustStore::read_certificates(&bytes)
            .map_err(|source| StartError::Trust { path: path.clone(), source })?;
        certs.extend(found);
    }
    TrustStore::new(certs).map_err(StartError::TrustStore)
}

/// How many tasks a runtime worker polls before it looks for new I/O events (tokio's default is
/// 61). Under load, tokio wakes every connection with data at once; what does not fit in the
/// worker's own queue (256 tasks) goes to a shared queue that the worker visits only now and
/// then, and the connections put there wait much longer than the rest. Measured with 1,000
/// busy keep-alive connections on one core: at 61, the median request took 9 ms and the 99th
/// percentile 330 ms; at 512 the worker finishes what is ready before it
/// takes in more, as nginx's event loop does, and they took 55 and 90 ms. The price is about a
/// fifth of the request rate in that overload (the connections no longer take turns in a
/// cache-warm subset); handshakes and requests on few connections are not affected.
const EVENT_INTERVAL: u32 = 512;

/// The runtime `eidgate serve` and `eidgate demo` run on: one worker per CPU the process may
/// use.
///
/// # Errors
///
/// When the operating system refuses the threads or the I/O driver.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().event_interval(EVENT_INTERVAL).build()
}

/// Binds the configured address and serves until the process ends. `on_listening` is called
/// with the bound address (useful with port 0).
///
/// # Errors
///
/// [`StartError`] when the configuration is wrong or the address cannot be bound.
pub async fn run(
    config: &Config,
    on_listening: impl FnOnce(std::net::SocketAddr),
) -> Result<(), StartError> {
    let mut config = config.clone();
    let _responder = revocation::start_test_responder(&mut config).await?;
    let config = &config;
    let gateway = Arc::new(Gateway::from_config(config)?);
    if let Some(checker) = gateway.authenticator.revocation() {
        checker.spawn_crl_refresh();
    }
    let addr = config.server.listen;
    let listener =
        TcpListener::bind(addr).await.map_err(|source| StartError::Listen { addr, source })?;
    let bound = listener.local_addr().map_err(|source| StartError::Listen { addr, source })?;
    on_listening(bound);
    listener::serve(listener, gateway)
        .await
        .map_err(|source| StartError::Listen { addr: bound, source })
}
