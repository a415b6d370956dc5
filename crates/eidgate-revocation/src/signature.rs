//! Signature checks for OCSP responses, responder certificates and CRLs, with aws-lc-rs.
//!
//! Supported: RSA PKCS#1 v1.5 with SHA-1, SHA-256, SHA-384 or SHA-512 (keys of 2048 to 8192
//! bits), and ECDSA on P-256, P-384 and P-521 with SHA-256, SHA-384 or SHA-512. RSA-PSS is not
//! supported: no Estonian eID responder or CA uses it, and a response signed with it is refused
//! as an unsupported algorithm rather than accepted unchecked.

use aws_lc_rs::signature::{self as sig, VerificationAlgorithm};
use const_oid::db::rfc5912;
use der::oid::ObjectIdentifier;
use der::Decode;
use x509_cert::spki::SubjectPublicKeyInfoRef;

/// Why a signature was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The signature algorithm (or its pairing with the key) is not one this crate checks.
    #[error("unsupported signature algorithm {algorithm} for a {key} key")]
    UnsupportedAlgorithm { algorithm: ObjectIdentifier, key: &'static str },
    /// The public key could not be read.
    #[error("unreadable public key: {0}")]
    BadKey(String),
    /// The signature does not verify under the key.
    #[error("signature does not verify")]
    Invalid,
}

/// The kind of a public key, as far as signature checks need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    P256,
    P384,
    P521,
}

impl KeyKind {
    fn name(self) -> &'static str {
        match self {
            KeyKind::Rsa => "RSA",
            KeyKind::P256 => "P-256",
            KeyKind::P384 => "P-384",
            KeyKind::P521 => "P-521",
        }
    }
}

/// Checks `signature` over `message` with the key in `spki_der` (a SubjectPublicKeyInfo).
///
/// # Errors
///
/// [`SignatureError`] for an unreadable key, an unsupported algorithm or a wrong signature.
pub(crate) fn verify(
    spki_der: &[u8],
    algorithm: ObjectIdentifier,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|e| SignatureError::BadKey(e.to_string()))?;
    let kind = key_kind(&spki)?;
    let key_bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| SignatureError::BadKey("key BIT STRING has unused bits".into()))?;
    let verifier = verification_algorithm(algorithm, kind)?;

    sig::UnparsedPublicKey::new(verifier, key_bits)
        .verify(message, signature)
        .map_err(|_| SignatureError::Invalid)
}

fn key_kind(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<KeyKind, SignatureError> {
    let algorithm = spki.algorithm.oid;
    if algorithm == rfc5912::RSA_ENCRYPTION {
        return Ok(KeyKind::Rsa);
    }
    if algorithm != rfc5912::ID_EC_PUBLIC_KEY {
        return Err(SignatureError::BadKey(format!("key algorithm {algorithm}")));
    }
    let curve = spki
        .algorithm
        .parameters_oid()
        .map_err(|_| SignatureError::BadKey("EC key without a named curve".into()))?;
    match curve {
        rfc5912::SECP_256_R_1 => Ok(KeyKind::P256),
        rfc5912::SECP_384_R_1 => Ok(KeyKind::P384),
        rfc5912::SECP_521_R_1 => Ok(KeyKind::P521),
        other => Err(SignatureError::BadKey(format!("EC curve {other}"))),
    }
}

fn verification_algorithm(
    algorithm: ObjectIdentifier,
    kind: KeyKind,
) -> Result<&'static dyn VerificationAlgorithm, SignatureError> {
    let chosen: Option<&'static dyn VerificationAlgorithm> = match kind {
        KeyKind::Rsa => rsa_algorithm(algorithm),
        KeyKind::P256 => ecdsa_algorithm(
            algorithm,
            [
                &sig::ECDSA_P256_SHA256_ASN1,
                &sig::ECDSA_P256_SHA384_ASN1,
                &sig::ECDSA_P256_SHA512_ASN1,
            ],
        ),
        KeyKind::P384 => ecdsa_algorithm(
            algorithm,
            [
                &sig::ECDSA_P384_SHA256_ASN1,
                &sig::ECDSA_P384_SHA384_ASN1,
                &sig::ECDSA_P384_SHA512_ASN1,
            ],
        ),
        KeyKind::P521 => ecdsa_algorithm(
            algorithm,
            [
                &sig::ECDSA_P521_SHA256_ASN1,
                &sig::ECDSA_P521_SHA384_ASN1,
                &sig::ECDSA_P521_SHA512_ASN1,
            ],
        ),
    };
    chosen.ok_or(SignatureError::UnsupportedAlgorithm { algorithm, key: kind.name() })
}

fn rsa_algorithm(algorithm: ObjectIdentifier) -> Option<&'static dyn VerificationAlgorithm> {
    // SHA-1 stays accepted for RSA: older SK responders and the legacy SK CAs sign with it.
    match algorithm {
        rfc5912::SHA_1_WITH_RSA_ENCRYPTION => {
            Some(&sig::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY)
        }
        rfc5912::SHA_256_WITH_RSA_ENCRYPTION => Some(&sig::RSA_PKCS1_2048_8192_SHA256),
        rfc5912::SHA_384_WITH_RSA_ENCRYPTION => Some(&sig::RSA_PKCS1_2048_8192_SHA384),
        rfc5912::SHA_512_WITH_RSA_ENCRYPTION => Some(&sig::RSA_PKCS1_2048_8192_SHA512),
        _ => None,
    }
}

/// Picks the ECDSA variant for the digest named by `algorithm`, from candidates for one curve
/// ordered SHA-256, SHA-384, SHA-512.
fn ecdsa_algorithm(
    algorithm: ObjectIdentifier,
    by_digest: [&'static sig::EcdsaVerificationAlgorithm; 3],
) -> Option<&'static dyn VerificationAlgorithm> {
    let [sha256, sha384, sha512] = by_digest;
    match algorithm {
        rfc5912::ECDSA_WITH_SHA_256 => Some(sha256),
        rfc5912::ECDSA_WITH_SHA_384 => Some(sha384),
        rfc5912::ECDSA_WITH_SHA_512 => Some(sha512),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};

    fn p256_spki(public: &[u8]) -> Vec<u8> {
        // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING { 0, point } }
        let mut spki = vec![0x30, 0x59, 0x30, 0x13, 0x06, 0x07];
        spki.extend_from_slice(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08]);
        spki.extend_from_slice(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00]);
        spki.extend_from_slice(public);
        spki
    }

    fn key_and_signature(message: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref()).unwrap();
        let signature = pair.sign(&rng, message).unwrap();
        (p256_spki(pair.public_key().as_ref()), signature.as_ref().to_vec())
    }

    #[test]
    fn ecdsa_p256_signature_verifies_and_a_changed_message_does_not() {
        let (spki, signature) = key_and_signature(b"tbs");
        let alg = rfc5912::ECDSA_WITH_SHA_256;
        assert_eq!(verify(&spki, alg, b"tbs", &signature), Ok(()));
        assert_eq!(verify(&spki, alg, b"tbS", &signature), Err(SignatureError::Invalid));
    }

    #[test]
    fn rsa_algorithm_on_an_ec_key_is_unsupported() {
        let (spki, signature) = key_and_signature(b"tbs");
        let alg = rfc5912::SHA_256_WITH_RSA_ENCRYPTION;
        let err = verify(&spki, alg, b"tbs", &signature).unwrap_err();
        assert_eq!(err, SignatureError::UnsupportedAlgorithm { algorithm: alg, key: "P-256" });
    }
}
