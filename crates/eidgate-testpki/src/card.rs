//! Test card certificates: the [`CardSpec`] builder that describes one, and the issued [`Card`].
//!
//! The defaults follow an ESTEID2018 authentication certificate (`eid-domain.md` §2): subject
//! `C, CN, SN, GN, serialNumber`, P-384 key, key usage digitalSignature + keyAgreement, critical
//! extKeyUsage clientAuth + emailProtection, the SK TEST ID-card policy with NCP+, and an
//! rfc822Name `<code>@eesti.ee`. Every part can be changed, so that tests can build the broken
//! variants a server must refuse.
//!
//! Known shortcomings: policies carry no CPS qualifier, there is no qcStatements extension, and
//! notAfter is not moved to the end of an Estonian day as real cards have it.

use rcgen::{
    CertificateParams, CrlDistributionPoint, CustomExtension, IsCa, KeyUsagePurpose, SanType,
    SerialNumber,
};
use time::{Duration, OffsetDateTime};

use crate::credential::{Authority, Credential, EncodedCert};
use crate::extensions;
use crate::oids;
use crate::subject::{self, Holder};
use crate::{KeyType, TestPkiError};

/// How long a card certificate is valid by default: five years, as ESTEID2018 cards are.
pub(crate) const CARD_LIFETIME: Duration = Duration::days(5 * 365);
/// How far before `now` a certificate's validity starts by default, so that a verifier whose
/// clock is a little behind still accepts it.
pub(crate) const BACKDATE: Duration = Duration::days(1);
/// Length of a generated serial number in octets; RFC 5280 §4.1.2.2 allows up to 20.
const SERIAL_LEN: usize = 16;

/// The order and content of the subject DN (`eid-domain.md` §2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnLayout {
    /// ESTEID2018 authentication certificates, 2018-2021 samples: `C, CN, SN, GN, serialNumber`
    /// with serialNumber `PNO<country>-<code>`.
    Esteid2018,
    /// ESTEID2018 test certificates issued 2019-05-02: `C, GN, SN, CN, serialNumber`.
    Esteid2018Alt,
    /// ESTEID-SK 2011/2015: `C, O, OU, CN, SN, GN, serialNumber` with the bare code as
    /// serialNumber; OU is `authentication` or `digital signature` after the purpose.
    LegacySk {
        /// O, e.g. [`LEGACY_O_ID_CARD`] or [`LEGACY_O_MOBILE_ID`].
        organization: String,
    },
}

/// O of a legacy ID-card certificate.
pub const LEGACY_O_ID_CARD: &str = "ESTEID";
/// O of a legacy Mobile-ID certificate.
pub const LEGACY_O_MOBILE_ID: &str = "ESTEID (MOBIIL-ID)";

/// What the card certificate is for, chosen by the [`CardSpec`] constructor; decides the default
/// key usage and the legacy OU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CardPurpose {
    /// Authentication: digitalSignature with keyAgreement (EC) or keyEncipherment (RSA).
    Authentication,
    /// Qualified signing: nonRepudiation only.
    Signing,
}

/// Which issuing CA signs a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IssuingCa {
    /// "EIDGATE TEST ESTEID", under the root the server trusts.
    #[default]
    Trusted,
    /// "EIDGATE UNTRUSTED TEST ESTEID", under a root the server does not trust.
    Untrusted,
}

/// The extKeyUsage extension of a card certificate; OIDs as dotted text (see [`crate::oids`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtendedKeyUsage {
    /// No extKeyUsage extension (as on signing certificates).
    Absent,
    /// A critical extension with these purposes (as on authentication certificates).
    Critical(Vec<String>),
    /// A non-critical extension with these purposes.
    NonCritical(Vec<String>),
}

/// Describes one card certificate; build it with [`CardSpec::authentication`] or
/// [`CardSpec::signing`] and change what the test needs. Issue it with
/// [`TestPki::issue_card`](crate::TestPki::issue_card).
#[derive(Debug, Clone)]
#[must_use]
pub struct CardSpec {
    holder: Holder,
    layout: DnLayout,
    purpose: CardPurpose,
    key_type: KeyType,
    validity: Option<(OffsetDateTime, OffsetDateTime)>,
    policies: Vec<String>,
    key_usages: Option<Vec<KeyUsagePurpose>>,
    extended_key_usage: ExtendedKeyUsage,
    email: Option<String>,
    ocsp_url: Option<String>,
    crl_url: Option<String>,
    issuer: IssuingCa,
    serial: Option<Vec<u8>>,
}

