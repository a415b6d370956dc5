//! Signing keys of the test responder (PKCS#8 DER, ECDSA or RSA), with aws-lc-rs.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, EcdsaSigningAlgorithm, RsaKeyPair};
use const_oid::db::rfc5912;
use der::asn1::Null;
use der::oid::ObjectIdentifier;
use der::Any;
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::ResponderError;

/// A private key able to sign responses and CRLs, with the AlgorithmIdentifier it signs with.
pub(crate) struct SigningKey {
    kind: KeyKind,
    rng: SystemRandom,
}

enum KeyKind {
    Ecdsa { pair: EcdsaKeyPair, algorithm: ObjectIdentifier },
    Rsa(RsaKeyPair),
}

/// ECDSA curves tried in turn, each with the digest of its size.
const ECDSA_CANDIDATES: [(&EcdsaSigningAlgorithm, ObjectIdentifier); 3] = [
    (&sig::ECDSA_P256_SHA256_ASN1_SIGNING, rfc5912::ECDSA_WITH_SHA_256),
    (&sig::ECDSA_P384_SHA384_ASN1_SIGNING, rfc5912::ECDSA_WITH_SHA_384),
    (&sig::ECDSA_P521_SHA512_ASN1_SIGNING, rfc5912::ECDSA_WITH_SHA_512),
];

impl SigningKey {
    /// Reads a PKCS#8 key: ECDSA P-256/P-384/P-521 (signing with SHA-256/384/512) or RSA
    /// (signing with PKCS#1 v1.5 SHA-256).
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, ResponderError> {
        let rng = SystemRandom::new();
        for (signing, algorithm) in ECDSA_CANDIDATES {
            if let Ok(pair) = EcdsaKeyPair::from_pkcs8(signing, pkcs8) {
                return Ok(SigningKey { kind: KeyKind::Ecdsa { pair, algorithm }, rng });
            }
        }
        let rsa = RsaKeyPair::from_pkcs8(pkcs8)
            .map_err(|e| ResponderError::Key(format!("neither ECDSA nor RSA PKCS#8: {e}")))?;
        Ok(SigningKey { kind: KeyKind::Rsa(rsa), rng })
    }

    /// The AlgorithmIdentifier of the signatures this key makes.
    pub fn algorithm(&self) -> AlgorithmIdentifierOwned {
        match &self.kind {
            KeyKind::Ecdsa { algorithm, .. } => {
                AlgorithmIdentifierOwned { oid: *algorithm, parameters: None }
            }
            KeyKind::Rsa(_) => AlgorithmIdentifierOwned {
                oid: rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
                parameters: Some(Any::from(Null)),
            },
        }
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, ResponderError> {
        let failed = |_| ResponderError::Key("signing failed".into());
        match &self.kind {
            KeyKind::Ecdsa { pair, .. } => {
                Ok(pair.sign(&self.rng, message).map_err(failed)?.as_ref().to_vec())
            }
            KeyKind::Rsa(pair) => {
                let mut out = vec![0; pair.public_modulus_len()];
                pair.sign(&sig::RSA_PKCS1_SHA256, &self.rng, message, &mut out).map_err(failed)?;
                Ok(out)
            }
        }
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        let algorithm = self.algorithm().oid;
        f.debug_struct("SigningKey").field("algorithm", &algorithm).finish_non_exhaustive()
    }
}
