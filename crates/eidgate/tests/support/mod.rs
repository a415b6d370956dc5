//! Shared by the integration tests: start the real `eidgate` binary, drive real clients, read
//! its log.

#![allow(dead_code)]

pub mod upstream;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Password of the demo cards' PKCS#12 files.
pub const P12_PASSWORD: &str = eidgate_testpki::DEMO_P12_PASSWORD;

/// A running `eidgate`, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    pub dir: PathBuf,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// `eidgate demo --dir DIR --listen 127.0.0.1:0`.
    pub fn demo(dir: &Path) -> Server {
        let dir_arg = dir.to_str().expect("utf-8 path");
        Self::start(&["demo", "--dir", dir_arg, "--listen", "127.0.0.1:0"], dir)
    }

    /// `eidgate serve --config FILE`.
    pub fn serve(config: &Path) -> Server {
        let dir = config.parent().expect("config folder").to_owned();
        Self::start(&["serve", "--config", config.to_str().expect("utf-8 path")], &dir)
    }

    fn start(args: &[&str], dir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_eidgate"))
            .args(args)
            .env("EIDGATE_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start eidgate");

        let log = Arc::new(Mutex::new(String::new()));
        collect(child.stderr.take().expect("stderr"), Arc::clone(&log));
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("eidgate listening on https://") {
                    let _ = tx.send(rest.trim_end_matches('/').to_owned());
                }
            }
        });

        let addr = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(addr) => addr.parse().expect("listening address"),
            Err(_) => {
                let _ = child.kill();
                panic!("eidgate did not start; its log:\n{}", log.lock().unwrap());
            }
        };
        Server { child, addr, dir: dir.to_owned(), log }
    }

    /// `https://localhost:PORT{path}` (the demo server certificate names localhost).
    pub fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.addr.port())
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits up to ten seconds for a log line containing every one of `needles`.
    pub fn wait_for_log_line(&self, needles: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let log = self.log();
            if let Some(line) = log.lines().find(|l| needles.iter().all(|n| l.contains(n))) {
                return line.to_owned();
            }
            assert!(Instant::now() < deadline, "no log line with {needles:?} in:\n{log}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn card(&self, name: &str, ext: &str) -> String {
        self.dir.join("cards").join(format!("{name}.{ext}")).display().to_string()
    }

    pub fn server_ca(&self) -> String {
        self.dir.join("server-ca.pem").display().to_string()
    }

    /// Process id of the running eidgate, for reading its memory use from `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(stream: impl std::io::Read + Send + 'static, log: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut log = log.lock().unwrap();
            log.push_str(&strip_ansi(&line));
            log.push('\n');
        }
    });
}

/// tracing colours its output on terminals only, but be safe when a developer forces colour.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().take_while(|c| !c.is_ascii_alphabetic()).for_each(drop);
        } else {
            out.push(c);
        }
    }
    out
}

/// A fresh folder for one test under Cargo's per-target temporary directory.
pub fn temp_dir(name: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let unique = format!("{name}-{}-{n}", std::process::id());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(unique);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Runs a real client program and returns its output; fails the test when it cannot start.
pub fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (scripts/test installs it): {e}"))
}

/// Result of one curl request.
pub struct CurlResponse {
    pub status: u16,
    pub http_version: String,
    pub body: String,
    pub stderr: String,
}

/// curl against the server, trusting its CA, with extra arguments (card, TLS version, ...).
pub fn curl(server: &Server, path: &str, extra: &[&str]) -> CurlResponse {
    let url = server.url(path);
    let ca = server.server_ca();
    let mut args = vec!["-sS", "--max-time", "20", "--cacert", &ca];
    args.extend_from_slice(&["-w", "\n%{http_code} %{http_version}"]);
    args.extend_from_slice(extra);
    args.push(&url);
    let output = run("curl", &args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, trailer) = stdout.rsplit_once('\n').unwrap_or(("", &stdout));
    let mut trailer = trailer.split(' ');
    CurlResponse {
        status: trailer.next().and_then(|s| s.parse().ok()).unwrap_or(0),
        http_version: trailer.next().unwrap_or("").to_owned(),
        body: body.to_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// curl arguments that present a demo card from its PKCS#12 file.
pub fn card_args(server: &Server, name: &str) -> Vec<String> {
    vec![
        "--cert".into(),
        format!("{}:{P12_PASSWORD}", server.card(name, "p12")),
        "--cert-type".into(),
        "P12".into(),
    ]
}

/// Writes a card as `DIR/cards/NAME.crt` and `NAME.key` (PEM).
pub fn write_card(dir: &Path, name: &str, cert_pem: &str, key_pem: &str) {
    let cards = dir.join("cards");
    std::fs::create_dir_all(&cards).unwrap();
    std::fs::write(cards.join(format!("{name}.crt")), cert_pem).unwrap();
    std::fs::write(cards.join(format!("{name}.key")), key_pem).unwrap();
}

/// curl arguments that present a card from its PEM certificate and key.
pub fn card_pem_args(server: &Server, name: &str) -> Vec<String> {
    vec!["--cert".into(), server.card(name, "crt"), "--key".into(), server.card(name, "key")]
}

/// Debian's Python, where scripts/test installs Flask and websockets with apt-get (a pyenv or
/// virtualenv `python3` earlier in PATH would not see those packages).
pub const PYTHON: &str = "/usr/bin/python3";

/// The repository's root folder (for `examples/` and `docs/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A demo PKI in a fresh folder, served with `[server]` and `[trust]` as `eidgate demo` writes
/// them plus `extra` (routes, `[proxy]`, `[identity_headers]`). Revocation is not checked: these
/// servers test what happens after a card is accepted, and no OCSP responder runs for them.
pub fn serve_with(name: &str, extra: &str) -> Server {
    let dir = temp_dir(name);
    write_config_with(&dir, extra);
    Server::serve(&dir.join("eidgate.toml"))
}

/// Creates the demo PKI in `dir` (once) and writes `dir/eidgate.toml` with `extra` appended.
pub fn write_config_with(dir: &Path, extra: &str) {
    eidgate_testpki::TestPki::load_or_generate(dir, time::OffsetDateTime::now_utc()).unwrap();
    let config = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\ncertificate = \"server.crt\"\n\
         private_key = \"server.key\"\n[trust]\nca_files = [\"ca/trust-bundle.pem\"]\n\
         require_authentication_policy = true\nrequire_document_policy = true\n\
         dangerous_skip_revocation_check = true\n{extra}"
    );
    std::fs::write(dir.join("eidgate.toml"), config).unwrap();
}

/// curl arguments with the card `name`, followed by `more`.
pub fn with_card<'a>(card: &'a [String], more: &[&'a str]) -> Vec<&'a str> {
    let mut all: Vec<&str> = card.iter().map(String::as_str).collect();
    all.extend_from_slice(more);
    all
}

/// Creates a demo folder (by running `eidgate demo` once) and writes `NAME.toml` beside its
/// configuration: the demo's, with `server_lines` added to `[server]` and the test responder on
/// a free port, so that several such servers can run side by side.
pub fn demo_config_variant(dir: &Path, name: &str, server_lines: &str) -> PathBuf {
    drop(Server::demo(dir));
    let config = std::fs::read_to_string(dir.join("eidgate.toml")).expect("demo configuration");
    let config = config
        .replace("[server]\n", &format!("[server]\n{server_lines}\n"))
        .replace("127.0.0.1:8089", "127.0.0.1:0");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, config).expect("write configuration");
    path
}
