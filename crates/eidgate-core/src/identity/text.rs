//! Turning a DER attribute value (a DirectoryString in practice) into Rust text.
//!
//! Estonian cards put names in UTF8String and the serialNumber in PrintableString; other issuers
//! use BMPString (UTF-16BE) or, rarely, TeletexString. Every value is decoded strictly: a value
//! whose bytes do not fit its type, or that contains a control character, is not read at all,
//! so no half-decoded name or a name with a line break reaches a page or a header.

use x509_parser::der_parser::asn1_rs::{Any, Class, Tag};

/// The text of an attribute value, or `None` when the value is not a string type this reader
/// knows, its bytes are not valid for that type, or it contains a control character.
///
/// TeletexString (T.61) is not decoded as T.61: its bytes are taken as UTF-8 when they are valid
/// UTF-8 and as Latin-1 otherwise. That matches T.61 for ASCII text and what issuers put there
/// in practice; a value using T.61's own diacritic sequences will read wrongly.
pub(super) fn attribute_text(value: &Any<'_>) -> Option<String> {
    let header = &value.header;
    if header.class() != Class::Universal || header.is_constructed() {
        return None;
    }

    let text = match header.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString => utf8(value.data)?,
        Tag::BmpString => utf16_be(value.data)?,
        Tag::UniversalString => utf32_be(value.data)?,
        Tag::TeletexString => utf8(value.data).unwrap_or_else(|| latin1(value.data)),
        _ => return None,
    };
    (!text.chars().any(char::is_control)).then_some(text)
}

fn utf8(bytes: &[u8]) -> Option<String> {
    std::str::from_utf8(bytes).ok().map(str::to_owned)
}

fn utf16_be(bytes: &[u8]) -> Option<String> {
    if bytes.len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| pair.try_into().map(u16::from_be_bytes))
        .collect::<Result<_, _>>()
        .ok()?;
    char::decode_utf16(units).collect::<Result<String, _>>().ok()
}

fn utf32_be(bytes: &[u8]) -> Option<String> {
    if bytes.len() % 4 != 0 {
        return None;
    }
    bytes
        .chunks_exact(4)
        .map(|quad| quad.try_into().ok().map(u32::from_be_bytes).and_then(char::from_u32))
        .collect()
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use x509_parser::der_parser::asn1_rs::{FromDer, Header, Length};

    use super::*;

    fn value(tag: Tag, data: &[u8]) -> Any<'_> {
        Any::new(Header::new(Class::Universal, false, tag, Length::Definite(data.len())), data)
    }

    #[test]
    fn utf8_and_printable_strings_read_as_they_are() {
        assert_eq!(
            attribute_text(&value(Tag::Utf8String, "JÕEORG".as_bytes())).as_deref(),
            Some("JÕEORG")
        );
        let serial = value(Tag::PrintableString, b"PNOEE-38001085718");
        assert_eq!(attribute_text(&serial).as_deref(), Some("PNOEE-38001085718"));
    }

    #[test]
    fn bmp_string_is_utf16_big_endian() {
        let bytes: Vec<u8> = "ŠÕŽ".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(attribute_text(&value(Tag::BmpString, &bytes)).as_deref(), Some("ŠÕŽ"));
    }

    #[test]
    fn odd_length_or_lone_surrogate_bmp_string_is_not_read() {
        assert_eq!(attribute_text(&value(Tag::BmpString, &[0x00, 0x41, 0x00])), None);
        assert_eq!(attribute_text(&value(Tag::BmpString, &[0xD8, 0x00])), None);
    }

    #[test]
    fn universal_string_is_utf32_big_endian() {
        let bytes: Vec<u8> = "Ž1".chars().flat_map(|c| u32::from(c).to_be_bytes()).collect();
        assert_eq!(attribute_text(&value(Tag::UniversalString, &bytes)).as_deref(), Some("Ž1"));
        assert_eq!(attribute_text(&value(Tag::UniversalString, &[0, 0x11, 0, 0])), None);
    }

    #[test]
    fn teletex_string_is_utf8_when_it_can_be_and_latin1_otherwise() {
        let utf8 = value(Tag::TeletexString, "MÄNNIK".as_bytes());
        assert_eq!(attribute_text(&utf8).as_deref(), Some("MÄNNIK"));
        let latin1 = value(Tag::TeletexString, &[b'M', 0xC4, b'N']);
        assert_eq!(attribute_text(&latin1).as_deref(), Some("MÄN"));
    }

    #[test]
    fn invalid_utf8_and_control_characters_are_not_read() {
        assert_eq!(attribute_text(&value(Tag::Utf8String, &[0xC3, 0x28])), None);
        assert_eq!(attribute_text(&value(Tag::Utf8String, b"JAAK\r\nX-User: admin")), None);
        assert_eq!(attribute_text(&value(Tag::Utf8String, b"A\0B")), None);
    }

    #[test]
    fn non_string_types_are_not_read() {
        let (_, integer) = Any::from_der(&[0x02, 0x01, 0x05]).expect("integer");
        assert_eq!(attribute_text(&integer), None);
        let (_, context) = Any::from_der(&[0x8C, 0x01, b'A']).expect("context tag 12");
        assert_eq!(attribute_text(&context), None);
    }
}
