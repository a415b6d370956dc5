//! Revocation end to end: the real `eidgate` binary checking demo cards at a test OCSP responder
//! and CRL publisher that the test controls. Every way the check can fail ends in a refusal with
//! its own logged reason, and the visitor never sees the app.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use eidgate_revocation::cert::CertInfo;
use eidgate_revocation::responder::{
    Misbehaviour, ResponderIdentity, ResponderSettings, RunningResponder, TestResponder,
};
use eidgate_revocation::status::RevocationReason;
use eidgate_testpki::TestPki;
use support::{card_args, curl, temp_dir, Server};
use time::OffsetDateTime;

/// A demo PKI, a test responder for its issuing CA (run on its own runtime), and an `eidgate`
/// configured to check cards there with `revocation` as the `[[revocation.issuers]]` body.
struct Setup {
    server: Server,
    /// The app behind `/app`: it must never see a request from a refused card.
    app: support::upstream::TestUpstream,
    responder: Arc<TestResponder>,
    pki: TestPki,
    _running: RunningResponder,
    _runtime: tokio::runtime::Runtime,
}

fn setup(name: &str, revocation: impl Fn(&str, &str) -> String) -> Setup {
    setup_misbehaving(name, Misbehaviour::None, revocation)
}

/// As [`setup`], with the responder misbehaving from before `eidgate` starts.
fn setup_misbehaving(
    name: &str,
    misbehaviour: Misbehaviour,
    revocation: impl Fn(&str, &str) -> String,
) -> Setup {
    let dir = temp_dir(name);
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::load_or_generate(&dir, now).unwrap();
    let ca = pki.issuing_ca();
    let identity = ResponderIdentity {
        ca_cert_der: ca.cert_der().to_vec(),
        ca_key_pkcs8: ca.key_pkcs8_der().to_vec(),
        responder_cert_der: ca.cert_der().to_vec(),
        responder_key_pkcs8: ca.key_pkcs8_der().to_vec(),
    };
    let settings =
        ResponderSettings { crl_validity: Duration::from_secs(3600), ..Default::default() };
    let responder = TestResponder::new(&identity, settings).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let running = runtime.block_on(responder.spawn(addr)).unwrap();
    responder.set_misbehaviour(misbehaviour);

    let app = support::upstream::TestUpstream::tcp();
    let config = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\ncertificate = \"server.crt\"\n\
         private_key = \"server.key\"\n[trust]\nca_files = [\"ca/trust-bundle.pem\"]\n\
         [[route]]\nprefix = \"/app\"\nupstream = \"{}\"\n\
         [[route]]\nprefix = \"/\"\nupstream = \"builtin:greeting\"\n\
         [[revocation.issuers]]\nissuer_cert = \"ca/issuing.crt\"\n{}",
        app.url(),
        revocation(&running.ocsp_url(), &running.crl_url())
    );
    std::fs::write(dir.join("eidgate.toml"), config).unwrap();
    let server = Server::serve(&dir.join("eidgate.toml"));
    Setup { server, app, responder, pki, _running: running, _runtime: runtime }
}

/// OCSP only, nothing cached: every login asks the responder.
fn ocsp_uncached(ocsp: &str, _crl: &str) -> String {
    format!(
        "methods = \"ocsp\"\nocsp.responders = [{{ url = \"{ocsp}\" }}]\n\
         ocsp.response_timeout_ms = 1000\n[revocation.cache]\nmax_lifetime_secs = 0\n"
    )
}

fn serial(pki: &TestPki, card: &str) -> eidgate_revocation::cert::Serial {
    let der = pki.card(card).unwrap().credential().cert_der();
    CertInfo::from_der(der).unwrap().serial().clone()
}

fn login(server: &Server, card: &str) -> support::CurlResponse {
    let args = card_args(server, card);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    curl(server, "/", &args)
}

/// Asserts the login was refused with `status` and `reason`, and the greeting never shown.
fn assert_refused(server: &Server, card: &str, status: u16, reason: &str) {
    let response = login(server, card);
    assert_eq!(response.status, status, "{reason}: {}\n{}", response.body, server.log());
    assert!(!response.body.contains("Tere,"), "{reason}: the app answered");
    assert!(response.body.contains(&format!(">{reason}</code>")), "{reason}: {}", response.body);
    server.wait_for_log_line(&["decision=\"refused\"", &format!("reason=\"{reason}\"")]);
}

