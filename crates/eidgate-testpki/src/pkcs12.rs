//! A small PKCS#12 (RFC 7292) encoder for one certificate with its private key, so that a test
//! card can be imported into a browser, curl or NSS like a real one.
//!
//! The layout matches what OpenSSL 3 writes by default, except that the certificate is not
//! encrypted:
//!
//! ```text
//! PFX v3
//! ├── authSafe (data)
//! │   ├── data: SafeContents { certBag }                       friendlyName, localKeyId
//! │   └── data: SafeContents { pkcs8ShroudedKeyBag }           friendlyName, localKeyId
//! │         PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC
//! └── macData: HMAC-SHA256, key from the RFC 7292 appendix B.2 derivation
//! ```
//!
//! Only encoding is offered; nothing here reads PKCS#12.

use std::num::NonZeroU32;

use aws_lc_rs::cipher::{EncryptionContext, PaddedBlockEncryptingKey, UnboundCipherKey, AES_256};
use aws_lc_rs::{digest, hmac, pbkdf2, rand};
use der::asn1::{Any, BmpString, ObjectIdentifier, OctetString, SetOfVec};
use der::{Encode, Sequence, ValueOrd};

use crate::TestPkiError;

/// PBKDF2 and MAC iteration count: OpenSSL 3's default, ample for keys that protect nothing.
pub const ITERATIONS: u32 = 2048;
/// [`ITERATIONS`] in the type PBKDF2 takes; checked at compile time.
const PBKDF2_ITERATIONS: NonZeroU32 = NonZeroU32::new(ITERATIONS).expect("ITERATIONS is not 0");
/// Length of the PBKDF2 salt, the AES IV and the MAC salt in octets.
const SALT_LEN: usize = 16;
/// Diversifier of the appendix B.2 derivation that yields a MAC key (B.3 names 1, 2 and 3).
const MAC_KEY_ID: u8 = 3;
/// Input block size of SHA-256, the `v` of appendix B.2.
const SHA256_BLOCK_LEN: usize = 64;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
const HMAC_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.9");
const AES_256_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// Encodes `cert_der` and its PKCS#8 key as a PKCS#12 file protected by `password`.
///
/// Both bags carry `friendly_name` (shown by browsers and used as the NSS nickname) and the same
/// localKeyId, the SHA-256 of the certificate. The key is encrypted with PBES2 using the
/// password's UTF-8 bytes, as OpenSSL does; the MAC key derivation uses the password as a
/// BMPString, as RFC 7292 appendix B.1 requires.
///
/// # Errors
///
/// [`TestPkiError::BadText`] when the friendly name has characters outside the Basic
/// Multilingual Plane; [`TestPkiError::Crypto`] or [`TestPkiError::Der`] when a primitive fails.
pub fn encode(
    cert_der: &[u8],
    key_pkcs8_der: &[u8],
    friendly_name: &str,
    password: &str,
) -> Result<Vec<u8>, TestPkiError> {
    let attributes = bag_attributes(friendly_name, cert_der)?;
    let cert_bag = SafeBag {
        bag_id: CERT_BAG,
        bag_value: any(&CertBag { cert_id: X509_CERTIFICATE, cert_value: octets(cert_der)? })?,
        attributes: attributes.clone(),
    };
    let key_bag = SafeBag {
        bag_id: SHROUDED_KEY_BAG,
        bag_value: any(&shroud(key_pkcs8_der, password)?)?,
        attributes,
    };

    // Each SafeContents travels as the OCTET STRING of an id-data ContentInfo.
    let safes = vec![data(&vec![cert_bag])?, data(&vec![key_bag])?];
    let auth_safe = safes.to_der().map_err(TestPkiError::der("PKCS#12 AuthenticatedSafe"))?;
    let mac_data = mac(&auth_safe, password)?;

    let pfx = Pfx {
        version: 3,
        auth_safe: ContentInfo { content_type: ID_DATA, content: octets(&auth_safe)? },
        mac_data,
    };
    pfx.to_der().map_err(TestPkiError::der("PKCS#12 PFX"))
}

/// PFX (RFC 7292 §4).
#[derive(Sequence)]
struct Pfx {
    version: u8,
    auth_safe: ContentInfo,
    mac_data: MacData,
}

/// ContentInfo of type id-data (RFC 5652 §3), `content [0] EXPLICIT OCTET STRING`.
#[derive(Sequence)]
struct ContentInfo {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0")]
    content: OctetString,
}

