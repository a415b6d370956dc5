//! A real browser: headless Chromium with a demo card in its NSS database loads the greeting
//! page. The test reads the names from the DOM and keeps a screenshot.

mod support;

use std::path::Path;
use std::process::Command;

use support::{run, temp_dir, Server, P12_PASSWORD};

/// A browser profile: an NSS database with the server's CA trusted and one card imported, and
/// Chromium preferences that pick the card for the server's origin without a prompt (headless
/// Chromium has no certificate picker and would wait forever).
fn browser_profile(server: &Server, card: &str, home: &Path) -> std::path::PathBuf {
    let nssdb = home.join(".pki/nssdb");
    std::fs::create_dir_all(&nssdb).unwrap();
    let db = format!("sql:{}", nssdb.display());
    let ok = |out: std::process::Output, what: &str| {
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    };
    ok(run("certutil", &["-N", "-d", &db, "--empty-password"]), "certutil -N");
    let ca = server.server_ca();
    ok(
        run("certutil", &["-A", "-d", &db, "-n", "demo server CA", "-t", "CT,C,C", "-i", &ca]),
        "-A",
    );
    let p12 = server.card(card, "p12");
    ok(run("pk12util", &["-i", &p12, "-d", &db, "-W", P12_PASSWORD]), "pk12util");

    let profile = home.join("profile");
    std::fs::create_dir_all(profile.join("Default")).unwrap();
    let origin = format!("https://localhost:{},*", server.addr.port());
    let preferences = serde_json::json!({ "profile": { "content_settings": { "exceptions": {
        "auto_select_certificate": { origin: { "setting": { "filters": [{}] } } }
    }}}});
    std::fs::write(profile.join("Default/Preferences"), preferences.to_string()).unwrap();
    profile
}

fn chromium(home: &Path, profile: &Path, action: &[&str], url: &str) -> String {
    let output = Command::new("timeout")
        .args(["60", "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"])
        .args(["--no-first-run", "--disable-background-networking", "--disable-component-update"])
        .arg("--disable-sync")
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(action)
        .arg(url)
        .env("HOME", home)
        .output()
        .expect("chromium (scripts/test installs it)");
    assert!(output.status.success(), "chromium: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn chromium_with_a_demo_card_is_greeted_by_name() {
    let dir = temp_dir("browser");
    let server = Server::demo(&dir.join("demo"));
    let home = dir.join("home");
    let profile = browser_profile(&server, "valid", &home);

    let dom = chromium(&home, &profile, &["--dump-dom"], &server.url("/"));
    assert!(dom.contains("<strong id=\"name\">Mari-Liis Männik</strong>"), "{dom}");
    assert!(dom.contains("MÄNNIK") && dom.contains("MARI-LIIS"), "{dom}");
    server.wait_for_log_line(&["decision=\"accepted\""]);

    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-greeting.png");
    let shot_arg = format!("--screenshot={}", shot.display());
    chromium(&home, &profile, &[&shot_arg, "--window-size=900,640"], &server.url("/"));
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000, "screenshot is not a picture");
    eprintln!("screenshot kept at {}", shot.display());
}
