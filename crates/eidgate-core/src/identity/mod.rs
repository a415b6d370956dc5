//! Who a certificate names: the card holder's names, identifiers and document kind, read from
//! the certificate's DER (never from a printed DN string).
//!
//! The reader describes; it does not judge. A certificate of an unknown document, a bad personal
//! code or a foreign country still gives an [`Identity`]; whether it is acceptable is the
//! decision module's answer. Only a certificate that cannot be read at all, or whose policies or
//! alternative names are ambiguous, gives an [`IdentityError`].

mod dn;
mod document;
mod extensions;
mod oid;
mod personal_code;
mod rfc4514;
mod role;
mod semantics;
#[cfg(test)]
mod test_certs;
mod text;

use serde::Serialize;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;

pub use document::{
    document_policy_for, DocumentKind, DocumentPolicy, Generation, Hierarchy, PolicyScope,
    DOCUMENT_POLICIES,
};
pub use oid::dotted_oid;
pub use personal_code::{PersonalCode, PersonalCodeError, Sex};
pub use rfc4514::MAX_RENDERED_NAME_BYTES;
pub use role::{CertificateRole, NCP_PLUS, QCP_N_QSCD};
pub use semantics::SemanticsIdentifier;

use dn::SubjectAttributes;

/// What a certificate says about its holder.
///
/// Built only by [`Identity::from_der`] (or from an already parsed certificate); it carries no
/// judgement about trust. Whether the certificate is acceptable is the decision module's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Identity {
    /// Given names (GN, 2.5.4.42) as the certificate writes them, upper case on Estonian cards.
    pub given_name: Option<String>,
    /// Surname (SN, 2.5.4.4).
    pub surname: Option<String>,
    pub common_name: Option<String>,
    /// The subject's serialNumber attribute as it stands in the certificate.
    pub subject_serial_number: Option<String>,
    /// The ETSI EN 319 412-1 semantics identifier, normalised (legacy bare 11-digit Estonian
    /// codes become `PNOEE-<code>`).
    pub identifier: Option<SemanticsIdentifier>,
    /// The subject's country attribute (C).
    pub country: Option<String>,
    /// Present when the identifier is an Estonian personal code (PNOEE) with a valid checksum.
    pub personal_code: Option<PersonalCode>,
    /// The document, from the policy table [`DOCUMENT_POLICIES`]: a Mobile-ID policy anywhere
    /// wins, otherwise the first known document policy. On legacy ESTEID-SK certificates a
    /// known `O=` value decides the kind (an e-resident digi-ID carries the digi-ID policy and
    /// `O=ESTEID (DIGI-ID E-RESIDENT)`); Mobile-ID by policy or `O=` still wins.
    pub document: DocumentKind,
    /// The CA generation of the deciding policy ([`Generation::Unknown`] without one;
    /// [`Generation::LegacySk`] when only a legacy `O=` named the document).
    pub generation: Generation,
    /// Production or test, from the deciding policy's arc ([`Hierarchy::Unknown`] without one).
    pub hierarchy: Hierarchy,
    /// Authentication or signing, from NCP+ / QCP-n-qscd or the legacy `OU=`; signing wins
    /// when both are marked.
    pub role: CertificateRole,
    /// The subject's O= (legacy cards name their document there).
    pub organization: Option<String>,
    /// The subject's OU= (legacy cards name their role there).
    pub organizational_unit: Option<String>,
    /// rfc822Name entries of the subject alternative name.
    pub emails: Vec<String>,
    /// Subject DN in RFC 4514 form with UTF-8 values, for display and logs.
    pub subject: String,
    /// Issuer DN in RFC 4514 form with UTF-8 values, for display and logs.
    pub issuer: String,
    pub issuer_common_name: Option<String>,
    /// Certificate serial number, upper-case hex without separators.
    pub certificate_serial: String,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// Certificate policy OIDs in dotted form, in certificate order.
    pub policies: Vec<String>,
}

