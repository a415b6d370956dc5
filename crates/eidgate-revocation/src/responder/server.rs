//! The test responder's HTTP/1.1 endpoint: OCSP by POST to any path, the CRL by GET.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use super::{Misbehaviour, ResponderError, TestResponder};
use crate::client::OCSP_RESPONSE_TYPE;

/// Largest OCSP request read: 16 KiB, far above a one-certificate request (about 100 bytes).
const MAX_REQUEST_BYTES: usize = 16 * 1024;

/// Size of the body sent by [`Misbehaviour::Oversized`]: 1 MiB, sixteen times the client's
/// default cap.
const OVERSIZED_BYTES: usize = 1024 * 1024;

/// A responder serving on a socket. Dropping it (or [`RunningResponder::stop`]) closes the
/// socket and every open connection.
pub struct RunningResponder {
    addr: SocketAddr,
    responder: Arc<TestResponder>,
    task: JoinHandle<()>,
}

impl RunningResponder {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to POST OCSP requests to.
    pub fn ocsp_url(&self) -> String {
        format!("http://{}/ocsp", self.addr)
    }

    /// The URL of the CRL.
    pub fn crl_url(&self) -> String {
        format!("http://{}{}", self.addr, self.responder.crl_path())
    }

    /// The responder behind the socket.
    pub fn responder(&self) -> &Arc<TestResponder> {
        &self.responder
    }

    /// Stops serving: closes the listener and all connections.
    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for RunningResponder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn spawn(
    responder: Arc<TestResponder>,
    addr: SocketAddr,
) -> Result<RunningResponder, ResponderError> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(accept_loop(Arc::clone(&responder), listener));
    Ok(RunningResponder { addr, responder, task })
}

/// Accepts connections until aborted; the connections live in a JoinSet owned by this task, so
/// aborting it closes them too (a pooled client connection must not outlive a "down" responder).
async fn accept_loop(responder: Arc<TestResponder>, listener: TcpListener) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let responder = Arc::clone(&responder);
        connections.spawn(async move {
            let service = service_fn(move |req| handle(Arc::clone(&responder), req));
            let io = TokioIo::new(stream);
            // A client that breaks the connection only ends that connection.
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
        });
        while connections.try_join_next().is_some() {}
    }
}

async fn handle(
    responder: Arc<TestResponder>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let misbehaviour = responder.misbehaviour();
    if let Misbehaviour::Late(delay) = misbehaviour {
        tokio::time::sleep(delay).await;
    }
    let is_crl = request.uri().path() == responder.crl_path();
    let response = match *request.method() {
        Method::GET if is_crl => {
            reply(StatusCode::OK, "application/pkix-crl", responder.crl().to_vec())
        }
        Method::POST => answer_ocsp(&responder, misbehaviour, request).await,
        _ => reply(StatusCode::NOT_FOUND, "text/plain", b"not found\n".to_vec()),
    };
    Ok(response)
}

async fn answer_ocsp(
    responder: &TestResponder,
    misbehaviour: Misbehaviour,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let Ok(body) = Limited::new(request.into_body(), MAX_REQUEST_BYTES).collect().await else {
        return reply(StatusCode::PAYLOAD_TOO_LARGE, "text/plain", b"request too large\n".to_vec());
    };
    let answer = responder.ocsp_response(&body.to_bytes());
    match misbehaviour {
        Misbehaviour::Http500 => {
            reply(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", b"oops\n".to_vec())
        }
        Misbehaviour::Garbage => {
            reply(StatusCode::OK, OCSP_RESPONSE_TYPE, b"<html>not OCSP</html>".to_vec())
        }
        Misbehaviour::Oversized => {
            reply(StatusCode::OK, OCSP_RESPONSE_TYPE, vec![0x30; OVERSIZED_BYTES])
        }
        Misbehaviour::WrongContentType => reply(StatusCode::OK, "text/html", answer),
        _ => reply(StatusCode::OK, OCSP_RESPONSE_TYPE, answer),
    }
}

fn reply(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, http::HeaderValue::from_static(content_type));
    response
}
