//! What went wrong with an upstream, the one log line about it, and the page the client gets:
//! 502 when the upstream cannot be reached or answers nonsense, 504 when it is too slow.

use std::error::Error as StdError;
use std::io;
use std::net::SocketAddr;

use axum::response::{Html, IntoResponse, Response};
use http::StatusCode;

use crate::pages;

/// Why a request could not be answered by its upstream.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpstreamError {
    /// Connection refused or reset, no such socket, closed before it answered.
    #[error("upstream unreachable: {detail}")]
    Down { detail: String },
    /// No connection within the connect timeout, or no response head within the response
    /// timeout.
    #[error("upstream did not answer within {phase}")]
    Timeout { phase: &'static str },
    /// The upstream answered, but not with something that can be passed on.
    #[error("upstream answer unusable: {detail}")]
    Invalid { detail: String },
}

impl UpstreamError {
    /// Classifies an error of the pooled client.
    pub fn from_client(error: &hyper_util::client::legacy::Error) -> Self {
        if io_kind(error) == Some(io::ErrorKind::TimedOut) {
            return Self::Timeout { phase: "the connect timeout" };
        }
        let detail = chain(error);
        if error.is_connect() || error.source().is_some_and(closed_early) {
            return Self::Down { detail };
        }
        Self::Invalid { detail }
    }

    /// The reason code in the log line.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Down { .. } => "upstream-down",
            Self::Timeout { .. } => "upstream-timeout",
            Self::Invalid { .. } => "upstream-invalid",
        }
    }

    /// 504 for a timeout, 502 otherwise.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Timeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            Self::Down { .. } | Self::Invalid { .. } => StatusCode::BAD_GATEWAY,
        }
    }

    /// Logs the error with the route and upstream, and gives the page the client sees. The
    /// page names no address and no detail; those are in the log.
    pub fn respond(&self, peer: SocketAddr, route: &str, upstream: &str) -> Response {
        tracing::warn!(
            client.addr = %peer,
            route.prefix = route,
            upstream,
            reason = self.reason(),
            detail = %self,
            "upstream error"
        );
        let page = match self {
            Self::Timeout { .. } => pages::notice(
                "The service is taking too long",
                "The application behind this page did not answer in time. Please try again in \
                 a moment.",
            ),
            Self::Down { .. } | Self::Invalid { .. } => pages::notice(
                "The service is not available",
                "The application behind this page cannot be reached right now. Please try \
                 again in a moment.",
            ),
        };
        (self.status(), Html(page)).into_response()
    }
}

/// The kind of the first I/O error in the chain.
fn io_kind(error: &(dyn StdError + 'static)) -> Option<io::ErrorKind> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(io) = error.downcast_ref::<io::Error>() {
            return Some(io.kind());
        }
        current = error.source();
    }
    None
}

/// hyper reports a pooled connection the upstream closed before answering as an incomplete
/// message or a closed channel.
fn closed_early(error: &(dyn StdError + 'static)) -> bool {
    error.downcast_ref::<hyper::Error>().is_some_and(|e| e.is_incomplete_message() || e.is_closed())
        || matches!(
            io_kind(error),
            Some(io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe)
        )
}

/// The error and its sources, joined for the log.
fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut current = error.source();
    while let Some(error) = current {
        text.push_str(": ");
        text.push_str(&error.to_string());
        current = error.source();
    }
    text
}
