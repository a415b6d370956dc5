//! Writing a [`TestPki`] to a folder and reading it back, for `eidgate demo`.
//!
//! Files are only ever created, never replaced: an existing folder is loaded as it is. Private
//! keys and PKCS#12 files are created with mode 0600 on Unix.

use std::fs::{self, OpenOptions};
use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rcgen::{KeyPair, PublicKeyData};
use time::OffsetDateTime;

use crate::card::Card;
use crate::credential::{Authority, Credential, EncodedCert};
use crate::demo::{DEMO_CARDS, DEMO_P12_PASSWORD};
use crate::{subject, TestPki, TestPkiError};

/// Paths of the stored PKI, relative to its folder.
pub mod layout {
    use std::path::PathBuf;

    /// Trusted root certificate (PEM). Written last: its presence marks a complete folder.
    pub const ROOT_CERT: &str = "ca/root.crt";
    /// Trusted root key (PKCS#8 PEM, 0600).
    pub const ROOT_KEY: &str = "ca/root.key";
    /// Trusted issuing CA certificate (PEM).
    pub const ISSUING_CERT: &str = "ca/issuing.crt";
    /// Trusted issuing CA key (PKCS#8 PEM, 0600); the demo OCSP responder and CRLs need it.
    pub const ISSUING_KEY: &str = "ca/issuing.key";
    /// Issuing CA then root, PEM: what nginx takes as `ssl_client_certificate`.
    pub const TRUST_BUNDLE: &str = "ca/trust-bundle.pem";
    /// Root the server must not trust (PEM); kept out of `ca/` so no glob picks it up.
    pub const UNTRUSTED_ROOT_CERT: &str = "untrusted-ca/root.crt";
    /// Its key (PKCS#8 PEM, 0600).
    pub const UNTRUSTED_ROOT_KEY: &str = "untrusted-ca/root.key";
    /// The untrusted issuing CA, which signs the `wrong-issuer` card (PEM).
    pub const UNTRUSTED_ISSUING_CERT: &str = "untrusted-ca/issuing.crt";
    /// Its key (PKCS#8 PEM, 0600).
    pub const UNTRUSTED_ISSUING_KEY: &str = "untrusted-ca/issuing.key";
    /// CA of the TLS server certificate (PEM), for clients such as curl `--cacert`.
    pub const SERVER_CA_CERT: &str = "server-ca.pem";
    /// Its key (PKCS#8 PEM, 0600).
    pub const SERVER_CA_KEY: &str = "server-ca.key";
    /// TLS server certificate for localhost (PEM, the leaf only).
    pub const SERVER_CERT: &str = "server.crt";
    /// Its key (PKCS#8 PEM, 0600).
    pub const SERVER_KEY: &str = "server.key";

    /// `cards/<name>.<extension>`; the extensions are `crt`, `key` and `p12`.
    pub fn card_file(name: &str, extension: &str) -> PathBuf {
        PathBuf::from("cards").join(format!("{name}.{extension}"))
    }
}

/// Who may read a written file.
#[derive(Clone, Copy)]
enum Access {
    Public,
    /// Owner only (0600), for anything holding a private key.
    Owner,
}

impl TestPki {
    /// Writes the PKI into `dir` (see [`layout`]), creating folders as needed. The demo cards
    /// get a `.p12` each, protected by [`DEMO_P12_PASSWORD`].
    ///
    /// # Errors
    ///
    /// [`TestPkiError::Io`] when a file already exists (nothing is overwritten) or cannot be
    /// written. Files written before the failure stay; [`layout::ROOT_CERT`] is written last, so
    /// such a folder is not mistaken for a complete one.
    pub fn write_to(&self, dir: &Path) -> Result<(), TestPkiError> {
        for folder in ["ca", "untrusted-ca", "cards"] {
            let path = dir.join(folder);
            fs::create_dir_all(&path).map_err(TestPkiError::io("create", path))?;
        }
        // Every CA but the root: its certificate goes last and so marks a complete folder.
        let authorities = [
            (&self.issuing, layout::ISSUING_CERT, layout::ISSUING_KEY),
            (&self.untrusted_root, layout::UNTRUSTED_ROOT_CERT, layout::UNTRUSTED_ROOT_KEY),
            (
                &self.untrusted_issuing,
                layout::UNTRUSTED_ISSUING_CERT,
                layout::UNTRUSTED_ISSUING_KEY,
            ),
            (&self.server_ca, layout::SERVER_CA_CERT, layout::SERVER_CA_KEY),
        ];
        for (authority, cert, key) in authorities {
            write_authority(dir, authority, cert, key)?;
        }
        write_file(dir, layout::TRUST_BUNDLE, self.trust_bundle_pem().as_bytes(), Access::Public)?;
        write_credential(dir, &self.server, layout::SERVER_CERT, layout::SERVER_KEY)?;

        for (name, card) in self.cards() {
            write_card(dir, name, card)?;
        }
        write_authority(dir, &self.root, layout::ROOT_CERT, layout::ROOT_KEY)
    }

