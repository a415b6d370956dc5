//! HTTP/1.1 fetching of OCSP responses and CRLs, with bounded time and size.
//!
//! Only plain `http://` URLs are supported: OCSP responses and CRLs are signed, and the Estonian
//! responders and CRL points (SK, Zetes) are published over plain HTTP. An `https://` URL is
//! refused as [`FetchError::BadUrl`] instead of being fetched without TLS.

use std::error::Error as _;
use std::io;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Time allowed for the TCP connection: 3 s, TARA's connect timeout. A responder that does not
/// complete a handshake in that time is treated as down, so that a fallback is tried while the
/// card holder still waits.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Time allowed for the whole exchange, connection included: 5 s, Web eID's OCSP request
/// timeout. The TLS handshake of the card holder is already done and the browser is waiting.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest OCSP response read: 64 KiB. SK's responses are under 2 KiB (one SingleResponse and
/// one responder certificate); the cap leaves room for a few more certificates and stops a
/// broken or hostile responder from filling memory.
pub const DEFAULT_MAX_OCSP_RESPONSE_BYTES: usize = 64 * 1024;

/// Media type of an OCSP request body, RFC 6960 Appendix A.
pub const OCSP_REQUEST_TYPE: &str = "application/ocsp-request";
/// Media type of an OCSP response body, RFC 6960 Appendix A.
pub const OCSP_RESPONSE_TYPE: &str = "application/ocsp-response";

/// Why a fetch produced no body to verify. All of these mean "this source is unavailable now":
/// the next fallback is tried.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is not an `http://` URL with a host.
    #[error("unusable URL {url}: {reason}")]
    BadUrl { url: String, reason: &'static str },
    /// The connection or the whole exchange took longer than allowed.
    #[error("no answer within {} ms", after.as_millis())]
    Timeout { after: Duration },
    /// The server could not be reached (refused, reset, unknown host).
    #[error("unreachable: {reason}")]
    Unavailable { reason: String },
    /// The server answered with a status other than 200.
    #[error("HTTP status {0}")]
    HttpStatus(u16),
    /// The server answered 200 with another media type than expected.
    #[error("content type {found:?}, expected {expected}")]
    ContentType { found: Option<String>, expected: &'static str },
    /// The body is larger than allowed.
    #[error("body larger than {limit} bytes")]
    TooLarge { limit: usize },
}

impl FetchError {
    /// A short stable token for logs, e.g. `timeout`.
    pub fn code(&self) -> &'static str {
        match self {
            FetchError::BadUrl { .. } => "bad-url",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Unavailable { .. } => "unreachable",
            FetchError::HttpStatus(_) => "http-status",
            FetchError::ContentType { .. } => "content-type",
            FetchError::TooLarge { .. } => "too-large",
        }
    }
}

/// Bounds of one exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchLimits {
    /// Bound on the whole exchange, connection included.
    pub total_timeout: Duration,
    /// Largest body read.
    pub max_body_bytes: usize,
}

/// A pooled HTTP/1.1 client for revocation sources.
#[derive(Clone, Debug)]
pub struct HttpFetcher {
    client: Client<HttpConnector, Full<Bytes>>,
    connect_timeout: Duration,
}

impl HttpFetcher {
    /// A client whose TCP connections must be established within `connect_timeout`.
    pub fn new(connect_timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(connect_timeout));
        connector.enforce_http(true);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        HttpFetcher { client, connect_timeout }
    }

    /// POSTs an OCSP request and returns the response body.
    ///
    /// # Errors
    ///
    /// [`FetchError`] for a bad URL, a timeout, an unreachable server, a status other than 200,
    /// a media type other than `application/ocsp-response`, or a body over the limit.
    pub async fn post_ocsp(
        &self,
        url: &str,
        request_der: Vec<u8>,
        limits: FetchLimits,
    ) -> Result<Bytes, FetchError> {
        let request = Request::builder()
            .method(Method::POST)
            .uri(http_uri(url)?)
            .header(CONTENT_TYPE, OCSP_REQUEST_TYPE)
            .header(ACCEPT, OCSP_RESPONSE_TYPE)
            .body(Full::new(Bytes::from(request_der)))
            .map_err(|_| bad_url(url, "cannot build a request for it"))?;
        self.exchange(request, Some(OCSP_RESPONSE_TYPE), limits).await
    }

    /// GETs a document (a CRL) and returns its body, whatever its media type.
    ///
    /// # Errors
    ///
    /// As [`HttpFetcher::post_ocsp`], without the media type check.
    pub async fn get(&self, url: &str, limits: FetchLimits) -> Result<Bytes, FetchError> {
        let request = Request::builder()
            .method(Method::GET)
            .uri(http_uri(url)?)
            .body(Full::new(Bytes::new()))
            .map_err(|_| bad_url(url, "cannot build a request for it"))?;
        self.exchange(request, None, limits).await
    }

    async fn exchange(
        &self,
        request: Request<Full<Bytes>>,
        expected_type: Option<&'static str>,
        limits: FetchLimits,
    ) -> Result<Bytes, FetchError> {
        let work = async {
            let response = self.client.request(request).await;
            let response = response.map_err(|e| classify(e, self.connect_timeout))?;
            if response.status() != StatusCode::OK {
                return Err(FetchError::HttpStatus(response.status().as_u16()));
            }
            if let Some(expected) = expected_type {
                check_content_type(response.headers(), expected)?;
            }
            check_declared_length(response.headers(), limits.max_body_bytes)?;
            read_limited(response.into_body(), limits.max_body_bytes).await
        };
        tokio::time::timeout(limits.total_timeout, work)
            .await
            .map_err(|_| FetchError::Timeout { after: limits.total_timeout })?
    }
}

