//! The nginx-format identity headers are byte for byte what nginx sends: nginx (with
//! `ssl_verify_client on` and the same trust bundle) and eidgate proxy to one upstream that
//! records the raw request heads, and every card gives the same `$ssl_client_s_dn`,
//! `$ssl_client_s_dn_legacy`, `$ssl_client_verify` and `$ssl_client_escaped_cert` values.
//!
//! The cards cover the demo ID-card (P-384), the RSA e-resident digi-ID, the legacy ESTEID-SK
//! subject layout with Estonian letters, the 2019 attribute order, names full of characters
//! RFC 2253 escapes, and a card made with the openssl command line whose subject has a
//! TeletexString, a BMPString and a multi-valued RDN.

mod support;

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eidgate_testpki::{CardSpec, DnLayout, TestPki, LEGACY_O_ID_CARD};
use support::upstream::{Recorded, TestUpstream};
use support::{card_pem_args, run, temp_dir, write_card, write_config_with, Server};

/// The headers compared, as named for both servers.
const HEADERS: [&str; 4] =
    ["x-client", "x-client-legacy", "x-client-verify", "x-client-certificate"];

const NGINX: &str = "/usr/sbin/nginx";

/// nginx as the eID guides set it up, proxying the client-certificate variables.
const NGINX_CONF: &str = "\
pid DIR/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    TEMP_PATHS
    server {
        listen 127.0.0.1:PORT ssl;
        ssl_certificate DIR/server.crt;
        ssl_certificate_key DIR/server.key;
        ssl_client_certificate DIR/ca/trust-bundle.pem;
        ssl_verify_client on;
        ssl_verify_depth 2;
        location / {
            proxy_pass http://UPSTREAM;
            proxy_set_header X-Client $ssl_client_s_dn;
            proxy_set_header X-Client-Legacy $ssl_client_s_dn_legacy;
            proxy_set_header X-Client-Verify $ssl_client_verify;
            proxy_set_header X-Client-Certificate $ssl_client_escaped_cert;
        }
    }
}
";

#[test]
fn nginx_format_headers_match_nginx_byte_for_byte_for_every_card() {
    let dir = temp_dir("nginx-compat");
    let app = TestUpstream::tcp();
    write_config_with(
        &dir,
        &format!(
            "[identity_headers]\nnginx_s_dn = \"X-Client\"\n\
             nginx_s_dn_legacy = \"X-Client-Legacy\"\n\
             nginx_verify = \"X-Client-Verify\"\nnginx_escaped_cert = \"X-Client-Certificate\"\n\
             [[route]]\nprefix = \"/\"\nupstream = \"{}\"\n",
            app.url()
        ),
    );
    let cards = issue_cards(&dir);
    let eidgate = Server::serve(&dir.join("eidgate.toml"));
    let nginx = Nginx::start(&dir, app.addr.expect("tcp upstream"));

    for card in &cards {
        let from_eidgate = request(&eidgate, eidgate.addr.port(), card, &app);
        let from_nginx = request(&eidgate, nginx.port, card, &app);
        for name in HEADERS {
            let ours = from_eidgate.header(name);
            let theirs = from_nginx.header(name);
            assert!(ours.as_deref().is_some_and(|v| !v.is_empty()), "{card}: {name} missing");
            assert_eq!(
                ours, theirs,
                "{card}: {name} differs\neidgate: {}\nnginx: {}",
                from_eidgate.head, from_nginx.head
            );
        }
        assert_eq!(from_eidgate.header("x-client-verify").as_deref(), Some("SUCCESS"));
    }

    // Spot checks that the values are the real thing, not two equal mistakes.
    let legacy = request(&eidgate, eidgate.addr.port(), "legacy", &app);
    assert_eq!(
        legacy.header("x-client-legacy").as_deref(),
        Some(
            "/C=EE/O=ESTEID/OU=authentication\
             /CN=V\\xC3\\x84RNICK,KR\\xC3\\x95\\xC3\\x95T,49103151230\
             /SN=V\\xC3\\x84RNICK/GN=KR\\xC3\\x95\\xC3\\x95T/serialNumber=49103151230"
        )
    );
    assert_eq!(
        legacy.header("x-client").as_deref(),
        Some(
            "serialNumber=49103151230,GN=KR\\C3\\95\\C3\\95T,SN=V\\C3\\84RNICK,\
             CN=V\\C3\\84RNICK\\,KR\\C3\\95\\C3\\95T\\,49103151230,OU=authentication,O=ESTEID,C=EE"
        )
    );
}

