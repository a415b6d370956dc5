//! The example Flask apps behind eidgate: the nginx-era app greets card holders by the UTF-8
//! name it parses out of the legacy `X-Client` DN header, and the contract app greets them from
//! the signed `X-Eid-` headers and refuses forged ones sent to it directly.

mod support;

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eidgate_testpki::{CardSpec, DnLayout, TestPki, LEGACY_O_ID_CARD};
use support::{
    card_args, card_pem_args, curl, repo_root, run, temp_dir, with_card, write_card,
    write_config_with, Server, PYTHON,
};

/// A Flask example on a free port, killed when dropped.
struct FlaskApp {
    child: Child,
    port: u16,
}

impl FlaskApp {
    fn start(example: &str, env: &[(&str, &str)]) -> FlaskApp {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let script = repo_root().join("examples").join(example).join("app.py");
        let child = Command::new(PYTHON)
            .arg(&script)
            .args(["--port", &port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {PYTHON} (scripts/test installs Flask): {e}"));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "{example} did not start on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        FlaskApp { child, port }
    }
}

impl Drop for FlaskApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn nginx_era_flask_app_greets_card_holders_by_their_utf8_names() {
    let app = FlaskApp::start("legacy-nginx-app", &[]);
    let dir = temp_dir("flask-legacy");
    write_config_with(
        &dir,
        &format!(
            "[identity_headers]\nnginx_s_dn = \"X-Client\"\n\
             [[route]]\nprefix = \"/\"\nupstream = \"http://127.0.0.1:{}\"\n",
            app.port
        ),
    );
    issue_legacy_card(&dir);
    let server = Server::serve(&dir.join("eidgate.toml"));

    let valid = curl(&server, "/", &with_card(&card_args(&server, "valid"), &[]));
    assert_eq!(valid.status, 200, "{}\n{}", valid.stderr, server.log());
    assert!(valid.body.contains("Tere, MARI-LIIS MÄNNIK!"), "{}", valid.body);

    let resident = curl(&server, "/", &with_card(&card_args(&server, "e-resident"), &[]));
    assert!(resident.body.contains("Tere, SØREN ØSTERGÅRD!"), "{}", resident.body);

    let legacy = curl(&server, "/", &with_card(&card_pem_args(&server, "legacy"), &[]));
    assert!(legacy.body.contains("Tere, KRÕÕT VÄRNICK!"), "{}", legacy.body);

    // A forged X-Client never reaches the app: without a card eidgate refuses, with one it
    // replaces the header.
    let forged = ["-H", "X-Client: GN=MALLORY,SN=EVIL"];
    assert_eq!(curl(&server, "/", &forged).status, 401);
    let replaced = curl(&server, "/", &with_card(&card_args(&server, "valid"), &forged));
    assert!(replaced.body.contains("Tere, MARI-LIIS MÄNNIK!"), "{}", replaced.body);
}

#[test]
fn contract_flask_app_greets_from_signed_headers_and_refuses_forged_ones() {
    let dir = temp_dir("flask-contract");
    std::fs::write(
        dir.join("identity.key"),
        "9c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0\n",
    )
    .unwrap();
    let key_file = dir.join("identity.key").display().to_string();
    let app = FlaskApp::start("contract-app", &[("EIDGATE_KEY_FILE", &key_file)]);
    write_config_with(
        &dir,
        &format!(
            "[identity_headers]\nhmac_key_file = \"identity.key\"\n\
             [[route]]\nprefix = \"/\"\nupstream = \"http://127.0.0.1:{}\"\n",
            app.port
        ),
    );
    let server = Server::serve(&dir.join("eidgate.toml"));

    let greeting = curl(&server, "/", &with_card(&card_args(&server, "valid"), &[]));
    assert_eq!(greeting.status, 200, "{}\n{}", greeting.stderr, server.log());
    assert!(greeting.body.contains("Tere, MARI-LIIS MÄNNIK!"), "{}", greeting.body);
    assert!(greeting.body.contains("PNOEE-49103151230, id-card"), "{}", greeting.body);

    // Straight to the app, around eidgate, with made-up headers: the signature does not match.
    let direct = format!("http://127.0.0.1:{}/", app.port);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let timestamp = format!("X-Eid-Timestamp: {now}");
    let forged = run(
        "curl",
        &[
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            "X-Eid-Given-Name: MALLORY",
            "-H",
            "X-Eid-Identifier: PNOEE-1",
            "-H",
            &timestamp,
            "-H",
            "X-Eid-Signature: 00",
            &direct,
        ],
    );
    assert_eq!(String::from_utf8_lossy(&forged.stdout), "401");
}

/// A card in the ESTEID-SK 2011/2015 subject layout (`O=ESTEID`, `OU=authentication`).
fn issue_legacy_card(dir: &Path) {
    let now = time::OffsetDateTime::now_utc();
    let pki = TestPki::load_or_generate(dir, now).unwrap();
    let spec = CardSpec::authentication("KRÕÕT", "VÄRNICK", "49103151230")
        .layout(DnLayout::LegacySk { organization: LEGACY_O_ID_CARD.to_owned() });
    let card = pki.issue_card(&spec, now).unwrap();
    write_card(dir, "legacy", card.credential().cert_pem(), &card.credential().key_pkcs8_pem());
}
