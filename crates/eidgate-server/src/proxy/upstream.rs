//! Where a route sends its requests, and how the connections there are opened.
//!
//! An upstream is written `http://host:port[/base]` or `unix:/path/to.sock`. With a base path,
//! the route's prefix is replaced by it (`prefix = "/app"`, `http://127.0.0.1:5000/` sends
//! `/app/x` as `/x`); without one, the path is sent unchanged. A Unix socket upstream has no
//! base path. Only plain HTTP/1.1 is spoken to upstreams: they are expected on the same host or
//! a private network.

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::uri::Authority;
use http::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpStream, UnixStream};

/// A parsed upstream address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Upstream {
    /// `http://host:port[/base]`; the port defaults to 80.
    Http { authority: Authority, base_path: Option<String> },
    /// `unix:/path/to.sock`.
    Unix { path: PathBuf },
}

impl Upstream {
    /// Parses the `upstream` value of a route (other than `builtin:…`).
    ///
    /// # Errors
    ///
    /// A message saying what is wrong with the text, for the configuration error.
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some(path) = text.strip_prefix("unix:") {
            if !path.starts_with('/') {
                return Err("a Unix socket path must be absolute: unix:/path/to.sock".into());
            }
            return Ok(Self::Unix { path: PathBuf::from(path) });
        }
        let Some(rest) = text.strip_prefix("http://") else {
            return Err("must start with http://, unix: or builtin:".into());
        };
        let (authority, base_path) = match rest.find('/') {
            Some(slash) => (&rest[..slash], Some(&rest[slash..])),
            None => (rest, None),
        };
        let authority: Authority =
            authority.parse().map_err(|_| format!("{authority:?} is not host:port"))?;
        if authority.as_str().contains('@') {
            return Err("user names are not supported in upstream addresses".into());
        }
        if let Some(base) = base_path {
            if base.contains(['?', '#', '%']) || base.contains("//") {
                return Err("the base path must be a plain path without query or escapes".into());
            }
        }
        Ok(Self::Http { authority, base_path: base_path.map(str::to_owned) })
    }

    /// The base path that replaces the route prefix, if any.
    pub fn base_path(&self) -> Option<&str> {
        match self {
            Self::Http { base_path, .. } => base_path.as_deref(),
            Self::Unix { .. } => None,
        }
    }

    /// The absolute URI the pooled client is given for `path_and_query`. For a Unix socket the
    /// authority is a placeholder: the connector ignores it.
    pub fn uri(&self, path_and_query: &str) -> Result<Uri, http::Error> {
        let authority = match self {
            Self::Http { authority, .. } => authority.as_str(),
            Self::Unix { .. } => "localhost",
        };
        Uri::builder().scheme("http").authority(authority).path_and_query(path_and_query).build()
    }
}

impl std::fmt::Display for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Http { authority, base_path } => {
                write!(f, "http://{authority}{}", base_path.as_deref().unwrap_or(""))
            }
            Self::Unix { path } => write!(f, "unix:{}", path.display()),
        }
    }
}

/// Opens connections to one upstream, each within the connect timeout.
#[derive(Clone, Debug)]
pub struct UpstreamConnector {
    upstream: Arc<Upstream>,
    connect_timeout: Duration,
}

impl UpstreamConnector {
    pub fn new(upstream: Upstream, connect_timeout: Duration) -> Self {
        Self { upstream: Arc::new(upstream), connect_timeout }
    }

    async fn connect(upstream: Arc<Upstream>, timeout: Duration) -> io::Result<UpstreamStream> {
        let connecting = async {
            match upstream.as_ref() {
                Upstream::Http { authority, .. } => {
                    let port = authority.port_u16().unwrap_or(80);
                    let stream = TcpStream::connect((authority.host(), port)).await?;
                    stream.set_nodelay(true)?;
                    Ok(UpstreamStream::Tcp(stream))
                }
                Upstream::Unix { path } => {
                    UnixStream::connect(path).await.map(UpstreamStream::Unix)
                }
            }
        };
        tokio::time::timeout(timeout, connecting)
            .await
            .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")))
    }
}

type ConnectFuture = Pin<Box<dyn Future<Output = io::Result<TokioIo<UpstreamStream>>> + Send>>;

impl tower::Service<Uri> for UpstreamConnector {
    type Response = TokioIo<UpstreamStream>;
    type Error = io::Error;
    type Future = ConnectFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Uri) -> Self::Future {
        let (upstream, timeout) = (Arc::clone(&self.upstream), self.connect_timeout);
        Box::pin(async move { Self::connect(upstream, timeout).await.map(TokioIo::new) })
    }
}

/// A connection to an upstream over TCP or a Unix socket.
#[derive(Debug)]
pub enum UpstreamStream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Connection for UpstreamStream {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl AsyncRead for UpstreamStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Self::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for UpstreamStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Self::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_flush(cx),
            Self::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Self::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_upstream_with_and_without_base_path() {
        let plain = Upstream::parse("http://127.0.0.1:5000").unwrap();
        assert_eq!(plain.base_path(), None);
        assert_eq!(plain.uri("/x?y=1").unwrap().to_string(), "http://127.0.0.1:5000/x?y=1");
        let based = Upstream::parse("http://app.internal:8080/v1/").unwrap();
        assert_eq!(based.base_path(), Some("/v1/"));
        assert_eq!(based.to_string(), "http://app.internal:8080/v1/");
    }

    #[test]
    fn unix_upstream_needs_an_absolute_path() {
        let unix = Upstream::parse("unix:/run/app.sock").unwrap();
        assert_eq!(unix, Upstream::Unix { path: "/run/app.sock".into() });
        assert!(Upstream::parse("unix:run/app.sock").is_err());
    }

    #[test]
    fn other_schemes_and_odd_addresses_are_refused() {
        for text in ["https://a:1", "ftp://a", "http://user@a:1", "http://a:1/x?y", "http://"] {
            assert!(Upstream::parse(text).is_err(), "{text}");
        }
    }
}
