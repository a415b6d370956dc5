//! The CA certificates of the test PKI, the TLS server certificate and OCSP responder
//! certificates, modelled on TEST of EE-GovCA2018 and TEST of ESTEID2018 (`eid-domain.md` §1).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyUsagePurpose, SanType,
};
use time::{Duration, OffsetDateTime};

use crate::card::{serial_number, BACKDATE, CARD_LIFETIME};
use crate::credential::{Authority, Credential, EncodedCert};
use crate::{extensions, oids, subject, KeyType, TestPkiError};

/// Lifetime of the CA certificates: fifteen years, as EE-GovCA2018 and ESTEID2018 have.
const CA_LIFETIME: Duration = Duration::days(15 * 365);
/// Lifetime of the TLS server certificate: under the 825 days Apple clients accept for any TLS
/// server certificate, private CAs included, so the demo opens in Safari too.
const SERVER_LIFETIME: Duration = Duration::days(800);

/// One CA of the hierarchy.
pub(crate) struct CaProfile {
    common_name: &'static str,
    organization: &'static str,
    organization_identifier: &'static str,
    /// pathLenConstraint: 1 for a root over issuing CAs, 0 for an issuing CA.
    path_len: u8,
    key_type: KeyType,
    /// extKeyUsage (critical) as the SK CAs carry it; empty for none.
    purposes: &'static [&'static str],
    key_usages: &'static [KeyUsagePurpose],
}

/// EKU of EE-GovCA2018, copied onto the test root.
const ROOT_PURPOSES: &[&str] = &[
    oids::EKU_OCSP_SIGNING,
    oids::EKU_CLIENT_AUTH,
    oids::EKU_EMAIL_PROTECTION,
    oids::EKU_SERVER_AUTH,
];
/// EKU of ESTEID2018, copied onto the issuing CA; OCSPSigning lets it sign OCSP answers itself.
const ISSUING_PURPOSES: &[&str] =
    &[oids::EKU_OCSP_SIGNING, oids::EKU_CLIENT_AUTH, oids::EKU_EMAIL_PROTECTION];
const ROOT_USAGES: &[KeyUsagePurpose] = &[KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
/// digitalSignature too, so that the issuing CA can sign OCSP answers without a delegate.
const ISSUING_USAGES: &[KeyUsagePurpose] =
    &[KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];

const TEST_ORGANIZATION: &str = "EIDGATE TEST PKI";
const TEST_ORGANIZATION_ID: &str = "NTREE-00000000";
const UNTRUSTED_ORGANIZATION: &str = "EIDGATE UNTRUSTED TEST PKI";
const UNTRUSTED_ORGANIZATION_ID: &str = "NTREE-99999999";

/// Trusted root, P-521 / ecdsa-with-SHA512 like TEST of EE-GovCA2018.
pub(crate) const ROOT: CaProfile = CaProfile {
    common_name: "EIDGATE TEST EE-GovCA",
    organization: TEST_ORGANIZATION,
    organization_identifier: TEST_ORGANIZATION_ID,
    path_len: 1,
    key_type: KeyType::EcP521,
    purposes: ROOT_PURPOSES,
    key_usages: ROOT_USAGES,
};

/// Trusted issuing CA, P-521 / ecdsa-with-SHA512 like TEST of ESTEID2018.
pub(crate) const ISSUING: CaProfile = CaProfile {
    common_name: "EIDGATE TEST ESTEID",
    path_len: 0,
    purposes: ISSUING_PURPOSES,
    key_usages: ISSUING_USAGES,
    ..ROOT
};

/// A root the server does not trust, otherwise shaped like [`ROOT`].
pub(crate) const UNTRUSTED_ROOT: CaProfile = CaProfile {
    common_name: "EIDGATE UNTRUSTED TEST EE-GovCA",
    organization: UNTRUSTED_ORGANIZATION,
    organization_identifier: UNTRUSTED_ORGANIZATION_ID,
    ..ROOT
};

/// The issuing CA under [`UNTRUSTED_ROOT`].
pub(crate) const UNTRUSTED_ISSUING: CaProfile = CaProfile {
    common_name: "EIDGATE UNTRUSTED TEST ESTEID",
    organization: UNTRUSTED_ORGANIZATION,
    organization_identifier: UNTRUSTED_ORGANIZATION_ID,
    ..ISSUING
};

/// The CA of the TLS server certificate: separate from the eID hierarchy, as in real life.
pub(crate) const SERVER_CA: CaProfile = CaProfile {
    common_name: "EIDGATE TEST SERVER CA",
    path_len: 0,
    key_type: KeyType::EcP256,
    purposes: &[],
    key_usages: ROOT_USAGES,
    ..ROOT
};

/// A self-signed root.
pub(crate) fn root(profile: &CaProfile, now: OffsetDateTime) -> Result<Authority, TestPkiError> {
    let key = profile.key_type.generate()?;
    let cert = ca_params(profile, now)?
        .self_signed(&key)
        .map_err(TestPkiError::rcgen("self-sign a root certificate"))?;
    Authority::new(EncodedCert::from_rcgen(&cert)?, key)
}

/// A CA signed by `parent`.
pub(crate) fn subordinate(
    profile: &CaProfile,
    parent: &Authority,
    now: OffsetDateTime,
) -> Result<Authority, TestPkiError> {
    let key = profile.key_type.generate()?;
    let mut params = ca_params(profile, now)?;
    params.use_authority_key_identifier_extension = true;
    let cert = params
        .signed_by(&key, parent.issuer())
        .map_err(TestPkiError::rcgen("sign an issuing CA certificate"))?;
    Authority::new(EncodedCert::from_rcgen(&cert)?, key)
}

/// The TLS server certificate for `localhost`, `127.0.0.1` and `::1` (P-256, serverAuth).
pub(crate) fn server(ca: &Authority, now: OffsetDateTime) -> Result<Credential, TestPkiError> {
    let mut params = leaf_params(now, now + SERVER_LIFETIME)?;
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, "localhost");
    params.subject_alt_names = vec![
        SanType::DnsName("localhost".try_into().map_err(TestPkiError::rcgen("name localhost"))?),
        SanType::IpAddress([127, 0, 0, 1].into()),
        SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()),
    ];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    sign_leaf(params, KeyType::EcP256, ca, "sign the server certificate")
}

