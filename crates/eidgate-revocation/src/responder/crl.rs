//! The test responder's CRL: a v2 CRL with a CRL number, signed by the CA.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use der::asn1::{BitString, Uint, UtcTime};
use der::Encode;
use time::OffsetDateTime;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::CrlNumber;
use x509_cert::ext::Extension;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;
use x509_cert::Version;

use super::answer::{crl_reason, encode_error, Keys};
use super::{Misbehaviour, ResponderError, Revocation};
use crate::cert::Serial;

/// The CRL last built, and when; rebuilt after a change or when half its validity has passed.
#[derive(Default)]
pub(crate) struct Published {
    current: Option<(OffsetDateTime, Arc<Vec<u8>>)>,
    number: u64,
}

impl Published {
    pub fn invalidate(&mut self) {
        self.current = None;
    }

    pub fn current(
        &mut self,
        keys: &Keys,
        revocations: &BTreeMap<Serial, Revocation>,
        misbehaviour: Misbehaviour,
        validity: Duration,
        now: OffsetDateTime,
    ) -> Arc<Vec<u8>> {
        if let Some((built, der)) = &self.current {
            if now < *built + validity / 2 && now >= *built {
                return Arc::clone(der);
            }
        }
        self.number += 1;
        let spec = Spec { number: self.number, validity, misbehaviour, now };
        // An unencodable CRL is served as an empty body, which clients refuse as malformed.
        let der = Arc::new(build(keys, revocations, &spec).unwrap_or_default());
        self.current = Some((now, Arc::clone(&der)));
        der
    }
}

struct Spec {
    number: u64,
    validity: Duration,
    misbehaviour: Misbehaviour,
    now: OffsetDateTime,
}

fn build(
    keys: &Keys,
    revocations: &BTreeMap<Serial, Revocation>,
    spec: &Spec,
) -> Result<Vec<u8>, ResponderError> {
    let (this_update, next_update) = match spec.misbehaviour {
        // Issued two validity periods ago, so that nextUpdate has passed by one.
        Misbehaviour::ExpiredCrl => (spec.now - spec.validity * 2, spec.now - spec.validity),
        _ => (spec.now, spec.now + spec.validity),
    };
    let entries =
        revocations.iter().map(|(serial, r)| entry(serial, r)).collect::<Result<Vec<_>, _>>()?;
    let tbs = TbsCertList {
        version: Version::V2,
        signature: keys.ca_key.algorithm(),
        issuer: keys.ca_name.clone(),
        this_update: utc_time(this_update)?,
        next_update: Some(utc_time(next_update)?),
        revoked_certificates: (!entries.is_empty()).then_some(entries),
        crl_extensions: Some(vec![crl_number(spec.number)?]),
    };

    let tbs_der = tbs.to_der().map_err(encode_error)?;
    let mut signature = keys.ca_key.sign(&tbs_der)?;
    if spec.misbehaviour == Misbehaviour::BadCrlSignature {
        if let Some(last) = signature.last_mut() {
            *last ^= 0x01;
        }
    }
    let list = CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: keys.ca_key.algorithm(),
        signature: BitString::from_bytes(&signature).map_err(encode_error)?,
    };
    list.to_der().map_err(encode_error)
}

fn entry(serial: &Serial, revocation: &Revocation) -> Result<RevokedCert, ResponderError> {
    let reason = revocation.reason.and_then(crl_reason);
    let extensions = reason
        .map(|code| {
            Ok::<_, der::Error>(Extension {
                extn_id: const_oid::db::rfc5912::ID_CE_CRL_REASONS,
                critical: false,
                extn_value: der::asn1::OctetString::new(code.to_der()?)?,
            })
        })
        .transpose()
        .map_err(encode_error)?;
    Ok(RevokedCert {
        serial_number: SerialNumber::new(serial.as_bytes()).map_err(encode_error)?,
        revocation_date: utc_time(revocation.at)?,
        crl_entry_extensions: extensions.map(|ext| vec![ext]),
    })
}

fn crl_number(number: u64) -> Result<Extension, ResponderError> {
    let value = CrlNumber(Uint::new(&number.to_be_bytes()).map_err(encode_error)?);
    Ok(Extension {
        extn_id: const_oid::db::rfc5912::ID_CE_CRL_NUMBER,
        critical: false,
        extn_value: der::asn1::OctetString::new(value.to_der().map_err(encode_error)?)
            .map_err(encode_error)?,
    })
}

/// UTCTime, as RFC 5280 §5.1.2.4 asks for dates before 2050.
fn utc_time(at: OffsetDateTime) -> Result<Time, ResponderError> {
    let unix = u64::try_from(at.unix_timestamp()).map_err(|_| encode_error("time before 1970"))?;
    UtcTime::from_unix_duration(Duration::from_secs(unix)).map(Time::UtcTime).map_err(encode_error)
}
