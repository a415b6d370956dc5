//! Certificate extensions that rcgen does not write the way the eID profile needs, encoded here
//! with the `der` crate and handed to rcgen as custom extensions.
//!
//! rcgen 0.14 has no certificatePolicies and no authorityInfoAccess support, and it always marks
//! extKeyUsage non-critical, while ESTEID2018 authentication certificates carry it critical.

use der::asn1::{Ia5String, Null, ObjectIdentifier};
use der::{Encode, Sequence};
use rcgen::CustomExtension;

use crate::oids;
use crate::TestPkiError;

/// Parses a dotted OID given as text.
pub(crate) fn parse_oid(text: &str) -> Result<ObjectIdentifier, TestPkiError> {
    ObjectIdentifier::new(text).map_err(|_| TestPkiError::BadOid { oid: text.to_owned() })
}

/// certificatePolicies (RFC 5280 §4.2.1.4) with one PolicyInformation per OID, in the given
/// order and without qualifiers; non-critical, as on the eID certificates.
pub(crate) fn certificate_policies(policies: &[String]) -> Result<CustomExtension, TestPkiError> {
    let infos = policies
        .iter()
        .map(|oid| Ok(PolicyInformation { policy_identifier: parse_oid(oid)? }))
        .collect::<Result<Vec<_>, TestPkiError>>()?;
    let value = infos.to_der().map_err(TestPkiError::der("certificatePolicies extension"))?;
    Ok(CustomExtension::from_oid_content(oids::EXT_CERTIFICATE_POLICIES, value))
}

/// extKeyUsage (RFC 5280 §4.2.1.12) listing `purposes` in order, critical when asked.
pub(crate) fn extended_key_usage(
    purposes: &[String],
    critical: bool,
) -> Result<CustomExtension, TestPkiError> {
    let oids = purposes.iter().map(|oid| parse_oid(oid)).collect::<Result<Vec<_>, _>>()?;
    let value = oids.to_der().map_err(TestPkiError::der("extKeyUsage extension"))?;
    let mut extension = CustomExtension::from_oid_content(oids::EXT_EXTENDED_KEY_USAGE, value);
    extension.set_criticality(critical);
    Ok(extension)
}

/// authorityInfoAccess (RFC 5280 §4.2.2.1) with one id-ad-ocsp URI; non-critical.
pub(crate) fn ocsp_access(url: &str) -> Result<CustomExtension, TestPkiError> {
    let location = Ia5String::new(url).map_err(|_| TestPkiError::BadText {
        field: "IA5String OCSP URL",
        value: url.to_owned(),
    })?;
    let access = vec![AccessDescription { access_method: parse_oid(oids::AD_OCSP)?, location }];
    let value = access.to_der().map_err(TestPkiError::der("authorityInfoAccess extension"))?;
    Ok(CustomExtension::from_oid_content(oids::EXT_AUTHORITY_INFO_ACCESS, value))
}

/// id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): the value is NULL; non-critical.
pub(crate) fn ocsp_nocheck() -> Result<CustomExtension, TestPkiError> {
    let value = Null.to_der().map_err(TestPkiError::der("ocsp-nocheck extension"))?;
    Ok(CustomExtension::from_oid_content(oids::EXT_OCSP_NOCHECK, value))
}

/// PolicyInformation without policyQualifiers.
#[derive(Sequence)]
struct PolicyInformation {
    policy_identifier: ObjectIdentifier,
}

/// AccessDescription whose accessLocation is a uniformResourceIdentifier, `[6] IMPLICIT`.
#[derive(Sequence)]
struct AccessDescription {
    access_method: ObjectIdentifier,
    #[asn1(context_specific = "6", tag_mode = "IMPLICIT")]
    location: Ia5String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_encode_as_a_sequence_of_policy_information() {
        let ext = certificate_policies(&["0.4.0.2042.1.2".to_owned()]).unwrap();
        // SEQUENCE { SEQUENCE { OID 0.4.0.2042.1.2 } }
        let expected = [0x30, 0x0a, 0x30, 0x08, 0x06, 0x06, 0x04, 0x00, 0x8f, 0x7a, 0x01, 0x02];
        assert_eq!(ext.content(), expected);
        assert!(!ext.criticality());
    }

    #[test]
    fn extended_key_usage_can_be_critical() {
        let ext = extended_key_usage(&[oids::EKU_CLIENT_AUTH.to_owned()], true).unwrap();
        assert!(ext.criticality());
        let expected = [0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
        assert_eq!(ext.content(), expected);
    }

    #[test]
    fn ocsp_url_is_an_implicitly_tagged_uri() {
        let ext = ocsp_access("http://x").unwrap();
        let content = ext.content();
        let uri = [0x86, 0x08, b'h', b't', b't', b'p', b':', b'/', b'/', b'x'];
        assert!(content.ends_with(&uri), "{content:02x?}");
    }

    #[test]
    fn text_that_is_no_oid_is_refused() {
        let err = certificate_policies(&["1.3.six".to_owned()]).unwrap_err();
        assert!(matches!(err, TestPkiError::BadOid { oid } if oid == "1.3.six"));
    }
}
