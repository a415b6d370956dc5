//! A test PKI made in code with rcgen (a CA, its delegated OCSP responder, cards), a responder
//! serving it on loopback, and temporary folders.
//!
//! eidgate-testpki will issue delegated responder certificates too; until it does, the tests
//! make their own here.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use der::Encode;
use eidgate_revocation::cert::Serial;
use eidgate_revocation::responder::{
    ResponderIdentity, ResponderSettings, RunningResponder, TestResponder,
};
use rcgen::{
    BasicConstraints, CertificateParams, CrlDistributionPoint, CustomExtension, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AccessDescription, AuthorityInfoAccessSyntax};

/// A CA with a delegated OCSP responder.
pub struct Pki {
    pub ca_der: Vec<u8>,
    pub ca_key: Vec<u8>,
    pub responder_der: Vec<u8>,
    pub responder_key: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

impl Pki {
    /// A CA named `name` (P-256) and a responder it delegated (P-256, EKU OCSPSigning).
    pub fn new(name: &str) -> Self {
        let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CountryName, "EE");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = params.self_signed(&ca_key).unwrap();
        let ca_der = ca.der().to_vec();
        let ca_key_der = ca_key.serialize_der();
        let issuer = Issuer::new(params, ca_key);

        let (responder_der, responder_key) =
            responder_cert(&issuer, &format!("{name} OCSP RESPONDER"));
        Pki { ca_der, ca_key: ca_key_der, responder_der, responder_key, issuer }
    }

    /// The responder identity: the delegated responder signs answers.
    pub fn identity(&self) -> ResponderIdentity {
        ResponderIdentity {
            ca_cert_der: self.ca_der.clone(),
            ca_key_pkcs8: self.ca_key.clone(),
            responder_cert_der: self.responder_der.clone(),
            responder_key_pkcs8: self.responder_key.clone(),
        }
    }

    /// The identity in which the CA signs answers itself.
    pub fn ca_signing_identity(&self) -> ResponderIdentity {
        ResponderIdentity {
            responder_cert_der: self.ca_der.clone(),
            responder_key_pkcs8: self.ca_key.clone(),
            ..self.identity()
        }
    }

    /// A card with serial `serial`, AIA OCSP `ocsp_url` and CRL distribution point `crl_url`.
    pub fn card(&self, serial: u64, ocsp_url: Option<&str>, crl_url: Option<&str>) -> Vec<u8> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CountryName, "EE");
        params.distinguished_name.push(DnType::CommonName, "JÕEORG,JAAK-KRISTJAN,38001085718");
        params.serial_number = Some(SerialNumber::from(serial.to_be_bytes().to_vec()));
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        if let Some(url) = ocsp_url {
            params.custom_extensions.push(aia(url));
        }
        if let Some(url) = crl_url {
            params.crl_distribution_points = vec![CrlDistributionPoint { uris: vec![url.into()] }];
        }
        params.signed_by(&key, &self.issuer).unwrap().der().to_vec()
    }
}

/// A responder certificate with EKU OCSPSigning issued by `issuer`: (DER, PKCS#8 key).
pub fn responder_cert(issuer: &Issuer<'_, KeyPair>, name: &str) -> (Vec<u8>, Vec<u8>) {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::OcspSigning];
    let cert = params.signed_by(&key, issuer).unwrap();
    (cert.der().to_vec(), key.serialize_der())
}

/// Authority Information Access with one OCSP URL.
fn aia(url: &str) -> CustomExtension {
    let syntax = AuthorityInfoAccessSyntax(vec![AccessDescription {
        access_method: const_oid::db::rfc5280::ID_AD_OCSP,
        access_location: GeneralName::UniformResourceIdentifier(
            der::asn1::Ia5String::new(url).unwrap(),
        ),
    }]);
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], syntax.to_der().unwrap())
}

/// The serial of a card made by [`Pki::card`].
pub fn serial(n: u64) -> Serial {
    Serial::from_integer_bytes(&n.to_be_bytes())
}

/// Starts a responder for `identity` on a free loopback port.
pub async fn serve(identity: &ResponderIdentity, settings: ResponderSettings) -> RunningResponder {
    let responder = TestResponder::new(identity, settings).unwrap();
    responder.spawn("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

/// Shortcut for the responder behind a running one.
pub fn responder(running: &RunningResponder) -> &Arc<TestResponder> {
    running.responder()
}

/// A URL on which nothing listens.
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/ocsp")
}

/// A folder under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("eidgate-rev-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// PEM text for `der` under `label` (`CERTIFICATE`, `PRIVATE KEY`).
pub fn pem(label: &str, der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::new();
    for chunk in der.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            let sextet = (n >> (18 - 6 * i)) & 0x3f;
            text.push(if i <= chunk.len() { char::from(ALPHABET[sextet as usize]) } else { '=' });
        }
    }
    let lines: Vec<&str> =
        text.as_bytes().chunks(64).map(|l| std::str::from_utf8(l).unwrap()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}
