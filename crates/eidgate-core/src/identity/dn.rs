//! The subject attributes an identity is built from, read from the DER name.
//!
//! Attributes are found by type, never by position: ESTEID2018 cards issued on different days
//! put them in different orders (`C, CN, SN, GN, serialNumber` and `C, GN, SN, CN,
//! serialNumber`, eid-domain §2.1). The name is walked once, so a subject with thousands of
//! attributes costs time in proportion to its size and nothing more.

use x509_parser::oid_registry::{
    OID_X509_COMMON_NAME, OID_X509_COUNTRY_NAME, OID_X509_GIVEN_NAME, OID_X509_ORGANIZATIONAL_UNIT,
    OID_X509_ORGANIZATION_NAME, OID_X509_SERIALNUMBER, OID_X509_SURNAME,
};
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

use super::text::attribute_text;

/// The subject attributes the identity needs, as text.
///
/// Each field holds the first attribute of its type in DER order; later ones of the same type
/// are ignored. If that first one cannot be decoded (see [`attribute_text`]) the field is
/// `None`: a later attribute is not taken in its place, so what is read never depends on a
/// value the reader skipped.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct SubjectAttributes {
    pub common_name: Option<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub serial_number: Option<String>,
    pub country: Option<String>,
    pub organization: Option<String>,
    pub organizational_unit: Option<String>,
}

impl SubjectAttributes {
    /// Reads the attributes in one pass over `name`.
    pub fn read(name: &X509Name<'_>) -> Self {
        let mut first = FirstOfEach::default();
        for attribute in name.iter_attributes() {
            if let Some(slot) = first.slot(attribute) {
                slot.get_or_insert(attribute);
            }
        }
        first.decode()
    }
}

/// The first attribute of each wanted type, still undecoded.
#[derive(Default)]
struct FirstOfEach<'n, 'a> {
    common_name: Option<&'n AttributeTypeAndValue<'a>>,
    given_name: Option<&'n AttributeTypeAndValue<'a>>,
    surname: Option<&'n AttributeTypeAndValue<'a>>,
    serial_number: Option<&'n AttributeTypeAndValue<'a>>,
    country: Option<&'n AttributeTypeAndValue<'a>>,
    organization: Option<&'n AttributeTypeAndValue<'a>>,
    organizational_unit: Option<&'n AttributeTypeAndValue<'a>>,
}

impl<'n, 'a> FirstOfEach<'n, 'a> {
    fn slot(
        &mut self,
        attribute: &AttributeTypeAndValue<'_>,
    ) -> Option<&mut Option<&'n AttributeTypeAndValue<'a>>> {
        let kind = attribute.attr_type();
        let slot = if *kind == OID_X509_COMMON_NAME {
            &mut self.common_name
        } else if *kind == OID_X509_GIVEN_NAME {
            &mut self.given_name
        } else if *kind == OID_X509_SURNAME {
            &mut self.surname
        } else if *kind == OID_X509_SERIALNUMBER {
            &mut self.serial_number
        } else if *kind == OID_X509_COUNTRY_NAME {
            &mut self.country
        } else if *kind == OID_X509_ORGANIZATION_NAME {
            &mut self.organization
        } else if *kind == OID_X509_ORGANIZATIONAL_UNIT {
            &mut self.organizational_unit
        } else {
            return None;
        };
        Some(slot)
    }

    fn decode(self) -> SubjectAttributes {
        let text = |attribute: Option<&AttributeTypeAndValue<'_>>| {
            attribute.and_then(|a| attribute_text(a.attr_value()))
        };
        SubjectAttributes {
            common_name: text(self.common_name),
            given_name: text(self.given_name),
            surname: text(self.surname),
            serial_number: text(self.serial_number),
            country: text(self.country),
            organization: text(self.organization),
            organizational_unit: text(self.organizational_unit),
        }
    }
}

/// Surname and given names from an Estonian card's common name, `SURNAME,GIVEN NAMES,CODE`.
///
/// Returns `None` unless the name has exactly three comma-separated parts, the first two
/// non-empty and the third eleven digits; anything else is some other kind of common name and
/// is not taken apart.
pub(super) fn estonian_common_name_parts(common_name: &str) -> Option<(&str, &str)> {
    let mut parts = common_name.split(',');
    let (surname, given_names, code) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || surname.is_empty() || given_names.is_empty() {
        return None;
    }
    let is_code = code.len() == 11 && code.bytes().all(|b| b.is_ascii_digit());
    is_code.then_some((surname, given_names))
}

#[cfg(test)]
mod tests {

    use rcgen::DnType;
    use x509_parser::parse_x509_certificate;

    use super::super::test_certs::{bmp, patch, printable, utf8, TestCert, GIVEN_NAME, SURNAME};
    use super::*;

