//! The named cards every generated test PKI carries, one per case a server must handle.
//!
//! The holders are made up; their personal codes have valid check digits (pinned by the tests
//! below) and are not among the codes of the public SK test data.

use time::{Duration, OffsetDateTime};

use crate::card::{CardSpec, DnLayout, IssuingCa, LEGACY_O_MOBILE_ID};
use crate::{oids, KeyType};

/// Names of the demo cards, in the order they are generated and written.
///
/// - `valid`: ID-card authentication certificate (P-384, SK TEST ID-card policy + NCP+).
/// - `e-resident`: e-Residency digi-ID (RSA 2048, policy `…51361.1.2.4` + NCP+).
/// - `expired`: ID-card whose validity ended one day before generation.
/// - `signing`: the signing certificate of the `valid` holder (nonRepudiation, QCP-n-qscd).
/// - `mobile-id`: legacy Mobile-ID layout and policy, signed by the trusted CA.
/// - `wrong-issuer`: ID-card signed by the untrusted issuing CA.
/// - `revoked`: ID-card that looks valid; the test OCSP responder lists it as revoked.
pub const DEMO_CARDS: [&str; 7] =
    ["valid", "e-resident", "expired", "signing", "mobile-id", "wrong-issuer", "revoked"];

/// Password of the demo `.p12` files. Four digits, like a card's PIN1, and only for test keys.
pub const DEMO_P12_PASSWORD: &str = "1234";

/// OCSP URL written into the demo cards' authorityInfoAccess, where `eidgate demo` is to run its
/// test responder.
pub const DEMO_OCSP_URL: &str = "http://127.0.0.1:8089/ocsp";

/// How long before generation the `expired` card ran out.
const EXPIRED_AGO: Duration = Duration::days(1);

/// The spec of the demo card `name` for a PKI generated at `now`; `None` for an unknown name.
///
/// Tests can take one and change a detail to make a variant.
pub fn demo_card_spec(name: &str, now: OffsetDateTime) -> Option<CardSpec> {
    let aia = Some(DEMO_OCSP_URL.to_owned());
    let spec = match name {
        "valid" => CardSpec::authentication("MARI-LIIS", "MÄNNIK", "49103151230"),
        "e-resident" => CardSpec::authentication("SØREN", "ØSTERGÅRD", "38507224562")
            .key_type(KeyType::Rsa2048)
            .policies([oids::POLICY_TEST_E_RESIDENT_DIGI_ID, oids::POLICY_NCP_PLUS]),
        "expired" => CardSpec::authentication("TÕNIS", "KÄÄRIK", "37602142356")
            .validity(now - EXPIRED_AGO - Duration::days(5 * 365), now - EXPIRED_AGO),
        "signing" => CardSpec::signing("MARI-LIIS", "MÄNNIK", "49103151230"),
        // NCP+ is kept so that the Mobile-ID document policy is the only reason to refuse it.
        "mobile-id" => CardSpec::authentication("ÜLLAR", "ÕUN", "36901015671")
            .layout(DnLayout::LegacySk { organization: LEGACY_O_MOBILE_ID.to_owned() })
            .policies([oids::POLICY_LEGACY_MOBILE_ID, oids::POLICY_NCP_PLUS]),
        "wrong-issuer" => {
            CardSpec::authentication("PEETER", "PÄRN", "38205067899").issuer(IssuingCa::Untrusted)
        }
        "revoked" => CardSpec::authentication("ŽANNA", "ŠEVTŠENKO", "49511300129"),
        _ => return None,
    };
    Some(spec.ocsp_url(aia))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personal_code::has_valid_check_digit;

    #[test]
    fn every_demo_name_has_a_spec() {
        let now = OffsetDateTime::UNIX_EPOCH;
        for name in DEMO_CARDS {
            assert!(demo_card_spec(name, now).is_some(), "{name}");
        }
        assert!(demo_card_spec("unknown", now).is_none());
    }

    #[test]
    fn demo_personal_codes_have_valid_check_digits() {
        for code in [
            "49103151230",
            "38507224562",
            "37602142356",
            "36901015671",
            "38205067899",
            "49511300129",
        ] {
            assert!(has_valid_check_digit(code), "{code}");
        }
    }
}
