//! Whether a certificate is for authentication or for signing.
//!
//! Every Estonian eID document holds two certificates: one for logging in and one for qualified
//! signatures. Current ones say which by policy (eid-domain §2.3): NCP+ for authentication,
//! QCP-n-qscd for signing. Legacy ESTEID-SK ones say it in `OU=`.

use serde::Serialize;

/// What the certificate is for, from its policies (NCP+ marks authentication, QCP-n-qscd marks
/// signing) or, on legacy cards, from `OU=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificateRole {
    Authentication,
    Signing,
    Unknown,
}

/// ETSI EN 319 411-1 NCP+: the policy of the authentication certificates.
pub const NCP_PLUS: &str = "0.4.0.2042.1.2";
/// ETSI EN 319 411-2 QCP-n-qscd: qualified certificate for a natural person, key on a QSCD;
/// the policy of the signing certificates.
pub const QCP_N_QSCD: &str = "0.4.0.194112.1.2";

/// The legacy `OU=` of authentication certificates.
const LEGACY_AUTHENTICATION_UNIT: &str = "authentication";
/// The legacy `OU=` of signing certificates.
const LEGACY_SIGNING_UNIT: &str = "digital signature";

impl CertificateRole {
    /// The role the policies and the legacy `OU=` give together.
    ///
    /// Signing wins when both kinds of marker are present (say NCP+ and QCP-n-qscd, or NCP+ and
    /// `OU=digital signature`): a certificate that claims to be a qualified signing certificate
    /// must never pass as an authentication one, and "signing" tells the operator why it was
    /// refused better than "unknown" would. No marker at all gives [`CertificateRole::Unknown`].
    pub(super) fn from_markers<'p>(
        mut policies: impl Iterator<Item = &'p str> + Clone,
        organizational_unit: Option<&str>,
    ) -> Self {
        let unit =
            |expected: &str| organizational_unit.is_some_and(|u| u.eq_ignore_ascii_case(expected));
        let signing = policies.clone().any(|p| p == QCP_N_QSCD) || unit(LEGACY_SIGNING_UNIT);
        let authentication = policies.any(|p| p == NCP_PLUS) || unit(LEGACY_AUTHENTICATION_UNIT);

        match (signing, authentication) {
            (true, _) => CertificateRole::Signing,
            (false, true) => CertificateRole::Authentication,
            (false, false) => CertificateRole::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_certs::TestCert;
    use super::super::Identity;
    use super::*;

    fn role(policies: &[&str], unit: Option<&str>) -> CertificateRole {
        CertificateRole::from_markers(policies.iter().copied(), unit)
    }

    fn role_of(cert: &TestCert) -> CertificateRole {
        Identity::from_der(&cert.der()).expect("test certificate reads").role
    }

    #[test]
    fn ncp_plus_marks_an_authentication_certificate() {
        let cert = TestCert::estonian_card(&["1.3.6.1.4.1.51361.1.1.1", NCP_PLUS]);
        assert_eq!(role_of(&cert), CertificateRole::Authentication);
    }

    #[test]
    fn qcp_n_qscd_marks_a_signing_certificate() {
        let cert = TestCert::estonian_card(&["1.3.6.1.4.1.51361.1.1.1", QCP_N_QSCD]);
        assert_eq!(role_of(&cert), CertificateRole::Signing);
    }

    #[test]
    fn legacy_organizational_unit_marks_the_role() {
        let auth =
            TestCert::legacy_card("ESTEID", "authentication", &["1.3.6.1.4.1.10015.1.1.3.3"]);
        assert_eq!(role_of(&auth), CertificateRole::Authentication);
        let sign = TestCert::legacy_card("ESTEID", "digital signature", &["1.3.6.1.4.1.10015.3.1"]);
        assert_eq!(role_of(&sign), CertificateRole::Signing);
    }

    #[test]
    fn signing_wins_over_authentication() {
        assert_eq!(role(&[NCP_PLUS, QCP_N_QSCD], None), CertificateRole::Signing);
        assert_eq!(role(&[NCP_PLUS], Some("digital signature")), CertificateRole::Signing);
        assert_eq!(role(&[QCP_N_QSCD], Some("authentication")), CertificateRole::Signing);
    }

    #[test]
    fn no_marker_is_unknown() {
        assert_eq!(
            role(&["1.3.6.1.4.1.51361.1.1.1", "0.4.0.2042.1.1"], Some("OCSP")),
            CertificateRole::Unknown
        );
        assert_eq!(role(&[], None), CertificateRole::Unknown);
    }
}