impl CardSpec {
    /// An ESTEID2018-style ID-card authentication certificate for a holder in country `EE`.
    ///
    /// Names are used as given (cards carry them upper case); `personal_code` is not checked, so
    /// a test can issue a card with a wrong check digit on purpose.
    pub fn authentication(given_name: &str, surname: &str, personal_code: &str) -> Self {
        Self {
            holder: Holder::new(given_name, surname, personal_code),
            layout: DnLayout::Esteid2018,
            purpose: CardPurpose::Authentication,
            key_type: KeyType::EcP384,
            validity: None,
            policies: strings([oids::POLICY_TEST_ID_CARD, oids::POLICY_NCP_PLUS]),
            key_usages: None,
            extended_key_usage: ExtendedKeyUsage::Critical(strings([
                oids::EKU_CLIENT_AUTH,
                oids::EKU_EMAIL_PROTECTION,
            ])),
            email: Some(format!("{personal_code}@eesti.ee")),
            ocsp_url: None,
            crl_url: None,
            issuer: IssuingCa::Trusted,
            serial: None,
        }
    }

    /// An ESTEID2018-style qualified signing certificate: nonRepudiation only, QCP-n-qscd, no
    /// extKeyUsage and no subjectAltName.
    pub fn signing(given_name: &str, surname: &str, personal_code: &str) -> Self {
        Self {
            purpose: CardPurpose::Signing,
            policies: strings([oids::POLICY_TEST_ID_CARD, oids::POLICY_QCP_N_QSCD]),
            extended_key_usage: ExtendedKeyUsage::Absent,
            email: None,
            ..Self::authentication(given_name, surname, personal_code)
        }
    }

    /// Country of the holder: the C attribute and the `PNO<country>-` serialNumber prefix.
    /// Default `EE`.
    pub fn country(mut self, country: &str) -> Self {
        self.holder.country = country.to_owned();
        self
    }

    /// Subject DN layout. Default [`DnLayout::Esteid2018`].
    pub fn layout(mut self, layout: DnLayout) -> Self {
        self.layout = layout;
        self
    }

    /// Key type. Default P-384.
    pub fn key_type(mut self, key_type: KeyType) -> Self {
        self.key_type = key_type;
        self
    }

    /// Validity window. Default: from one day before `now` to five years after it.
    pub fn validity(mut self, not_before: OffsetDateTime, not_after: OffsetDateTime) -> Self {
        self.validity = Some((not_before, not_after));
        self
    }

    /// Certificate policy OIDs in order; an empty list leaves the extension out. Default: SK TEST
    /// ID-card with NCP+ (authentication) or QCP-n-qscd (signing).
    pub fn policies<S: Into<String>>(mut self, policies: impl IntoIterator<Item = S>) -> Self {
        self.policies = policies.into_iter().map(Into::into).collect();
        self
    }

    /// Key usage bits; an empty list leaves the extension out. Default: digitalSignature with
    /// keyAgreement (EC) or keyEncipherment (RSA) for authentication, nonRepudiation only for
    /// signing.
    pub fn key_usages(mut self, usages: Vec<KeyUsagePurpose>) -> Self {
        self.key_usages = Some(usages);
        self
    }

    /// extKeyUsage. Default: critical clientAuth + emailProtection for authentication, absent
    /// for signing.
    pub fn extended_key_usage(mut self, eku: ExtendedKeyUsage) -> Self {
        self.extended_key_usage = eku;
        self
    }

    /// rfc822Name in subjectAltName, or `None` for no subjectAltName. Default
    /// `<code>@eesti.ee` for authentication, none for signing.
    pub fn email(mut self, email: Option<String>) -> Self {
        self.email = email;
        self
    }

    /// OCSP responder URL written in authorityInfoAccess. Default none.
    pub fn ocsp_url(mut self, url: Option<String>) -> Self {
        self.ocsp_url = url;
        self
    }

    /// CRL distribution point URL. Default none (as on ESTEID2018 cards issued from 2018-10).
    pub fn crl_url(mut self, url: Option<String>) -> Self {
        self.crl_url = url;
        self
    }

    /// Which issuing CA signs. Default [`IssuingCa::Trusted`].
    pub fn issuer(mut self, issuer: IssuingCa) -> Self {
        self.issuer = issuer;
        self
    }

    /// Serial number, big-endian (1 to 20 octets; a leading 0x80 bit makes DER add a zero
    /// octet). Default: 16 random octets.
    pub fn serial(mut self, serial: Vec<u8>) -> Self {
        self.serial = Some(serial);
        self
    }

    /// The CA that is to sign this card.
    pub fn issuing_ca(&self) -> IssuingCa {
        self.issuer
    }

    /// "GIVEN SURNAME", used as the PKCS#12 friendly name.
    pub fn holder_name(&self) -> String {
        self.holder.display_name()
    }

    /// Generates the key and has `ca` sign the certificate.
    pub(crate) fn issue(&self, ca: &Authority, now: OffsetDateTime) -> Result<Card, TestPkiError> {
        let key = self.key_type.generate()?;
        let cert = self
            .params(now)?
            .signed_by(&key, ca.issuer())
            .map_err(TestPkiError::rcgen("sign a card certificate"))?;
        let credential = Credential::new(EncodedCert::from_rcgen(&cert)?, key);
        Ok(Card::new(self.holder_name(), credential))
    }

