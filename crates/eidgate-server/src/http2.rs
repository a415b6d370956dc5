//! HTTP/2 connections, with an idle timeout.
//!
//! hyper's HTTP/2 server has no idle timeout of its own: a client could keep a connection open
//! without ever sending another request. Here a connection on which no request has been
//! started or answered for `idle_timeout` is shut down gracefully: the GOAWAY frame lets streams
//! still running (a long download whose head was sent) finish, and the client opens a new
//! connection for its next request, as browsers do after GOAWAY.
//!
//! hyper sends a keep-alive PING every [`PING_INTERVAL`] and closes the connection when one is
//! not acknowledged within [`PING_TIMEOUT`]. That frees connections to peers that went away
//! without closing, and bounds the graceful shutdown, which waits for the client to answer a
//! PING before it sends its last GOAWAY.
//!
//! Known shortcoming: unlike HTTP/1.1 connections (see [`crate::http1`]), an idle HTTP/2
//! connection is not parked; it keeps hyper's and h2's buffers until it is closed.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Body, Incoming};
use hyper::server::conn::http2;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;

/// How often an HTTP/2 connection is asked whether its peer is still there.
pub const PING_INTERVAL: Duration = Duration::from_secs(20);

/// How long the peer has to acknowledge a keep-alive PING before the connection is closed.
pub const PING_TIMEOUT: Duration = Duration::from_secs(20);

/// Serves HTTP/2 on `stream` until the client goes away, stops answering PINGs, or starts no
/// request for `idle_timeout`. `handle` answers each request.
pub async fn serve<S, F, Fut, B>(stream: S, peer: SocketAddr, idle_timeout: Duration, handle: F)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    F: Fn(Request<Incoming>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Response<B>, Infallible>> + Send + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let activity = Arc::new(Activity::new());
    let counted = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |request| {
        let in_flight = counted.begin();
        let answer = handle(request);
        async move {
            let response = answer.await;
            drop(in_flight);
            response
        }
    });
    let mut connection = Box::pin(
        http2::Builder::new(TokioExecutor::new())
            .timer(TokioTimer::new())
            .keep_alive_interval(PING_INTERVAL)
            .keep_alive_timeout(PING_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service),
    );

    let ended = tokio::select! {
        result = connection.as_mut() => Some(result),
        () = activity.idle_for(idle_timeout) => None,
    };
    let result = match ended {
        Some(result) => result,
        None => {
            tracing::debug!(client.addr = %peer, "idle HTTP/2 connection shut down");
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(client.addr = %peer, %error, "connection ended with an error");
    }
}

/// Requests being answered on one connection, and when the last one began or was answered.
struct Activity {
    started: Instant,
    open: AtomicUsize,
    /// Milliseconds from `started` to the last change of `open`.
    last_change_ms: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            open: AtomicUsize::new(0),
            last_change_ms: AtomicU64::new(0),
        }
    }

    fn begin(self: &Arc<Self>) -> InFlight {
        self.open.fetch_add(1, Ordering::SeqCst);
        self.touch();
        InFlight(Arc::clone(self))
    }

    fn touch(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_change_ms.store(ms, Ordering::SeqCst);
    }

    /// When the connection became idle; `None` while a request is being answered.
    fn idle_since(&self) -> Option<Instant> {
        if self.open.load(Ordering::SeqCst) > 0 {
            return None;
        }
        Some(self.started + Duration::from_millis(self.last_change_ms.load(Ordering::SeqCst)))
    }

    /// Returns once no request has been open for `timeout`.
    async fn idle_for(&self, timeout: Duration) {
        loop {
            let now = Instant::now();
            let deadline = match self.idle_since() {
                Some(since) if now >= since + timeout => return,
                Some(since) => since + timeout,
                None => now + timeout,
            };
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// One request being answered; dropped when its response head is ready or the client gave
/// up on it.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn idle_counts_from_the_last_answer_and_not_while_a_request_is_open() {
        let activity = Arc::new(Activity::new());
        let timeout = Duration::from_secs(10);
        let idle = |activity: Arc<Activity>| async move {
            let started = Instant::now();
            activity.idle_for(timeout).await;
            started.elapsed()
        };

        assert_eq!(idle(Arc::clone(&activity)).await, timeout, "idle from the start");

        let request = activity.begin();
        let waiting = tokio::spawn(idle(Arc::clone(&activity)));
        tokio::time::sleep(Duration::from_secs(25)).await;
        assert!(!waiting.is_finished(), "a request still being answered keeps it busy");
        drop(request);
        let waited = waiting.await.unwrap();
        assert!(waited >= Duration::from_secs(35), "{waited:?}: ten seconds after the answer");
        assert!(waited <= Duration::from_secs(40), "{waited:?}");
    }
}
