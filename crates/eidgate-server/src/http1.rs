//! HTTP/1.1 with keep-alive that costs little while idle.
//!
//! hyper keeps two buffers of 8 KiB (reading and writing) and its whole connection state for as
//! long as a connection lives, also while it only waits for the next request. Browsers keep
//! connections open between clicks, so a gateway spends most of its memory on connections that
//! do nothing. Here a connection is served by a hyper connection only while a request is in
//! progress: after a response that keeps the connection alive, hyper is asked to hand the
//! stream back once the response is written (without closing it), the buffers are dropped, and
//! the connection is *parked* on a one-byte read. When the client sends its next request, that
//! byte is put in front of the stream and a new hyper connection takes over.
//!
//! A connection is parked only once it has gone [`PARK_AFTER`] without a request, so a busy
//! connection keeps its hyper connection and pays nothing per request.
//!
//! hyper is asked to hand the stream back only after the response head has been encoded, so
//! the head still says the connection stays open. Only a response that ends a request cleanly
//! parks the connection: a request without a body, over HTTP/1.1, not asking to close or to
//! upgrade, answered without `Connection: close` and not with `101 Switching Protocols`. Any
//! other request keeps its hyper connection, which behaves as before, and the connection is
//! parked after the next request that qualifies.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use http::header::{CONNECTION, UPGRADE};
use http::{HeaderMap, Request, Response, StatusCode, Version};
use hyper::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::time::{Instant, Sleep};

/// How long hyper waits for a request's headers, counted from when it starts waiting for them.
/// Browsers send them at once; the limit frees connections held by clients that trickle them,
/// and closes a connection kept in hyper (not parked) that idles between requests.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long closing an idle connection may wait for the client to take the close alert.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a connection must go without a request before it is parked. Parking, and the fresh
/// hyper connection after it, cost a few microseconds: paid on every request, that was 15 % of
/// the request rate with 1,000 busy keep-alive connections. A quarter of a second is longer
/// than the gaps between the requests of one page load and shorter than a person takes to
/// click, so connections are parked while people read.
pub const PARK_AFTER: Duration = Duration::from_millis(250);

/// Serves HTTP/1.1 on `stream` until the client goes away, waits longer than `idle_timeout`
/// (but never less than [`PARK_AFTER`]) for a request, or a request or response ends the
/// connection. `new_service` makes the service for each stretch of requests; the service must
/// tell the [`Turn`] it is given about every request and response ([`Turn::request`],
/// [`Turn::response`]).
pub async fn serve<S, F, Svc, B>(
    mut stream: S,
    peer: SocketAddr,
    idle_timeout: Duration,
    new_service: F,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    F: Fn(Arc<Turn>) -> Svc,
    Svc: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    Svc::Future: Send + 'static,
    Svc::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let turn = Arc::new(Turn::default());
    let mut waiting = Bytes::new();
    // Before the first request nothing has been waited for yet; after a stretch of requests,
    // the connection has already been idle for `PARK_AFTER` when it is parked.
    let mut idle_left = idle_timeout;
    loop {
        if waiting.is_empty() {
            match park(&mut stream, idle_left).await {
                Parked::Request(first) => waiting = Bytes::copy_from_slice(&[first]),
                Parked::Closed => return,
                Parked::TimedOut => return close_idle(stream).await,
            }
        }
        idle_left = idle_timeout.saturating_sub(PARK_AFTER);

        turn.reset();
        let io = Resumed { waiting, stream, turn: Arc::clone(&turn) };
        match serve_until_parked(io, &turn, new_service(Arc::clone(&turn))).await {
            Ok(Some((next_stream, next_waiting))) => {
                (stream, waiting) = (next_stream, next_waiting)
            }
            Ok(None) => return,
            Err(error) => {
                tracing::debug!(client.addr = %peer, %error, "connection ended with an error");
                return;
            }
        }
    }
}

/// What one stretch of requests on a connection has seen, shared between the service (which
/// reports requests and responses) and the loop that drives hyper. All of it happens on the
/// connection's own task; the atomics are only there to make the type shareable.
#[derive(Debug, Default)]
pub struct Turn {
    /// The current request allows keeping the connection: HTTP/1.1, neither `close` nor an
    /// upgrade asked for.
    request_keeps: AtomicBool,
    /// The current request's body has been read to its end (or it had none).
    body_read: AtomicBool,
    /// The last response ended its request cleanly: the connection may be parked.
    may_park: AtomicBool,
    /// hyper has been asked to hand the stream back after the current response.
    parking: AtomicBool,
    /// A request arrived after parking was asked for; hyper answers it with
    /// `Connection: close`, so the connection must really close.
    spoiled: AtomicBool,
    /// Responses seen in this stretch, so that the wait before parking starts again after each.
    responses: AtomicU64,
}

