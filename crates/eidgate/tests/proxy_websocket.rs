//! A WebSocket through eidgate: a Python `websockets` client with a card connects over TLS, the
//! upgrade reaches a Python echo app with the identity headers, and text and binary messages
//! come back unchanged.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use support::{run, serve_with, PYTHON};

/// The echo app, killed when dropped.
struct EchoApp {
    child: Child,
    port: u16,
}

impl EchoApp {
    fn start() -> EchoApp {
        let script = script();
        let mut child = Command::new(PYTHON)
            .args([script.as_str(), "serve"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {PYTHON}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| panic!("echo app printed {line:?}"));
        EchoApp { child, port }
    }
}

impl Drop for EchoApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn script() -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/websocket_echo.py");
    path.display().to_string()
}

#[test]
fn websocket_echo_passes_through_with_the_identity() {
    let app = EchoApp::start();
    let route =
        format!("[[route]]\nprefix = \"/ws\"\nupstream = \"http://127.0.0.1:{}\"\n", app.port);
    let server = serve_with("websocket", &route);

    let url = format!("wss://localhost:{}/ws/chat", server.addr.port());
    let output = run(
        PYTHON,
        &[
            &script(),
            "client",
            &url,
            &server.server_ca(),
            &server.card("valid", "crt"),
            &server.card("valid", "key"),
        ],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        server.log()
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines, ["given-name=MARI-LIIS", r#"{"text": true, "binary": true}"#]);
}

#[test]
fn websocket_without_a_card_is_refused_before_the_upgrade() {
    let app = EchoApp::start();
    let route =
        format!("[[route]]\nprefix = \"/ws\"\nupstream = \"http://127.0.0.1:{}\"\n", app.port);
    let server = serve_with("websocket-nocard", &route);
    let url = server.url("/ws/chat");
    let ca = server.server_ca();
    let output = run(
        "curl",
        &[
            "-sS",
            "--http1.1",
            "--cacert",
            &ca,
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            "Connection: Upgrade",
            "-H",
            "Upgrade: websocket",
            "-H",
            "Sec-WebSocket-Version: 13",
            "-H",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            &url,
        ],
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "401");
}
