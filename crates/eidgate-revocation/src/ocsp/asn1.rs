//! The response side of RFC 6960 §4.2.1, decoded so that the signed bytes stay as received.
//!
//! x509-ocsp's types re-encode `tbsResponseData` and insist on whole-second GeneralizedTime.
//! Both matter here: the signature must be checked over the exact bytes the responder signed,
//! and some responders write fractional seconds (`20240401140957.993822Z`). So the
//! BasicOCSPResponse is split by hand and ResponseData is read into borrowing structures with a
//! lenient time type.

use der::asn1::{AnyRef, BitStringRef, IntRef, OctetStringRef};
use der::oid::ObjectIdentifier;
use der::{
    Decode, DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence, SliceReader, Tag,
    TagNumber, Tagged, Writer,
};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use x509_cert::ext::Extension;
use x509_cert::spki::AlgorithmIdentifierRef;

/// Most certificates a BasicOCSPResponse may carry. Real responders send one (the delegated
/// responder) or two (responder and its CA); eight leaves room while bounding the work an
/// answer can cause.
pub(crate) const MAX_RESPONSE_CERTS: usize = 8;

/// BasicOCSPResponse split into its parts; `tbs` is the ResponseData TLV exactly as received.
pub(crate) struct BasicResponseParts<'a> {
    pub tbs: &'a [u8],
    pub signature_algorithm: ObjectIdentifier,
    pub signature: BitStringRef<'a>,
    pub certs: Vec<&'a [u8]>,
}

/// Splits a BasicOCSPResponse without re-encoding any part of it.
pub(crate) fn split_basic(der: &[u8]) -> der::Result<BasicResponseParts<'_>> {
    let mut reader = SliceReader::new(der)?;
    let parts = reader.sequence(|seq| {
        let tbs = seq.tlv_bytes()?;
        let algorithm = AlgorithmIdentifierRef::decode(seq)?;
        let signature = BitStringRef::decode(seq)?;
        let certs = read_certs(seq)?;
        Ok(BasicResponseParts { tbs, signature_algorithm: algorithm.oid, signature, certs })
    })?;
    reader.finish(parts)
}

/// `certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL`, each certificate as raw TLV bytes.
fn read_certs<'a, R: Reader<'a>>(seq: &mut R) -> der::Result<Vec<&'a [u8]>> {
    if seq.is_finished() {
        return Ok(Vec::new());
    }
    let header = Header::decode(seq)?;
    header.tag.assert_eq(Tag::ContextSpecific { constructed: true, number: TagNumber::N0 })?;
    seq.read_nested(header.length, |explicit| {
        explicit.sequence(|list| {
            let mut certs = Vec::new();
            while !list.is_finished() {
                if certs.len() == MAX_RESPONSE_CERTS {
                    return Err(Tag::Sequence.length_error());
                }
                certs.push(list.tlv_bytes()?);
            }
            Ok(certs)
        })
    })
}

/// ResponseData, RFC 6960 §4.2.1.
#[derive(Sequence)]
pub(crate) struct ResponseDataRef<'a> {
    #[asn1(context_specific = "0", default = "Default::default", tag_mode = "EXPLICIT")]
    pub version: x509_ocsp::Version,
    /// `[1] Name` or `[2] KeyHash`, kept whole; see [`ResponderIdRef::read`].
    pub responder_id: AnyRef<'a>,
    pub produced_at: OcspTime,
    pub responses: Vec<SingleResponseRef<'a>>,
    #[asn1(context_specific = "1", optional = "true", tag_mode = "EXPLICIT")]
    pub extensions: Option<Vec<Extension>>,
}

/// SingleResponse, RFC 6960 §4.2.1.
#[derive(Sequence)]
pub(crate) struct SingleResponseRef<'a> {
    pub cert_id: CertIdRef<'a>,
    /// CertStatus CHOICE, kept whole; see [`StatusRef::read`].
    pub cert_status: AnyRef<'a>,
    pub this_update: OcspTime,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    pub next_update: Option<OcspTime>,
    #[asn1(context_specific = "1", optional = "true", tag_mode = "EXPLICIT")]
    pub extensions: Option<Vec<Extension>>,
}

/// CertID, RFC 6960 §4.1.1.
#[derive(Sequence)]
pub(crate) struct CertIdRef<'a> {
    pub hash_algorithm: AlgorithmIdentifierRef<'a>,
    pub issuer_name_hash: OctetStringRef<'a>,
    pub issuer_key_hash: OctetStringRef<'a>,
    pub serial_number: IntRef<'a>,
}

