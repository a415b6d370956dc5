//! `openssl s_client` logging in with demo cards (P-384 and RSA 2048) over TLS 1.2 and 1.3.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::{temp_dir, Server};

/// Sends one HTTP/1.1 request through `openssl s_client` and returns everything it printed.
fn s_client(server: &Server, card: &str, tls_flag: &str) -> String {
    let connect = format!("127.0.0.1:{}", server.addr.port());
    let (cert, key, ca) = (server.card(card, "crt"), server.card(card, "key"), server.server_ca());
    let mut child = Command::new("openssl")
        .args(["s_client", "-connect", &connect, "-servername", "localhost", tls_flag])
        .args(["-cert", &cert, "-key", &key, "-CAfile", &ca, "-verify_return_error", "-ign_eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl s_client (scripts/test installs openssl)");
    let request = "GET /whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    child.stdin.take().unwrap().write_all(request.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

#[test]
fn openssl_s_client_logs_in_with_p384_and_rsa_cards_over_tls12_and_tls13() {
    let server = Server::demo(&temp_dir("s-client"));
    for (card, key_kind) in [("valid", "P-384"), ("e-resident", "RSA")] {
        for (flag, protocol) in [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
            let text = s_client(&server, card, flag);
            assert!(text.contains(protocol), "{card} {flag}: {text}");
            assert!(text.contains("HTTP/1.1 200 OK"), "{card} ({key_kind}) {flag}: {text}");
            assert!(text.contains("\"personal_code\""), "{card} {flag}: {text}");
        }
    }
}

#[test]
fn openssl_s_client_sees_the_demo_issuing_ca_in_the_certificate_request() {
    let server = Server::demo(&temp_dir("s-client-hints"));
    let text = s_client(&server, "valid", "-tls1_3");
    let names = text.split("Acceptable client certificate CA names").nth(1).unwrap_or("");
    assert!(names.contains("ESTEID"), "{text}");
}

#[test]
fn expired_card_over_s_client_gets_403_naming_the_reason() {
    let server = Server::demo(&temp_dir("s-client-expired"));
    let text = s_client(&server, "expired", "-tls1_2");
    assert!(text.contains("HTTP/1.1 403 Forbidden"), "{text}");
    assert!(text.contains("\"error\":\"expired\""), "{text}");
}