/// Why a certificate could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    #[error("not a DER X.509 certificate: {0}")]
    Malformed(String),
    /// An extension the identity is read from appears more than once (RFC 5280 §4.2).
    #[error("the {extension} extension appears more than once")]
    DuplicateExtension { extension: &'static str },
    /// An extension the identity is read from does not parse.
    #[error("the {extension} extension does not parse: {reason}")]
    InvalidExtension { extension: &'static str, reason: String },
}

impl Identity {
    /// Reads the identity from one DER certificate.
    ///
    /// # Errors
    ///
    /// [`IdentityError::Malformed`] when `der` is not exactly one X.509 certificate (bytes after
    /// it are refused too), otherwise as [`Identity::from_certificate`].
    pub fn from_der(der: &[u8]) -> Result<Self, IdentityError> {
        let (rest, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|e| IdentityError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(IdentityError::Malformed(format!(
                "{} bytes after the certificate",
                rest.len()
            )));
        }
        Self::from_certificate(&cert)
    }

    /// Reads the identity from a parsed certificate.
    ///
    /// Names come from GN and SN; when both are missing and the common name has the Estonian
    /// shape `SURNAME,GIVEN NAMES,CODE`, they are taken from the common name instead. An
    /// attribute that occurs more than once counts with its first occurrence. A personal code
    /// that fails its checks leaves [`Identity::personal_code`] empty; the rest is still read.
    ///
    /// # Errors
    ///
    /// [`IdentityError::DuplicateExtension`] or [`IdentityError::InvalidExtension`] when the
    /// certificatePolicies or subjectAltName extension is repeated or does not parse.
    pub fn from_certificate(cert: &X509Certificate<'_>) -> Result<Self, IdentityError> {
        let subject = SubjectAttributes::read(cert.subject());
        let issuer = SubjectAttributes::read(cert.issuer());
        let policies = extensions::policies(cert)?;
        let emails = extensions::emails(cert)?;

        let (given_name, surname) = names(&subject);
        let identifier = subject.serial_number.as_deref().and_then(|serial| {
            SemanticsIdentifier::from_subject(serial, subject.country.as_deref())
        });
        let personal_code = identifier
            .as_ref()
            .filter(|id| id.is_estonian_personal_number())
            .and_then(|id| PersonalCode::parse(&id.value).ok());

        let policy_strs = policies.iter().map(String::as_str);
        let class = document::classify(policy_strs.clone(), subject.organization.as_deref());
        let role =
            CertificateRole::from_markers(policy_strs, subject.organizational_unit.as_deref());

        let validity = cert.validity();
        Ok(Identity {
            given_name,
            surname,
            common_name: subject.common_name,
            subject_serial_number: subject.serial_number,
            identifier,
            country: subject.country,
            personal_code,
            document: class.document,
            generation: class.generation,
            hierarchy: class.hierarchy,
            role,
            organization: subject.organization,
            organizational_unit: subject.organizational_unit,
            emails,
            subject: rfc4514::render(cert.subject()),
            issuer: rfc4514::render(cert.issuer()),
            issuer_common_name: issuer.common_name,
            certificate_serial: extensions::serial_hex(cert.raw_serial()),
            not_before: validity.not_before.to_datetime(),
            not_after: validity.not_after.to_datetime(),
            policies,
        })
    }

    /// The holder's name for a page: given names and surname as the certificate writes them
    /// (`JAAK-KRISTJAN JÕEORG`), else whichever of the two is present, else the common name,
    /// else an empty string. Names keep the certificate's case.
    pub fn display_name(&self) -> String {
        match (&self.given_name, &self.surname) {
            (Some(given), Some(surname)) => format!("{given} {surname}"),
            (Some(one), None) | (None, Some(one)) => one.clone(),
            (None, None) => self.common_name.clone().unwrap_or_default(),
        }
    }

    /// The table row of the policy that decided [`Identity::document`], if any.
    ///
    /// A Mobile-ID policy anywhere in the certificate is that row; otherwise the first policy in
    /// certificate order that the table knows. On a legacy certificate the row's `document` can
    /// differ from [`Identity::document`], which also reads `O=` (an e-resident digi-ID carries
    /// the digi-ID policy). Use the row's `generation` to ask whether the certificate carries a
    /// document policy of the generation its issuing CA belongs to.
    pub fn document_policy(&self) -> Option<&'static DocumentPolicy> {
        document::deciding_policy(self.policies.iter().map(String::as_str))
    }

    /// The dotted OID of [`Identity::document_policy`].
    pub fn document_policy_oid(&self) -> Option<&'static str> {
        self.document_policy().map(|row| row.oid)
    }

    /// Every table row that one of the certificate's policies matches, in certificate order.
    pub fn document_policies(&self) -> impl Iterator<Item = &'static DocumentPolicy> + '_ {
        self.policies.iter().filter_map(|oid| document_policy_for(oid))
    }
}

