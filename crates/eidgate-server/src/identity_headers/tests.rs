//! The header contract set from a real verification of a generated demo card.

use std::sync::OnceLock;

use http::header::{HeaderMap, HeaderName, HeaderValue};
use rustls_pki_types::UnixTime;
use time::format_description::well_known::Rfc3339;

use eidgate_core::{verify_card, AcceptancePolicy, Refusal, TrustStore, VerifiedCard};
use eidgate_testpki::TestPki;

use super::signature::signed_text;
use super::*;

const KEY: &[u8] = b"an example key of 32 bytes or so";

/// The demo `valid` card (MARI-LIIS MÄNNIK), verified once for all tests.
fn card() -> &'static VerifiedCard {
    static CARD: OnceLock<VerifiedCard> = OnceLock::new();
    CARD.get_or_init(|| {
        let now = time::OffsetDateTime::now_utc();
        let pki = TestPki::generate(now).expect("demo PKI");
        let trust_pem = pki.trust_bundle_pem();
        let trust = TrustStore::new(TrustStore::read_certificates(trust_pem.as_bytes()).unwrap());
        let der = pki.card("valid").expect("valid card").credential().cert_der().clone();
        let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            u64::try_from(now.unix_timestamp()).unwrap(),
        ));
        verify_card(&[der], &trust.unwrap(), &AcceptancePolicy::default(), at).expect("verified")
    })
}

fn nginx_names() -> NginxHeaderNames {
    NginxHeaderNames {
        s_dn: Some(HeaderName::from_static("x-client")),
        s_dn_legacy: Some(HeaderName::from_static("x-client-legacy")),
        verify: Some(HeaderName::from_static("x-client-verify")),
        escaped_cert: Some(HeaderName::from_static("x-client-cert")),
    }
}

fn value<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers.get(name).unwrap_or_else(|| panic!("{name} missing")).to_str().unwrap()
}

#[test]
fn forged_headers_of_the_namespace_and_nginx_names_are_removed() {
    let identity = IdentityHeaders::new(DEFAULT_PREFIX, nginx_names(), None);
    let mut headers = HeaderMap::new();
    for name in ["x-eid-given-name", "X_Eid_Surname", "x-client", "x_client_verify", "accept"] {
        headers.insert(HeaderName::try_from(name).unwrap(), HeaderValue::from_static("forged"));
    }
    let removed = identity.strip(&mut headers);
    let mut removed: Vec<&str> = removed.iter().map(HeaderName::as_str).collect();
    removed.sort_unstable();
    assert_eq!(removed, ["x-client", "x-eid-given-name", "x_client_verify", "x_eid_surname"]);
    assert_eq!(headers.keys().map(HeaderName::as_str).collect::<Vec<_>>(), ["accept"]);
}

#[test]
fn contract_values_are_percent_encoded_utf8() {
    let identity = IdentityHeaders::new(DEFAULT_PREFIX, NginxHeaderNames::default(), None);
    let mut headers = HeaderMap::new();
    identity.insert_verified(&mut headers, card(), 1_700_000_000);

    assert_eq!(value(&headers, "x-eid-given-name"), "MARI-LIIS");
    assert_eq!(value(&headers, "x-eid-surname"), "M%C3%84NNIK");
    assert_eq!(value(&headers, "x-eid-identifier"), "PNOEE-49103151230");
    assert_eq!(value(&headers, "x-eid-country"), "EE");
    assert_eq!(value(&headers, "x-eid-document"), "id-card");
    assert_eq!(value(&headers, "x-eid-certificate-serial"), card().identity().certificate_serial);
    let not_after = card().identity().not_after.format(&Rfc3339).unwrap();
    assert_eq!(value(&headers, "x-eid-not-after"), not_after.replace(':', "%3A"));
    assert!(not_after.ends_with('Z'), "{not_after}");
    assert!(value(&headers, "x-eid-issuer").starts_with("CN%3D"));
    assert!(value(&headers, "x-eid-certificate").starts_with("-----BEGIN%20CERTIFICATE-----%0A"));
    assert!(headers.get("x-eid-signature").is_none() && headers.get("x-client").is_none());
}

#[test]
fn signature_covers_every_contract_value_and_the_time() {
    let identity = IdentityHeaders::new(
        DEFAULT_PREFIX,
        NginxHeaderNames::default(),
        Some(IdentitySigner::new(KEY)),
    );
    let mut headers = HeaderMap::new();
    identity.insert_verified(&mut headers, card(), 1_700_000_000);
    assert_eq!(value(&headers, "x-eid-timestamp"), "1700000000");

    let fields: Vec<(&str, Option<&str>)> = SIGNED_FIELDS
        .iter()
        .map(|field| (*field, headers.get(format!("x-eid-{field}")).map(|v| v.to_str().unwrap())))
        .collect();
    assert!(fields.iter().all(|(_, v)| v.is_some()), "{fields:?}");
    let expected = IdentitySigner::new(KEY).sign(1_700_000_000, &fields);
    assert_eq!(value(&headers, "x-eid-signature"), expected);
    assert!(signed_text(1_700_000_000, &fields).contains("\nsurname:M%C3%84NNIK\n"));
}

#[test]
fn nginx_headers_carry_nginx_formats() {
    let identity = IdentityHeaders::new("X-Auth-", nginx_names(), None);
    let mut headers = HeaderMap::new();
    identity.insert_verified(&mut headers, card(), 0);

    assert_eq!(value(&headers, "x-client-verify"), "SUCCESS");
    assert!(value(&headers, "x-client").contains("SN=M\\C3\\84NNIK"));
    assert!(value(&headers, "x-client-legacy").contains("/SN=M\\xC3\\x84NNIK"));
    assert_eq!(value(&headers, "x-client-cert"), value(&headers, "x-auth-certificate"));
}

#[test]
fn refused_visitors_on_optional_routes_get_only_the_verify_header() {
    let identity = IdentityHeaders::new(DEFAULT_PREFIX, nginx_names(), None);
    let mut headers = HeaderMap::new();
    identity.insert_refused(&mut headers, &Refusal::NoCertificate);
    assert_eq!(headers.len(), 1);
    assert_eq!(value(&headers, "x-client-verify"), "NONE");
}
