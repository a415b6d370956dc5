//! Certificates for the identity reader's unit tests, generated with rcgen.
//!
//! The reader never checks signatures, so every certificate here is self-signed unless a test
//! names an issuer. The certificatePolicies extension is written by hand (rcgen has no builder
//! for it), which also lets a test put any OID there.

use rcgen::string::{BmpString, Ia5String, PrintableString};
use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue, Issuer, KeyPair,
    SanType, SerialNumber,
};
use time::macros::datetime;
use time::OffsetDateTime;

pub(super) const GIVEN_NAME: &[u64] = &[2, 5, 4, 42];
pub(super) const SURNAME: &[u64] = &[2, 5, 4, 4];
pub(super) const SERIAL_NUMBER: &[u64] = &[2, 5, 4, 5];
const CERTIFICATE_POLICIES: &[u64] = &[2, 5, 29, 32];

/// What a test certificate says; [`TestCert::der`] turns it into DER.
pub(super) struct TestCert {
    pub subject: Vec<(DnType, DnValue)>,
    pub issuer: Option<Vec<(DnType, DnValue)>>,
    pub policies: Vec<String>,
    pub emails: Vec<String>,
    pub serial: Vec<u8>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

impl Default for TestCert {
    fn default() -> Self {
        TestCert {
            subject: Vec::new(),
            issuer: None,
            policies: Vec::new(),
            emails: Vec::new(),
            serial: vec![0x01],
            not_before: datetime!(2021-07-22 12:43:08 UTC),
            not_after: datetime!(2026-07-09 21:59:59 UTC),
        }
    }
}

impl TestCert {
    /// A current-style Estonian card: `C, CN, SN, GN, serialNumber` with `PNOEE-`, carrying the
    /// given policies.
    pub fn estonian_card(policies: &[&str]) -> Self {
        TestCert {
            subject: vec![
                (DnType::CountryName, printable("EE")),
                (DnType::CommonName, utf8("JÕEORG,JAAK-KRISTJAN,38001085718")),
                (DnType::CustomDnType(SURNAME.to_vec()), utf8("JÕEORG")),
                (DnType::CustomDnType(GIVEN_NAME.to_vec()), utf8("JAAK-KRISTJAN")),
                (DnType::CustomDnType(SERIAL_NUMBER.to_vec()), printable("PNOEE-38001085718")),
            ],
            policies: policies.iter().map(|p| p.to_string()).collect(),
            ..TestCert::default()
        }
    }

    /// A legacy ESTEID-SK card: `C, O, OU, CN, SN, GN, serialNumber` with a bare code.
    pub fn legacy_card(organization: &str, unit: &str, policies: &[&str]) -> Self {
        TestCert {
            subject: vec![
                (DnType::CountryName, printable("EE")),
                (DnType::OrganizationName, utf8(organization)),
                (DnType::OrganizationalUnitName, utf8(unit)),
                (DnType::CommonName, utf8("MÄNNIK,MARI-LIIS,47101010033")),
                (DnType::CustomDnType(SURNAME.to_vec()), utf8("MÄNNIK")),
                (DnType::CustomDnType(GIVEN_NAME.to_vec()), utf8("MARI-LIIS")),
                (DnType::CustomDnType(SERIAL_NUMBER.to_vec()), printable("47101010033")),
            ],
            policies: policies.iter().map(|p| p.to_string()).collect(),
            ..TestCert::default()
        }
    }

    /// The certificate as DER, self-signed or signed by a throwaway issuer key.
    pub fn der(&self) -> Vec<u8> {
        let key = KeyPair::generate().expect("test key");
        let params = self.params();
        let certificate = match &self.issuer {
            None => params.self_signed(&key),
            Some(issuer_dn) => {
                let mut issuer_params = CertificateParams::default();
                issuer_params.distinguished_name = distinguished_name(issuer_dn);
                let issuer = Issuer::new(issuer_params, KeyPair::generate().expect("issuer key"));
                params.signed_by(&key, &issuer)
            }
        };
        certificate.expect("test certificate").der().to_vec()
    }

    fn params(&self) -> CertificateParams {
        let mut params = CertificateParams::default();
        params.distinguished_name = distinguished_name(&self.subject);
        params.serial_number = Some(SerialNumber::from_slice(&self.serial));
        params.not_before = self.not_before;
        params.not_after = self.not_after;
        params.subject_alt_names =
            self.emails.iter().map(|e| SanType::Rfc822Name(ia5(e))).collect();
        if !self.policies.is_empty() {
            let oids: Vec<&str> = self.policies.iter().map(String::as_str).collect();
            let content = certificate_policies_der(&oids);
            params
                .custom_extensions
                .push(CustomExtension::from_oid_content(CERTIFICATE_POLICIES, content));
        }
        params
    }
}

pub(super) fn utf8(text: &str) -> DnValue {
    DnValue::Utf8String(text.to_owned())
}

pub(super) fn printable(text: &str) -> DnValue {
    DnValue::PrintableString(PrintableString::try_from(text).expect("printable"))
}

pub(super) fn bmp(text: &str) -> DnValue {
    DnValue::BmpString(BmpString::try_from(text).expect("bmp"))
}

fn ia5(text: &str) -> Ia5String {
    Ia5String::try_from(text).expect("ia5")
}

fn distinguished_name(attributes: &[(DnType, DnValue)]) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    for (kind, value) in attributes {
        name.push(kind.clone(), value.clone());
    }
    name
}

/// `SEQUENCE OF PolicyInformation`, each with only its policyIdentifier.
pub(super) fn certificate_policies_der(oids: &[&str]) -> Vec<u8> {
    let infos: Vec<u8> =
        oids.iter().flat_map(|oid| tlv(0x30, &tlv(0x06, &oid_body(oid)))).collect();
    tlv(0x30, &infos)
}

fn oid_body(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().expect("numeric arc")).collect();
    let mut body = base128(arcs[0] * 40 + arcs[1]);
    for &arc in &arcs[2..] {
        body.extend(base128(arc));
    }
    body
}

fn base128(mut value: u64) -> Vec<u8> {
    let mut bytes = vec![(value & 0x7F) as u8];
    value >>= 7;
    while value > 0 {
        bytes.push((value & 0x7F) as u8 | 0x80);
        value >>= 7;
    }
    bytes.reverse();
    bytes
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let length = content.len();
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let octets: Vec<u8> = length.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
        out.push(0x80 | octets.len() as u8);
        out.extend(octets);
    }
    out.extend_from_slice(content);
    out
}

/// Replaces every occurrence of `from` in `der` by `to` (same length). The issuer of a
/// self-signed certificate repeats the subject, so a subject pattern is found twice.
///
/// # Panics
///
/// When `from` does not occur, so that a test cannot pass on an unpatched certificate.
pub(super) fn patch(mut der: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut at = 0;
    let mut patched = 0;
    while let Some(found) = der[at..].windows(from.len()).position(|w| w == from) {
        let start = at + found;
        der[start..start + to.len()].copy_from_slice(to);
        at = start + from.len();
        patched += 1;
    }
    assert!(patched > 0, "pattern not in DER");
    der
}

#[test]
fn policy_der_encodes_multi_byte_arcs() {
    // 51361 = 3 * 128^2 + 17 * 128 + 33, so base 128 gives 0x83 0x91 0x21.
    let der = certificate_policies_der(&["1.3.6.1.4.1.51361.1.1.1"]);
    let expected = [
        0x30, 0x0F, 0x30, 0x0D, 0x06, 0x0B, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x83, 0x91, 0x21, 0x01,
        0x01, 0x01,
    ];
    assert_eq!(der, expected);
}
