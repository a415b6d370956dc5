//! Reading and checking one CRL, RFC 5280 §5. Pure: the time is checked at lookup, not here.
//!
//! Delta CRLs are not read: a CRL that carries deltaCRLIndicator is refused. Indirect CRLs (a
//! certificateIssuer entry extension, or indirectCRL in the issuing distribution point) and CRLs
//! limited to some reasons or to CA certificates are refused too, since eidgate would otherwise
//! report a card as not revoked on a list that does not cover it. The distributionPoint name of
//! an issuing distribution point is not compared with the card's CRL distribution points:
//! configure the CRL that covers the issuer's whole population.

use const_oid::db::rfc5912::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_CERTIFICATE_ISSUER, ID_CE_CRL_NUMBER, ID_CE_CRL_REASONS,
    ID_CE_DELTA_CRL_INDICATOR, ID_CE_INVALIDITY_DATE, ID_CE_ISSUING_DISTRIBUTION_POINT,
};
use der::asn1::{AnyRef, BitStringRef, IntRef};
use der::oid::ObjectIdentifier;
use der::{Decode, Encode, Reader, Sequence, SliceReader};
use time::OffsetDateTime;
use x509_cert::ext::pkix::IssuingDistributionPoint;
use x509_cert::ext::Extension;
use x509_cert::spki::AlgorithmIdentifierRef;
use x509_cert::time::Time;

use super::error::CrlError;
use super::snapshot::{CrlSnapshot, RevokedEntry};
use crate::cert::{CertInfo, Serial};
use crate::ocsp::enumerated_code;
use crate::signature::{self, SignatureError};
use crate::status::RevocationReason;

/// TBSCertList, RFC 5280 §5.1, borrowing from the input.
#[derive(Sequence)]
struct TbsCertListRef<'a> {
    #[asn1(optional = "true")]
    version: Option<x509_cert::Version>,
    signature: AlgorithmIdentifierRef<'a>,
    issuer: AnyRef<'a>,
    this_update: Time,
    next_update: Option<Time>,
    revoked: Option<Vec<RevokedRef<'a>>>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<Extension>>,
}

#[derive(Sequence)]
struct RevokedRef<'a> {
    serial: IntRef<'a>,
    date: Time,
    extensions: Option<Vec<Extension>>,
}

/// Reads a CRL (DER, or PEM `X509 CRL`), checks that `issuer` signed it and that eidgate can use
/// it, and indexes its entries. `source` names where it came from, for messages.
///
/// # Errors
///
/// [`CrlError`]: malformed, signed by another issuer or with a wrong signature, a delta or
/// indirect CRL, an unknown critical extension, or no nextUpdate.
pub fn parse_crl(bytes: &[u8], issuer: &CertInfo, source: &str) -> Result<CrlSnapshot, CrlError> {
    let der = der_of(bytes)?;
    let (tbs_der, algorithm, signature_bits) = split_signed(&der).map_err(malformed)?;
    let tbs = TbsCertListRef::from_der(tbs_der).map_err(malformed)?;
    if tbs.signature.oid != algorithm {
        return Err(CrlError::Malformed("inner and outer signature algorithms differ".into()));
    }

    check_issuer(&tbs, issuer)?;
    let signature_bytes = signature_bits.as_bytes().ok_or(CrlError::BadSignature)?;
    check_signature(issuer, algorithm, tbs_der, signature_bytes)?;
    let number = check_crl_extensions(tbs.extensions.as_deref().unwrap_or_default())?;
    let next_update = tbs.next_update.map(to_offset).ok_or(CrlError::NoNextUpdate)??;

    let entries = tbs.revoked.as_deref().unwrap_or_default();
    let revoked = entries.iter().map(read_entry).collect::<Result<Vec<_>, _>>()?;
    Ok(CrlSnapshot::new(
        source.to_string(),
        to_offset(tbs.this_update)?,
        next_update,
        number,
        revoked,
    ))
}

fn malformed(e: der::Error) -> CrlError {
    CrlError::Malformed(e.to_string())
}

fn der_of(bytes: &[u8]) -> Result<Vec<u8>, CrlError> {
    if !bytes.starts_with(b"-----BEGIN") {
        return Ok(bytes.to_vec());
    }
    let (_, pem) = x509_parser::pem::parse_x509_pem(bytes)
        .map_err(|e| CrlError::Malformed(format!("PEM: {e}")))?;
    Ok(pem.contents)
}

/// `CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }`, with the
/// tbsCertList TLV kept as received.
fn split_signed(der: &[u8]) -> der::Result<(&[u8], ObjectIdentifier, BitStringRef<'_>)> {
    let mut reader = SliceReader::new(der)?;
    let parts = reader.sequence(|seq| {
        let tbs = seq.tlv_bytes()?;
        let algorithm = AlgorithmIdentifierRef::decode(seq)?;
        let signature = BitStringRef::decode(seq)?;
        Ok((tbs, algorithm.oid, signature))
    })?;
    reader.finish(parts)
}

/// The CRL issuer must be the card's issuer, by DER name (RFC 5280 §6.3.3 (b)).
fn check_issuer(tbs: &TbsCertListRef<'_>, issuer: &CertInfo) -> Result<(), CrlError> {
    // DER decoding is strict about lengths, so this re-encoding is the received Name exactly.
    let name = tbs.issuer.to_der().map_err(malformed)?;
    if name != issuer.subject {
        return Err(CrlError::WrongIssuer { expected: issuer.subject_text.clone() });
    }
    Ok(())
}

