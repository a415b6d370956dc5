//! Forwarding requests to an app over pooled keep-alive HTTP/1.1, whatever the client spoke
//! (HTTP/1.1 or h2), with bodies streamed both ways, WebSocket upgrades spliced, and named
//! timeouts.
//!
//! ```toml
//! [proxy]
//! connect_timeout_secs = 5     # default 5
//! response_timeout_secs = 60   # default 60
//! idle_timeout_secs = 90       # default 90
//! ```
//!
//! The route layer decides who may reach an app and sets the identity headers; this module
//! only carries the request there and the answer back.

mod body;
mod error;
pub mod headers;
mod tunnel;
pub mod upstream;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{Request, StatusCode, Version};
use hyper::upgrade::OnUpgrade;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use serde::Deserialize;

pub use body::{IdleBody, IdleTimeout};
pub use error::UpstreamError;
pub use headers::UpgradeRequest;
pub use upstream::{Upstream, UpstreamConnector};

use crate::config::ConfigError;

/// Idle pooled connections kept per upstream; more are opened when needed and closed after
/// use. With 1,000 busy client connections on one core, a pool of 64 closed and reopened
/// about 1,500 upstream connections a second and served a third fewer requests; 256 cut that
/// to about 100 a second (1,024 did no better). Idle ones close after `proxy.idle_timeout_secs`.
const MAX_IDLE_CONNECTIONS_PER_UPSTREAM: usize = 256;

/// `[proxy]`: the timeouts of every upstream.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxySection {
    /// Seconds to open a connection to an upstream before answering 504. Default 5: an app on
    /// the same host or network connects in milliseconds, and a lost packet is retried within
    /// about three seconds.
    #[serde(default = "defaults::connect_timeout_secs")]
    pub connect_timeout_secs: u64,
    /// Seconds from sending a request until the upstream's response head arrives, before
    /// answering 504. Default 60, as nginx's `proxy_read_timeout`.
    #[serde(default = "defaults::response_timeout_secs")]
    pub response_timeout_secs: u64,
    /// Seconds a body stream or a WebSocket tunnel may go without a byte before it is cut,
    /// and an unused pooled connection is kept. Default 90, a little above the common 60 s
    /// keep-alive pings of WebSocket apps.
    #[serde(default = "defaults::idle_timeout_secs")]
    pub idle_timeout_secs: u64,
}

mod defaults {
    pub fn connect_timeout_secs() -> u64 {
        5
    }
    pub fn response_timeout_secs() -> u64 {
        60
    }
    pub fn idle_timeout_secs() -> u64 {
        90
    }
}

impl Default for ProxySection {
    fn default() -> Self {
        Self {
            connect_timeout_secs: defaults::connect_timeout_secs(),
            response_timeout_secs: defaults::response_timeout_secs(),
            idle_timeout_secs: defaults::idle_timeout_secs(),
        }
    }
}

impl ProxySection {
    /// Every timeout must be at least one second.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let keys = [
            ("proxy.connect_timeout_secs", self.connect_timeout_secs),
            ("proxy.response_timeout_secs", self.response_timeout_secs),
            ("proxy.idle_timeout_secs", self.idle_timeout_secs),
        ];
        match keys.iter().find(|(_, value)| *value == 0) {
            Some((key, _)) => {
                Err(ConfigError::Invalid { key, message: "must be at least 1".into() })
            }
            None => Ok(()),
        }
    }

    pub fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(self.connect_timeout_secs),
            response: Duration::from_secs(self.response_timeout_secs),
            idle: Duration::from_secs(self.idle_timeout_secs),
        }
    }
}

/// The timeouts as durations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub response: Duration,
    pub idle: Duration,
}

/// Facts about the request for the log lines.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub peer: SocketAddr,
    pub route: String,
}

/// One upstream with its connection pool.
#[derive(Clone, Debug)]
pub struct Proxy {
    upstream: Upstream,
    label: String,
    client: Client<UpstreamConnector, Body>,
    timeouts: Timeouts,
}

impl Proxy {
    /// A proxy to `upstream`. Opens no connection until the first request.
    pub fn new(upstream: Upstream, timeouts: Timeouts) -> Self {
        let connector = UpstreamConnector::new(upstream.clone(), timeouts.connect);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(timeouts.idle)
            .pool_max_idle_per_host(MAX_IDLE_CONNECTIONS_PER_UPSTREAM)
            .build(connector);
        Self { label: upstream.to_string(), upstream, client, timeouts }
    }

    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    /// Sends `request` to the upstream at `path_and_query` and returns its answer, or the 502
    /// or 504 page. The request's headers must already be final: hop-by-hop headers removed,
    /// identity set. `upgrade` carries a client's WebSocket (or other) upgrade.
    pub async fn forward(
        &self,
        request: Request<Body>,
        path_and_query: &str,
        upgrade: Option<UpgradeRequest>,
        context: &RequestContext,
    ) -> Response {
        let (mut parts, body) = request.into_parts();
        let client_upgrade = upgrade.as_ref().and(parts.extensions.remove::<OnUpgrade>());
        let Ok(uri) = self.upstream.uri(path_and_query) else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        let mut outbound =
            Request::new(Body::new(IdleBody::new(body, self.timeouts.idle, "request")));
        *outbound.method_mut() = parts.method;
        *outbound.uri_mut() = uri;
        *outbound.version_mut() = Version::HTTP_11;
        *outbound.headers_mut() = std::mem::take(&mut parts.headers);

        let sent = tokio::time::timeout(self.timeouts.response, self.client.request(outbound));
        let response = match sent.await {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => return self.fail(&UpstreamError::from_client(&error), context),
            Err(_) => {
                let error = UpstreamError::Timeout { phase: "the response timeout" };
                return self.fail(&error, context);
            }
        };
        self.answer(response, client_upgrade, context)
    }

    fn answer(
        &self,
        mut response: http::Response<hyper::body::Incoming>,
        client_upgrade: Option<OnUpgrade>,
        context: &RequestContext,
    ) -> Response {
        if response.status() == StatusCode::SWITCHING_PROTOCOLS {
            let Some(client_upgrade) = client_upgrade else {
                let error = UpstreamError::Invalid { detail: "101 without an upgrade".into() };
                return self.fail(&error, context);
            };
            let upstream_upgrade = hyper::upgrade::on(&mut response);
            tunnel::spawn(client_upgrade, upstream_upgrade, self.timeouts.idle, context.peer);
            let (parts, _) = response.into_parts();
            return Response::from_parts(parts, Body::empty());
        }
        headers::remove_hop_by_hop(response.headers_mut());
        let idle = self.timeouts.idle;
        response.map(|body| Body::new(IdleBody::new(body, idle, "response")))
    }

    fn fail(&self, error: &UpstreamError, context: &RequestContext) -> Response {
        error.respond(context.peer, &context.route, &self.label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_timeouts_are_5_60_and_90_seconds() {
        let timeouts = ProxySection::default().timeouts();
        assert_eq!(timeouts.connect, Duration::from_secs(5));
        assert_eq!(timeouts.response, Duration::from_secs(60));
        assert_eq!(timeouts.idle, Duration::from_secs(90));
    }

    #[test]
    fn zero_timeout_is_refused_with_its_key() {
        let section = ProxySection { response_timeout_secs: 0, ..ProxySection::default() };
        let error = section.validate().unwrap_err().to_string();
        assert!(error.starts_with("proxy.response_timeout_secs"), "{error}");
    }
}
