//! Building the test responder's OCSP answers.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use const_oid::db::rfc6960::ID_PKIX_OCSP_NONCE;
use der::asn1::{BitString, OctetString};
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::ext::pkix::CrlReason;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;
use x509_ocsp::{
    BasicOcspResponse, CertStatus, OcspGeneralizedTime, OcspRequest, OcspResponse, ResponderId,
    ResponseData, RevokedInfo, SingleResponse, Version,
};

use super::signing::SigningKey;
use super::{Misbehaviour, ResponderError, ResponderIdentity, Revocation};
use crate::cert::{CertInfo, Serial};
use crate::ocsp::{CertId, CertIdHash};
use crate::status::RevocationReason;

/// How far StaleThisUpdate and FutureThisUpdate move thisUpdate.
const STALE_BY: time::Duration = time::Duration::days(1);
const FUTURE_BY: time::Duration = time::Duration::hours(1);

/// The certificates and keys the responder signs with.
pub(crate) struct Keys {
    pub ca: CertInfo,
    pub ca_name: Name,
    pub ca_key: SigningKey,
    responder: Signer,
    rogue: Signer,
}

/// One signer of OCSP answers: its certificate, name and key.
struct Signer {
    cert: Certificate,
    name: Name,
    key: SigningKey,
    /// Whether the certificate goes into the answer (not needed when the CA signs itself).
    include_cert: bool,
}

impl Keys {
    pub fn new(identity: &ResponderIdentity) -> Result<Self, ResponderError> {
        let ca = CertInfo::from_der(&identity.ca_cert_der)
            .map_err(|e| ResponderError::Certificate(format!("CA: {e}")))?;
        let ca_cert = decode_cert(&identity.ca_cert_der)?;
        let include_cert = identity.responder_cert_der != identity.ca_cert_der;
        let responder =
            signer(&identity.responder_cert_der, &identity.responder_key_pkcs8, include_cert)?;
        Ok(Keys {
            ca,
            ca_name: ca_cert.tbs_certificate.subject,
            ca_key: SigningKey::from_pkcs8(&identity.ca_key_pkcs8)?,
            responder,
            rogue: rogue_signer()?,
        })
    }
}

fn decode_cert(der: &[u8]) -> Result<Certificate, ResponderError> {
    Certificate::from_der(der).map_err(|e| ResponderError::Certificate(e.to_string()))
}

fn signer(cert_der: &[u8], key_pkcs8: &[u8], include_cert: bool) -> Result<Signer, ResponderError> {
    let cert = decode_cert(cert_der)?;
    let name = cert.tbs_certificate.subject.clone();
    Ok(Signer { cert, name, key: SigningKey::from_pkcs8(key_pkcs8)?, include_cert })
}

/// A self-signed responder with the OCSPSigning EKU that no CA delegated: what a man in the
/// middle could produce.
fn rogue_signer() -> Result<Signer, ResponderError> {
    let fail = |e: rcgen::Error| ResponderError::Key(format!("rogue responder: {e}"));
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(fail)?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    params.distinguished_name.push(rcgen::DnType::CommonName, "Rogue OCSP responder");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::OcspSigning];
    let cert = params.self_signed(&key).map_err(fail)?;
    signer(cert.der(), &key.serialize_der(), true)
}

/// Everything one answer depends on.
pub(crate) struct Context<'a> {
    pub keys: &'a Keys,
    pub revocations: &'a BTreeMap<Serial, Revocation>,
    pub misbehaviour: Misbehaviour,
    pub validity: Option<Duration>,
    pub now: OffsetDateTime,
}

/// Answers `request_der` with an OCSPResponse DER; never fails (a broken request gets
/// malformedRequest, a signing failure internalError).
pub(crate) fn respond(ctx: &Context<'_>, request_der: &[u8]) -> Vec<u8> {
    let response = match OcspRequest::from_der(request_der) {
        Err(_) => OcspResponse::malformed_request(),
        Ok(_) if ctx.misbehaviour == Misbehaviour::TryLater => OcspResponse::try_later(),
        Ok(request) => successful(ctx, &request).unwrap_or_else(|_| OcspResponse::internal_error()),
    };
    // An OCSPResponse without responseBytes always encodes; the fallback is never reached.
    response.to_der().unwrap_or_default()
}

fn successful(ctx: &Context<'_>, request: &OcspRequest) -> Result<OcspResponse, ResponderError> {
    let Some(first) = request.tbs_request.request_list.first() else {
        return Ok(OcspResponse::malformed_request());
    };
    let single = single_response(ctx, &first.req_cert)?;
    let responses = match ctx.misbehaviour {
        Misbehaviour::TwoResponses => vec![single.clone(), single],
        _ => vec![single],
    };

    let signer = match ctx.misbehaviour {
        Misbehaviour::WrongResponder => &ctx.keys.rogue,
        _ => &ctx.keys.responder,
    };
    let data = ResponseData {
        version: Version::V1,
        responder_id: ResponderId::ByName(signer.name.clone()),
        produced_at: ocsp_time(ctx.now)?,
        responses,
        response_extensions: nonce_extensions(ctx.misbehaviour, request)?,
    };
    let basic = sign(signer, data, ctx.misbehaviour)?;
    OcspResponse::successful(basic).map_err(encode_error)
}