/// Given names and surname from GN/SN, or from an Estonian common name when both are missing.
fn names(subject: &SubjectAttributes) -> (Option<String>, Option<String>) {
    if subject.given_name.is_some() || subject.surname.is_some() {
        return (subject.given_name.clone(), subject.surname.clone());
    }
    let parts = subject.common_name.as_deref().and_then(dn::estonian_common_name_parts);
    match parts {
        Some((surname, given)) => (Some(given.to_owned()), Some(surname.to_owned())),
        None => (None, None),
    }
}

#[cfg(test)]
mod tests {

    use rcgen::DnType;
    use time::macros::{date, datetime};

    use super::test_certs::{bmp, printable, utf8, TestCert, GIVEN_NAME, SERIAL_NUMBER, SURNAME};
    use super::*;

    fn read(cert: &TestCert) -> Identity {
        Identity::from_der(&cert.der()).expect("test certificate reads")
    }

    fn person(country: &str, cn: &str, surname: &str, given: &str, serial: &str) -> TestCert {
        TestCert {
            subject: vec![
                (DnType::CountryName, printable(country)),
                (DnType::CommonName, utf8(cn)),
                (DnType::CustomDnType(SURNAME.to_vec()), utf8(surname)),
                (DnType::CustomDnType(GIVEN_NAME.to_vec()), utf8(given)),
                (DnType::CustomDnType(SERIAL_NUMBER.to_vec()), printable(serial)),
            ],
            policies: vec![NCP_PLUS.into()],
            ..TestCert::default()
        }
    }

    #[test]
    fn current_estonian_card_reads_completely() {
        let cert = TestCert {
            emails: vec!["38001085718@eesti.ee".into()],
            serial: vec![0x39, 0x69, 0x01, 0x59],
            ..TestCert::estonian_card(&["1.3.6.1.4.1.51361.1.2.1", NCP_PLUS])
        };
        let identity = read(&cert);

        assert_eq!(identity.given_name.as_deref(), Some("JAAK-KRISTJAN"));
        assert_eq!(identity.surname.as_deref(), Some("JÕEORG"));
        assert_eq!(identity.common_name.as_deref(), Some("JÕEORG,JAAK-KRISTJAN,38001085718"));
        assert_eq!(identity.subject_serial_number.as_deref(), Some("PNOEE-38001085718"));
        assert_eq!(
            identity.identifier.as_ref().map(ToString::to_string).as_deref(),
            Some("PNOEE-38001085718")
        );
        assert_eq!(identity.country.as_deref(), Some("EE"));

        let code = identity.personal_code.as_ref().expect("valid personal code");
        assert_eq!(
            (code.code.as_str(), code.date_of_birth, code.sex),
            ("38001085718", date!(1980 - 01 - 08), Sex::Male)
        );

        assert_eq!(
            (identity.document, identity.generation, identity.hierarchy),
            (DocumentKind::IdCard, Generation::Esteid2018, Hierarchy::Test)
        );
        assert_eq!(identity.role, CertificateRole::Authentication);
        assert_eq!(identity.emails, ["38001085718@eesti.ee"]);
        assert_eq!(identity.certificate_serial, "39690159");
        assert_eq!(identity.not_before, datetime!(2021-07-22 12:43:08 UTC));
        assert_eq!(identity.not_after, datetime!(2026-07-09 21:59:59 UTC));
        assert_eq!(identity.policies, ["1.3.6.1.4.1.51361.1.2.1", NCP_PLUS]);
        assert_eq!(identity.display_name(), "JAAK-KRISTJAN JÕEORG");
    }

