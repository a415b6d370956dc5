//! Distinguished names printed byte for byte as OpenSSL prints them for nginx's
//! `$ssl_client_s_dn` and `$ssl_client_s_dn_legacy`, read from the certificate's DER.
//!
//! nginx takes `$ssl_client_s_dn` from `X509_NAME_print_ex(…, XN_FLAG_RFC2253)` and
//! `$ssl_client_s_dn_legacy` from `X509_NAME_oneline`. Apps written against nginx parse those
//! strings, quirks included, so both are rebuilt here with the same rules as OpenSSL 3.0:
//!
//! * RFC 2253 form: attributes last first (the attributes of a multi-valued RDN reversed too),
//!   `,` between RDNs and `+` inside one, the short name from [`short_name`] or the dotted OID
//!   for a type OpenSSL does not know, whose value is then written as `#` and the hex of its
//!   DER. Values: `, + " \ < > ;` get a backslash, so do a leading space or `#` and a trailing
//!   space (a one-character value counts as last only, so a lone `#` stays bare); control
//!   characters and every byte of 0x80 or more become `\XX`. UTF8String values are taken byte
//!   by byte; the one-byte types (PrintableString, TeletexString, IA5String, …) as Latin-1,
//!   BMPString as UCS-2 and UniversalString as UCS-4, each turned into UTF-8 first (a surrogate
//!   or a code point past U+10FFFF is dropped, as OpenSSL drops it). A value of another type
//!   is written as `#` and the hex of its DER.
//! * Legacy form: attributes in certificate order, each prefixed by `/` (by `+` inside a
//!   multi-valued RDN), the raw content octets of the value whatever its type, bytes outside
//!   `' '..='~'` as `\xXX`, and `/` and `+` in values escaped with a backslash.
//!
//! OpenSSL releases before 3.0's later updates neither escaped `/` and `+` in the legacy form
//! nor joined multi-valued RDNs with `+`; this module follows the current 3.0 behaviour, which
//! is what Debian 12's nginx prints.

use std::fmt::Write;

use x509_parser::der_parser::asn1_rs::{Any, Class, ToDer};
use x509_parser::x509::X509Name;

use super::openssl_objects::short_name;

/// OpenSSL writes an unknown attribute type's dotted OID into an 80-byte buffer.
const OID_TEXT_MAX: usize = 79;

/// Universal tags of the string types OpenSSL prints as text (`tag2nbyte` in `a_strex.c`).
const UTF8_STRING: u32 = 12;
const ONE_BYTE_TYPES: [u32; 7] = [18, 19, 20, 22, 23, 24, 26];
const UNIVERSAL_STRING: u32 = 28;
const BMP_STRING: u32 = 30;
/// GeneralString, which `X509_NAME_oneline` reads specially.
const GENERAL_STRING: u32 = 27;

/// Why a name could not be printed. OpenSSL fails the same way, and nginx then has no value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameFormatError {
    #[error("{kind} value of {len} bytes is not a whole number of characters")]
    PartialCharacter { kind: &'static str, len: usize },
}

/// One attribute of a name with the index of the RDN it belongs to.
struct Entry<'n, 'a> {
    set: usize,
    oid: String,
    value: &'n Any<'a>,
}

/// `name` as `X509_NAME_print_ex(…, XN_FLAG_RFC2253)` prints it (nginx `$ssl_client_s_dn`).
///
/// # Errors
///
/// [`NameFormatError`] for a BMPString or UniversalString whose length is not a multiple of its
/// character width.
pub fn rfc2253(name: &X509Name<'_>) -> Result<String, NameFormatError> {
    let mut out = String::new();
    let mut previous_set = None;
    for entry in entries(name).iter().rev() {
        if let Some(set) = previous_set {
            out.push(if set == entry.set { '+' } else { ',' });
        }
        previous_set = Some(entry.set);
        match short_name(&entry.oid) {
            Some(short) => {
                out.push_str(short);
                out.push('=');
                rfc2253_value(&mut out, entry.value)?;
            }
            None => {
                out.push_str(oid_text(&entry.oid));
                out.push('=');
                der_dump(&mut out, entry.value);
            }
        }
    }
    Ok(out)
}

/// `name` as `X509_NAME_oneline` prints it (nginx `$ssl_client_s_dn_legacy`).
pub fn oneline(name: &X509Name<'_>) -> String {
    let mut out = String::new();
    let mut previous_set = None;
    for entry in entries(name) {
        out.push(if previous_set == Some(entry.set) { '+' } else { '/' });
        previous_set = Some(entry.set);
        out.push_str(short_name(&entry.oid).unwrap_or_else(|| oid_text(&entry.oid)));
        out.push('=');
        oneline_value(&mut out, entry.value);
    }
    out
}

fn entries<'n, 'a>(name: &'n X509Name<'a>) -> Vec<Entry<'n, 'a>> {
    let mut entries = Vec::new();
    for (set, rdn) in name.iter_rdn().enumerate() {
        for attribute in rdn.iter() {
            let oid = attribute.attr_type().to_id_string();
            entries.push(Entry { set, oid, value: attribute.attr_value() });
        }
    }
    entries
}