/// A delegated OCSP responder certificate (RFC 6960 §4.2.2.2) issued by `ca`: critical
/// digitalSignature key usage, critical extKeyUsage OCSPSigning, and id-pkix-ocsp-nocheck, like
/// the SK demo AIA responder.
pub(crate) fn ocsp_responder(
    ca: &Authority,
    profile: &CaProfile,
    now: OffsetDateTime,
) -> Result<Credential, TestPkiError> {
    let mut params = leaf_params(now, now + CARD_LIFETIME)?;
    let common_name = format!("{} OCSP RESPONDER", profile.common_name);
    params.distinguished_name =
        subject::ca_dn(&common_name, profile.organization, profile.organization_identifier)?;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.custom_extensions = vec![
        extensions::extended_key_usage(&[oids::EKU_OCSP_SIGNING.to_owned()], true)?,
        extensions::ocsp_nocheck()?,
    ];
    sign_leaf(params, KeyType::EcP384, ca, "sign an OCSP responder certificate")
}

fn ca_params(profile: &CaProfile, now: OffsetDateTime) -> Result<CertificateParams, TestPkiError> {
    let mut params = CertificateParams::default();
    params.not_before = now - BACKDATE;
    params.not_after = now + CA_LIFETIME;
    params.serial_number = Some(serial_number(None)?);
    params.distinguished_name =
        subject::ca_dn(profile.common_name, profile.organization, profile.organization_identifier)?;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(profile.path_len));
    params.key_usages = profile.key_usages.to_vec();
    params.custom_extensions = vec![extensions::certificate_policies(&[oids::POLICY_ANY.into()])?];
    if !profile.purposes.is_empty() {
        let purposes: Vec<String> = profile.purposes.iter().map(|p| (*p).to_owned()).collect();
        params.custom_extensions.push(extensions::extended_key_usage(&purposes, true)?);
    }
    Ok(params)
}

/// Parameters shared by the server and responder certificates.
fn leaf_params(
    now: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<CertificateParams, TestPkiError> {
    let mut params = CertificateParams::default();
    params.not_before = now - BACKDATE;
    params.not_after = not_after;
    params.serial_number = Some(serial_number(None)?);
    params.is_ca = IsCa::ExplicitNoCa;
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}

fn sign_leaf(
    params: CertificateParams,
    key_type: KeyType,
    ca: &Authority,
    action: &'static str,
) -> Result<Credential, TestPkiError> {
    let key = key_type.generate()?;
    let cert = params.signed_by(&key, ca.issuer()).map_err(TestPkiError::rcgen(action))?;
    Ok(Credential::new(EncodedCert::from_rcgen(&cert)?, key))
}
