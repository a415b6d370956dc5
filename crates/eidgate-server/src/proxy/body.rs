//! Bodies streamed through frame by frame, with an idle limit.
//!
//! Neither request nor response bodies are collected: each frame is handed on as it arrives,
//! and hyper's flow control (TCP windows on HTTP/1.1, stream windows on h2) keeps the amount in
//! flight bounded, so a large upload or download costs no more memory than a small one.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// Boxed error type both hyper and axum accept for bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body did not deliver a frame within the idle limit.
#[derive(Debug, thiserror::Error)]
#[error("no data for {idle:?} while streaming the {side} body")]
pub struct IdleTimeout {
    pub idle: Duration,
    pub side: &'static str,
}

/// Wraps a body; fails it when the next frame takes longer than `idle` to arrive.
///
/// The time counts only while the consumer waits for a frame: a slow reader on the other side
/// is not the sender's fault.
pub struct IdleBody<B> {
    inner: B,
    idle: Duration,
    side: &'static str,
    deadline: Pin<Box<Sleep>>,
    waiting: bool,
}

impl<B> IdleBody<B> {
    /// `side` names the body in the error and the log (`request` or `response`).
    pub fn new(inner: B, idle: Duration, side: &'static str) -> Self {
        let deadline = Box::pin(tokio::time::sleep(idle));
        Self { inner, idle, side, deadline, waiting: false }
    }
}

impl<B> Body for IdleBody<B>
where
    B: Body + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = B::Data;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        if !this.waiting {
            this.deadline.as_mut().reset(Instant::now() + this.idle);
            this.waiting = true;
        }
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            this.waiting = false;
            return Poll::Ready(frame.map(|result| result.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        let (side, idle) = (this.side, this.idle);
        tracing::warn!(side, ?idle, reason = "idle-timeout", "body stalled");
        Poll::Ready(Some(Err(Box::new(IdleTimeout { idle, side }))))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};

    use super::*;

    /// A body whose sender never sends anything.
    struct Silent;

    impl Body for Silent {
        type Data = Bytes;
        type Error = BoxError;

        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
            Poll::Pending
        }
    }

    #[tokio::test]
    async fn a_body_that_keeps_delivering_passes_whole() {
        let full = Full::new(Bytes::from_static(b"hello"));
        let body = IdleBody::new(full, Duration::from_millis(100), "test");
        let collected = body.collect().await.expect("complete").to_bytes();
        assert_eq!(collected, "hello");
    }

    #[tokio::test]
    async fn a_stalled_body_fails_after_the_idle_limit() {
        let body = IdleBody::new(Silent, Duration::from_millis(200), "response");
        let started = Instant::now();
        let error = body.collect().await.expect_err("times out");
        assert!(error.to_string().contains("no data for 200ms"), "{error}");
        assert!(started.elapsed() >= Duration::from_millis(200));
    }
}