fn single_response(
    ctx: &Context<'_>,
    asked: &x509_ocsp::CertId,
) -> Result<SingleResponse, ResponderError> {
    let mut cert_id = asked.clone();
    if ctx.misbehaviour == Misbehaviour::OtherSerial {
        cert_id.serial_number = next_serial(&asked.serial_number)?;
    }
    let (this_update, next_update) = match ctx.misbehaviour {
        Misbehaviour::StaleThisUpdate => (ctx.now - STALE_BY, None),
        Misbehaviour::FutureThisUpdate => (ctx.now + FUTURE_BY, None),
        _ => (ctx.now, ctx.validity.map(|v| ctx.now + v)),
    };
    Ok(SingleResponse {
        cert_id,
        cert_status: status_of(ctx, asked)?,
        this_update: ocsp_time(this_update)?,
        next_update: next_update.map(ocsp_time).transpose()?,
        single_extensions: None,
    })
}

/// Good, revoked or unknown: unknown when the CertID names another CA or an unsupported hash.
fn status_of(ctx: &Context<'_>, asked: &x509_ocsp::CertId) -> Result<CertStatus, ResponderError> {
    if ctx.misbehaviour == Misbehaviour::Unknown {
        return Ok(CertStatus::unknown());
    }
    let Some(hash) = CertIdHash::from_oid(asked.hash_algorithm.oid) else {
        return Ok(CertStatus::unknown());
    };
    let serial = Serial::from_integer_bytes(asked.serial_number.as_bytes());
    let ours = CertId::new(&ctx.keys.ca, &serial, hash);
    let same_ca = asked.issuer_name_hash.as_bytes() == ours.issuer_name_hash.as_slice()
        && asked.issuer_key_hash.as_bytes() == ours.issuer_key_hash.as_slice();
    if !same_ca {
        return Ok(CertStatus::unknown());
    }
    let Some(revocation) = ctx.revocations.get(&serial) else {
        return Ok(CertStatus::good());
    };
    Ok(CertStatus::revoked(RevokedInfo {
        revocation_time: ocsp_time(revocation.at)?,
        revocation_reason: revocation.reason.and_then(crl_reason),
    }))
}

/// The request's nonce extension echoed as received, or a changed or missing one on request.
fn nonce_extensions(
    misbehaviour: Misbehaviour,
    request: &OcspRequest,
) -> Result<Option<Vec<Extension>>, ResponderError> {
    let received = request
        .tbs_request
        .request_extensions
        .iter()
        .flatten()
        .find(|ext| ext.extn_id == ID_PKIX_OCSP_NONCE);
    let Some(received) = received else {
        return Ok(None);
    };
    let mut echoed = received.clone();
    echoed.critical = false;
    match misbehaviour {
        Misbehaviour::NoNonce => return Ok(None),
        Misbehaviour::WrongNonce => {
            let mut other = [0u8; 32];
            SystemRandom::new()
                .fill(&mut other)
                .map_err(|_| ResponderError::Key("no randomness".into()))?;
            let inner = OctetString::new(other.as_slice()).and_then(|o| o.to_der());
            echoed.extn_value = inner.and_then(OctetString::new).map_err(encode_error)?;
        }
        _ => {}
    }
    Ok(Some(vec![echoed]))
}

fn sign(
    signer: &Signer,
    data: ResponseData,
    misbehaviour: Misbehaviour,
) -> Result<BasicOcspResponse, ResponderError> {
    let tbs = data.to_der().map_err(encode_error)?;
    let mut signature = signer.key.sign(&tbs)?;
    if misbehaviour == Misbehaviour::BadSignature {
        if let Some(last) = signature.last_mut() {
            *last ^= 0x01;
        }
    }
    Ok(BasicOcspResponse {
        tbs_response_data: data,
        signature_algorithm: signer.key.algorithm(),
        signature: BitString::from_bytes(&signature).map_err(encode_error)?,
        certs: signer.include_cert.then(|| vec![signer.cert.clone()]),
    })
}

fn next_serial(serial: &SerialNumber) -> Result<SerialNumber, ResponderError> {
    let mut bytes = Serial::from_integer_bytes(serial.as_bytes()).as_bytes().to_vec();
    for byte in bytes.iter_mut().rev() {
        let (sum, carry) = byte.overflowing_add(1);
        *byte = sum;
        if !carry {
            break;
        }
    }
    SerialNumber::new(&bytes).map_err(encode_error)
}

pub(crate) fn crl_reason(reason: RevocationReason) -> Option<CrlReason> {
    use RevocationReason as R;
    Some(match reason {
        R::Unspecified => CrlReason::Unspecified,
        R::KeyCompromise => CrlReason::KeyCompromise,
        R::CaCompromise => CrlReason::CaCompromise,
        R::AffiliationChanged => CrlReason::AffiliationChanged,
        R::Superseded => CrlReason::Superseded,
        R::CessationOfOperation => CrlReason::CessationOfOperation,
        R::CertificateHold => CrlReason::CertificateHold,
        R::RemoveFromCrl => CrlReason::RemoveFromCRL,
        R::PrivilegeWithdrawn => CrlReason::PrivilegeWithdrawn,
        R::AaCompromise => CrlReason::AaCompromise,
        R::Other(_) => return None,
    })
}

pub(crate) fn ocsp_time(at: OffsetDateTime) -> Result<OcspGeneralizedTime, ResponderError> {
    let unix = u64::try_from(at.unix_timestamp()).map_err(|_| encode_error("time before 1970"))?;
    der::asn1::GeneralizedTime::from_unix_duration(Duration::from_secs(unix))
        .map(OcspGeneralizedTime)
        .map_err(encode_error)
}

pub(crate) fn encode_error(e: impl std::fmt::Display) -> ResponderError {
    ResponderError::Encoding(e.to_string())
}
