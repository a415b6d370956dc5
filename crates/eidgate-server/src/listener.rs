//! The accept loop: one task per connection, TLS handshake under a deadline, the authentication
//! decision, then HTTP/1.1 or h2 (by ALPN) until the client goes away.
//!
//! A connection's task lives as long as the connection, idle time included, so the large
//! steps (the handshake, the authentication with its revocation check, hyper's connection) run
//! as boxed futures: the task itself keeps only what an idle connection needs.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use hyper::body::Incoming;
use rustls::pki_types::UnixTime;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::auth::{log_refused, Authentication, Authenticator};
use crate::http1::{self, Turn};
use crate::http2;
use crate::identity_headers::ConnectionIdentity;
use crate::pages;

/// The first byte of a TLS record carrying a handshake message (RFC 8446 §5.1).
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// Everything a connection needs, shared by all of them.
pub struct Gateway {
    pub acceptor: TlsAcceptor,
    pub authenticator: Authenticator,
    pub app: Router,
    pub handshake_timeout: Duration,
    /// How long a connection may wait for its next request.
    pub idle_timeout: Duration,
    pub connections: Arc<Semaphore>,
}

/// Accepts connections until the listener fails; each is served on its own task.
pub async fn serve(listener: TcpListener, gateway: Arc<Gateway>) -> std::io::Result<()> {
    loop {
        let permit = Arc::clone(&gateway.connections).acquire_owned().await;
        let Ok(permit) = permit else { return Ok(()) };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Running out of file descriptors is passing; back off instead of spinning.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let gateway = Arc::clone(&gateway);
        tokio::spawn(async move {
            connection(stream, peer, &gateway).await;
            drop(permit);
        });
    }
}

async fn connection(stream: TcpStream, peer: SocketAddr, gateway: &Gateway) {
    let _ = stream.set_nodelay(true);
    match tokio::time::timeout(gateway.handshake_timeout, first_byte(&stream)).await {
        Ok(Some(TLS_HANDSHAKE_RECORD)) => {}
        Ok(Some(_)) => return answer_plain_http(stream, peer).await,
        Ok(None) => return,
        Err(_) => return log_connection_refused(peer, "handshake-timeout", "no data"),
    }

    let accepted =
        tokio::time::timeout(gateway.handshake_timeout, Box::pin(gateway.acceptor.accept(stream)));
    // Boxed at once: the stream is kept across every later step, and inline it would make the
    // task (which lives as long as the connection) larger by the whole TLS state.
    let tls = match accepted.await {
        Ok(Ok(tls)) => Box::new(tls),
        Ok(Err(error)) => return handshake_failed(peer, &error),
        Err(_) => {
            return log_connection_refused(peer, "handshake-timeout", "handshake not finished")
        }
    };

    let certificates = tls.get_ref().1.peer_certificates();
    let auth = Box::pin(gateway.authenticator.authenticate(peer, certificates, now())).await;
    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
    let identity = Arc::new(ConnectionIdentity::default());
    let served = Served { peer, auth: Arc::new(auth), identity };
    serve_http(tls, h2, served, gateway.idle_timeout, gateway.app.clone()).await;
}

/// What every request on an authenticated connection carries to the app.
#[derive(Clone)]
struct Served {
    peer: SocketAddr,
    auth: Arc<Authentication>,
    identity: Arc<ConnectionIdentity>,
}

impl Served {
    /// The request as the app sees it: the connection's authentication, identity headers and
    /// peer address in its extensions.
    fn admit<B>(&self, mut request: hyper::Request<B>) -> axum::extract::Request
    where
        B: hyper::body::Body<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        request.extensions_mut().insert(Arc::clone(&self.auth));
        request.extensions_mut().insert(Arc::clone(&self.identity));
        request.extensions_mut().insert(self.peer);
        request.map(axum::body::Body::new)
    }
}

/// Serves HTTP/2 when ALPN chose it and HTTP/1.1 otherwise (with upgrades, for WebSocket).
/// Choosing by ALPN, rather than by sniffing the first bytes, keeps no extra buffer per
/// connection.
async fn serve_http<S>(stream: S, h2: bool, served: Served, idle_timeout: Duration, app: Router)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let peer = served.peer;
    if !h2 {
        let service = |turn| http1_service(turn, served.clone(), app.clone());
        return http1::serve(stream, peer, idle_timeout, service).await;
    }

    let handle = move |request| app.clone().oneshot(served.admit(request));
    http2::serve(stream, peer, idle_timeout, handle).await;
}

/// The app for one stretch of HTTP/1.1 requests, telling `turn` what it sees so that the
/// connection can be parked between requests.
fn http1_service(
    turn: Arc<Turn>,
    served: Served,
    app: Router,
) -> impl hyper::service::Service<
    hyper::Request<Incoming>,
    Response = axum::response::Response,
    Error = Infallible,
    Future = impl Future<Output = Result<axum::response::Response, Infallible>> + Send,
> + Send
       + 'static {
    hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let answer = app.clone().oneshot(served.admit(turn.request(request)));
        let turn = Arc::clone(&turn);
        async move {
            let response = answer.await?;
            turn.response(&response);
            Ok(response)
        }
    })
}

/// Waits for the first byte without consuming it; `None` when the client closed at once.
async fn first_byte(stream: &TcpStream) -> Option<u8> {
    let mut byte = [0u8; 1];
    match stream.peek(&mut byte).await {
        Ok(1) => Some(byte[0]),
        _ => None,
    }
}

/// A client spoke plain HTTP to the TLS port. Answer the way people know from nginx, in plain
/// HTTP, and close.
async fn answer_plain_http(mut stream: TcpStream, peer: SocketAddr) {
    log_connection_refused(peer, "plain-http", "plain HTTP sent to the HTTPS port");
    let page = pages::notice(
        "Use https:// for this address",
        "This port speaks HTTPS only: a plain HTTP request was sent to it. Change http:// to \
         https:// in the address and try again.",
    );
    let response = format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ =
        tokio::time::timeout(Duration::from_secs(5), stream.write_all(response.as_bytes())).await;
    let _ = stream.shutdown().await;
}

fn handshake_failed(peer: SocketAddr, error: &std::io::Error) {
    let no_certificate = error.to_string().contains("peer sent no certificates");
    if no_certificate {
        return log_refused(peer, &eidgate_core::Refusal::NoCertificate);
    }
    log_connection_refused(peer, "tls-handshake-failed", &error.to_string());
}

fn log_connection_refused(peer: SocketAddr, reason: &str, detail: &str) {
    tracing::info!(client.addr = %peer, decision = "refused", reason, detail, "connection refused");
}

/// The clock, read once per connection at the edge.
fn now() -> UnixTime {
    UnixTime::since_unix_epoch(
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default(),
    )
}
