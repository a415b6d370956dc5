//! HTTP/1.1 keep-alive with real clients. Between requests eidgate parks a connection without
//! hyper's buffers and starts a fresh hyper connection when the next request arrives; clients
//! must see none of that: connections are reused, pipelined requests answered in order,
//! `Connection: close` honoured, and idle connections (HTTP/2 ones too) closed after
//! `server.idle_timeout_secs`.

mod support;

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{card_pem_args, run, serve_with, temp_dir, write_config_with, Server};

#[test]
fn curl_reuses_one_connection_for_several_requests() {
    let server = serve_with("keep-alive-curl", "");
    let (ca, card) = (server.server_ca(), card_pem_args(&server, "valid"));
    let mut args = vec!["-sS", "--http1.1", "--max-time", "20", "--cacert", &ca];
    args.extend(card.iter().map(String::as_str));
    args.extend(["-w", "%{http_code}:%{num_connects} "]);
    let urls: Vec<String> =
        ["/", "/whoami", "/", "/whoami"].iter().map(|p| server.url(p)).collect();
    for url in &urls {
        args.extend(["-o", "/dev/null", url]);
    }

    let output = run("curl", &args);
    let written = String::from_utf8_lossy(&output.stdout);
    assert_eq!(written.trim(), "200:1 200:0 200:0 200:0", "{}", server.log());
    let logins = server.log().lines().filter(|l| l.contains("decision=\"accepted\"")).count();
    assert_eq!(logins, 1, "one connection, one authentication:\n{}", server.log());
}

#[test]
fn pipelined_requests_are_answered_in_order_and_close_is_honoured() {
    let server = serve_with("keep-alive-pipelined", "");
    let mut client = s_client(&server);
    let requests = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n\
                    GET /whoami HTTP/1.1\r\nHost: localhost\r\n\r\n\
                    GET /whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    client.stdin.take().unwrap().write_all(requests.as_bytes()).unwrap();

    let text = wait_for_exit(client, Duration::from_secs(20))
        .expect("the server closes the connection after the request that asked for it");
    let answers: Vec<&str> = text.split("HTTP/1.1 200 OK").skip(1).collect();
    assert_eq!(answers.len(), 3, "{text}");
    assert!(answers[0].contains("Mari-Liis"), "the greeting comes first: {text}");
    assert!(answers[1].contains("\"personal_code\""), "{text}");
    assert!(answers[2].to_ascii_lowercase().contains("connection: close"), "{text}");
}

#[test]
fn an_idle_connection_is_closed_after_the_idle_timeout() {
    let server = serve_with_idle_timeout_of_one_second("keep-alive-idle");

    // One request kept alive, then nothing: the server closes the parked connection.
    let mut client = s_client(&server);
    let mut stdin = client.stdin.take().unwrap();
    stdin.write_all(b"GET /whoami HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let text = wait_for_exit(client, Duration::from_secs(20))
        .expect("a connection idle for longer than idle_timeout_secs is closed");
    assert!(text.contains("HTTP/1.1 200 OK"), "{text}");
    assert!(!text.to_ascii_lowercase().contains("connection: close"), "{text}");
    drop(stdin);

    // No request at all after the handshake: closed the same way.
    let mut silent = s_client(&server);
    let _stdin = silent.stdin.take().unwrap();
    let text = wait_for_exit(silent, Duration::from_secs(20))
        .expect("a connection that never sends a request is closed");
    assert!(!text.contains("HTTP/1.1"), "{text}");
}

#[test]
fn an_idle_h2_connection_is_shut_down_after_the_idle_timeout() {
    // curl spaces the two requests two seconds apart (`--rate 30/m`) and reuses its connection
    // when it can: with the default timeout the second request goes over the first connection,
    // with a timeout of one second over a new one.
    let reused = serve_with("keep-alive-h2-default", "");
    assert_eq!(paced_h2_requests(&reused), "2:1 2:0", "{}", reused.log());

    let closed = serve_with_idle_timeout_of_one_second("keep-alive-h2-idle");
    assert_eq!(paced_h2_requests(&closed), "2:1 2:1", "{}", closed.log());
    let logins = closed.log().lines().filter(|l| l.contains("decision=\"accepted\"")).count();
    assert_eq!(logins, 2, "a new connection, a new authentication:\n{}", closed.log());
}

/// The test server with `server.idle_timeout_secs = 1` (the setting belongs in `[server]`, so
/// it cannot be appended like other extra settings).
fn serve_with_idle_timeout_of_one_second(name: &str) -> Server {
    let dir = temp_dir(name);
    write_config_with(&dir, "");
    let config = dir.join("eidgate.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("[server]\n", "[server]\nidle_timeout_secs = 1\n"))
        .unwrap();
    Server::serve(&config)
}

/// Two HTTP/2 requests by curl two seconds apart; per request, the HTTP version and the number
/// of connections curl opened for it.
fn paced_h2_requests(server: &Server) -> String {
    let (ca, card) = (server.server_ca(), card_pem_args(server, "valid"));
    let mut args = vec!["-sS", "--http2", "--rate", "30/m", "--max-time", "20", "--cacert", &ca];
    args.extend(card.iter().map(String::as_str));
    args.extend(["-w", "%{http_version}:%{num_connects} "]);
    let url = server.url("/whoami");
    args.extend(["-o", "/dev/null", &url, "-o", "/dev/null", &url]);
    let output = run("curl", &args);
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// `openssl s_client` with the demo card, reading requests from its stdin and, with
/// `-ign_eof`, staying until the server closes.
fn s_client(server: &Server) -> Child {
    let connect = format!("127.0.0.1:{}", server.addr.port());
    let (cert, key, ca) =
        (server.card("valid", "crt"), server.card("valid", "key"), server.server_ca());
    Command::new("openssl")
        .args(["s_client", "-connect", &connect, "-servername", "localhost", "-quiet"])
        .args(["-cert", &cert, "-key", &key, "-CAfile", &ca, "-verify_return_error", "-ign_eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_client (scripts/test installs openssl)")
}

/// What the client printed, once it has exited; `None` (and the client killed) if it is still
/// running after `limit`.
fn wait_for_exit(mut child: Child, limit: Duration) -> Option<String> {
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut text = String::new();
    child.stdout.take().unwrap().read_to_string(&mut text).unwrap();
    Some(text)
}