/// SafeBag (RFC 7292 §4.2).
#[derive(Sequence)]
struct SafeBag {
    bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0")]
    bag_value: Any,
    attributes: SetOfVec<Attribute>,
}

/// PKCS12Attribute with its SET OF values.
#[derive(Clone, Sequence, ValueOrd)]
struct Attribute {
    id: ObjectIdentifier,
    values: SetOfVec<Any>,
}

/// CertBag (RFC 7292 §4.2.5) holding an X.509 certificate.
#[derive(Sequence)]
struct CertBag {
    cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0")]
    cert_value: OctetString,
}

/// EncryptedPrivateKeyInfo (RFC 5958 §3), the value of a pkcs8ShroudedKeyBag.
#[derive(Sequence)]
struct EncryptedPrivateKeyInfo {
    algorithm: AlgorithmIdentifier,
    encrypted_data: OctetString,
}

#[derive(Sequence)]
struct AlgorithmIdentifier {
    algorithm: ObjectIdentifier,
    parameters: Option<Any>,
}

/// PBES2-params (RFC 8018 §A.4).
#[derive(Sequence)]
struct Pbes2Params {
    key_derivation: AlgorithmIdentifier,
    encryption_scheme: AlgorithmIdentifier,
}

/// PBKDF2-params (RFC 8018 §A.2) without keyLength, which AES-256 fixes.
#[derive(Sequence)]
struct Pbkdf2Params {
    salt: OctetString,
    iteration_count: u32,
    prf: AlgorithmIdentifier,
}

/// MacData (RFC 7292 §4) with its DigestInfo.
#[derive(Sequence)]
struct MacData {
    mac: DigestInfo,
    mac_salt: OctetString,
    iterations: u32,
}

#[derive(Sequence)]
struct DigestInfo {
    algorithm: AlgorithmIdentifier,
    digest: OctetString,
}

/// friendlyName (a BMPString) and localKeyId, shared by both bags.
fn bag_attributes(
    friendly_name: &str,
    cert_der: &[u8],
) -> Result<SetOfVec<Attribute>, TestPkiError> {
    let name = BmpString::from_utf8(friendly_name).map_err(|_| TestPkiError::BadText {
        field: "BMPString friendlyName",
        value: friendly_name.to_owned(),
    })?;
    let key_id = digest::digest(&digest::SHA256, cert_der);
    let attributes = vec![
        attribute(FRIENDLY_NAME, any(&name)?)?,
        attribute(LOCAL_KEY_ID, any(&octets(key_id.as_ref())?)?)?,
    ];
    SetOfVec::try_from(attributes).map_err(TestPkiError::der("PKCS#12 bag attributes"))
}

fn attribute(id: ObjectIdentifier, value: Any) -> Result<Attribute, TestPkiError> {
    let values = SetOfVec::try_from(vec![value]).map_err(TestPkiError::der("attribute value"))?;
    Ok(Attribute { id, values })
}

/// Encrypts the PKCS#8 key with PBES2 (RFC 8018 §6.2): PBKDF2-HMAC-SHA256 over the password's
/// UTF-8 bytes gives an AES-256 key, which encrypts in CBC mode with PKCS#7 padding.
fn shroud(key_pkcs8_der: &[u8], password: &str) -> Result<EncryptedPrivateKeyInfo, TestPkiError> {
    let salt: [u8; SALT_LEN] = random()?;
    let iv: [u8; SALT_LEN] = random()?;
    let mut aes_key = [0u8; 32];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        PBKDF2_ITERATIONS,
        &salt,
        password.as_bytes(),
        &mut aes_key,
    );

    let failed = |_| TestPkiError::Crypto { action: "encrypt the PKCS#12 key bag" };
    let cipher_key = UnboundCipherKey::new(&AES_256, &aes_key).map_err(failed)?;
    let encrypting_key = PaddedBlockEncryptingKey::cbc_pkcs7(cipher_key).map_err(failed)?;
    let mut encrypted = key_pkcs8_der.to_vec();
    // "less safe" only means the caller picks the IV; it is fresh and random, as CBC needs.
    encrypting_key
        .less_safe_encrypt(&mut encrypted, EncryptionContext::Iv128(iv.into()))
        .map_err(failed)?;

    let kdf_params = Pbkdf2Params {
        salt: octets(&salt)?,
        iteration_count: ITERATIONS,
        prf: AlgorithmIdentifier { algorithm: HMAC_WITH_SHA256, parameters: Some(Any::null()) },
    };
    let scheme = Pbes2Params {
        key_derivation: AlgorithmIdentifier {
            algorithm: PBKDF2,
            parameters: Some(any(&kdf_params)?),
        },
        encryption_scheme: AlgorithmIdentifier {
            algorithm: AES_256_CBC,
            parameters: Some(any(&octets(&iv)?)?),
        },
    };
    Ok(EncryptedPrivateKeyInfo {
        algorithm: AlgorithmIdentifier { algorithm: PBES2, parameters: Some(any(&scheme)?) },
        encrypted_data: octets(&encrypted)?,
    })
}

