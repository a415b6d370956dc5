//! OCSP requests, RFC 6960 §4.1: one CertID, optionally a nonce, never signed.

use aws_lc_rs::digest;
use const_oid::db::rfc5912::{ID_SHA_1, ID_SHA_256};
use const_oid::db::rfc6960::ID_PKIX_OCSP_NONCE;
use der::asn1::{Null, OctetString};
use der::oid::ObjectIdentifier;
use der::{Any, Encode};
use serde::Deserialize;
use x509_cert::ext::Extension;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{OcspRequest, Request, TbsRequest};

use crate::cert::{CertInfo, Serial};

/// Length of the random nonce eidgate sends: 32 bytes, as Web eID sends (RFC 8954 asks for at
/// least 1 and at most 32 octets).
pub const NONCE_LEN: usize = 32;

/// The hash used inside a CertID.
///
/// Default SHA-1: SK's responders answer only SHA-1 CertIDs (eid-domain §1.3), and the CertID
/// hash is an identifier, not a signature, so SHA-1's collision weakness does not apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CertIdHash {
    /// SHA-1 (`sha1` in the configuration).
    #[default]
    Sha1,
    /// SHA-256 (`sha256`).
    Sha256,
}

impl CertIdHash {
    pub(crate) fn oid(self) -> ObjectIdentifier {
        match self {
            CertIdHash::Sha1 => ID_SHA_1,
            CertIdHash::Sha256 => ID_SHA_256,
        }
    }

    pub(crate) fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        [CertIdHash::Sha1, CertIdHash::Sha256].into_iter().find(|h| h.oid() == oid)
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        let algorithm = match self {
            CertIdHash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            CertIdHash::Sha256 => &digest::SHA256,
        };
        digest::digest(algorithm, data).as_ref().to_vec()
    }
}

/// The identity of one certificate in OCSP terms (RFC 6960 §4.1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertId {
    /// The hash of the two issuer fields.
    pub hash: CertIdHash,
    /// Hash of the issuer's DER subject name.
    pub issuer_name_hash: Vec<u8>,
    /// Hash of the issuer's subjectPublicKey bits.
    pub issuer_key_hash: Vec<u8>,
    /// The card's serial number.
    pub serial: Serial,
}

impl CertId {
    /// The CertID of serial `serial` issued by `issuer`: hashes of the issuer's DER subject name
    /// and of its subjectPublicKey bits (without tag, length or unused-bits byte).
    pub fn new(issuer: &CertInfo, serial: &Serial, hash: CertIdHash) -> Self {
        CertId {
            hash,
            issuer_name_hash: hash.digest(&issuer.subject),
            issuer_key_hash: hash.digest(&issuer.key_bits),
            serial: serial.clone(),
        }
    }
}

/// An encoded request and the nonce extension value it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedRequest {
    /// The OCSPRequest DER, the body of the HTTP POST.
    pub der: Vec<u8>,
    /// The extnValue contents of the nonce extension (an inner OCTET STRING holding the random
    /// bytes), which the response must echo byte for byte; `None` when no nonce was sent.
    pub nonce_extension: Option<Vec<u8>>,
}

/// Why a request could not be encoded (only absurd inputs, such as a serial over 20 bytes).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode OCSP request: {0}")]
pub struct RequestError(String);

impl RequestError {
    pub(crate) fn no_randomness() -> Self {
        RequestError("no randomness for the nonce".to_string())
    }
}

/// Encodes a request for `cert_id`, with a nonce extension when `nonce` is given.
///
/// The nonce is wrapped in an inner OCTET STRING inside the extension's OCTET STRING, as OpenSSL
/// and Web eID send it and as SK's responders echo it. The extension is not critical: a
/// responder that ignores it still answers, and the missing echo is then caught on the response.
///
/// # Errors
///
/// [`RequestError`] when the serial cannot be encoded.
pub fn encode_request(
    cert_id: &CertId,
    nonce: Option<&[u8]>,
) -> Result<EncodedRequest, RequestError> {
    let err = |e: der::Error| RequestError(e.to_string());
    let nonce_extension = nonce.map(|n| OctetString::new(n)?.to_der()).transpose().map_err(err)?;
    let extensions = nonce_extension
        .as_ref()
        .map(|value| nonce_ext(value).map(|ext| vec![ext]))
        .transpose()
        .map_err(err)?;

    let request = OcspRequest {
        tbs_request: TbsRequest {
            version: Default::default(),
            requestor_name: None,
            request_list: vec![Request {
                req_cert: ocsp_cert_id(cert_id).map_err(err)?,
                single_request_extensions: None,
            }],
            request_extensions: extensions,
        },
        optional_signature: None,
    };
    Ok(EncodedRequest { der: request.to_der().map_err(err)?, nonce_extension })
}

/// The x509-ocsp CertID for `cert_id`; the hash AlgorithmIdentifier carries NULL parameters, as
/// OpenSSL writes it.
fn ocsp_cert_id(cert_id: &CertId) -> der::Result<x509_ocsp::CertId> {
    Ok(x509_ocsp::CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: cert_id.hash.oid(),
            parameters: Some(Any::from(Null)),
        },
        issuer_name_hash: OctetString::new(cert_id.issuer_name_hash.clone())?,
        issuer_key_hash: OctetString::new(cert_id.issuer_key_hash.clone())?,
        serial_number: SerialNumber::new(cert_id.serial.as_bytes())?,
    })
}

fn nonce_ext(value: &[u8]) -> der::Result<Extension> {
    Ok(Extension {
        extn_id: ID_PKIX_OCSP_NONCE,
        critical: false,
        extn_value: OctetString::new(value)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;

    fn cert_id() -> CertId {
        CertId {
            hash: CertIdHash::Sha1,
            issuer_name_hash: vec![1; 20],
            issuer_key_hash: vec![2; 20],
            serial: Serial::from_integer_bytes(&[0x00, 0x96, 0x01]),
        }
    }

    #[test]
    fn request_carries_one_cert_id_and_the_wrapped_nonce() {
        let encoded = encode_request(&cert_id(), Some(&[7; NONCE_LEN])).unwrap();
        let mut expected_nonce = vec![0x04, 0x20];
        expected_nonce.extend_from_slice(&[7; NONCE_LEN]);
        assert_eq!(encoded.nonce_extension.as_deref(), Some(&expected_nonce[..]));

        let decoded = OcspRequest::from_der(&encoded.der).unwrap();
        let list = &decoded.tbs_request.request_list;
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].req_cert.serial_number.as_bytes(), &[0x00, 0x96, 0x01]);
        assert_eq!(list[0].req_cert.hash_algorithm.oid, ID_SHA_1);
        let ext = &decoded.tbs_request.request_extensions.as_ref().unwrap()[0];
        assert_eq!(ext.extn_value.as_bytes(), &expected_nonce[..]);
        assert!(!ext.critical);
    }

    #[test]
    fn request_without_nonce_has_no_extensions() {
        let encoded = encode_request(&cert_id(), None).unwrap();
        assert_eq!(encoded.nonce_extension, None);
        let decoded = OcspRequest::from_der(&encoded.der).unwrap();
        assert!(decoded.tbs_request.request_extensions.is_none());
    }

    #[test]
    fn sha256_cert_id_names_sha256() {
        assert_eq!(CertIdHash::from_oid(CertIdHash::Sha256.oid()), Some(CertIdHash::Sha256));
        assert_eq!(CertIdHash::Sha256.digest(b"abc").len(), 32);
        assert_eq!(CertIdHash::Sha1.digest(b"abc").len(), 20);
    }
}