/// Parses `url` and accepts only `http://host[:port]/path`.
pub(crate) fn http_uri(url: &str) -> Result<Uri, FetchError> {
    let uri: Uri = url.parse().map_err(|_| bad_url(url, "not a URL"))?;
    if uri.scheme_str() != Some("http") {
        return Err(bad_url(url, "only http:// is supported (responses are signed)"));
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad_url(url, "no host"));
    }
    Ok(uri)
}

fn bad_url(url: &str, reason: &'static str) -> FetchError {
    FetchError::BadUrl { url: url.to_string(), reason }
}

/// The media type must match, ignoring case and parameters (`; charset=...`).
fn check_content_type(headers: &http::HeaderMap, expected: &'static str) -> Result<(), FetchError> {
    let found =
        headers.get(CONTENT_TYPE).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let media_type = found.as_deref().and_then(|v| v.split(';').next()).map(str::trim);
    if media_type.is_some_and(|m| m.eq_ignore_ascii_case(expected)) {
        return Ok(());
    }
    Err(FetchError::ContentType { found, expected })
}

fn check_declared_length(headers: &http::HeaderMap, limit: usize) -> Result<(), FetchError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => Err(FetchError::TooLarge { limit }),
        _ => Ok(()),
    }
}

async fn read_limited(body: hyper::body::Incoming, limit: usize) -> Result<Bytes, FetchError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(FetchError::TooLarge { limit }),
        Err(e) => Err(FetchError::Unavailable { reason: format!("reading body: {e}") }),
    }
}

/// Maps a client error to a timeout (the connector's own connect timeout) or an unreachable
/// server, keeping the deepest message for the log.
fn classify(error: hyper_util::client::legacy::Error, connect_timeout: Duration) -> FetchError {
    let mut source = error.source();
    let mut deepest = error.to_string();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            if io.kind() == io::ErrorKind::TimedOut {
                return FetchError::Timeout { after: connect_timeout };
            }
        }
        deepest = cause.to_string();
        source = cause.source();
    }
    FetchError::Unavailable { reason: deepest }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_urls_with_a_host_are_used() {
        assert!(http_uri("http://aia.sk.ee/esteid2018").is_ok());
        let https = http_uri("https://aia.sk.ee/esteid2018").unwrap_err();
        assert!(matches!(https, FetchError::BadUrl { reason, .. } if reason.contains("only http")));
        assert!(matches!(http_uri("aia.sk.ee"), Err(FetchError::BadUrl { .. })));
    }

    #[test]
    fn content_type_ignores_case_and_parameters() {
        let mut headers = http::HeaderMap::new();
        headers.insert(CONTENT_TYPE, "Application/OCSP-Response; charset=binary".parse().unwrap());
        assert_eq!(check_content_type(&headers, OCSP_RESPONSE_TYPE), Ok(()));
        headers.insert(CONTENT_TYPE, "text/html".parse().unwrap());
        let err = check_content_type(&headers, OCSP_RESPONSE_TYPE).unwrap_err();
        assert_eq!(
            err,
            FetchError::ContentType {
                found: Some("text/html".into()),
                expected: OCSP_RESPONSE_TYPE
            }
        );
    }

    #[tokio::test]
    async fn closed_port_is_unavailable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let limits = FetchLimits { total_timeout: Duration::from_secs(5), max_body_bytes: 1024 };
        let fetcher = HttpFetcher::new(DEFAULT_CONNECT_TIMEOUT);
        let err = fetcher.post_ocsp(&format!("http://{addr}/"), vec![], limits).await.unwrap_err();
        assert!(matches!(err, FetchError::Unavailable { .. }), "{err:?}");
    }
}