/// MacData over the AuthenticatedSafe octets (RFC 7292 §5.1), HMAC-SHA256.
fn mac(auth_safe: &[u8], password: &str) -> Result<MacData, TestPkiError> {
    let salt: [u8; SALT_LEN] = random()?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, &mac_key(password, &salt, ITERATIONS));
    let tag = hmac::sign(&key, auth_safe);
    Ok(MacData {
        mac: DigestInfo {
            algorithm: AlgorithmIdentifier { algorithm: SHA256, parameters: Some(Any::null()) },
            digest: octets(tag.as_ref())?,
        },
        mac_salt: octets(&salt)?,
        iterations: ITERATIONS,
    })
}

/// The RFC 7292 appendix B.2 derivation with SHA-256, ID 3, for a 32-octet HMAC key.
///
/// The key is exactly one hash output long, so only the first round (A_1) of step 6 is needed
/// and the adjustment of I between rounds never happens.
fn mac_key(password: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut input = vec![MAC_KEY_ID; SHA256_BLOCK_LEN];
    input.extend(fill_blocks(salt));
    input.extend(fill_blocks(&bmp_password(password)));

    let mut hash = digest::digest(&digest::SHA256, &input);
    for _ in 1..iterations {
        hash = digest::digest(&digest::SHA256, hash.as_ref());
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(hash.as_ref());
    key
}

/// Repeats `data` to fill whole SHA-256 input blocks (steps 2 and 3 of appendix B.2).
fn fill_blocks(data: &[u8]) -> Vec<u8> {
    let len = data.len().div_ceil(SHA256_BLOCK_LEN) * SHA256_BLOCK_LEN;
    data.iter().copied().cycle().take(len).collect()
}

/// The password as a big-endian BMPString with two zero octets at the end (appendix B.1).
fn bmp_password(password: &str) -> Vec<u8> {
    let units = password.encode_utf16().chain([0]);
    units.flat_map(u16::to_be_bytes).collect()
}

/// ContentInfo of type id-data holding the DER of `contents`.
fn data(contents: &impl Encode) -> Result<ContentInfo, TestPkiError> {
    let der = contents.to_der().map_err(TestPkiError::der("PKCS#12 SafeContents"))?;
    Ok(ContentInfo { content_type: ID_DATA, content: octets(&der)? })
}

fn any<T: der::Tagged + der::EncodeValue>(value: &T) -> Result<Any, TestPkiError> {
    Any::encode_from(value).map_err(TestPkiError::der("PKCS#12 value"))
}

fn octets(bytes: &[u8]) -> Result<OctetString, TestPkiError> {
    OctetString::new(bytes).map_err(TestPkiError::der("OCTET STRING"))
}

fn random<const N: usize>() -> Result<[u8; N], TestPkiError> {
    let mut bytes = [0u8; N];
    rand::fill(&mut bytes).map_err(|_| TestPkiError::Crypto { action: "draw a random salt" })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_utf16_big_endian_with_a_terminator() {
        assert_eq!(bmp_password("1234"), [0, b'1', 0, b'2', 0, b'3', 0, b'4', 0, 0]);
    }

    #[test]
    fn short_input_is_repeated_to_one_block() {
        let filled = fill_blocks(&[1, 2, 3]);
        assert_eq!(filled.len(), 64);
        assert_eq!(&filled[..7], &[1, 2, 3, 1, 2, 3, 1]);
        assert!(fill_blocks(&[]).is_empty());
    }

    #[test]
    fn mac_key_depends_on_password_salt_and_iterations() {
        let base = mac_key("1234", &[7; 8], 2);
        assert_ne!(base, mac_key("1235", &[7; 8], 2));
        assert_ne!(base, mac_key("1234", &[8; 8], 2));
        assert_ne!(base, mac_key("1234", &[7; 8], 3));
        assert_eq!(base, mac_key("1234", &[7; 8], 2));
    }
}