    /// The rcgen parameters of the certificate, with the defaults that depend on `now` filled.
    fn params(&self, now: OffsetDateTime) -> Result<CertificateParams, TestPkiError> {
        let (not_before, not_after) =
            self.validity.unwrap_or((now - BACKDATE, now + CARD_LIFETIME));
        let mut params = CertificateParams::default();
        params.not_before = not_before;
        params.not_after = not_after;
        params.serial_number = Some(serial_number(self.serial.as_deref())?);
        params.distinguished_name = subject::card_dn(&self.holder, &self.layout, self.purpose)?;

        // CA:FALSE is written explicitly, as on the eID leaves; rcgen adds the subject key
        // identifier with it.
        params.is_ca = IsCa::ExplicitNoCa;
        params.use_authority_key_identifier_extension = true;
        params.key_usages = self.key_usages.clone().unwrap_or_else(|| self.default_key_usages());
        params.subject_alt_names = self.subject_alt_names()?;
        params.crl_distribution_points =
            self.crl_url.as_deref().map(distribution_point).into_iter().collect();
        params.custom_extensions = self.custom_extensions()?;
        Ok(params)
    }

    fn default_key_usages(&self) -> Vec<KeyUsagePurpose> {
        match (self.purpose, self.key_type.is_elliptic_curve()) {
            (CardPurpose::Signing, _) => vec![KeyUsagePurpose::ContentCommitment],
            (CardPurpose::Authentication, true) => {
                vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyAgreement]
            }
            (CardPurpose::Authentication, false) => {
                vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment]
            }
        }
    }

    fn subject_alt_names(&self) -> Result<Vec<SanType>, TestPkiError> {
        let Some(email) = &self.email else {
            return Ok(Vec::new());
        };
        let name = email.as_str().try_into().map_err(|_| TestPkiError::BadText {
            field: "IA5String rfc822Name",
            value: email.clone(),
        })?;
        Ok(vec![SanType::Rfc822Name(name)])
    }

    fn custom_extensions(&self) -> Result<Vec<CustomExtension>, TestPkiError> {
        let mut extensions = Vec::new();
        if !self.policies.is_empty() {
            extensions.push(extensions::certificate_policies(&self.policies)?);
        }
        match &self.extended_key_usage {
            ExtendedKeyUsage::Absent => {}
            ExtendedKeyUsage::Critical(purposes) => {
                extensions.push(extensions::extended_key_usage(purposes, true)?);
            }
            ExtendedKeyUsage::NonCritical(purposes) => {
                extensions.push(extensions::extended_key_usage(purposes, false)?);
            }
        }
        if let Some(url) = &self.ocsp_url {
            extensions.push(extensions::ocsp_access(url)?);
        }
        Ok(extensions)
    }
}

/// An issued card: the certificate with its private key, and the holder's name.
#[derive(Debug)]
pub struct Card {
    holder_name: String,
    credential: Credential,
}

impl Card {
    pub(crate) fn new(holder_name: String, credential: Credential) -> Self {
        Self { holder_name, credential }
    }

    /// "GIVEN SURNAME" of the holder, e.g. `MARI-LIIS MÄNNIK`.
    pub fn holder_name(&self) -> &str {
        &self.holder_name
    }

    /// The card certificate and its private key.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// The certificate and key as a PKCS#12 file protected by `password`, with the holder's
    /// name as friendly name (see [`crate::pkcs12::encode`]).
    pub fn pkcs12(&self, password: &str) -> Result<Vec<u8>, TestPkiError> {
        let credential = &self.credential;
        crate::pkcs12::encode(
            credential.cert_der(),
            credential.key_pkcs8_der(),
            &self.holder_name,
            password,
        )
    }
}

/// A serial number as given, or 16 random octets that are positive and keep their length.
pub(crate) fn serial_number(given: Option<&[u8]>) -> Result<SerialNumber, TestPkiError> {
    if let Some(bytes) = given {
        if bytes.is_empty() || bytes.len() > 20 {
            return Err(TestPkiError::BadSerial { len: bytes.len() });
        }
        return Ok(SerialNumber::from_slice(bytes));
    }
    let mut bytes = [0u8; SERIAL_LEN];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| TestPkiError::Crypto { action: "draw a random serial number" })?;
    // Clear the sign bit and set the next one: positive, and no leading zero octet to drop.
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::from_slice(&bytes))
}

fn distribution_point(url: &str) -> CrlDistributionPoint {
    CrlDistributionPoint { uris: vec![url.to_owned()] }
}

fn strings<const N: usize>(items: [&str; N]) -> Vec<String> {
    items.into_iter().map(str::to_owned).collect()
}
