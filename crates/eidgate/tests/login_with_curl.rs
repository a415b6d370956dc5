//! Logging in to `eidgate demo` with curl and the demo cards, over every TLS and HTTP version,
//! and every refused kind of card refused with its own reason.

mod support;

use serde_json::Value;
use support::{card_args, curl, temp_dir, Server};

fn with_card<'a>(args: &'a [String], more: &[&'a str]) -> Vec<&'a str> {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend_from_slice(more);
    all
}

#[test]
fn valid_card_is_greeted_over_tls12_tls13_http1_and_h2() {
    let server = Server::demo(&temp_dir("curl-valid"));
    let card = card_args(&server, "valid");

    for tls in ["--tlsv1.2 --tls-max 1.2", "--tlsv1.3"] {
        for http in ["--http1.1", "--http2"] {
            let mut extra: Vec<&str> = tls.split(' ').collect();
            extra.push(http);
            let response = curl(&server, "/", &with_card(&card, &extra));
            assert_eq!(response.status, 200, "{tls} {http}: {}", response.stderr);
            let expected_version = if http == "--http2" { "2" } else { "1.1" };
            assert_eq!(response.http_version, expected_version, "{tls} {http}");
            assert!(response.body.contains("Tere, <strong id=\"name\">"), "{}", response.body);
        }
    }
    server.wait_for_log_line(&["decision=\"accepted\"", "cert.serial"]);
}

#[test]
fn whoami_reports_the_verified_identity_as_json() {
    let server = Server::demo(&temp_dir("curl-whoami"));
    let response = curl(&server, "/whoami", &with_card(&card_args(&server, "valid"), &[]));
    assert_eq!(response.status, 200, "{}", response.stderr);

    let identity: Value = serde_json::from_str(&response.body).expect("JSON");
    for key in [
        "given_name",
        "surname",
        "identifier",
        "country",
        "personal_code",
        "date_of_birth",
        "document",
        "issuer",
        "certificate_serial",
        "not_after",
    ] {
        assert!(!identity[key].is_null(), "{key} missing in {identity}");
    }
    assert_eq!(identity["document"], "id-card");
    assert_eq!(identity["country"], "EE");
    let code = identity["personal_code"].as_str().unwrap();
    assert_eq!(identity["identifier"], format!("PNOEE-{code}"));
}

#[test]
fn rsa_e_resident_card_is_accepted_as_e_residency_digi_id() {
    let server = Server::demo(&temp_dir("curl-eresident"));
    let response = curl(&server, "/whoami", &with_card(&card_args(&server, "e-resident"), &[]));
    assert_eq!(response.status, 200, "{}", response.stderr);
    let identity: Value = serde_json::from_str(&response.body).expect("JSON");
    assert_eq!(identity["document"], "e-resident-digi-id");
}

#[test]
fn visitor_without_a_card_gets_401_with_a_page_or_json() {
    let server = Server::demo(&temp_dir("curl-nocard"));

    let page = curl(&server, "/", &[]);
    assert_eq!(page.status, 401, "{}", page.stderr);
    assert!(page.body.contains("Please sign in with your ID-card"), "{}", page.body);

    let json = curl(&server, "/", &["-H", "Accept: application/json"]);
    assert_eq!(json.status, 401);
    let error: Value = serde_json::from_str(&json.body).expect("JSON");
    assert_eq!(error["error"], "no-certificate");
    server.wait_for_log_line(&["decision=\"refused\"", "reason=\"no-certificate\""]);
}

#[test]
fn every_refused_kind_of_card_gets_403_and_its_own_logged_reason() {
    let server = Server::demo(&temp_dir("curl-refused"));
    let cases = [
        ("expired", "expired", "not valid now"),
        ("wrong-issuer", "untrusted-issuer", "not accepted here"),
        ("signing", "signing-certificate", "cannot be used to sign in"),
        ("mobile-id", "mobile-id", "cannot be used to sign in"),
    ];
    for (card, reason, page_text) in cases {
        let response = curl(&server, "/", &with_card(&card_args(&server, card), &[]));
        assert_eq!(response.status, 403, "{card}: {}", response.stderr);
        assert!(response.body.contains(&format!("<code id=\"reason\">{reason}</code>")), "{card}");
        assert!(response.body.contains(page_text), "{card}: {}", response.body);

        let json = curl(&server, "/whoami", &with_card(&card_args(&server, card), &[]));
        let error: Value = serde_json::from_str(&json.body).expect("JSON");
        assert_eq!(error["error"], reason, "{card}");
        server.wait_for_log_line(&["decision=\"refused\"", &format!("reason=\"{reason}\"")]);
    }
}

#[test]
fn plain_http_to_the_tls_port_gets_a_clear_answer() {
    let server = Server::demo(&temp_dir("curl-plain"));
    let url = format!("http://127.0.0.1:{}/", server.addr.port());
    let output = support::run("curl", &["-sS", "--max-time", "10", "-w", "\n%{http_code}", &url]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.ends_with("\n400"), "{stdout}");
    assert!(stdout.contains("https://"), "{stdout}");
    server.wait_for_log_line(&["reason=\"plain-http\""]);
}

#[test]
fn refusal_at_the_handshake_sends_a_tls_alert_and_logs_the_reason() {
    let dir = temp_dir("curl-handshake");
    let config = support::demo_config_variant(&dir, "handshake", "refuse_at = \"handshake\"");
    let server = Server::serve(&config);

    let valid = curl(&server, "/", &with_card(&card_args(&server, "valid"), &[]));
    assert_eq!(valid.status, 200, "{}", valid.stderr);

    let expired = curl(
        &server,
        "/",
        &with_card(&card_args(&server, "expired"), &["--tlsv1.2", "--tls-max", "1.2"]),
    );
    assert_eq!(expired.status, 0, "an expired card got an HTTP answer: {}", expired.body);
    assert!(
        expired.stderr.contains("alert") || expired.stderr.contains("SSL"),
        "{}",
        expired.stderr
    );
    server.wait_for_log_line(&["decision=\"refused\"", "reason=\"expired\""]);

    let none = curl(&server, "/", &["--tlsv1.2", "--tls-max", "1.2"]);
    assert_eq!(none.status, 0, "no card got an HTTP answer: {}", none.body);
    server.wait_for_log_line(&["decision=\"refused\"", "reason=\"no-certificate\""]);
}
