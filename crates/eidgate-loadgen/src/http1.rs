//! Just enough HTTP/1.1 for a load generator: one fixed GET request, and a response reader that
//! finds the status and skips the body (Content-Length, chunked, or up to the close), keeping
//! any bytes of the next response for the next call.

use tokio::io::{AsyncRead, AsyncReadExt};

/// Largest response head read: 64 KiB, far above what the servers measured here send.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Largest chunk-size line accepted: a 16-digit hex size with extensions fits easily.
const MAX_CHUNK_LINE_BYTES: usize = 1024;

/// Why a response could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("http: connection closed before the response ended")]
    Closed,
    #[error("http: malformed response ({0})")]
    Malformed(&'static str),
}

/// What a response said about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseHead {
    pub status: u16,
    /// The server closes the connection after this response (`Connection: close`, or HTTP/1.0
    /// without keep-alive), as nginx does after `keepalive_requests`.
    pub closes: bool,
}

/// The request every mode sends: `GET path` with `Host`, keep-alive by HTTP/1.1's default.
pub fn get_request(host: &str, path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: eidgate-load\r\n\r\n").into_bytes()
}

/// Reads responses from one connection. Bytes that arrive after one response belong to the next,
/// so one reader is kept per connection.
#[derive(Debug, Default)]
pub struct ResponseReader {
    buffer: Vec<u8>,
}

/// How the body of a response is delimited (RFC 9112 §6.3).
#[derive(Debug, PartialEq, Eq)]
enum BodyLength {
    Exact(usize),
    Chunked,
    UntilClose,
}

impl ResponseReader {
    pub fn new() -> Self {
        Self { buffer: Vec::with_capacity(4096) }
    }

    /// Reads one whole response and returns its status and whether the connection closes.
    ///
    /// # Errors
    ///
    /// [`HttpError`] when the connection fails or closes early, or the head is malformed.
    pub async fn read_response<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> Result<ResponseHead, HttpError> {
        let head_end = self.fill_until_head(stream).await?;
        let (head, length) = parse_head(&self.buffer[..head_end])?;
        self.buffer.drain(..head_end);
        let no_body = head.status == 204 || head.status == 304;
        let length = if no_body { BodyLength::Exact(0) } else { length };
        match length {
            BodyLength::Exact(n) => self.skip_exact(stream, n).await?,
            BodyLength::Chunked => self.skip_chunked(stream).await?,
            BodyLength::UntilClose => self.skip_to_close(stream).await?,
        }
        Ok(head)
    }

    async fn fill_until_head<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> Result<usize, HttpError> {
        loop {
            if let Some(at) = find(&self.buffer, b"\r\n\r\n") {
                return Ok(at + 4);
            }
            if self.buffer.len() > MAX_HEAD_BYTES {
                return Err(HttpError::Malformed("head too long"));
            }
            self.read_more(stream).await?;
        }
    }

    async fn skip_exact<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        n: usize,
    ) -> Result<(), HttpError> {
        while self.buffer.len() < n {
            self.read_more(stream).await?;
        }
        self.buffer.drain(..n);
        Ok(())
    }

    async fn skip_chunked<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> Result<(), HttpError> {
        loop {
            let line_end = self.line_end(stream).await?;
            let size = parse_chunk_size(&self.buffer[..line_end])?;
            self.buffer.drain(..line_end + 2);
            if size == 0 {
                return self.skip_trailers(stream).await;
            }
            let with_crlf = size.checked_add(2).ok_or(HttpError::Malformed("chunk size"))?;
            self.skip_exact(stream, with_crlf).await?;
        }
    }

    async fn skip_trailers<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> Result<(), HttpError> {
        loop {
            let line_end = self.line_end(stream).await?;
            self.buffer.drain(..line_end + 2);
            if line_end == 0 {
                return Ok(());
            }
        }
    }

    async fn skip_to_close<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> Result<(), HttpError> {
        loop {
            self.buffer.clear();
            let mut chunk = [0u8; 8192];
            if stream.read(&mut chunk).await? == 0 {
                return Ok(());
            }
        }
    }

    /// Offset of the next CRLF, reading until one arrives.
    async fn line_end<S: AsyncRead + Unpin>(&mut self, stream: &mut S) -> Result<usize, HttpError> {
        loop {
            if let Some(at) = find(&self.buffer, b"\r\n") {
                return Ok(at);
            }
            if self.buffer.len() > MAX_CHUNK_LINE_BYTES {
                return Err(HttpError::Malformed("chunk line too long"));
            }
            self.read_more(stream).await?;
        }
    }

    async fn read_more<S: AsyncRead + Unpin>(&mut self, stream: &mut S) -> Result<(), HttpError> {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(HttpError::Closed);
        }
        self.buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
        Ok(())
    }
}