/// ResponderID, RFC 6960 §4.2.1.
pub(crate) enum ResponderIdRef<'a> {
    /// The DER of the responder's subject Name.
    ByName(&'a [u8]),
    /// SHA-1 of the responder's subjectPublicKey bits.
    ByKey(&'a [u8]),
}

impl<'a> ResponderIdRef<'a> {
    pub fn read(any: AnyRef<'a>) -> der::Result<Self> {
        let value = any.value();
        match any.tag() {
            Tag::ContextSpecific { constructed: true, number: TagNumber::N1 } => {
                let mut reader = SliceReader::new(value)?;
                let name = reader.tlv_bytes()?;
                reader.finish(ResponderIdRef::ByName(name))
            }
            Tag::ContextSpecific { constructed: true, number: TagNumber::N2 } => {
                let hash = OctetStringRef::from_der(value)?;
                Ok(ResponderIdRef::ByKey(hash.as_bytes()))
            }
            other => Err(other.unexpected_error(None)),
        }
    }
}

/// CertStatus, RFC 6960 §4.2.1, with the revocation reason as its numeric code.
pub(crate) enum StatusRef {
    Good,
    Revoked { time: OffsetDateTime, reason: Option<u8> },
    Unknown,
}

impl StatusRef {
    pub fn read(any: AnyRef<'_>) -> der::Result<Self> {
        match any.tag() {
            Tag::ContextSpecific { constructed: false, number: TagNumber::N0 } => {
                empty(any).map(|()| StatusRef::Good)
            }
            Tag::ContextSpecific { constructed: false, number: TagNumber::N2 } => {
                empty(any).map(|()| StatusRef::Unknown)
            }
            Tag::ContextSpecific { constructed: true, number: TagNumber::N1 } => {
                read_revoked_info(any.value())
            }
            other => Err(other.unexpected_error(None)),
        }
    }
}

fn empty(any: AnyRef<'_>) -> der::Result<()> {
    if any.value().is_empty() {
        return Ok(());
    }
    Err(any.tag().length_error())
}

/// `RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT
/// CRLReason OPTIONAL }`, given the contents of the IMPLICIT `[1]`.
fn read_revoked_info(contents: &[u8]) -> der::Result<StatusRef> {
    let mut reader = SliceReader::new(contents)?;
    let time = OcspTime::decode(&mut reader)?;
    let reason =
        der::asn1::ContextSpecific::<AnyRef<'_>>::decode_explicit(&mut reader, TagNumber::N0)?;
    let reason = reason.map(|field| enumerated_code(field.value)).transpose()?;
    reader.finish(StatusRef::Revoked { time: time.0, reason })
}

/// The value of a small ENUMERATED (CRLReason codes fit one byte).
pub(crate) fn enumerated_code(any: AnyRef<'_>) -> der::Result<u8> {
    any.tag().assert_eq(Tag::Enumerated)?;
    match any.value() {
        [code] if *code < 0x80 => Ok(*code),
        _ => Err(Tag::Enumerated.value_error()),
    }
}

/// GeneralizedTime as responders write it: `YYYYMMDDHHMMSS[.fraction]Z`, always UTC.
///
/// The fraction is accepted and dropped; RFC 6960 does not forbid it and real responders send
/// it. Forms with a time-zone offset or without seconds are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OcspTime(pub OffsetDateTime);

impl FixedTag for OcspTime {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl<'a> DecodeValue<'a> for OcspTime {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let bytes = reader.read_slice(header.length)?;
        parse_generalized_time(bytes).map(OcspTime).ok_or_else(|| Self::TAG.value_error())
    }
}

impl EncodeValue for OcspTime {
    fn value_len(&self) -> der::Result<Length> {
        Ok(Length::new(15))
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        let t = self.0;
        if !(0..=9999).contains(&t.year()) {
            return Err(Self::TAG.value_error());
        }
        let text = format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
        writer.write(text.as_bytes())
    }
}

fn parse_generalized_time(bytes: &[u8]) -> Option<OffsetDateTime> {
    let (whole, rest) = bytes.split_at_checked(14)?;
    let fraction = match rest {
        [b'Z'] => &[][..],
        [b'.', digits @ .., b'Z'] if !digits.is_empty() => digits,
        _ => return None,
    };
    if !whole.iter().chain(fraction).all(u8::is_ascii_digit) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u16> {
        whole.get(range)?.iter().try_fold(0u16, |acc, d| Some(acc * 10 + u16::from(d - b'0')))
    };
    let month = Month::try_from(u8::try_from(num(4..6)?).ok()?).ok()?;
    let date =
        Date::from_calendar_date(i32::from(num(0..4)?), month, u8::try_from(num(6..8)?).ok()?)
            .ok()?;
    let hms = |r| num(r).and_then(|v| u8::try_from(v).ok());
    let time = Time::from_hms(hms(8..10)?, hms(10..12)?, hms(12..14)?).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn whole_and_fractional_seconds_are_read() {
        let whole = parse_generalized_time(b"20210917182524Z");
        assert_eq!(whole, Some(datetime!(2021-09-17 18:25:24 UTC)));
        let fractional = parse_generalized_time(b"20240401140957.993822Z");
        assert_eq!(fractional, Some(datetime!(2024-04-01 14:09:57 UTC)));
    }

    #[test]
    fn offsets_missing_zone_and_bad_dates_are_refused() {
        for text in [&b"20210917182524+0200"[..], b"20210917182524", b"20211317182524Z", b"2021Z"] {
            assert_eq!(parse_generalized_time(text), None, "{}", String::from_utf8_lossy(text));
        }
        assert_eq!(parse_generalized_time(b"20210917182524.Z"), None);
    }

    #[test]
    fn time_encodes_as_whole_seconds() {
        let time = OcspTime(datetime!(2021-09-17 18:25:24.5 UTC));
        let der = der::Encode::to_der(&time).unwrap();
        assert_eq!(&der[2..], b"20210917182524Z");
        assert_eq!(OcspTime::from_der(&der).unwrap(), OcspTime(datetime!(2021-09-17 18:25:24 UTC)));
    }
}
