//! A small HTTP/1.1 app for the proxy tests, on TCP or a Unix socket, written with std only so
//! that it sees the exact bytes eidgate (or nginx) sends.
//!
//! Paths:
//! - `/slow…`: never answers (the connection stays open until the client goes away);
//! - `/download?bytes=N`: answers N zero bytes;
//! - anything else: reads the body (Content-Length or chunked), counts it, and answers with the
//!   request head as received followed by `\nbody-bytes: N`.
//!
//! Every request is recorded; [`TestUpstream::requests`] returns them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the upstream received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Request line and header lines, exactly as received, without the final empty line.
    pub head: String,
    pub body_bytes: u64,
}

impl Recorded {
    pub fn request_line(&self) -> &str {
        self.head.lines().next().unwrap_or("")
    }

    /// `(lower-case name, raw value)` of every header line, in order. The value is everything
    /// after `": "`, trailing spaces included.
    pub fn headers(&self) -> Vec<(String, String)> {
        self.head
            .split("\r\n")
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| {
                (name.to_ascii_lowercase(), value.strip_prefix(' ').unwrap_or(value).to_owned())
            })
            .collect()
    }

    /// The single value of header `name`; panics when it appears more than once.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<String> =
            self.headers().into_iter().filter(|(n, _)| n == name).map(|(_, v)| v).collect();
        assert!(values.len() <= 1, "{name} appears {} times in\n{}", values.len(), self.head);
        values.into_iter().next()
    }
}

/// A running test upstream; its threads end with the test process.
pub struct TestUpstream {
    pub addr: Option<SocketAddr>,
    pub socket: Option<PathBuf>,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl TestUpstream {
    /// On a fresh loopback port.
    pub fn tcp() -> TestUpstream {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind upstream");
        let addr = listener.local_addr().unwrap();
        let requests = accept_all(move || listener.accept().ok().map(|(stream, _)| stream));
        TestUpstream { addr: Some(addr), socket: None, requests }
    }

    /// On a Unix socket at `path`.
    pub fn unix(path: &Path) -> TestUpstream {
        let _ = std::fs::remove_file(path);
        let listener = UnixListener::bind(path).expect("bind upstream socket");
        let requests = accept_all(move || listener.accept().ok().map(|(stream, _)| stream));
        TestUpstream { addr: None, socket: Some(path.to_owned()), requests }
    }

    /// The `upstream = …` value for a route.
    pub fn url(&self) -> String {
        match (&self.addr, &self.socket) {
            (Some(addr), _) => format!("http://{addr}"),
            (None, Some(path)) => format!("unix:{}", path.display()),
            (None, None) => unreachable!(),
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// The last request, waiting up to five seconds for one to arrive.
    pub fn last(&self) -> Recorded {
        for _ in 0..100 {
            if let Some(last) = self.requests().pop() {
                return last;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the upstream received no request");
    }
}

fn serve<S: Read + Write>(stream: S, recorded: &Mutex<Vec<Recorded>>) {
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    while let Some(head) = read_head(&mut reader) {
        let target = head.split(' ').nth(1).unwrap_or("/").to_owned();
        if target.starts_with("/slow") {
            // Wait until the client gives up: a read that returns 0 or fails.
            let _ = reader.read(&mut [0u8; 1]);
            return;
        }
        let Some(body_bytes) = read_body(&mut reader, &head) else { return };
        recorded.lock().unwrap().push(Recorded { head: head.clone(), body_bytes });

        let close = wants_close(&head);
        let written = match target.strip_prefix("/download?bytes=") {
            Some(n) => write_zeros(reader.get_mut(), n.parse().unwrap_or(0), close),
            None => {
                let answer = format!("{head}\nbody-bytes: {body_bytes}");
                write_answer(reader.get_mut(), answer.as_bytes(), close)
            }
        };
        if written.is_err() || close {
            return;
        }
    }
}

/// Reads up to the empty line; `None` at the end of the connection.
fn read_head<R: BufRead>(reader: &mut R) -> Option<String> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            return Some(head.trim_end_matches("\r\n").to_owned());
        }
        head.push_str(&line);
    }
}

fn header_value<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.split("\r\n").skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

fn wants_close(head: &str) -> bool {
    let http10 = head.lines().next().is_some_and(|line| line.ends_with("HTTP/1.0"));
    http10 || header_value(head, "connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
}

/// Reads and counts the body; `None` when the connection broke.
fn read_body<R: BufRead>(reader: &mut R, head: &str) -> Option<u64> {
    if let Some(length) = header_value(head, "content-length") {
        let length: u64 = length.parse().ok()?;
        let copied = std::io::copy(&mut reader.take(length), &mut std::io::sink()).ok()?;
        return (copied == length).then_some(length);
    }
    let chunked = header_value(head, "transfer-encoding").is_some_and(|v| v.contains("chunked"));
    if !chunked {
        return Some(0);
    }
    let mut total = 0;
    loop {
        let mut size_line = String::new();
        reader.read_line(&mut size_line).ok()?;
        let size = u64::from_str_radix(size_line.trim().split(';').next()?, 16).ok()?;
        if size == 0 {
            // Trailers, up to the empty line.
            while read_line_len(reader)? > 2 {}
            return Some(total);
        }
        std::io::copy(&mut reader.take(size), &mut std::io::sink()).ok()?;
        read_line_len(reader)?;
        total += size;
    }
}

fn read_line_len<R: BufRead>(reader: &mut R) -> Option<usize> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|n| *n > 0)
}

fn write_answer<W: Write>(stream: &mut W, body: &[u8], close: bool) -> std::io::Result<()> {
    let connection = if close { "close" } else { "keep-alive" };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         Connection: {connection}\r\nKeep-Alive: timeout=5\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

fn write_zeros<W: Write>(stream: &mut W, bytes: u64, close: bool) -> std::io::Result<()> {
    let connection = if close { "close" } else { "keep-alive" };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: {bytes}\r\nConnection: {connection}\r\n\r\n"
    );
    stream.write_all(head.as_bytes())?;
    let chunk = vec![0u8; 64 * 1024];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64);
        stream.write_all(&chunk[..n as usize])?;
        left -= n;
    }
    stream.flush()
}

/// Serves every connection `accept` returns on a thread of its own, recording the requests,
/// until `accept` fails.
fn accept_all<S, A>(mut accept: A) -> Arc<Mutex<Vec<Recorded>>>
where
    S: Read + Write + Send + 'static,
    A: FnMut() -> Option<S> + Send + 'static,
{
    let requests = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&requests);
    std::thread::spawn(move || {
        while let Some(stream) = accept() {
            let recorded = Arc::clone(&recorded);
            std::thread::spawn(move || serve(stream, &recorded));
        }
    });
    requests
}