/// The status, the connection's fate and the body delimitation of a response head (which ends
/// with CRLF CRLF).
fn parse_head(head: &[u8]) -> Result<(ResponseHead, BodyLength), HttpError> {
    let text = std::str::from_utf8(head).map_err(|_| HttpError::Malformed("head not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let version = status_line.get(..8).unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or(HttpError::Malformed("status line"))?;

    let mut closes = version == "HTTP/1.0";
    let mut length = BodyLength::UntilClose;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            closes = value.eq_ignore_ascii_case("close")
                || (closes && !value.eq_ignore_ascii_case("keep-alive"));
        } else if name.eq_ignore_ascii_case("transfer-encoding") && value.contains("chunked") {
            length = BodyLength::Chunked;
        } else if name.eq_ignore_ascii_case("content-length") && length != BodyLength::Chunked {
            let n = value.parse().map_err(|_| HttpError::Malformed("content-length"))?;
            length = BodyLength::Exact(n);
        }
    }
    closes |= length == BodyLength::UntilClose;
    Ok((ResponseHead { status, closes }, length))
}

fn parse_chunk_size(line: &[u8]) -> Result<usize, HttpError> {
    let text = std::str::from_utf8(line).map_err(|_| HttpError::Malformed("chunk size"))?;
    let digits = text.split(';').next().unwrap_or_default().trim();
    usize::from_str_radix(digits, 16).map_err(|_| HttpError::Malformed("chunk size"))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn statuses(wire: &[u8], responses: usize) -> Vec<Result<u16, String>> {
        heads(wire, responses).await.into_iter().map(|r| r.map(|head| head.status)).collect()
    }

    async fn heads(wire: &[u8], responses: usize) -> Vec<Result<ResponseHead, String>> {
        let mut stream = wire;
        let mut reader = ResponseReader::new();
        let mut out = Vec::new();
        for _ in 0..responses {
            out.push(reader.read_response(&mut stream).await.map_err(|e| e.to_string()));
        }
        out
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
    }

    #[test]
    fn keep_alive_responses_with_length_and_chunks_are_read_one_after_another() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello\
            HTTP/1.1 403 Forbidden\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n\
            HTTP/1.1 204 No Content\r\n\r\n";
        assert_eq!(block_on(statuses(wire, 3)), vec![Ok(200), Ok(403), Ok(204)]);
    }

    #[test]
    fn a_response_cut_short_is_an_error() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nhello";
        let result = block_on(statuses(wire, 1));
        assert_eq!(result, vec![Err("http: connection closed before the response ended".into())]);
    }

    #[test]
    fn a_garbled_status_line_is_malformed() {
        let result = block_on(statuses(b"SSH-2.0-OpenSSH\r\n\r\n", 1));
        assert_eq!(result, vec![Err("http: malformed response (status line)".into())]);
    }

    #[test]
    fn connection_close_is_reported_so_the_connection_is_not_reused() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\
            HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        let closes: Vec<bool> =
            block_on(heads(wire, 2)).into_iter().map(|head| head.unwrap().closes).collect();
        assert_eq!(closes, [false, true]);
    }

    #[test]
    fn a_body_without_length_runs_to_the_close() {
        let wire = b"HTTP/1.0 200 OK\r\n\r\nanything at all";
        assert_eq!(block_on(statuses(wire, 1)), vec![Ok(200)]);
    }
}