    /// Reads a PKI that [`TestPki::write_to`] wrote. The `.p12` files are not read.
    ///
    /// # Errors
    ///
    /// [`TestPkiError::Io`] for a missing or unreadable file, [`TestPkiError::BadFile`] for one
    /// that does not hold the expected PEM or whose key does not belong to its certificate.
    pub fn load(dir: &Path) -> Result<Self, TestPkiError> {
        Ok(Self {
            root: read_authority(dir, layout::ROOT_CERT, layout::ROOT_KEY)?,
            issuing: read_authority(dir, layout::ISSUING_CERT, layout::ISSUING_KEY)?,
            untrusted_root: read_authority(
                dir,
                layout::UNTRUSTED_ROOT_CERT,
                layout::UNTRUSTED_ROOT_KEY,
            )?,
            untrusted_issuing: read_authority(
                dir,
                layout::UNTRUSTED_ISSUING_CERT,
                layout::UNTRUSTED_ISSUING_KEY,
            )?,
            server_ca: read_authority(dir, layout::SERVER_CA_CERT, layout::SERVER_CA_KEY)?,
            server: read_credential(dir, layout::SERVER_CERT, layout::SERVER_KEY)?,
            cards: DEMO_CARDS
                .into_iter()
                .map(|name| Ok((name, read_card(dir, name)?)))
                .collect::<Result<_, TestPkiError>>()?,
        })
    }

    /// Loads the PKI in `dir` when [`layout::ROOT_CERT`] exists there; otherwise generates one at
    /// `now` and writes it. An existing PKI is never regenerated, even when it has expired.
    ///
    /// # Errors
    ///
    /// As [`TestPki::load`] and [`TestPki::write_to`]; a folder holding only part of a PKI is
    /// refused by `write_to` rather than completed.
    pub fn load_or_generate(dir: &Path, now: OffsetDateTime) -> Result<Self, TestPkiError> {
        if dir.join(layout::ROOT_CERT).exists() {
            return Self::load(dir);
        }
        let pki = Self::generate(now)?;
        pki.write_to(dir)?;
        Ok(pki)
    }
}

fn write_authority(
    dir: &Path,
    ca: &Authority,
    cert: impl AsRef<Path>,
    key: impl AsRef<Path>,
) -> Result<(), TestPkiError> {
    write_file(dir, key, ca.key_pkcs8_pem().as_bytes(), Access::Owner)?;
    write_file(dir, cert, ca.cert_pem().as_bytes(), Access::Public)
}

fn write_credential(
    dir: &Path,
    credential: &Credential,
    cert: impl AsRef<Path>,
    key: impl AsRef<Path>,
) -> Result<(), TestPkiError> {
    write_file(dir, key, credential.key_pkcs8_pem().as_bytes(), Access::Owner)?;
    write_file(dir, cert, credential.cert_pem().as_bytes(), Access::Public)
}

fn write_card(dir: &Path, name: &str, card: &Card) -> Result<(), TestPkiError> {
    let [cert, key, p12] = ["crt", "key", "p12"].map(|ext| layout::card_file(name, ext));
    write_credential(dir, card.credential(), cert, key)?;
    let pkcs12 = card.pkcs12(DEMO_P12_PASSWORD)?;
    write_file(dir, p12, &pkcs12, Access::Owner)
}

fn write_file(
    dir: &Path,
    relative: impl AsRef<Path>,
    contents: &[u8],
    access: Access,
) -> Result<(), TestPkiError> {
    let path = dir.join(relative);
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if let Access::Owner = access {
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = access;
    let mut file = options.open(&path).map_err(TestPkiError::io("create", path.clone()))?;
    file.write_all(contents).map_err(TestPkiError::io("write", path))
}

fn read_authority(
    dir: &Path,
    cert: impl AsRef<Path>,
    key: impl AsRef<Path>,
) -> Result<Authority, TestPkiError> {
    let (cert, key) = read_pair(dir, cert, key)?;
    Authority::new(cert, key)
}

fn read_credential(
    dir: &Path,
    cert: impl AsRef<Path>,
    key: impl AsRef<Path>,
) -> Result<Credential, TestPkiError> {
    let (cert, key) = read_pair(dir, cert, key)?;
    Ok(Credential::new(cert, key))
}

fn read_card(dir: &Path, name: &str) -> Result<Card, TestPkiError> {
    let cert_path = layout::card_file(name, "crt");
    let credential = read_credential(dir, &cert_path, layout::card_file(name, "key"))?;
    let holder = subject::holder_name_of(credential.cert_der()).ok_or(TestPkiError::BadFile {
        path: dir.join(cert_path),
        expected: "a card certificate with givenName and surname",
    })?;
    Ok(Card::new(holder, credential))
}

/// Reads a certificate and its key, and checks that the key belongs to the certificate.
fn read_pair(
    dir: &Path,
    cert: impl AsRef<Path>,
    key: impl AsRef<Path>,
) -> Result<(EncodedCert, KeyPair), TestPkiError> {
    let cert_path = dir.join(cert);
    let key_path = dir.join(key);
    let cert = EncodedCert::from_pem(&read_text(&cert_path)?)
        .ok_or(TestPkiError::BadFile { path: cert_path, expected: "a PEM certificate" })?;
    let key = KeyPair::from_pem(&read_text(&key_path)?).map_err(|_| TestPkiError::BadFile {
        path: key_path.clone(),
        expected: "a PEM private key",
    })?;
    if cert.public_key_info() != key.subject_public_key_info() {
        let expected = "the private key of the certificate beside it";
        return Err(TestPkiError::BadFile { path: key_path, expected });
    }
    Ok((cert, key))
}

fn read_text(path: &Path) -> Result<String, TestPkiError> {
    fs::read_to_string(path).map_err(TestPkiError::io("read", PathBuf::from(path)))
}
