//! `eidgate check-config` and `eidgate inspect`, run as a user runs them.

mod support;

use std::process::{Command, Output};

use eidgate_testpki::eid_data::eid_data_dir;
use serde_json::Value;
use support::temp_dir;

fn eidgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eidgate")).args(args).output().expect("run eidgate")
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// A demo folder with its configuration, without starting a server.
fn demo_dir(name: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    eidgate_testpki::TestPki::load_or_generate(&dir, time::OffsetDateTime::now_utc()).unwrap();
    let config = "[server]\nlisten = \"127.0.0.1:0\"\ncertificate = \"server.crt\"\n\
                  private_key = \"server.key\"\n[trust]\nca_files = [\"ca/trust-bundle.pem\"]\n";
    std::fs::write(dir.join("eidgate.toml"), config).unwrap();
    dir
}

#[test]
fn check_config_accepts_a_usable_configuration_and_lists_the_trusted_cas() {
    let dir = demo_dir("check-ok");
    let output = eidgate(&["check-config", "--config", dir.join("eidgate.toml").to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output));
    let text = text(&output);
    assert!(text.contains("CN=EIDGATE TEST ESTEID (issued by "), "{text}");
    assert!(text.contains("CN=EIDGATE TEST EE-GovCA (root)"), "{text}");
}

#[test]
fn check_config_names_the_bad_key_or_file() {
    let dir = demo_dir("check-bad");
    let config = dir.join("eidgate.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    let cases = [
        (original.replace("[trust]\n", "[trust]\nverify_dept = 2\n"), "verify_dept"),
        (original.replace("ca/trust-bundle.pem", "ca/missing.pem"), "trust.ca_files"),
        (original.replace("\"server.key\"", "\"ca/root.crt\""), "private key"),
        (original.replace("[\"ca/trust-bundle.pem\"]", "[]"), "trust.ca_files"),
        (original.replace("127.0.0.1:0", "localhost-ish"), "listen"),
    ];
    for (bad, expected) in cases {
        std::fs::write(&config, bad).unwrap();
        let output = eidgate(&["check-config", "--config", config.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "{expected}: {}", text(&output));
        assert!(text(&output).contains(expected), "{expected}: {}", text(&output));
    }
}

#[test]
fn inspect_reports_identity_and_decision_for_real_sk_certificates() {
    let Some(data) = eid_data_dir("inspect_reports_identity_and_decision") else { return };
    let path = |p: &str| data.join(p).display().to_string();
    let (issuing, root) =
        (path("ca/TEST_of_ESTEID2018.cer"), path("ca/TEST_of_EE-GovCA2018.pem.crt"));
    let good = path("user/EE_JOEORG_auth_TEST_ESTEID2018_2021-07-22_2026-07-09.der");
    let signing = path("user/EE_JOEORG_sign_TEST_ESTEID2018_2019-05-02_2029-05-02.der");
    let trust = ["--trust", &issuing, "--trust", &root];

    let at = ["--at", "2021-08-01T00:00:00Z", "--json"];
    let accepted = eidgate(&[&["inspect"][..], &trust, &at, &[&good]].concat());
    assert!(accepted.status.success(), "{}", text(&accepted));
    let report: Value = serde_json::from_slice(&accepted.stdout).unwrap();
    assert_eq!(report[0]["decision"], "accepted");
    assert_eq!(report[0]["identity"]["identifier"], "PNOEE-38001085718");
    assert_eq!(report[0]["identity"]["surname"], "JÕEORG");
    assert_eq!(report[0]["identity"]["date_of_birth"], "1980-01-08");

    let later = ["--at", "2026-10-19T00:00:00Z", "--json"];
    let mixed = eidgate(&[&["inspect"][..], &trust, &later, &[&good, &signing]].concat());
    assert_eq!(mixed.status.code(), Some(1), "{}", text(&mixed));
    let report: Value = serde_json::from_slice(&mixed.stdout).unwrap();
    assert_eq!(report[0]["reason"], "expired");
    assert_eq!(report[1]["reason"], "signing-certificate");

    let plain =
        eidgate(&[&["inspect"][..], &trust, &["--at", "2021-08-01T00:00:00Z", &good]].concat());
    assert!(text(&plain).contains("JAAK-KRISTJAN"), "{}", text(&plain));
    assert!(text(&plain).contains("accepted"), "{}", text(&plain));
}

#[test]
fn inspect_without_trust_reads_the_identity_but_does_not_accept() {
    let dir = demo_dir("inspect-no-trust");
    let card = dir.join("cards/valid.crt").display().to_string();
    let output = eidgate(&["inspect", "--json", &card]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report[0]["decision"], "undecided");
    assert_eq!(report[0]["identity"]["country"], "EE");
}