/// Asserts a request for the proxied app with `card` is refused and never reaches it.
fn assert_app_not_reached(setup: &Setup, card: &str, reason: &str) {
    let before = setup.app.requests().len();
    let args = card_args(&setup.server, card);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let response = curl(&setup.server, "/app/data", &args);
    assert!(response.status == 403 || response.status == 503, "{reason}: {}", response.status);
    assert!(response.body.contains(&format!(">{reason}</code>")), "{reason}: {}", response.body);
    assert_eq!(setup.app.requests().len(), before, "{reason}: the app saw the request");
}

#[test]
fn demo_refuses_its_revoked_card_and_greets_the_valid_one() {
    let server = Server::demo(&temp_dir("revocation-demo"));
    assert_eq!(login(&server, "valid").status, 200);
    let line = server.wait_for_log_line(&["decision=\"accepted\"", "revocation="]);
    assert!(line.contains("/ocsp"), "the log does not say where the status came from: {line}");
    assert_refused(&server, "revoked", 403, "revoked");
}

#[test]
fn every_failure_of_the_ocsp_check_is_refused_with_its_own_reason() {
    let setup = setup("revocation-ocsp-failures", ocsp_uncached);
    let (server, responder) = (&setup.server, &setup.responder);
    assert_eq!(login(server, "valid").status, 200, "{}", server.log());

    let cases = [
        (Misbehaviour::Unknown, 403, "revocation-unknown"),
        (Misbehaviour::Http500, 503, "ocsp-http-status"),
        (Misbehaviour::Garbage, 503, "ocsp-malformed"),
        (Misbehaviour::WrongContentType, 503, "ocsp-content-type"),
        (Misbehaviour::Oversized, 503, "ocsp-too-large"),
        (Misbehaviour::BadSignature, 503, "ocsp-bad-signature"),
        (Misbehaviour::WrongResponder, 503, "ocsp-responder-not-authorised"),
        (Misbehaviour::OtherSerial, 503, "ocsp-wrong-certificate"),
        (Misbehaviour::TwoResponses, 503, "ocsp-too-many-responses"),
        (Misbehaviour::StaleThisUpdate, 503, "ocsp-stale"),
        (Misbehaviour::FutureThisUpdate, 503, "ocsp-this-update-in-future"),
        (Misbehaviour::NoNonce, 503, "ocsp-nonce-missing"),
        (Misbehaviour::WrongNonce, 503, "ocsp-nonce-mismatch"),
        (Misbehaviour::Late(Duration::from_secs(3)), 503, "ocsp-timeout"),
    ];
    for (misbehaviour, status, reason) in cases {
        responder.set_misbehaviour(misbehaviour);
        assert_refused(server, "valid", status, reason);
        assert_app_not_reached(&setup, "valid", reason);
    }

    responder.set_misbehaviour(Misbehaviour::None);
    let args = card_args(server, "valid");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(
        curl(server, "/app/data", &args).status,
        200,
        "the app is reachable when all is well"
    );
    assert_eq!(setup.app.requests().len(), 1);

    responder.revoke(&serial(&setup.pki, "valid"), OffsetDateTime::now_utc(), None);
    assert_refused(server, "valid", 403, "revoked");
    assert_app_not_reached(&setup, "valid", "revoked");
}

#[test]
fn responder_that_is_down_gives_503_with_a_page_saying_so() {
    let setup = setup("revocation-down", |_, _| {
        "methods = \"ocsp\"\nocsp.responders = [{ url = \"http://127.0.0.1:9/ocsp\" }]\n".into()
    });
    assert_refused(&setup.server, "valid", 503, "ocsp-unreachable");
    assert_app_not_reached(&setup, "valid", "ocsp-unreachable");
    let page = login(&setup.server, "valid").body;
    assert!(page.contains("cannot check your card just now"), "{page}");
}

#[test]
fn revoking_at_the_responder_takes_effect_without_a_restart() {
    let setup = setup("revocation-live-ocsp", |ocsp, _| {
        format!(
            "methods = \"ocsp\"\nocsp.responders = [{{ url = \"{ocsp}\" }}]\n\
             [revocation.cache]\nmax_lifetime_secs = 1\n"
        )
    });
    assert_eq!(login(&setup.server, "valid").status, 200);
    setup.responder.revoke(
        &serial(&setup.pki, "valid"),
        OffsetDateTime::now_utc(),
        Some(RevocationReason::KeyCompromise),
    );
    std::thread::sleep(Duration::from_millis(1500));
    assert_refused(&setup.server, "valid", 403, "revoked");
}

