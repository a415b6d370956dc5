//! Object identifiers used by the test cards, as dotted text.
//!
//! The values come from the eID profile described in `eid-domain.md` §2.2 and §2.3: SK TEST
//! document policies sit under `1.3.6.1.4.1.51361.1.2` (production uses `.1.1`), and the ETSI
//! policies NCP+ and QCP-n-qscd mark an authentication and a signing certificate.

/// Estonian citizen ID-card, SK TEST arc of the ESTEID2018 generation.
pub const POLICY_TEST_ID_CARD: &str = "1.3.6.1.4.1.51361.1.2.1";
/// Digi-ID (resident), SK TEST arc of the ESTEID2018 generation.
pub const POLICY_TEST_DIGI_ID: &str = "1.3.6.1.4.1.51361.1.2.3";
/// e-Residency digi-ID, SK TEST arc of the ESTEID2018 generation.
pub const POLICY_TEST_E_RESIDENT_DIGI_ID: &str = "1.3.6.1.4.1.51361.1.2.4";
/// Legacy (ESTEID-SK 2015) Mobile-ID; a server expecting a card must refuse it.
pub const POLICY_LEGACY_MOBILE_ID: &str = "1.3.6.1.4.1.10015.1.3";
/// ETSI EN 319 411-1 NCP+: present on authentication certificates.
pub const POLICY_NCP_PLUS: &str = "0.4.0.2042.1.2";
/// ETSI EN 319 411-2 QCP-n-qscd: present on qualified signing certificates.
pub const POLICY_QCP_N_QSCD: &str = "0.4.0.194112.1.2";
/// anyPolicy (RFC 5280 §4.2.1.4), as the CA certificates carry.
pub const POLICY_ANY: &str = "2.5.29.32.0";

/// id-kp-serverAuth.
pub const EKU_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
/// id-kp-clientAuth.
pub const EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
/// id-kp-emailProtection.
pub const EKU_EMAIL_PROTECTION: &str = "1.3.6.1.5.5.7.3.4";
/// id-kp-OCSPSigning.
pub const EKU_OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";

/// Subject attribute surname (2.5.4.4).
pub(crate) const ATTR_SURNAME: &[u64] = &[2, 5, 4, 4];
/// Subject attribute serialNumber (2.5.4.5).
pub(crate) const ATTR_SERIAL_NUMBER: &[u64] = &[2, 5, 4, 5];
/// Subject attribute givenName (2.5.4.42).
pub(crate) const ATTR_GIVEN_NAME: &[u64] = &[2, 5, 4, 42];
/// Subject attribute organizationIdentifier (2.5.4.97).
pub(crate) const ATTR_ORGANIZATION_IDENTIFIER: &[u64] = &[2, 5, 4, 97];

/// certificatePolicies extension (RFC 5280 §4.2.1.4).
pub(crate) const EXT_CERTIFICATE_POLICIES: &[u64] = &[2, 5, 29, 32];
/// extKeyUsage extension (RFC 5280 §4.2.1.12).
pub(crate) const EXT_EXTENDED_KEY_USAGE: &[u64] = &[2, 5, 29, 37];
/// authorityInfoAccess extension (RFC 5280 §4.2.2.1).
pub(crate) const EXT_AUTHORITY_INFO_ACCESS: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 1];
/// id-pkix-ocsp-nocheck extension (RFC 6960 §4.2.2.2.1).
pub(crate) const EXT_OCSP_NOCHECK: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 48, 1, 5];
/// id-ad-ocsp access method (RFC 5280 §4.2.2.1).
pub(crate) const AD_OCSP: &str = "1.3.6.1.5.5.7.48.1";
