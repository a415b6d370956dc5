//! `upstream`: the app behind the servers being compared. It answers every request with the same
//! short text, so that what is measured is the server in front of it.

use std::convert::Infallible;
use std::process::ExitCode;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::args::{require_loopback, UpstreamArgs};
use crate::run::runtime;

/// The body of every answer.
const BODY: &[u8] = b"hello from the upstream app\n";

/// Serves until the process is stopped.
pub fn main(args: &UpstreamArgs) -> Result<ExitCode, String> {
    require_loopback("--listen", args.listen)?;
    runtime(None)?.block_on(async {
        let listener = TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("--listen {}: {e}", args.listen))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        println!("upstream listening on http://{bound}/");
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = service_fn(answer);
                let connection = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                // A client that breaks its connection ends only that connection.
                let _ = connection.await;
            });
        }
    })
}

async fn answer(_request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = Response::new(Full::new(Bytes::from_static(BODY)));
    response
        .headers_mut()
        .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/plain"));
    Ok(response)
}
