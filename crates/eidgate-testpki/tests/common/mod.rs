//! Helpers shared by the integration tests: a fixed clock, scratch folders, certificate
//! inspection with x509-parser, and running the real OpenSSL and NSS tools.

#![allow(dead_code)] // each test file uses a different part of this module

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use time::macros::datetime;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};

/// The instant every test PKI is generated at.
pub const NOW: OffsetDateTime = datetime!(2026-03-02 10:00:00 UTC);

/// A fresh, empty scratch folder for one test, removed again when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(test_name: &str) -> Self {
        let dir = std::env::temp_dir()
            .join(format!("eidgate-testpki-{test_name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch folder");
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs a tool and returns its output; a missing tool fails the test, it is never skipped.
pub fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run `{program}` ({e}); this test needs it installed \
             (openssl, and libnss3-tools for pk12util/certutil)"
        )
    })
}

/// Stdout and stderr of a tool as one text, for assertions and failure messages.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn parse(der: &[u8]) -> X509Certificate<'_> {
    x509_parser::parse_x509_certificate(der).expect("certificate parses").1
}

/// Subject attributes in DER order as (dotted OID, text value).
pub fn subject_attributes(cert: &X509Certificate<'_>) -> Vec<(String, String)> {
    cert.subject()
        .iter_attributes()
        .map(|a| (a.attr_type().to_id_string(), a.as_str().expect("text value").to_owned()))
        .collect()
}

/// The certificatePolicies OIDs in order, or an empty list without the extension.
pub fn policies(cert: &X509Certificate<'_>) -> Vec<String> {
    cert.extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::CertificatePolicies(p) => {
                Some(p.iter().map(|info| info.policy_id.to_id_string()).collect())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// The OCSP URLs of the authorityInfoAccess extension.
pub fn ocsp_urls(cert: &X509Certificate<'_>) -> Vec<String> {
    let mut urls = Vec::new();
    for ext in cert.extensions() {
        if let ParsedExtension::AuthorityInfoAccess(aia) = ext.parsed_extension() {
            for desc in &aia.accessdescs {
                if let GeneralName::URI(uri) = desc.access_location {
                    urls.push(uri.to_owned());
                }
            }
        }
    }
    urls
}

/// Writes `contents` to `dir/name` and returns the path as text for a command line.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write scratch file");
    path.to_str().expect("UTF-8 scratch path").to_owned()
}

/// One PKI for all tests of a file; each test writes it into a folder of its own.
pub fn pki() -> &'static eidgate_testpki::TestPki {
    static PKI: std::sync::OnceLock<eidgate_testpki::TestPki> = std::sync::OnceLock::new();
    PKI.get_or_init(|| eidgate_testpki::TestPki::generate(NOW).expect("generate test PKI"))
}

/// The demo layout written into a fresh scratch folder.
pub struct Demo(Scratch);

impl Demo {
    pub fn write(test_name: &str) -> Self {
        let dir = Scratch::new(test_name);
        pki().write_to(dir.path()).expect("write demo PKI");
        Self(dir)
    }

    /// A file of the demo folder, as a path string for a command line.
    pub fn path(&self, relative: impl AsRef<Path>) -> String {
        self.0.path().join(relative).to_str().expect("UTF-8 path").to_owned()
    }
}