impl Turn {
    /// To be called when a request arrives, before it is handed on: notes what the request
    /// allows and returns it with its body watched, so that the connection is parked only when
    /// the body has been read to its end by the time the response is ready.
    pub fn request<B: Body + Unpin>(self: &Arc<Self>, request: Request<B>) -> Request<Watched<B>> {
        self.may_park.store(false, Ordering::Relaxed);
        if self.parking.load(Ordering::Relaxed) {
            self.spoiled.store(true, Ordering::Relaxed);
        }
        let keeps = request.version() == Version::HTTP_11
            && !request.headers().contains_key(UPGRADE)
            && !asks_to_close(request.headers());
        self.request_keeps.store(keeps, Ordering::Relaxed);
        self.body_read.store(request.body().is_end_stream(), Ordering::Relaxed);
        request.map(|body| Watched { body, turn: Arc::clone(self) })
    }

    /// To be called with each response as it leaves the service.
    pub fn response<T>(&self, response: &Response<T>) {
        let may_park = self.request_keeps.load(Ordering::Relaxed)
            && self.body_read.load(Ordering::Relaxed)
            && response.status() != StatusCode::SWITCHING_PROTOCOLS
            && !asks_to_close(response.headers());
        self.may_park.store(may_park, Ordering::Relaxed);
        self.responses.fetch_add(1, Ordering::Relaxed);
    }

    fn reset(&self) {
        for flag in [&self.request_keeps, &self.body_read, &self.may_park] {
            flag.store(false, Ordering::Relaxed);
        }
        self.parking.store(false, Ordering::Relaxed);
        self.spoiled.store(false, Ordering::Relaxed);
    }

    fn wants_to_park(&self) -> bool {
        self.may_park.load(Ordering::Relaxed) && !self.parking.load(Ordering::Relaxed)
    }

    /// hyper finished because it was asked to park, and no request has been promised a close.
    fn parked(&self) -> bool {
        self.parking.load(Ordering::Relaxed) && !self.spoiled.load(Ordering::Relaxed)
    }
}

/// A request body that tells its [`Turn`] when it has been read to the end.
#[derive(Debug)]
pub struct Watched<B> {
    body: B,
    turn: Arc<Turn>,
}

impl<B: Body + Unpin> Body for Watched<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        // Readers may stop at `is_end_stream` without polling for the final `None`.
        if matches!(polled, Poll::Ready(None)) || self.body.is_end_stream() {
            self.turn.body_read.store(true, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// Whether a `Connection` header carries the `close` option (RFC 9112 §9.6).
fn asks_to_close(headers: &HeaderMap) -> bool {
    headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|option| option.trim().eq_ignore_ascii_case("close"))
}

enum Parked {
    /// The client sent the first byte of a request.
    Request(u8),
    /// The client closed the connection, or it failed.
    Closed,
    TimedOut,
}

/// Waits for the client's next request with no buffer but one byte.
async fn park<S: AsyncRead + Unpin>(stream: &mut S, idle_timeout: Duration) -> Parked {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(idle_timeout, stream.read(&mut byte)).await {
        Ok(Ok(1)) => Parked::Request(byte[0]),
        Ok(_) => Parked::Closed,
        Err(_) => Parked::TimedOut,
    }
}

/// Closes a connection that has idled too long, with a TLS close alert where the stream is TLS.
async fn close_idle<S: AsyncWrite + Unpin>(mut stream: S) {
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, stream.shutdown()).await;
}