#[test]
fn a_newly_published_crl_is_picked_up_without_a_restart() {
    let setup = setup("revocation-live-crl", |_, crl| {
        format!(
            "methods = \"crl\"\ncrl.urls = [\"{crl}\"]\ncrl.refresh_interval_secs = 1\n\
             [revocation.cache]\nmax_lifetime_secs = 0\n"
        )
    });
    assert_eq!(login(&setup.server, "valid").status, 200, "{}", setup.server.log());
    setup.responder.revoke(&serial(&setup.pki, "valid"), OffsetDateTime::now_utc(), None);

    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while login(&setup.server, "valid").status == 200 {
        assert!(std::time::Instant::now() < deadline, "the new CRL was never picked up");
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_refused(&setup.server, "valid", 403, "revoked");
    assert_app_not_reached(&setup, "valid", "revoked");
}

#[test]
fn expired_or_badly_signed_crls_are_refused_with_their_reasons() {
    let crl_only = |_: &str, crl: &str| format!("methods = \"crl\"\ncrl.urls = [\"{crl}\"]\n");
    for (misbehaviour, reason) in [
        (Misbehaviour::BadCrlSignature, "crl-bad-signature"),
        (Misbehaviour::ExpiredCrl, "crl-expired"),
    ] {
        let setup = setup_misbehaving("revocation-crl-bad", misbehaviour, crl_only);
        assert_refused(&setup.server, "valid", 503, reason);
        assert_app_not_reached(&setup, "valid", reason);
    }
}

#[test]
fn tls_session_resumption_does_not_skip_the_revocation_check() {
    let setup = setup("revocation-resumption", ocsp_uncached);
    let server = &setup.server;
    let sessions = temp_dir("resumption-sessions").join("session.pem");
    let s_client = |extra: &[&str]| {
        let connect = format!("127.0.0.1:{}", server.addr.port());
        let (cert, key) = (server.card("valid", "crt"), server.card("valid", "key"));
        let mut args = vec!["s_client", "-connect", &connect, "-servername", "localhost"];
        args.extend(["-tls1_2", "-cert", &cert, "-key", &key, "-ign_eof"]);
        args.extend_from_slice(extra);
        let mut child = std::process::Command::new("openssl")
            .args(&args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("openssl");
        use std::io::Write;
        let request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        child.stdin.take().unwrap().write_all(request.as_bytes()).unwrap();
        String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout).into_owned()
    };
    let session = sessions.to_str().unwrap();
    let first = s_client(&["-sess_out", session]);
    assert!(first.contains("HTTP/1.1 200 OK"), "{first}");

    setup.responder.revoke(&serial(&setup.pki, "valid"), OffsetDateTime::now_utc(), None);
    let resumed = s_client(&["-sess_in", session]);
    assert!(resumed.contains("Reused, TLSv1.2"), "the session was not resumed: {resumed}");
    assert!(resumed.contains("HTTP/1.1 403 Forbidden"), "{resumed}");
    server.wait_for_log_line(&["reason=\"revoked\""]);
}

#[test]
fn inspect_reports_the_revocation_status_and_where_it_came_from() {
    let setup = setup("revocation-inspect", ocsp_uncached);
    let config = setup.server.dir.join("eidgate.toml");
    setup.responder.revoke(&serial(&setup.pki, "revoked"), OffsetDateTime::now_utc(), None);
    let inspect = |card: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_eidgate"))
            .args(["inspect", "--check-revocation", "--json", "--config"])
            .arg(&config)
            .arg(setup.server.card(card, "crt"))
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        (output.status.code(), report[0].clone())
    };

    let (code, valid) = inspect("valid");
    assert_eq!(code, Some(0), "{valid}");
    assert_eq!(valid["revocation"]["status"], "good");
    let source = valid["revocation"]["source"].as_str().unwrap();
    assert!(source.contains("/ocsp"), "{source}");

    let (code, revoked) = inspect("revoked");
    assert_eq!(code, Some(1), "{revoked}");
    assert_eq!(revoked["decision"], "refused");
    assert_eq!(revoked["reason"], "revoked");
    assert_eq!(revoked["revocation"]["status"], "revoked");
}

#[test]
fn a_burst_of_logins_with_one_card_makes_one_ocsp_request() {
    let setup = setup("revocation-burst", |ocsp, _| {
        format!("methods = \"ocsp\"\nocsp.responders = [{{ url = \"{ocsp}\" }}]\n")
    });
    let server = &setup.server;
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let logins: Vec<_> =
            (0..16).map(|_| scope.spawn(|| login(server, "valid").status)).collect();
        logins.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}\n{}", server.log());
    assert_eq!(setup.responder.ocsp_requests_served(), 1);
}