    #[test]
    fn subject_and_issuer_render_as_rfc4514_text() {
        let mut cert = TestCert::estonian_card(&[]);
        cert.issuer = Some(vec![
            (DnType::CountryName, printable("EE")),
            (DnType::OrganizationName, utf8("SK ID Solutions AS")),
            (DnType::CustomDnType(vec![2, 5, 4, 97]), utf8("NTREE-10747013")),
            (DnType::CommonName, utf8("TEST of ESTEID2018")),
        ]);
        let identity = read(&cert);

        assert_eq!(
            identity.subject,
            "serialNumber=PNOEE-38001085718,GN=JAAK-KRISTJAN,SN=JÕEORG,\
             CN=JÕEORG\\,JAAK-KRISTJAN\\,38001085718,C=EE"
        );
        assert_eq!(
            identity.issuer,
            "CN=TEST of ESTEID2018,organizationIdentifier=NTREE-10747013,O=SK ID Solutions AS,C=EE"
        );
        assert_eq!(identity.issuer_common_name.as_deref(), Some("TEST of ESTEID2018"));
    }

    #[test]
    fn legacy_card_with_a_bare_code_gets_a_pnoee_identifier() {
        let identity =
            read(&TestCert::legacy_card("ESTEID", "authentication", &["1.3.6.1.4.1.10015.1.1"]));

        assert_eq!(identity.subject_serial_number.as_deref(), Some("47101010033"));
        assert_eq!(
            identity.identifier.as_ref().map(ToString::to_string).as_deref(),
            Some("PNOEE-47101010033")
        );
        let code = identity.personal_code.as_ref().expect("valid personal code");
        assert_eq!((code.date_of_birth, code.sex), (date!(1971 - 01 - 01), Sex::Female));
        assert_eq!(
            (identity.document, identity.generation, identity.hierarchy),
            (DocumentKind::IdCard, Generation::LegacySk, Hierarchy::Production)
        );
        assert_eq!(identity.role, CertificateRole::Authentication);
        assert_eq!(identity.display_name(), "MARI-LIIS MÄNNIK");
    }

    #[test]
    fn both_attribute_orders_of_real_cards_read_the_same() {
        let first = TestCert::estonian_card(&["1.3.6.1.4.1.51361.1.2.1"]);
        let mut second = TestCert::estonian_card(&["1.3.6.1.4.1.51361.1.2.1"]);
        second.subject.swap(1, 3);

        let (a, b) = (read(&first), read(&second));
        assert_ne!(a.subject, b.subject);
        assert_eq!(
            Identity { subject: String::new(), issuer: String::new(), ..a },
            Identity { subject: String::new(), issuer: String::new(), ..b }
        );
    }

    #[test]
    fn bmp_string_names_read_with_their_letters() {
        let cert = TestCert {
            subject: vec![
                (DnType::CountryName, printable("EE")),
                (DnType::CustomDnType(SURNAME.to_vec()), bmp("ŠŽÕ-TÄHT")),
                (DnType::CustomDnType(GIVEN_NAME.to_vec()), bmp("ÕIE-ŽANNA")),
                (DnType::CustomDnType(SERIAL_NUMBER.to_vec()), bmp("PNOEE-48812040138")),
            ],
            ..TestCert::default()
        };
        let identity = read(&cert);
        assert_eq!(identity.display_name(), "ÕIE-ŽANNA ŠŽÕ-TÄHT");
        assert_eq!(identity.personal_code.map(|c| c.date_of_birth), Some(date!(1988 - 12 - 04)));
    }

    #[test]
    fn invalid_personal_code_leaves_only_the_code_out() {
        let identity = read(&person(
            "EE",
            "KÕVERSAR,MATI,38309140420",
            "KÕVERSAR",
            "MATI",
            "PNOEE-38309140420",
        ));
        assert_eq!(identity.identifier.as_ref().map(|i| i.value.as_str()), Some("38309140420"));
        assert_eq!(identity.personal_code, None);
        assert_eq!(identity.display_name(), "MATI KÕVERSAR");
    }

