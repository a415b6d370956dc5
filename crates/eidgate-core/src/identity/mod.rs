//! Who a certificate names: the card holder's names, identifiers and document kind, read from
//! the certificate's DER (never from a printed DN string).

mod personal_code;

use serde::Serialize;
use time::OffsetDateTime;

pub use personal_code::{PersonalCode, PersonalCodeError, Sex};

/// What a certificate says about its holder.
///
/// Built only by [`Identity::from_der`] (or from an already parsed certificate); it carries no
/// judgement about trust. Whether the certificate is acceptable is the decision module's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Identity {
    pub given_name: Option<String>,
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
    pub document: DocumentKind,
    pub generation: Generation,
    pub hierarchy: Hierarchy,
    pub role: CertificateRole,
    /// rfc822Name entries of the subject alternative name.
    pub emails: Vec<String>,
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

/// `PNOEE-38001085718` split into its parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SemanticsIdentifier {
    /// Three letters: `PNO`, `PAS`, `IDC`, `TAX`, `TIN`, ...
    pub kind: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub value: String,
}

/// The kind of document the certificate belongs to, from the policy OIDs (or the legacy `O=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DocumentKind {
    IdCard,
    EuCitizenIdCard,
    DigiId,
    EResidentDigiId,
    LongTermResidencePermit,
    TemporaryResidencePermit,
    EuFamilyMemberResidenceCard,
    DiplomaticId,
    MobileId,
    /// Not an Estonian document, or one whose policy is not known.
    Unknown,
}

/// Which Estonian CA generation issued the certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Generation {
    /// ESTEID2025 (Zetes), document policies under `1.3.6.1.4.1.51361.2` / `51455.2`.
    Esteid2025,
    /// ESTEID2018 (SK), document policies under `1.3.6.1.4.1.51361.1` / `51455.1`.
    Esteid2018,
    /// ESTEID-SK 2011 / 2015, policies under `1.3.6.1.4.1.10015`.
    LegacySk,
    Unknown,
}

/// Production or test hierarchy, from the policy arc.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hierarchy {
    Production,
    Test,
    Unknown,
}

/// What the certificate is for, from its policies (NCP+ marks authentication, QCP-n-qscd marks
/// signing) or, on legacy cards, from `OU=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificateRole {
    Authentication,
    Signing,
    Unknown,
}

/// Why a certificate could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    #[error("not a DER X.509 certificate: {0}")]
    Malformed(String),
}

impl Identity {
    /// Reads the identity from one DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, IdentityError> {
        let (_, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|e| IdentityError::Malformed(e.to_string()))?;
        Self::from_certificate(&cert)
    }

    /// Reads the identity from a parsed certificate.
    pub fn from_certificate(
        cert: &x509_parser::certificate::X509Certificate<'_>,
    ) -> Result<Self, IdentityError> {
        let _ = cert;
        Err(IdentityError::Malformed("identity reader not written yet".into()))
    }
}
