//! Distinguished names as RFC 4514 strings with UTF-8 values, for pages and logs.
//!
//! The output follows RFC 4514 §2: the last RDN first, RDNs joined by `,` and the attributes of
//! a multi-valued RDN by `+`, special characters escaped with a backslash, and a value that is
//! not a known string type written as `#` and the hex of its DER. Unlike nginx's
//! `$ssl_client_s_dn`, non-ASCII letters stay as UTF-8 (`JÕEORG`, not `J\C3\95EORG`).
//!
//! The text is for people, never for a comparison that grants access: compare names by their
//! DER bytes.

use std::fmt::Write;

use x509_parser::der_parser::asn1_rs::ToDer;
use x509_parser::x509::{AttributeTypeAndValue, RelativeDistinguishedName, X509Name};

use super::oid;
use super::text::attribute_text;

/// Longest rendered name, in bytes, before the rest is cut off and `,...` appended.
///
/// Real eID issuer and subject names are under 200 bytes; the cap keeps a log line short when a
/// certificate carries a name of thousands of attributes.
pub const MAX_RENDERED_NAME_BYTES: usize = 1024;

/// Short names RFC 4514 §3 defines, and the ones eID names use that OpenSSL also prints.
const ATTRIBUTE_NAMES: &[(&str, &str)] = &[
    ("2.5.4.3", "CN"),
    ("2.5.4.4", "SN"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.9", "STREET"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.12", "title"),
    ("2.5.4.42", "GN"),
    ("2.5.4.97", "organizationIdentifier"),
    ("0.9.2342.19200300.100.1.1", "UID"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("1.2.840.113549.1.9.1", "emailAddress"),
];

/// `name` as an RFC 4514 string, at most about [`MAX_RENDERED_NAME_BYTES`] long.
pub fn render(name: &X509Name<'_>) -> String {
    // RFC 4514 §2.1 starts from the last RDN; the parser's iterator only runs forwards.
    let rdns: Vec<&RelativeDistinguishedName<'_>> = name.iter_rdn().collect();
    let mut out = String::new();
    for rdn in rdns.into_iter().rev() {
        let text = render_rdn(rdn);
        if out.len() + text.len() > MAX_RENDERED_NAME_BYTES {
            out.push_str(if out.is_empty() { "..." } else { ",..." });
            break;
        }
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(&text);
    }
    out
}

fn render_rdn(rdn: &RelativeDistinguishedName<'_>) -> String {
    let attributes: Vec<String> = rdn.iter().map(render_attribute).collect();
    attributes.join("+")
}

fn render_attribute(attribute: &AttributeTypeAndValue<'_>) -> String {
    let kind = attribute.attr_type();
    let oid = oid::dotted(kind.as_bytes()).unwrap_or_else(|| kind.to_id_string());
    let name = ATTRIBUTE_NAMES.iter().find(|(dotted, _)| *dotted == oid).map(|(_, short)| *short);
    let mut out = name.unwrap_or(&oid).to_owned();
    out.push('=');

    match attribute_text(attribute.attr_value()) {
        Some(text) => escape_into(&mut out, &text),
        None => hex_into(&mut out, attribute),
    }
    out
}

/// RFC 4514 §2.4: escape the specials anywhere, a leading space or `#`, and a trailing space.
fn escape_into(out: &mut String, value: &str) {
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, '"' | '+' | ',' | ';' | '<' | '>' | '\\');
        let edge = (i == 0 && (c == ' ' || c == '#')) || (i == last && c == ' ');
        if special || edge {
            out.push('\\');
        }
        out.push(c);
    }
}

/// RFC 4514 §2.4: a value that is not text is written as `#` and its BER encoding in hex.
fn hex_into(out: &mut String, attribute: &AttributeTypeAndValue<'_>) {
    let value = attribute.attr_value();
    let encoded = value.to_der_vec().unwrap_or_else(|_| value.data.to_vec());
    out.push('#');
    for byte in encoded {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02X}");
    }
}

#[cfg(test)]
mod tests {
    use rcgen::DnType;
    use x509_parser::parse_x509_certificate;

    use super::super::test_certs::{patch, printable, utf8, TestCert};
    use super::*;

    fn issuer_text(issuer: Vec<(DnType, rcgen::DnValue)>) -> String {
        let cert = TestCert { issuer: Some(issuer), ..TestCert::default() };
        let der = cert.der();
        let (_, parsed) = parse_x509_certificate(&der).expect("test certificate parses");
        render(parsed.issuer())
    }

    #[test]
    fn esteid2018_issuer_reads_as_openssl_prints_it() {
        let text = issuer_text(vec![
            (DnType::CountryName, printable("EE")),
            (DnType::OrganizationName, utf8("SK ID Solutions AS")),
            (DnType::CustomDnType(vec![2, 5, 4, 97]), utf8("NTREE-10747013")),
            (DnType::CommonName, utf8("ESTEID2018")),
        ]);
        assert_eq!(
            text,
            "CN=ESTEID2018,organizationIdentifier=NTREE-10747013,O=SK ID Solutions AS,C=EE"
        );
    }

    #[test]
    fn non_ascii_values_stay_utf8_and_specials_are_escaped() {
        let text = issuer_text(vec![
            (DnType::OrganizationName, utf8("Zetes Estonia OÜ")),
            (DnType::CommonName, utf8("JÕEORG,JAAK-KRISTJAN,38001085718")),
            (DnType::OrganizationalUnitName, utf8(" #a+b;c<d>e\"f\\ ")),
        ]);
        assert_eq!(
            text,
            "OU=\\ #a\\+b\\;c\\<d\\>e\\\"f\\\\\\ ,\
             CN=JÕEORG\\,JAAK-KRISTJAN\\,38001085718,O=Zetes Estonia OÜ"
        );
    }

    #[test]
    fn unknown_types_print_dotted_and_non_text_values_as_hex() {
        let cert = TestCert {
            issuer: Some(vec![
                (DnType::CustomDnType(vec![1, 3, 6, 1, 4, 1, 99999, 1]), utf8("A")),
                (DnType::CommonName, utf8("ZZZZ")),
            ]),
            ..TestCert::default()
        };
        // The common name's UTF8String (tag 0x0C) becomes an OCTET STRING (tag 0x04).
        let der = patch(cert.der(), &[0x0C, 0x04, b'Z', b'Z'], &[0x04, 0x04, b'Z', b'Z']);
        let (_, parsed) = parse_x509_certificate(&der).expect("patched certificate parses");
        assert_eq!(render(parsed.issuer()), "CN=#04045A5A5A5A,1.3.6.1.4.1.99999.1=A");
    }

    #[test]
    fn a_huge_name_is_cut_at_the_limit() {
        let attributes = (0..500u64)
            .map(|i| (DnType::CustomDnType(vec![1, 3, 6, 1, 4, 1, 99999, i]), utf8("xxxxxxxx")))
            .collect();
        let text = issuer_text(attributes);
        assert!(text.len() <= MAX_RENDERED_NAME_BYTES + 4, "{} bytes", text.len());
        assert!(text.ends_with(",..."));
        assert!(text.starts_with("1.3.6.1.4.1.99999.499=xxxxxxxx,"));
    }
}