/// Every demo card nginx would accept, plus the odd ones; returns their names under `cards/`.
fn issue_cards(dir: &Path) -> Vec<String> {
    let now = time::OffsetDateTime::now_utc();
    let pki = TestPki::load_or_generate(dir, now).unwrap();
    let specs = [
        (
            "legacy",
            CardSpec::authentication("KRÕÕT", "VÄRNICK", "49103151230")
                .layout(DnLayout::LegacySk { organization: LEGACY_O_ID_CARD.to_owned() }),
        ),
        (
            "alt-order",
            CardSpec::authentication("ŽANNA", "ŠEVTŠENKO", "49511300129")
                .layout(DnLayout::Esteid2018Alt),
        ),
        (
            "escapes",
            CardSpec::authentication("#ANNA+MARIA \"Ü\"; <X>\\", " DE LA / CRUZ ", "49103151230"),
        ),
    ];
    let mut names = vec!["valid".to_owned(), "e-resident".to_owned()];
    for (name, spec) in specs {
        let card = pki.issue_card(&spec, now).unwrap();
        write_card(dir, name, card.credential().cert_pem(), &card.credential().key_pkcs8_pem());
        names.push(name.to_owned());
    }
    openssl_card(dir, "openssl-types");
    names.push("openssl-types".to_owned());
    names
}

/// A card made with the openssl command line, signed by the demo issuing CA: `string_mask =
/// default` stores Latin-1 text as TeletexString and wider text as BMPString, and the CN shares
/// its RDN with the serialNumber.
fn openssl_card(dir: &Path, name: &str) {
    let cards = dir.join("cards");
    let path = |file: &str| cards.join(file).display().to_string();
    let config = format!(
        "[req]\ndistinguished_name = dn\nstring_mask = default\n[dn]\n\
         [card]\nbasicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature, keyAgreement\n\
         extendedKeyUsage = clientAuth\ncertificatePolicies = {}, {}\n",
        eidgate_testpki::oids::POLICY_TEST_ID_CARD,
        eidgate_testpki::oids::POLICY_NCP_PLUS
    );
    std::fs::write(path("openssl.cnf"), config).unwrap();
    let key = path(&format!("{name}.key"));
    let csr = path(&format!("{name}.csr"));
    let cert = path(&format!("{name}.crt"));
    let subject =
        "/C=EE/SN=KÕIV/GN=ŠARLOTE/CN=KÕIV,ŠARLOTE,49103151230+serialNumber=PNOEE-49103151230";
    let steps: [&[&str]; 3] = [
        &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", &key],
        &[
            "req",
            "-new",
            "-config",
            &path("openssl.cnf"),
            "-key",
            &key,
            "-utf8",
            "-multivalue-rdn",
            "-subj",
            subject,
            "-out",
            &csr,
        ],
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &dir.join("ca/issuing.crt").display().to_string(),
            "-CAkey",
            &dir.join("ca/issuing.key").display().to_string(),
            "-set_serial",
            "0x4E11",
            "-days",
            "30",
            "-sha384",
            "-extfile",
            &path("openssl.cnf"),
            "-extensions",
            "card",
            "-out",
            &cert,
        ],
    ];
    for args in steps {
        let output = run("openssl", args);
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// One request through the server on `port` with `card`; returns what the upstream received.
fn request(server: &Server, port: u16, card: &str, app: &TestUpstream) -> Recorded {
    let before = app.requests().len();
    let url = format!("https://localhost:{port}/who");
    let ca = server.server_ca();
    let card_args = card_pem_args(server, card);
    let mut args =
        vec!["-sS", "--max-time", "20", "--cacert", &ca, "-o", "/dev/null", "-w", "%{http_code}"];
    args.extend(card_args.iter().map(String::as_str));
    args.push(&url);
    let output = run("curl", &args);
    let status = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        status,
        "200",
        "{card} via port {port}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let requests = app.requests();
    assert_eq!(requests.len(), before + 1, "{card}: one request expected");
    requests.into_iter().last().unwrap()
}

/// nginx in the foreground on a free loopback port, stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
}

impl Nginx {
    fn start(dir: &Path, upstream: SocketAddr) -> Nginx {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let d = dir.display().to_string();
        let temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
            .map(|kind| format!("{kind}_temp_path {d}/nginx-{kind};"))
            .join(" ");
        let config = NGINX_CONF
            .replace("TEMP_PATHS", &temp)
            .replace("DIR", &d)
            .replace("PORT", &port.to_string())
            .replace("UPSTREAM", &upstream.to_string());
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, config).unwrap();
        let child = Command::new(NGINX)
            .args(["-p", &d, "-c", &conf.display().to_string()])
            .args(["-e", &dir.join("nginx-error.log").display().to_string()])
            .args(["-g", "daemon off; master_process off;"])
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {NGINX} (scripts/test installs it): {e}"));
        let nginx = Nginx { child, port };
        nginx.wait_until_listening(dir);
        nginx
    }

    fn wait_until_listening(&self, dir: &Path) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            let log = std::fs::read_to_string(dir.join("nginx-error.log")).unwrap_or_default();
            assert!(Instant::now() < deadline, "nginx did not start:\n{log}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
