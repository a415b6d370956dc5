//! Key types of the test certificates.

use rcgen::{KeyPair, RsaKeySize, SignatureAlgorithm};

use crate::TestPkiError;

/// The kind of key a test certificate is issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// ECDSA on P-256; used for the TLS server.
    EcP256,
    /// ECDSA on P-384, as on every ESTEID2018 and ESTEID2025 card.
    EcP384,
    /// ECDSA on P-521 with SHA-512 signatures, as the ESTEID2018 CAs use.
    EcP521,
    /// RSA 2048, as on older ESTEID-SK cards; signs with PKCS#1 v1.5 and SHA-256.
    Rsa2048,
}

impl KeyType {
    /// Generates a fresh key pair of this type with aws-lc-rs (through rcgen).
    pub fn generate(self) -> Result<KeyPair, TestPkiError> {
        let generated = match self {
            Self::Rsa2048 => KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048),
            _ => KeyPair::generate_for(self.signature_algorithm()),
        };
        generated.map_err(TestPkiError::rcgen("generate a key pair"))
    }

    /// Whether this is an elliptic-curve key; decides the key usage of an authentication
    /// certificate (keyAgreement for EC, keyEncipherment for RSA).
    pub fn is_elliptic_curve(self) -> bool {
        !matches!(self, Self::Rsa2048)
    }

    fn signature_algorithm(self) -> &'static SignatureAlgorithm {
        match self {
            Self::EcP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Self::EcP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            Self::EcP521 => &rcgen::PKCS_ECDSA_P521_SHA512,
            Self::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
        }
    }
}