/// Drives one hyper connection. `Ok(Some(..))` hands back the stream and any bytes hyper had
/// read past the last response, for parking; `Ok(None)` means the connection is over (closed
/// by hyper, or upgraded and handed to the upgrade's owner).
async fn serve_until_parked<S, Svc, B>(
    io: Resumed<S>,
    turn: &Turn,
    service: Svc,
) -> hyper::Result<Option<(S, Bytes)>>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    Svc: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    Svc::Future: Send + 'static,
    Svc::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    // Boxed so that the connection's task keeps only a pointer to it while parked.
    let mut connection = Box::pin(
        http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(TokioIo::new(io), service)
            .with_upgrades(),
    );
    let mut idle = IdleClock::default();
    std::future::poll_fn(|cx| loop {
        let polled = connection.as_mut().poll(cx);
        // The service has answered and hyper has encoded the head in an earlier poll, so
        // disabling keep-alive now ends the connection after this response without telling
        // the client so.
        if polled.is_pending() && turn.wants_to_park() && idle.has_waited(turn, cx) {
            turn.parking.store(true, Ordering::Relaxed);
            connection.as_mut().graceful_shutdown();
            continue;
        }
        return polled;
    })
    .await?;

    if !turn.parked() {
        return Ok(None);
    }
    let Some(parts) = Pin::into_inner(connection).into_parts() else { return Ok(None) };
    let Resumed { waiting, stream, .. } = parts.io.into_inner();
    Ok(Some((stream, join(waiting, parts.read_buf))))
}

/// Measures how long a stretch has gone since its last response, for parking after
/// [`PARK_AFTER`]. Its timer is moved on only when it fires, not at every response, so a busy
/// connection touches the timer wheel about once per `PARK_AFTER` instead of once per request.
#[derive(Default)]
struct IdleClock {
    /// The response count last seen, and when it was first seen.
    seen: Option<(u64, Instant)>,
    timer: Option<Pin<Box<Sleep>>>,
}

impl IdleClock {
    /// Whether `PARK_AFTER` has passed since the last response; if not, `cx` is woken when it
    /// may have.
    fn has_waited(&mut self, turn: &Turn, cx: &mut Context<'_>) -> bool {
        let now = Instant::now();
        let responses = turn.responses.load(Ordering::Relaxed);
        let since = match self.seen {
            Some((seen, since)) if seen == responses => since,
            _ => self.seen.insert((responses, now)).1,
        };
        let deadline = since + PARK_AFTER;
        if now >= deadline {
            return true;
        }
        let timer = self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        // A timer set for an earlier response fires early: set it again for this one.
        while timer.as_mut().poll(cx).is_ready() {
            if Instant::now() >= deadline {
                return true;
            }
            timer.as_mut().reset(deadline);
        }
        false
    }
}

/// The bytes read past the last response: what was left of `first` (the byte read while
/// parked), then `then` (hyper's read buffer). Always copied into an allocation of their own:
/// even an empty slice of hyper's buffer would keep the whole buffer alive.
fn join(first: Bytes, then: Bytes) -> Bytes {
    let mut joined = BytesMut::with_capacity(first.len() + then.len());
    joined.extend_from_slice(&first);
    joined.extend_from_slice(&then);
    joined.freeze()
}

