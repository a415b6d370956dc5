//! Subject distinguished names in the attribute orders of the eID certificates
//! (`eid-domain.md` §1.1 notes and §2.1).
//!
//! rcgen writes the attributes in the order they are pushed, one per RDN. Country and
//! serialNumber are PrintableString (X.520 allows nothing else for them); names are UTF8String.

use rcgen::string::PrintableString;
use rcgen::{DistinguishedName, DnType, DnValue};
use x509_parser::oid_registry::{Oid, OID_X509_GIVEN_NAME, OID_X509_SURNAME};
use x509_parser::x509::X509Name;

use crate::card::{CardPurpose, DnLayout};
use crate::oids;
use crate::TestPkiError;

/// The person a card is issued to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Holder {
    pub(crate) given_name: String,
    pub(crate) surname: String,
    pub(crate) personal_code: String,
    pub(crate) country: String,
}

impl Holder {
    pub(crate) fn new(given_name: &str, surname: &str, personal_code: &str) -> Self {
        Self {
            given_name: given_name.to_owned(),
            surname: surname.to_owned(),
            personal_code: personal_code.to_owned(),
            country: "EE".to_owned(),
        }
    }

    /// "GIVEN SURNAME".
    pub(crate) fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.surname)
    }

    /// CN of the eID certificates: `SURNAME,GIVEN,CODE`.
    fn common_name(&self) -> String {
        format!("{},{},{}", self.surname, self.given_name, self.personal_code)
    }
}

/// The subject of a card certificate.
pub(crate) fn card_dn(
    holder: &Holder,
    layout: &DnLayout,
    purpose: CardPurpose,
) -> Result<DistinguishedName, TestPkiError> {
    let country = printable(&holder.country, "PrintableString countryName")?;
    let common_name = DnValue::from(holder.common_name());
    let surname =
        (DnType::CustomDnType(oids::ATTR_SURNAME.to_vec()), holder.surname.clone().into());
    let given_name =
        (DnType::CustomDnType(oids::ATTR_GIVEN_NAME.to_vec()), holder.given_name.clone().into());
    let serial_type = DnType::CustomDnType(oids::ATTR_SERIAL_NUMBER.to_vec());

    let attributes = match layout {
        DnLayout::Esteid2018 | DnLayout::Esteid2018Alt => {
            // ETSI EN 319 412-1 §5.1.3 semantics identifier: PNO, country, hyphen, code.
            let identifier = format!("PNO{}-{}", holder.country, holder.personal_code);
            let serial = (serial_type, printable(&identifier, "PrintableString serialNumber")?);
            let cn = (DnType::CommonName, common_name);
            let c = (DnType::CountryName, country);
            if *layout == DnLayout::Esteid2018 {
                vec![c, cn, surname, given_name, serial]
            } else {
                vec![c, given_name, surname, cn, serial]
            }
        }
        DnLayout::LegacySk { organization } => {
            let serial = printable(&holder.personal_code, "PrintableString serialNumber")?;
            vec![
                (DnType::CountryName, country),
                (DnType::OrganizationName, organization.clone().into()),
                (DnType::OrganizationalUnitName, legacy_unit(purpose).into()),
                (DnType::CommonName, common_name),
                surname,
                given_name,
                (serial_type, serial),
            ]
        }
    };
    Ok(from_attributes(attributes))
}

/// The subject of a CA certificate in the SK order `C, O, organizationIdentifier, CN`, which
/// RFC 4514 text prints as `CN=…,organizationIdentifier=…,O=…,C=EE`.
pub(crate) fn ca_dn(
    common_name: &str,
    organization: &str,
    organization_identifier: &str,
) -> Result<DistinguishedName, TestPkiError> {
    Ok(from_attributes(vec![
        (DnType::CountryName, printable("EE", "PrintableString countryName")?),
        (DnType::OrganizationName, organization.into()),
        (
            DnType::CustomDnType(oids::ATTR_ORGANIZATION_IDENTIFIER.to_vec()),
            organization_identifier.into(),
        ),
        (DnType::CommonName, common_name.into()),
    ]))
}

/// "GIVEN SURNAME" read back from a card certificate; `None` when either attribute is missing.
pub(crate) fn holder_name_of(cert_der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).ok()?;
    let given = first_text(cert.subject(), &OID_X509_GIVEN_NAME)?;
    let surname = first_text(cert.subject(), &OID_X509_SURNAME)?;
    Some(format!("{given} {surname}"))
}

fn first_text<'a>(name: &'a X509Name<'a>, oid: &Oid<'a>) -> Option<&'a str> {
    name.iter_by_oid(oid).next()?.as_str().ok()
}

fn legacy_unit(purpose: CardPurpose) -> &'static str {
    match purpose {
        CardPurpose::Authentication => "authentication",
        CardPurpose::Signing => "digital signature",
    }
}

fn printable(value: &str, field: &'static str) -> Result<DnValue, TestPkiError> {
    let text = PrintableString::try_from(value)
        .map_err(|_| TestPkiError::BadText { field, value: value.to_owned() })?;
    Ok(DnValue::PrintableString(text))
}

fn from_attributes(attributes: Vec<(DnType, DnValue)>) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for (kind, value) in attributes {
        dn.push(kind, value);
    }
    dn
}
