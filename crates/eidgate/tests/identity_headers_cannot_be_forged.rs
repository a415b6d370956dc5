//! The identity an app receives is eidgate's: forged identity headers never get through, over
//! HTTP/1.1 or h2, on card and public routes alike; the contract headers decode to the card
//! holder's UTF-8 name; and a signed identity, checked with `docs/verify_identity.py`, fails
//! after any change to any byte.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Map, Value};
use support::upstream::{Recorded, TestUpstream};
use support::{card_args, curl, repo_root, serve_with, with_card, Server, PYTHON};

const KEY: &str = "3f1c0e5a9b7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4";

/// Headers a client sends to pose as someone else.
const FORGED: [&str; 9] = [
    "X-Eid-Given-Name: EVIL",
    "x-eid-identifier: PNOEE-EVIL",
    "X_Eid_Surname: EVIL",
    "X-Eid-Timestamp: 1",
    "X-Eid-Signature: EVIL",
    "X-Eid-Role: EVIL",
    "X-Client: CN=EVIL",
    "X-Client-Verify: EVIL",
    "X_Client_Legacy: /CN=EVIL",
];

fn server(name: &str) -> (Server, TestUpstream) {
    let app = TestUpstream::tcp();
    let dir = support::temp_dir(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("identity.key"), format!("{KEY}\n")).unwrap();
    let config = format!(
        "[identity_headers]\nhmac_key_file = \"{key}\"\nnginx_s_dn = \"X-Client\"\n\
         nginx_s_dn_legacy = \"X-Client-Legacy\"\nnginx_verify = \"X-Client-Verify\"\n\
         [[route]]\nprefix = \"/\"\nupstream = \"{url}\"\n\
         [[route]]\nprefix = \"/public\"\nupstream = \"{url}\"\ncard = \"none\"\n",
        key = dir.join("identity.key").display(),
        url = app.url()
    );
    (serve_with(name, &config), app)
}

fn forged_args() -> Vec<&'static str> {
    FORGED.iter().flat_map(|header| ["-H", *header]).collect()
}

fn assert_nothing_forged(seen: &Recorded, context: &str) {
    assert!(!seen.head.contains("EVIL"), "{context}: a forged value got through:\n{}", seen.head);
    assert_eq!(seen.header("x_eid_surname"), None, "{context}");
    assert_eq!(seen.header("x_client_legacy"), None, "{context}");
    assert_eq!(seen.header("x-eid-role"), None, "{context}");
}

#[test]
fn forged_identity_headers_never_reach_the_app() {
    let (server, app) = server("forged");
    let card = card_args(&server, "valid");

    for http in ["--http1.1", "--http2"] {
        let mut args = with_card(&card, &forged_args());
        args.push(http);
        let response = curl(&server, "/account", &args);
        assert_eq!(response.status, 200, "{http}: {}", response.stderr);
        let seen = app.last();
        assert_nothing_forged(&seen, http);
        assert_eq!(seen.header("x-eid-given-name").as_deref(), Some("MARI-LIIS"));
        assert_eq!(seen.header("x-client-verify").as_deref(), Some("SUCCESS"));
        assert!(seen.header("x-client").is_some_and(|dn| dn.contains("GN=MARI-LIIS")));

        let public = curl(&server, "/public/page", &[forged_args(), vec![http]].concat());
        assert_eq!(public.status, 200, "{http}: {}", public.stderr);
        let seen = app.last();
        assert_nothing_forged(&seen, &format!("{http} public"));
        let identity: Vec<String> = seen
            .headers()
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| name.starts_with("x-eid-") || name.starts_with("x-client"))
            .collect();
        assert!(identity.is_empty(), "{http}: public route got {identity:?}");
    }

    let line =
        server.wait_for_log_line(&["spoofed identity headers removed", "route.prefix=/public"]);
    assert!(line.contains("x-eid-given-name") && line.contains("x_client_legacy"), "{line}");
    assert!(!server.log().contains("EVIL"), "header values must not be logged");
}

#[test]
fn contract_headers_decode_to_the_card_holders_utf8_name() {
    let (server, app) = server("contract");
    let response = curl(&server, "/", &with_card(&card_args(&server, "e-resident"), &[]));
    assert_eq!(response.status, 200, "{}", response.stderr);
    let seen = app.last();
    assert_eq!(seen.header("x-eid-given-name").as_deref(), Some("S%C3%98REN"));
    assert_eq!(seen.header("x-eid-surname").as_deref(), Some("%C3%98STERG%C3%85RD"));
    assert_eq!(seen.header("x-eid-document").as_deref(), Some("e-resident-digi-id"));

    let results = verify(&[Value::Object(headers_json(&seen))], None);
    let identity: Value =
        serde_json::from_str(results[0].strip_prefix("ok ").expect("verified")).unwrap();
    assert_eq!(identity["given-name"], "SØREN");
    assert_eq!(identity["surname"], "ØSTERGÅRD");
    assert_eq!(identity["identifier"], "PNOEE-38507224562");
    assert!(identity["certificate"].as_str().unwrap().starts_with("-----BEGIN CERTIFICATE-----\n"));
}

#[test]
fn signed_identity_fails_verification_after_any_change() {
    let (server, app) = server("signed");
    let response = curl(&server, "/", &with_card(&card_args(&server, "valid"), &[]));
    assert_eq!(response.status, 200, "{}", response.stderr);
    let original = headers_json(&app.last());
    let signed: Vec<String> =
        original.keys().filter(|name| name.starts_with("x-eid-")).cloned().collect();
    assert_eq!(signed.len(), 12, "ten contract headers, timestamp and signature: {signed:?}");

    let mut cases = vec![Value::Object(original.clone())];
    for name in &signed {
        let value = original[name].as_str().unwrap();
        for i in 0..value.len() {
            let mut bytes = value.as_bytes().to_vec();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            let mut changed = original.clone();
            changed.insert(name.clone(), json!(String::from_utf8(bytes).unwrap()));
            cases.push(Value::Object(changed));
        }
        let mut removed = original.clone();
        removed.remove(name);
        cases.push(Value::Object(removed));
    }

    let now = original["x-eid-timestamp"].as_str().unwrap().parse::<u64>().unwrap();
    let results = verify(&cases, Some(now));
    assert!(results[0].starts_with("ok "), "the untouched headers must verify: {}", results[0]);
    assert_eq!(results.len(), cases.len());
    let accepted = results[1..].iter().filter(|result| result.starts_with("ok")).count();
    assert_eq!(accepted, 0, "{accepted} of {} changed header sets verified", cases.len() - 1);

    let stale = verify(&cases[..1], Some(now + 3600));
    assert_eq!(stale, ["forged"], "an hour-old signature must not verify");
}

/// The recorded request's headers as a JSON object of raw values.
fn headers_json(seen: &Recorded) -> Map<String, Value> {
    seen.headers().into_iter().map(|(name, value)| (name, Value::String(value))).collect()
}

/// Runs `docs/verify_identity.py` over `cases`; one result line per case.
fn verify(cases: &[Value], now: Option<u64>) -> Vec<String> {
    let dir = support::temp_dir("verify-key");
    let key_file = dir.join("identity.key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    let script = repo_root().join("docs/verify_identity.py");
    let mut command = Command::new(PYTHON);
    command.arg(&script).arg("--key-file").arg(&key_file);
    if let Some(now) = now {
        command.args(["--now", &now.to_string()]);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {PYTHON}: {e}"));
    let input = serde_json::to_vec(cases).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().lines().map(str::to_owned).collect()
}