    #[test]
    fn latvian_card_gives_a_generic_identity() {
        let identity =
            read(&person("LV", "ANDRIS PARAUDZIŅŠ", "PARAUDZIŅŠ", "ANDRIS", "PNOLV-321922-33032"));
        let identifier = identity.identifier.as_ref().expect("identifier");
        assert_eq!(
            (identifier.kind.as_str(), identifier.country.as_str(), identifier.value.as_str()),
            ("PNO", "LV", "321922-33032")
        );
        assert_eq!(identity.personal_code, None);
        assert_eq!(identity.document, DocumentKind::Unknown);
        assert_eq!(identity.role, CertificateRole::Authentication);
    }

    #[test]
    fn finnish_and_belgian_bare_serials_give_no_identifier() {
        for (country, serial) in [("FI", "999020016"), ("FI", "99901112H"), ("BE", "01050399864")] {
            let identity = read(&person(country, "SPECIMEN", "SPECIMEN", "NORA", serial));
            assert_eq!(identity.identifier, None, "{country} {serial}");
            assert_eq!(identity.personal_code, None);
            assert_eq!(identity.subject_serial_number.as_deref(), Some(serial));
        }
    }

    #[test]
    fn names_come_from_an_estonian_common_name_when_gn_and_sn_are_missing() {
        let cert = TestCert {
            subject: vec![
                (DnType::CountryName, printable("EE")),
                (DnType::CommonName, utf8("TAMM,MARI,47101010033")),
            ],
            ..TestCert::default()
        };
        let identity = read(&cert);
        assert_eq!(
            (identity.given_name.as_deref(), identity.surname.as_deref()),
            (Some("MARI"), Some("TAMM"))
        );
    }

    #[test]
    fn display_name_falls_back_to_the_common_name() {
        let cert = TestCert {
            subject: vec![(DnType::CommonName, utf8("web-eid.eu"))],
            ..TestCert::default()
        };
        let identity = read(&cert);
        assert_eq!((identity.given_name.as_deref(), identity.surname.as_deref()), (None, None));
        assert_eq!(identity.display_name(), "web-eid.eu");
    }

    #[test]
    fn five_thousand_subject_attributes_still_give_the_identity() {
        let mut cert = TestCert::estonian_card(&[]);
        let filler = (0..5000u64)
            .map(|i| (DnType::CustomDnType(vec![1, 3, 6, 1, 4, 1, 99999, i]), utf8("x")));
        cert.subject.splice(1..1, filler);
        let der = cert.der();

        let identity = Identity::from_der(&der).expect("large certificate reads");
        assert_eq!(identity.display_name(), "JAAK-KRISTJAN JÕEORG");
        assert!(identity.subject.len() <= MAX_RENDERED_NAME_BYTES + 4);
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        let der = TestCert::estonian_card(&[]).der();
        let mut trailing = der.clone();
        trailing.push(0);
        for bytes in [
            &b""[..],
            b"\x30\x82\xff\xff",
            b"-----BEGIN CERTIFICATE-----",
            &der[..der.len() / 2],
            &trailing,
        ] {
            assert!(
                matches!(Identity::from_der(bytes), Err(IdentityError::Malformed(_))),
                "{} bytes",
                bytes.len()
            );
        }
    }

    #[test]
    fn serialises_with_kebab_case_kinds_and_rfc3339_times() {
        let identity = read(&TestCert::estonian_card(&["1.3.6.1.4.1.51361.1.1.4", NCP_PLUS]));
        let json = serde_json::to_value(&identity).expect("serialises");
        assert_eq!(json["document"], "e-resident-digi-id");
        assert_eq!(json["generation"], "esteid2018");
        assert_eq!(json["role"], "authentication");
        assert_eq!(json["not_after"], "2026-07-09T21:59:59Z");
        assert_eq!(json["personal_code"]["sex"], "male");
    }
}