/// The stream as hyper sees it: bytes already read from it come first. While the connection
/// is being parked, hyper's closing of the stream only flushes it, so that the stream can be
/// handed back open.
struct Resumed<S> {
    waiting: Bytes,
    stream: S,
    turn: Arc<Turn>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Resumed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.waiting.is_empty() {
            return Pin::new(&mut this.stream).poll_read(cx, buf);
        }
        let taken = this.waiting.len().min(buf.remaining());
        buf.put_slice(&this.waiting[..taken]);
        this.waiting.advance(taken);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Resumed<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.turn.parked() {
            return Pin::new(&mut this.stream).poll_flush(cx);
        }
        Pin::new(&mut this.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::sync::atomic::AtomicUsize;

    use http_body_util::{BodyExt, Empty, Full};
    use tokio::io::DuplexStream;

    use super::*;

    const IDLE: Duration = Duration::from_secs(75);

    /// A server on one end of an in-memory stream, answering each request with its method,
    /// path and body length (0 for `/unread`, whose body it leaves alone). Counts the hyper
    /// connections it needed.
    struct Harness {
        client: DuplexStream,
        stretches: Arc<AtomicUsize>,
        served: tokio::task::JoinHandle<()>,
    }

    impl Harness {
        fn start() -> Harness {
            let (client, server) = tokio::io::duplex(64 * 1024);
            let stretches = Arc::new(AtomicUsize::new(0));
            let counted = Arc::clone(&stretches);
            let peer: SocketAddr = "127.0.0.1:1".parse().unwrap();
            let served = tokio::spawn(serve(server, peer, IDLE, move |turn: Arc<Turn>| {
                counted.fetch_add(1, Ordering::Relaxed);
                hyper::service::service_fn(move |request: Request<Incoming>| {
                    let turn = Arc::clone(&turn);
                    async move {
                        let (head, body) = turn.request(request).into_parts();
                        let length = match head.uri.path() {
                            "/unread" => 0,
                            _ => body.collect().await.map_or(0, |body| body.to_bytes().len()),
                        };
                        let text = format!("{} {} {length}", head.method, head.uri.path());
                        let response = Response::new(Full::new(Bytes::from(text)));
                        turn.response(&response);
                        Ok::<_, Infallible>(response)
                    }
                })
            }));
            Harness { client, stretches, served }
        }

        async fn send(&mut self, bytes: &str) {
            self.client.write_all(bytes.as_bytes()).await.unwrap();
        }

        /// Reads until `count` whole responses have arrived (each ends with its body, whose
        /// text begins with the method).
        async fn responses(&mut self, count: usize) -> String {
            let mut text = String::new();
            let mut buf = [0u8; 4096];
            while text.matches("HTTP/1.").count() < count || !ends_with_body(&text) {
                let read = self.client.read(&mut buf).await.unwrap();
                assert!(read > 0, "connection closed after {text:?}");
                text.push_str(std::str::from_utf8(&buf[..read]).unwrap());
            }
            text
        }

        /// Reads to the end of the stream: the server closed it.
        async fn rest_until_closed(&mut self) -> String {
            let mut rest = Vec::new();
            self.client.read_to_end(&mut rest).await.unwrap();
            String::from_utf8(rest).unwrap()
        }

        fn stretches(&self) -> usize {
            self.stretches.load(Ordering::Relaxed)
        }

        /// Sends [`GET`] and checks that it was answered.
        async fn get(&mut self) {
            self.send(GET).await;
            let response = self.responses(1).await;
            assert!(response.ends_with("GET /a 0"), "{response}");
        }

        /// Lets the connection go without a request for long enough to be parked.
        async fn pause(&self) {
            tokio::time::sleep(PARK_AFTER * 2).await;
        }
    }

    fn ends_with_body(text: &str) -> bool {
        text.rsplit("\r\n\r\n").next().is_some_and(|body| body.split(' ').count() == 3)
    }

    const GET: &str = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";

    #[tokio::test(start_paused = true)]
    async fn each_request_after_a_parked_wait_gets_a_fresh_hyper_connection() {
        let mut harness = Harness::start();
        for round in 1..=3 {
            harness.send(GET).await;
            let response = harness.responses(1).await;
            assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
            assert!(!response.to_ascii_lowercase().contains("connection: close"), "{response}");
            assert!(response.ends_with("GET /a 0"), "{response}");
            assert_eq!(harness.stretches(), round);
            harness.pause().await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn requests_closer_together_than_the_park_delay_share_one_hyper_connection() {
        let mut harness = Harness::start();
        for _ in 0..5 {
            harness.get().await;
            tokio::time::sleep(PARK_AFTER / 2).await;
        }
        assert_eq!(harness.stretches(), 1);

        harness.pause().await;
        harness.get().await;
        assert_eq!(harness.stretches(), 2, "parked after a pause");
    }

    #[tokio::test(start_paused = true)]
    async fn pipelined_requests_are_answered_in_order() {
        let mut harness = Harness::start();
        let pipelined = "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n\
                         GET /3 HTTP/1.1\r\nHost: x\r\n\r\n";
        harness.send(pipelined).await;
        let text = harness.responses(3).await;
        let bodies: Vec<&str> = text.split("HTTP/1.1 200 OK").skip(1).collect();
        assert_eq!(bodies.len(), 3, "{text}");
        for (body, path) in bodies.iter().zip(["GET /1 0", "GET /2 0", "GET /3 0"]) {
            assert!(body.ends_with(path), "{text}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_whose_body_was_read_parks_too() {
        let mut harness = Harness::start();
        harness.send("POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").await;
        assert!(harness.responses(1).await.ends_with("POST /form 5"));
        harness.pause().await;
        harness.get().await;
        assert_eq!(harness.stretches(), 2);
        harness.pause().await;

        let chunked = "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
                       3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
        harness.send(chunked).await;
        assert!(harness.responses(1).await.ends_with("POST /up 7"));
        harness.pause().await;
        harness.get().await;
        assert_eq!(harness.stretches(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_left_unread_keeps_hyper_which_skips_it() {
        let mut harness = Harness::start();
        harness.send("POST /unread HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").await;
        assert!(harness.responses(1).await.ends_with("POST /unread 0"));
        harness.pause().await;
        harness.get().await;
        assert_eq!(harness.stretches(), 1, "not parked while the body was unread");

        harness.pause().await;
        harness.get().await;
        assert_eq!(harness.stretches(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn connection_close_is_honoured_and_the_stream_closed() {
        let mut harness = Harness::start();
        harness.send("GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
        let text = harness.rest_until_closed().await;
        assert!(text.to_ascii_lowercase().contains("connection: close"), "{text}");
        assert!(text.ends_with("GET /bye 0"), "{text}");
        harness.served.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn http_1_0_without_keep_alive_closes() {
        let mut harness = Harness::start();
        harness.send("GET /old HTTP/1.0\r\n\r\n").await;
        let text = harness.rest_until_closed().await;
        assert!(text.starts_with("HTTP/1.0 200 OK\r\n"), "{text}");
        assert!(text.ends_with("GET /old 0"), "{text}");
        harness.served.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_connection_is_closed_after_the_idle_timeout() {
        let mut harness = Harness::start();
        harness.send(GET).await;
        harness.responses(1).await;

        let started = tokio::time::Instant::now();
        assert_eq!(harness.rest_until_closed().await, "");
        assert!(started.elapsed() >= IDLE, "closed after {:?}", started.elapsed());
        harness.served.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_that_never_sends_a_request_is_closed_after_the_idle_timeout() {
        let mut harness = Harness::start();
        let started = tokio::time::Instant::now();
        assert_eq!(harness.rest_until_closed().await, "");
        assert!(started.elapsed() >= IDLE);
        assert_eq!(harness.stretches(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn the_client_closing_while_parked_ends_the_connection() {
        let mut harness = Harness::start();
        harness.send(GET).await;
        harness.responses(1).await;
        harness.client.shutdown().await.unwrap();
        harness.served.await.unwrap();
    }

    fn empty(request: http::request::Builder) -> Request<Empty<Bytes>> {
        request.body(Empty::new()).unwrap()
    }

    /// Whether `turn` would park after a plain 200 to `request`, once `read` has done what it
    /// likes with the request's body.
    async fn parks_after<B: Body + Unpin>(
        request: Request<B>,
        read: impl AsyncFnOnce(Watched<B>),
    ) -> bool {
        let turn = Arc::new(Turn::default());
        read(turn.request(request).into_body()).await;
        turn.response(&Response::new(()));
        turn.wants_to_park()
    }

    async fn ignore<B>(_: B) {}

    async fn read_all<B: Body>(body: B) {
        let _ = body.collect().await;
    }

    #[tokio::test]
    async fn only_http_1_1_requests_that_keep_the_connection_may_park() {
        assert!(parks_after(empty(Request::get("/")), ignore).await);

        let old = empty(Request::get("/").version(Version::HTTP_10));
        assert!(!parks_after(old, ignore).await);
        let closing = empty(Request::get("/").header(CONNECTION, "keep-alive, Close"));
        assert!(!parks_after(closing, ignore).await);
        let upgrade = empty(Request::get("/").header(UPGRADE, "websocket"));
        assert!(!parks_after(upgrade, ignore).await);
    }

    #[tokio::test]
    async fn a_request_body_must_be_read_to_its_end_before_the_response() {
        let post = || Request::post("/").body(Full::new(Bytes::from_static(b"form"))).unwrap();
        assert!(!parks_after(post(), ignore).await, "an unread body is left for hyper");
        assert!(parks_after(post(), read_all).await);
    }

    #[test]
    fn responses_that_switch_protocols_or_close_do_not_park() {
        let turn = Arc::new(Turn::default());
        let _ = turn.request(empty(Request::get("/")));
        turn.response(&Response::new(()));
        assert!(turn.wants_to_park());

        let mut switching = Response::new(());
        *switching.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        turn.response(&switching);
        assert!(!turn.wants_to_park());

        let closing = Response::builder().header(CONNECTION, "close").body(()).unwrap();
        turn.response(&closing);
        assert!(!turn.wants_to_park());
    }

    #[test]
    fn a_request_after_parking_was_asked_for_spoils_the_park() {
        let turn = Arc::new(Turn::default());
        turn.parking.store(true, Ordering::Relaxed);
        assert!(turn.parked());
        let _ = turn.request(empty(Request::get("/")));
        assert!(!turn.parked());
    }

    #[test]
    fn leftover_bytes_are_joined_in_order() {
        let big = Bytes::from(vec![b'x'; 8192]);
        let joined = join(Bytes::from_static(b"G"), big.slice(8190..));
        assert_eq!(&joined[..], b"Gxx");
        assert!(join(Bytes::new(), big.slice(8192..)).is_empty());
    }
}