fn oid_text(dotted: &str) -> &str {
    dotted.get(..OID_TEXT_MAX).unwrap_or(dotted)
}

/// How OpenSSL reads the characters of a value it prints as text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Width {
    /// UTF8String: byte by byte, without conversion.
    Bytes,
    /// One byte per character, converted to UTF-8.
    One,
    Two,
    Four,
}

fn text_width(value: &Any<'_>) -> Option<Width> {
    let header = &value.header;
    if header.class() != Class::Universal || header.is_constructed() {
        return None;
    }
    match header.tag().0 {
        UTF8_STRING => Some(Width::Bytes),
        tag if ONE_BYTE_TYPES.contains(&tag) => Some(Width::One),
        BMP_STRING => Some(Width::Two),
        UNIVERSAL_STRING => Some(Width::Four),
        _ => None,
    }
}

fn rfc2253_value(out: &mut String, value: &Any<'_>) -> Result<(), NameFormatError> {
    let Some(width) = text_width(value) else {
        der_dump(out, value);
        return Ok(());
    };
    let characters = characters(value.data, width)?;
    let last = characters.len().saturating_sub(1);
    for (i, unit) in characters.into_iter().enumerate() {
        // do_buf sets "first" before reading a character and replaces it with "last" after
        // reading the final one, so a one-character value is treated as last only.
        let position = if i == last {
            Position::Last
        } else if i == 0 {
            Position::First
        } else {
            Position::Middle
        };
        for byte in output_bytes(unit, width) {
            escape_2253(out, byte, position);
        }
    }
    Ok(())
}

/// The code units of a value: bytes, or big-endian UCS-2 or UCS-4 characters.
fn characters(data: &[u8], width: Width) -> Result<Vec<u32>, NameFormatError> {
    let (size, kind) = match width {
        Width::Bytes | Width::One => return Ok(data.iter().map(|&b| u32::from(b)).collect()),
        Width::Two => (2, "BMPString"),
        Width::Four => (4, "UniversalString"),
    };
    if data.len() % size != 0 {
        return Err(NameFormatError::PartialCharacter { kind, len: data.len() });
    }
    let unit = |chunk: &[u8]| chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    Ok(data.chunks_exact(size).map(unit).collect())
}

/// The bytes one code unit is printed as: a UTF8String byte as itself, anything else as UTF-8.
fn output_bytes(unit: u32, width: Width) -> Vec<u8> {
    match width {
        // A UTF8String unit is one byte, the low byte of `unit`.
        Width::Bytes => vec![unit.to_be_bytes()[3]],
        Width::One | Width::Two | Width::Four => openssl_utf8(unit),
    }
}

/// UTF-8 as OpenSSL's `UTF8_putc` writes it: a surrogate or a value past U+10FFFF gives nothing.
fn openssl_utf8(c: u32) -> Vec<u8> {
    let mut buffer = [0u8; 4];
    char::from_u32(c).map(|c| c.encode_utf8(&mut buffer).as_bytes().to_vec()).unwrap_or_default()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    First,
    Middle,
    Last,
}

/// One byte of a value under `ASN1_STRFLGS_RFC2253` (`do_esc_char` with the `char_type` table).
fn escape_2253(out: &mut String, byte: u8, position: Position) {
    let backslash = match byte {
        b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';' => true,
        b' ' => position != Position::Middle,
        b'#' => position == Position::First,
        _ => false,
    };
    if backslash {
        out.push('\\');
        out.push(char::from(byte));
    } else if !(0x20..0x7f).contains(&byte) {
        let _ = write!(out, "\\{byte:02X}");
    } else {
        out.push(char::from(byte));
    }
}

/// `#` and the hex of the value's DER, as OpenSSL dumps a value it does not print as text.
fn der_dump(out: &mut String, value: &Any<'_>) {
    out.push('#');
    let der = value.to_der_vec().unwrap_or_else(|_| value.data.to_vec());
    for byte in der {
        let _ = write!(out, "{byte:02X}");
    }
}

/// The content octets as `X509_NAME_oneline` writes them.
fn oneline_value(out: &mut String, value: &Any<'_>) {
    let keep = general_string_filter(value);
    for (i, &byte) in value.data.iter().enumerate() {
        if !keep[i % 4] {
            continue;
        }
        if !(b' '..=b'~').contains(&byte) {
            let _ = write!(out, "\\x{byte:02X}");
        } else {
            if byte == b'/' || byte == b'+' {
                out.push('\\');
            }
            out.push(char::from(byte));
        }
    }
}

/// OpenSSL reads a GeneralString whose length is a multiple of four as UCS-4 when only every
/// fourth byte is non-zero, and then prints just those bytes.
fn general_string_filter(value: &Any<'_>) -> [bool; 4] {
    let data = value.data;
    let general = value.header.class() == Class::Universal
        && value.header.tag().0 == GENERAL_STRING
        && data.len() % 4 == 0;
    if !general {
        return [true; 4];
    }
    let mut nonzero = [false; 4];
    for (i, &byte) in data.iter().enumerate() {
        nonzero[i % 4] |= byte != 0;
    }
    if nonzero[0] || nonzero[1] || nonzero[2] {
        [true; 4]
    } else {
        [false, false, false, true]
    }
}

