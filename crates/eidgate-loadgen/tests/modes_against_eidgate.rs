//! Every load mode of `eidgate-load` against a real eidgate gateway (the one `eidgate serve`
//! runs, started in this process on a loopback port), for about a second each: each must report
//! successful handshakes or requests and no error. Nothing here asserts a speed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

const LOAD: &str = env!("CARGO_BIN_EXE_eidgate-load");

/// A fresh folder under the system's temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("eidgate-load-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes the benchmark PKI with `cards` extra cards and serves it with the eidgate gateway on
/// a free loopback port, on a thread of its own that ends with the test process.
///
/// The revocation check is switched off: the demo cards name an OCSP responder on a fixed port,
/// and these tests are about the load generator, not revocation (`bench/compare` runs with it).
fn start_gateway(pki: &Path, cards: usize) -> SocketAddr {
    let written = load(&["pki", pki.to_str().unwrap(), "--cards", &cards.to_string()]);
    assert!(written.status.success(), "pki: {}", String::from_utf8_lossy(&written.stderr));
    const CONFIG: &str = "[server]\nlisten = \"127.0.0.1:0\"\ncertificate = \"server.crt\"\n\
         private_key = \"server.key\"\n[trust]\nca_files = [\"ca/trust-bundle.pem\"]\n\
         require_authentication_policy = true\nrequire_document_policy = true\n\
         dangerous_skip_revocation_check = true\n";
    let config = eidgate_server::Config::parse(CONFIG, pki.to_owned()).expect("config");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let served = runtime.block_on(eidgate_server::run(&config, |addr| tx.send(addr).unwrap()));
        panic!("the gateway stopped: {served:?}");
    });
    rx.recv_timeout(Duration::from_secs(60)).expect("the gateway listens")
}

fn load(args: &[&str]) -> Output {
    Command::new(LOAD).args(args).output().expect("run eidgate-load")
}

/// Runs one mode against the gateway with the `valid` demo card and returns its JSON report.
fn run_mode(pki: &Path, addr: SocketAddr, mode: &str, extra: &[&str]) -> Value {
    let json = pki.join(format!("{mode}.json"));
    let pki_path = |p: &str| pki.join(p).to_str().unwrap().to_owned();
    let target = addr.to_string();
    let (ca, json_arg) = (pki_path("server-ca.pem"), json.to_str().unwrap().to_owned());
    let mut args = vec![mode, "--target", &target, "--ca", &ca, "--json", &json_arg];
    let (cert, key) = (pki_path("cards/valid.crt"), pki_path("cards/valid.key"));
    if !extra.contains(&"--cards") {
        args.extend(["--cert", &cert, "--key", &key]);
    }
    args.extend(extra);
    let output = load(&args);
    let report = std::fs::read_to_string(&json).unwrap_or_else(|_| {
        panic!("{mode} wrote no report: {}", String::from_utf8_lossy(&output.stderr))
    });
    assert!(output.status.success(), "{mode}: {}", String::from_utf8_lossy(&output.stdout));
    serde_json::from_str(&report).expect("JSON report")
}

fn assert_clean(report: &Value, mode: &str) {
    assert!(report["ok"].as_u64().unwrap() > 0, "{mode}: {report}");
    assert_eq!(report["errors"], 0, "{mode}: {report}");
    assert!(report["latency"]["p99_us"].as_u64().unwrap() > 0, "{mode}: {report}");
}

#[test]
fn every_load_mode_logs_in_to_eidgate_without_errors() {
    let scratch = Scratch::new("modes");
    let pki = scratch.0.join("pki");
    let addr = start_gateway(&pki, 3);
    let short = ["--duration", "1", "--connections", "4"];

    let full = run_mode(&pki, addr, "handshake", &short);
    assert_clean(&full, "handshake");
    assert_eq!(full["handshakes"], full["ok"]);
    assert_eq!(full["resumed"], 0, "resumption is off in full handshakes");

    let resumed = run_mode(&pki, addr, "resumed", &short);
    assert_clean(&resumed, "resumed");
    assert!(resumed["resumed"].as_u64().unwrap() > 0, "{resumed}");

    for mode in ["keepalive", "concurrent"] {
        let report = run_mode(&pki, addr, mode, &short);
        assert_clean(&report, mode);
        assert_eq!(report["operation"], "request");
    }

    let cards = pki.join("many-cards");
    let logins = run_mode(&pki, addr, "logins", &["--cards", cards.to_str().unwrap()]);
    assert_clean(&logins, "logins");
    assert_eq!(logins["ok"], 3, "each of the three cards logs in once: {logins}");
}

#[test]
fn hold_keeps_every_connection_open_until_the_end() {
    let scratch = Scratch::new("hold");
    let pki = scratch.0.join("pki");
    let addr = start_gateway(&pki, 0);
    let ready = scratch.0.join("ready");
    let extra = ["--connections", "20", "--duration", "1", "--ready-file", ready.to_str().unwrap()];
    let report = run_mode(&pki, addr, "hold", &extra);
    assert_eq!((report["open"].as_u64(), report["alive_at_end"].as_u64()), (Some(20), Some(20)));
    let ready: Value = serde_json::from_str(&std::fs::read_to_string(ready).unwrap()).unwrap();
    assert_eq!((ready["open"].as_u64(), ready["failed"].as_u64()), (Some(20), Some(0)));
}

#[test]
fn only_loopback_targets_are_accepted() {
    let output = load(&["handshake", "--target", "192.0.2.1:443", "--ca", "x", "--cards", "y"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("only loopback addresses"), "{stderr}");
}

#[test]
fn crypto_floor_reports_the_handshake_floors() {
    let scratch = Scratch::new("floor");
    let json = scratch.0.join("floor.json");
    let output = load(&["crypto-floor", "--millis", "10", "--json", json.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    let floors = report["floors"].as_array().unwrap();
    let names: Vec<&str> = floors.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "server, P-384 card",
            "server, RSA 2048 card",
            "server, P-384 card, CA signature too",
            "client (load generator), P-384 card"
        ]
    );
    assert!(floors.iter().all(|f| f["micros"].as_f64().unwrap() > 0.0));
}

#[test]
fn upstream_answers_plain_http_requests() {
    let mut child = Command::new(LOAD)
        .args(["upstream", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the upstream");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr =
        line.trim().trim_start_matches("upstream listening on http://").trim_end_matches('/');

    let mut stream = TcpStream::connect(addr).expect("connect to the upstream");
    stream.write_all(b"GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("hello from the upstream app\n"), "{response}");
}
