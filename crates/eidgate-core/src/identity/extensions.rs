//! The certificate fields outside the subject name that the identity carries: policies,
//! e-mail addresses and the serial number.

use x509_parser::certificate::X509Certificate;
use x509_parser::error::X509Error;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::oid_registry::OID_X509_EXT_CERTIFICATE_POLICIES;

use super::{oid, IdentityError};

/// The certificate's policy OIDs in dotted form, in certificate order; empty without the
/// extension.
///
/// # Errors
///
/// [`IdentityError::DuplicateExtension`] when certificatePolicies appears twice (RFC 5280
/// §4.2 forbids it, and which copy counts would be a guess), [`IdentityError::InvalidExtension`]
/// when it does not parse. Both fail closed: the document kind comes from this list.
pub(super) fn policies(cert: &X509Certificate<'_>) -> Result<Vec<String>, IdentityError> {
    let extension = cert
        .get_extension_unique(&OID_X509_EXT_CERTIFICATE_POLICIES)
        .map_err(|e| extension_error("certificatePolicies", &e))?;
    let Some(extension) = extension else {
        return Ok(Vec::new());
    };

    match extension.parsed_extension() {
        ParsedExtension::CertificatePolicies(policies) => {
            policies.iter().map(|p| policy_oid(p.policy_id.as_bytes())).collect()
        }
        other => {
            let reason = other.error().map_or_else(|| "not understood".into(), |e| e.to_string());
            Err(IdentityError::InvalidExtension { extension: "certificatePolicies", reason })
        }
    }
}

fn policy_oid(content: &[u8]) -> Result<String, IdentityError> {
    oid::dotted(content).ok_or_else(|| IdentityError::InvalidExtension {
        extension: "certificatePolicies",
        reason: "a policy OID is not validly encoded".into(),
    })
}

/// The rfc822Name entries of the subject alternative name, in certificate order.
///
/// An entry with a control character is left out, like an undecodable subject attribute.
///
/// # Errors
///
/// As [`policies`], for the subjectAltName extension.
pub(super) fn emails(cert: &X509Certificate<'_>) -> Result<Vec<String>, IdentityError> {
    let names =
        cert.subject_alternative_name().map_err(|e| extension_error("subjectAltName", &e))?;
    let Some(names) = names else {
        return Ok(Vec::new());
    };

    let emails = names.value.general_names.iter().filter_map(|name| match name {
        GeneralName::RFC822Name(email) if !email.chars().any(char::is_control) => {
            Some((*email).to_owned())
        }
        _ => None,
    });
    Ok(emails.collect())
}

/// The serial number as upper-case hex without separators or leading zero bytes (`00` for
/// zero), as OpenSSL prints it and OCSP responses name it.
pub(super) fn serial_hex(raw: &[u8]) -> String {
    let significant: Vec<u8> = raw.iter().copied().skip_while(|&b| b == 0).collect();
    if significant.is_empty() {
        return "00".to_owned();
    }
    significant.iter().map(|b| format!("{b:02X}")).collect()
}

fn extension_error(extension: &'static str, error: &X509Error) -> IdentityError {
    match error {
        X509Error::DuplicateExtensions => IdentityError::DuplicateExtension { extension },
        other => IdentityError::InvalidExtension { extension, reason: other.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_certs::{patch, TestCert};
    use super::super::Identity;
    use super::*;

    #[test]
    fn serial_loses_its_sign_byte_and_keeps_inner_zeros() {
        let raw = [0x00, 0x96, 0x39, 0x38, 0x00, 0x01];
        assert_eq!(serial_hex(&raw), "9639380001");
        assert_eq!(serial_hex(&[0x01, 0x8D, 0x8E]), "018D8E");
        assert_eq!(serial_hex(&[0x00]), "00");
    }

    #[test]
    fn serial_of_a_certificate_is_upper_case_hex() {
        let serial = [
            0x63, 0x93, 0x86, 0xB2, 0x1C, 0x68, 0x3C, 0xC1, 0x60, 0xF9, 0x67, 0xDC, 0xD2, 0x01,
            0x44, 0x69,
        ];
        let cert = TestCert { serial: serial.to_vec(), ..TestCert::estonian_card(&[]) };
        let identity = Identity::from_der(&cert.der()).expect("reads");
        assert_eq!(identity.certificate_serial, "639386B21C683CC160F967DCD2014469");

        let high_bit = TestCert { serial: vec![0xD4, 0xDB, 0x77], ..TestCert::estonian_card(&[]) };
        let identity = Identity::from_der(&high_bit.der()).expect("reads");
        assert_eq!(identity.certificate_serial, "D4DB77");
    }

    #[test]
    fn emails_come_from_the_subject_alternative_name_in_order() {
        let cert = TestCert {
            emails: vec!["jaak-kristjan.joeorg@eesti.ee".into(), "38001085718@eesti.ee".into()],
            ..TestCert::estonian_card(&[])
        };
        let identity = Identity::from_der(&cert.der()).expect("reads");
        assert_eq!(identity.emails, ["jaak-kristjan.joeorg@eesti.ee", "38001085718@eesti.ee"]);
    }

    #[test]
    fn policies_are_dotted_and_in_certificate_order() {
        let cert = TestCert::estonian_card(&["0.4.0.2042.1.2", "1.3.6.1.4.1.51361.1.2.1"]);
        let identity = Identity::from_der(&cert.der()).expect("reads");
        assert_eq!(identity.policies, ["0.4.0.2042.1.2", "1.3.6.1.4.1.51361.1.2.1"]);
    }

    #[test]
    fn repeated_policies_extension_is_refused() {
        // Two extensions with distinct OIDs; the second one's OID is patched to
        // certificatePolicies (2.5.29.32) in the DER afterwards.
        let mut cert = TestCert::estonian_card(&["1.3.6.1.4.1.51361.1.2.1"]);
        cert.emails = vec!["a@b.ee".into()];
        let der = cert.der();
        // subjectAltName 2.5.29.17 (0x11) becomes 2.5.29.32 (0x20).
        let der = patch(der, &[0x06, 0x03, 0x55, 0x1D, 0x11], &[0x06, 0x03, 0x55, 0x1D, 0x20]);
        assert_eq!(
            Identity::from_der(&der),
            Err(IdentityError::DuplicateExtension { extension: "certificatePolicies" })
        );
    }

    #[test]
    fn unparsable_policies_extension_is_refused() {
        let mut cert = TestCert::estonian_card(&[]);
        cert.emails = vec!["a@b.ee".into()];
        // The subjectAltName's content (a SEQUENCE of [1] IA5String) is not a policy list.
        let der =
            patch(cert.der(), &[0x06, 0x03, 0x55, 0x1D, 0x11], &[0x06, 0x03, 0x55, 0x1D, 0x20]);
        assert!(matches!(
            Identity::from_der(&der),
            Err(IdentityError::InvalidExtension { extension: "certificatePolicies", .. })
        ));
    }
}
