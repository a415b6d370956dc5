//! A real SK-issued test card: the JÕEORG authentication certificate from the SK test hierarchy,
//! whose private key is public, logs in through curl.

mod support;

use std::path::Path;

use eidgate_testpki::eid_data::eid_data_dir;
use serde_json::Value;
use support::{curl, temp_dir, Server};

const CARD: &str = "user/EE_JOEORG_auth_TEST_ESTEID2018_2019-05-02_2029-05-02_TARA.cer.pem";
const KEY: &str = "user/EE_JOEORG_auth_TEST_ESTEID2018_2019-05-02_2029-05-02_TARA.key.pem";

/// Serves with the SK test CAs as the only trust; the server certificate comes from a demo PKI.
/// Revocation is not checked: the card's responder is SK's, out of reach here.
fn sk_test_server(data: &Path) -> Server {
    let dir = temp_dir("sk-test-card");
    eidgate_testpki::TestPki::load_or_generate(&dir, time::OffsetDateTime::now_utc()).unwrap();
    let issuing = data.join("ca/TEST_of_ESTEID2018.cer");
    let root = data.join("ca/TEST_of_EE-GovCA2018.pem.crt");
    let config = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\ncertificate = \"server.crt\"\n\
         private_key = \"server.key\"\n[trust]\nca_files = [\"{}\", \"{}\"]\n\
         require_authentication_policy = true\nrequire_document_policy = true\n\
         # SK's demo responder is on the internet, which this test cannot reach; the OCSP\n\
         # answers SK gave for this card are checked by the revocation crate's tests instead.\n\
         dangerous_skip_revocation_check = true\n",
        issuing.display(),
        root.display()
    );
    std::fs::write(dir.join("eidgate.toml"), config).unwrap();
    Server::serve(&dir.join("eidgate.toml"))
}

#[test]
fn joeorg_test_card_is_greeted_by_name_and_whoami_has_the_personal_code() {
    let Some(data) = eid_data_dir("joeorg_test_card_is_greeted_by_name") else { return };
    let server = sk_test_server(&data);
    let cert = data.join(CARD).display().to_string();
    let key = data.join(KEY).display().to_string();
    let card = ["--cert", &cert, "--key", &key, "--pass", "1234"];

    let page = curl(&server, "/", &card);
    assert_eq!(page.status, 200, "{}\n{}", page.stderr, server.log());
    assert!(page.body.contains("Jaak-Kristjan Jõeorg"), "{}", page.body);
    assert!(page.body.contains("JAAK-KRISTJAN") && page.body.contains("JÕEORG"));

    let whoami = curl(&server, "/whoami", &card);
    let identity: Value = serde_json::from_str(&whoami.body).expect("JSON");
    assert_eq!(identity["identifier"], "PNOEE-38001085718");
    assert_eq!(identity["personal_code"], "38001085718");
    assert_eq!(identity["date_of_birth"], "1980-01-08");
    assert_eq!(identity["given_name"], "JAAK-KRISTJAN");
    assert_eq!(identity["surname"], "JÕEORG");
    assert_eq!(identity["document"], "id-card");
    assert_eq!(identity["hierarchy"], "test");
}

#[test]
fn certificate_request_names_the_sk_test_issuing_ca() {
    let Some(data) = eid_data_dir("certificate_request_names_the_sk_test_issuing_ca") else {
        return;
    };
    let server = sk_test_server(&data);
    let connect = format!("127.0.0.1:{}", server.addr.port());
    let output = support::run(
        "openssl",
        &["s_client", "-connect", &connect, "-servername", "localhost", "-tls1_3"],
    );
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("TEST of ESTEID2018"), "{text}");
}
