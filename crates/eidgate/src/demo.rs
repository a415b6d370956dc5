//! `eidgate demo`: a test PKI shaped like the Estonian one, its configuration, and how to log in.
//!
//! The folder is created once and reused: cards imported into a browser keep working across
//! restarts. `eidgate serve --config DIR/eidgate.toml` serves exactly the same thing.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use time::OffsetDateTime;

use eidgate_server::Config;
use eidgate_testpki::TestPki;

/// Name of the configuration file inside the demo folder.
const CONFIG_FILE: &str = "eidgate.toml";

/// Where the demo's OCSP responder listens: the address in the demo cards' AIA extension.
const DEMO_RESPONDER: &str = "127.0.0.1:8089";

pub fn run(listen: SocketAddr, dir: &Path) -> Result<ExitCode, String> {
    let created = !dir.join(CONFIG_FILE).exists();
    TestPki::load_or_generate(dir, OffsetDateTime::now_utc())
        .map_err(|e| format!("demo PKI in {}: {e}", dir.display()))?;
    let config_path = dir.join(CONFIG_FILE);
    if created {
        std::fs::write(&config_path, config_text(listen))
            .map_err(|e| format!("{}: {e}", config_path.display()))?;
    }

    let mut config = Config::load(&config_path).map_err(|e| e.to_string())?;
    config.server.listen = listen;
    if listen.port() == 0 {
        // Several demos side by side (as in the tests): the test responder takes a free port too.
        let anywhere = std::net::SocketAddr::new(listen.ip(), 0);
        eidgate_server::revocation::move_test_responder(&mut config, anywhere);
    }
    let verb = if created { "created" } else { "reusing" };
    eprintln!("eidgate demo: {verb} test PKI and configuration in {}", dir.display());

    let runtime = eidgate_server::runtime().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        eidgate_server::run(&config, |addr| print_instructions(dir, addr))
            .await
            .map_err(|e| e.to_string())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn config_text(listen: SocketAddr) -> String {
    format!(
        "# Written by `eidgate demo`. Serve it again with: eidgate serve --config eidgate.toml\n\
         # Paths are relative to this file.\n\n\
         [server]\n\
         listen = \"{listen}\"\n\
         certificate = \"server.crt\"\n\
         private_key = \"server.key\"\n\n\
         [trust]\n\
         # The demo issuing CA and its root, one PEM bundle as nginx's ssl_client_certificate.\n\
         ca_files = [\"ca/trust-bundle.pem\"]\n\
         verify_depth = 2\n\
         require_authentication_policy = true\n\
         require_document_policy = true\n\n\
         [log]\n\
         personal_codes = false\n\n\
         # The demo CA's own OCSP responder and CRL publisher, with the `revoked` card revoked.\n\
         [test_responder]\n\
         listen = \"{responder}\"\n\
         ca_certificate = \"ca/issuing.crt\"\n\
         ca_key = \"ca/issuing.key\"\n\
         revoked = [\"cards/revoked.crt\"]\n\n\
         # Cards of the demo CA are checked at that responder, with a nonce; a card whose status\n\
         # cannot be established is refused.\n\
         [[revocation.issuers]]\n\
         issuer_cert = \"ca/issuing.crt\"\n\
         methods = \"ocsp\"\n\
         ocsp.responders = [{{ url = \"http://{responder}/ocsp\" }}]\n",
        responder = DEMO_RESPONDER,
    )
}

fn print_instructions(dir: &Path, addr: SocketAddr) {
    let d = dir.display();
    let port = addr.port();
    println!("eidgate listening on https://{addr}/");
    println!();
    println!("Log in with a demo card (PKCS#12 password {}):", eidgate_testpki::DEMO_P12_PASSWORD);
    println!(
        "  curl --cacert {d}/server-ca.pem --cert {d}/cards/valid.p12:{} --cert-type P12 \
         https://localhost:{port}/",
        eidgate_testpki::DEMO_P12_PASSWORD
    );
    println!("Cards in {d}/cards/: {}", eidgate_testpki::DEMO_CARDS.join(", "));
    println!();
    println!("In a browser: import {d}/cards/valid.p12 as a personal certificate and");
    println!("{d}/server-ca.pem as a trusted authority, then open https://localhost:{port}/");
    println!("  Chromium/Chrome on Linux: certutil and pk12util with -d sql:$HOME/.pki/nssdb");
    println!("  Firefox: Settings > Privacy & Security > Certificates > View Certificates");
}