#[cfg(test)]
mod tests {
    use rcgen::{DnType, DnValue};
    use x509_parser::parse_x509_certificate;

    use super::*;

    /// A self-signed certificate with `attributes` as its subject, one per RDN.
    fn certificate(attributes: Vec<(DnType, DnValue)>) -> Vec<u8> {
        let mut params = rcgen::CertificateParams::default();
        let mut name = rcgen::DistinguishedName::new();
        for (kind, value) in attributes {
            name.push(kind, value);
        }
        params.distinguished_name = name;
        let key = rcgen::KeyPair::generate().expect("key");
        params.self_signed(&key).expect("certificate").der().to_vec()
    }

    fn both(der: &[u8]) -> (String, String) {
        let (_, cert) = parse_x509_certificate(der).expect("parses");
        (rfc2253(cert.subject()).expect("prints"), oneline(cert.subject()))
    }

    fn utf8(text: &str) -> DnValue {
        DnValue::Utf8String(text.to_owned())
    }

    #[test]
    fn esteid2018_subject_prints_as_nginx_shows_it() {
        let der = certificate(vec![
            (DnType::CountryName, DnValue::PrintableString("EE".try_into().unwrap())),
            (DnType::CommonName, utf8("JÕEORG,JAAK-KRISTJAN,38001085718")),
            (DnType::CustomDnType(vec![2, 5, 4, 4]), utf8("JÕEORG")),
            (DnType::CustomDnType(vec![2, 5, 4, 42]), utf8("JAAK-KRISTJAN")),
            (
                DnType::CustomDnType(vec![2, 5, 4, 5]),
                DnValue::PrintableString("PNOEE-38001085718".try_into().unwrap()),
            ),
        ]);
        let (dn, legacy) = both(&der);
        assert_eq!(
            dn,
            "serialNumber=PNOEE-38001085718,GN=JAAK-KRISTJAN,SN=J\\C3\\95EORG,\
             CN=J\\C3\\95EORG\\,JAAK-KRISTJAN\\,38001085718,C=EE"
        );
        assert_eq!(
            legacy,
            "/C=EE/CN=J\\xC3\\x95EORG,JAAK-KRISTJAN,38001085718/SN=J\\xC3\\x95EORG\
             /GN=JAAK-KRISTJAN/serialNumber=PNOEE-38001085718"
        );
    }

    #[test]
    fn specials_and_edge_spaces_are_escaped_in_rfc2253_only() {
        let der = certificate(vec![
            (DnType::OrganizationName, utf8(" #a+b;c<d>e\"f\\g/h ")),
            (DnType::OrganizationalUnitName, utf8("#")),
            (DnType::CommonName, utf8(" ")),
        ]);
        let (dn, legacy) = both(&der);
        assert_eq!(dn, "CN=\\ ,OU=#,O=\\ #a\\+b\\;c\\<d\\>e\\\"f\\\\g/h\\ ");
        assert_eq!(legacy, "/O= #a\\+b;c<d>e\"f\\g\\/h /OU=#/CN= ");
    }

    #[test]
    fn bmp_string_is_converted_to_utf8_but_printed_raw_in_the_legacy_form() {
        let bmp = DnValue::BmpString("ÕŠ".try_into().unwrap());
        let (dn, legacy) = both(&certificate(vec![(DnType::CommonName, bmp)]));
        assert_eq!(dn, "CN=\\C3\\95\\C5\\A0");
        assert_eq!(legacy, "/CN=\\x00\\xD5\\x01`");
    }

    #[test]
    fn control_characters_and_del_are_hex_escaped() {
        let (dn, legacy) = both(&certificate(vec![(DnType::CommonName, utf8("a\u{1}b\u{7f}"))]));
        assert_eq!(dn, "CN=a\\01b\\7F");
        assert_eq!(legacy, "/CN=a\\x01b\\x7F");
    }

    #[test]
    fn unknown_attribute_types_are_dotted_with_a_der_dump() {
        let der =
            certificate(vec![(DnType::CustomDnType(vec![1, 3, 6, 1, 4, 1, 99999]), utf8("Zz"))]);
        let (dn, legacy) = both(&der);
        assert_eq!(dn, "1.3.6.1.4.1.99999=#0C025A7A");
        assert_eq!(legacy, "/1.3.6.1.4.1.99999=Zz");
    }

    #[test]
    fn odd_length_bmp_string_is_an_error() {
        let data = [0x00, 0x41, 0x00];
        assert!(characters(&data, Width::Two).is_err());
        assert_eq!(characters(&data[..2], Width::Two), Ok(vec![0x41]));
    }

    #[test]
    fn surrogates_are_dropped_like_openssl_drops_them() {
        assert!(openssl_utf8(0xD800).is_empty());
        assert!(openssl_utf8(0x110000).is_empty());
        assert_eq!(openssl_utf8(0xD5), vec![0xC3, 0x95]);
    }
}