    fn subject_of(cert: &TestCert) -> SubjectAttributes {
        let der = cert.der();
        let (_, parsed) = parse_x509_certificate(&der).expect("test certificate parses");
        SubjectAttributes::read(parsed.subject())
    }

    fn joeorg() -> SubjectAttributes {
        SubjectAttributes {
            common_name: Some("JÕEORG,JAAK-KRISTJAN,38001085718".into()),
            given_name: Some("JAAK-KRISTJAN".into()),
            surname: Some("JÕEORG".into()),
            serial_number: Some("PNOEE-38001085718".into()),
            country: Some("EE".into()),
            ..SubjectAttributes::default()
        }
    }

    #[test]
    fn reads_the_attributes_of_a_current_card() {
        assert_eq!(subject_of(&TestCert::estonian_card(&[])), joeorg());
    }

    #[test]
    fn attribute_order_of_the_2019_test_cards_gives_the_same_result() {
        let mut cert = TestCert::estonian_card(&[]);
        // C, CN, SN, GN, serialNumber becomes C, GN, SN, CN, serialNumber.
        cert.subject.swap(1, 3);
        assert_eq!(cert.subject[1].0, DnType::CustomDnType(GIVEN_NAME.to_vec()));
        assert_eq!(subject_of(&cert), joeorg());
    }

    #[test]
    fn bmp_string_names_keep_their_estonian_letters() {
        let cert = TestCert {
            subject: vec![
                (DnType::CountryName, printable("EE")),
                (DnType::CustomDnType(SURNAME.to_vec()), bmp("ŽAIKOVSKI-ÕUNAPUU")),
                (DnType::CustomDnType(GIVEN_NAME.to_vec()), bmp("ŠARLOTE")),
                (DnType::CommonName, bmp("ŽAIKOVSKI-ÕUNAPUU,ŠARLOTE,47101010033")),
            ],
            ..TestCert::default()
        };
        let subject = subject_of(&cert);
        assert_eq!(subject.surname.as_deref(), Some("ŽAIKOVSKI-ÕUNAPUU"));
        assert_eq!(subject.given_name.as_deref(), Some("ŠARLOTE"));
        assert_eq!(subject.common_name.as_deref(), Some("ŽAIKOVSKI-ÕUNAPUU,ŠARLOTE,47101010033"));
    }

    #[test]
    fn legacy_organization_and_unit_are_read() {
        let subject = subject_of(&TestCert::legacy_card("ESTEID", "authentication", &[]));
        assert_eq!(subject.organization.as_deref(), Some("ESTEID"));
        assert_eq!(subject.organizational_unit.as_deref(), Some("authentication"));
        assert_eq!(subject.serial_number.as_deref(), Some("47101010033"));
    }

    #[test]
    fn first_of_a_repeated_attribute_wins() {
        // rcgen keeps one attribute per type, so the second given name is written as initials
        // (2.5.4.43) and its type patched to givenName (2.5.4.42) in the DER afterwards.
        let mut cert = TestCert::estonian_card(&[]);
        cert.subject.push((DnType::CustomDnType(vec![2, 5, 4, 43]), utf8("MALLORY")));
        let der =
            patch(cert.der(), &[0x06, 0x03, 0x55, 0x04, 0x2B], &[0x06, 0x03, 0x55, 0x04, 0x2A]);

        let (_, parsed) = parse_x509_certificate(&der).expect("patched certificate parses");
        assert_eq!(parsed.subject().iter_by_oid(&OID_X509_GIVEN_NAME).count(), 2);
        assert_eq!(SubjectAttributes::read(parsed.subject()), joeorg());
    }

    #[test]
    fn five_thousand_attributes_do_not_hide_the_names() {
        let mut cert = TestCert::estonian_card(&[]);
        let filler = (0..5000u64)
            .map(|i| (DnType::CustomDnType(vec![1, 3, 6, 1, 4, 1, 99999, i]), utf8("x")));
        cert.subject.splice(1..1, filler);
        let der = cert.der();

        let (_, parsed) = parse_x509_certificate(&der).expect("large certificate parses");
        assert_eq!(SubjectAttributes::read(parsed.subject()), joeorg());
    }

    #[test]
    fn estonian_common_name_splits_into_surname_and_given_names() {
        let parts = estonian_common_name_parts("JÕEORG,JAAK-KRISTJAN,38001085718");
        assert_eq!(parts, Some(("JÕEORG", "JAAK-KRISTJAN")));
    }

    #[test]
    fn other_common_names_are_not_taken_apart() {
        for cn in [
            "ANDRIS PARAUDZIŅŠ",
            "Testijad.ee isikutuvastus",
            "A,B,C",
            ",JAAK,38001085718",
            "JÕEORG,,38001085718",
            "JÕEORG,JAAK,3800108571",
            "JÕEORG,JAAK,38001085718,X",
        ] {
            assert_eq!(estonian_common_name_parts(cn), None, "{cn}");
        }
    }
}