fn check_signature(
    issuer: &CertInfo,
    algorithm: ObjectIdentifier,
    tbs: &[u8],
    signature_bytes: &[u8],
) -> Result<(), CrlError> {
    match signature::verify(&issuer.spki, algorithm, tbs, signature_bytes) {
        Ok(()) => Ok(()),
        Err(SignatureError::Invalid) => Err(CrlError::BadSignature),
        Err(other) => Err(CrlError::UnsupportedSignature(other.to_string())),
    }
}

/// Refuses delta CRLs, CRLs that do not cover end-entity certificates for every reason, and
/// unknown critical extensions; returns the CRL number.
fn check_crl_extensions(extensions: &[Extension]) -> Result<Option<Vec<u8>>, CrlError> {
    let mut number = None;
    for ext in extensions {
        match ext.extn_id {
            ID_CE_DELTA_CRL_INDICATOR => return Err(CrlError::DeltaCrl),
            ID_CE_ISSUING_DISTRIBUTION_POINT => check_scope(ext.extn_value.as_bytes())?,
            ID_CE_CRL_NUMBER => number = Some(crl_number(ext.extn_value.as_bytes())?),
            ID_CE_AUTHORITY_KEY_IDENTIFIER => {}
            other if ext.critical => return Err(CrlError::UnsupportedCriticalExtension(other)),
            _ => {}
        }
    }
    Ok(number)
}

/// RFC 5280 §5.2.5: a CRL scoped to CA certificates, attribute certificates or some reasons, or
/// an indirect CRL, cannot prove that a card is not revoked.
fn check_scope(value: &[u8]) -> Result<(), CrlError> {
    let idp = IssuingDistributionPoint::from_der(value).map_err(malformed)?;
    let partial = idp.only_contains_ca_certs
        || idp.only_contains_attribute_certs
        || idp.only_some_reasons.is_some()
        || idp.indirect_crl;
    if partial {
        return Err(CrlError::PartialScope);
    }
    Ok(())
}

fn crl_number(value: &[u8]) -> Result<Vec<u8>, CrlError> {
    let number = IntRef::from_der(value).map_err(malformed)?;
    Ok(number.as_bytes().to_vec())
}

fn read_entry(entry: &RevokedRef<'_>) -> Result<RevokedEntry, CrlError> {
    let mut reason = None;
    for ext in entry.extensions.as_deref().unwrap_or_default() {
        match ext.extn_id {
            ID_CE_CRL_REASONS => reason = Some(reason_code(ext.extn_value.as_bytes())?),
            ID_CE_CERTIFICATE_ISSUER => return Err(CrlError::IndirectCrl),
            ID_CE_INVALIDITY_DATE => {}
            other if ext.critical => return Err(CrlError::UnsupportedCriticalExtension(other)),
            _ => {}
        }
    }
    Ok(RevokedEntry {
        serial: Serial::from_integer_bytes(entry.serial.as_bytes()),
        revoked_at: to_offset(entry.date)?,
        reason,
    })
}

fn reason_code(value: &[u8]) -> Result<RevocationReason, CrlError> {
    let any = AnyRef::from_der(value).map_err(malformed)?;
    enumerated_code(any).map(RevocationReason::from_code).map_err(malformed)
}

fn to_offset(time: Time) -> Result<OffsetDateTime, CrlError> {
    let seconds = i64::try_from(time.to_unix_duration().as_secs())
        .map_err(|_| CrlError::Malformed("time out of range".into()))?;
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|e| CrlError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_crl_indicator_is_refused() {
        let ext = Extension {
            extn_id: ID_CE_DELTA_CRL_INDICATOR,
            critical: true,
            extn_value: der::asn1::OctetString::new(vec![0x02, 0x01, 0x05]).unwrap(),
        };
        assert_eq!(check_crl_extensions(&[ext]), Err(CrlError::DeltaCrl));
    }

    #[test]
    fn unknown_critical_extension_is_refused_and_unknown_plain_one_ignored() {
        let oid = ObjectIdentifier::new_unwrap("1.2.3.4");
        let ext = |critical| Extension {
            extn_id: oid,
            critical,
            extn_value: der::asn1::OctetString::new(vec![0x05, 0x00]).unwrap(),
        };
        assert_eq!(check_crl_extensions(&[ext(false)]), Ok(None));
        assert_eq!(
            check_crl_extensions(&[ext(true)]),
            Err(CrlError::UnsupportedCriticalExtension(oid))
        );
    }

    #[test]
    fn crl_number_is_read() {
        let ext = Extension {
            extn_id: ID_CE_CRL_NUMBER,
            critical: false,
            extn_value: der::asn1::OctetString::new(vec![0x02, 0x02, 0x01, 0x00]).unwrap(),
        };
        assert_eq!(check_crl_extensions(&[ext]), Ok(Some(vec![0x01, 0x00])));
    }

    #[test]
    fn scope_limited_to_ca_certificates_is_refused() {
        // IssuingDistributionPoint { onlyContainsCACerts [2] TRUE }
        let value = [0x30, 0x03, 0x82, 0x01, 0xff];
        assert_eq!(check_scope(&value), Err(CrlError::PartialScope));
        assert_eq!(check_scope(&[0x30, 0x03, 0x81, 0x01, 0xff]), Ok(()));
    }
}
