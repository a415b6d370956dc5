//! The one encoding every `X-Eid-` header value uses: UTF-8, percent-encoded.
//!
//! Only the RFC 3986 §2.3 unreserved characters (`A-Z a-z 0-9 - . _ ~`) stay as they are; every
//! other byte becomes `%XX` with upper-case hex. This is the set nginx keeps when it escapes
//! `$ssl_client_escaped_cert` (`NGX_ESCAPE_URI_COMPONENT`), so the certificate header and the
//! name headers decode the same way: `urllib.parse.unquote(value, errors="strict")` in Python,
//! `decodeURIComponent(value)` in JavaScript. Because `%` itself is always encoded, decoding is
//! exact and there is only one encoded form for each value.

/// Upper-case hex digits, as nginx and OpenSSL write them.
const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// True for the RFC 3986 §2.3 unreserved characters, the only ones left unencoded.
pub fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// `bytes` with every byte outside the unreserved set written as `%XX`.
pub fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3 / 2);
    for &byte in bytes {
        if is_unreserved(byte) {
            out.push(char::from(byte));
        } else {
            push_escaped(&mut out, byte);
        }
    }
    out
}

/// Appends `%XX` for one byte.
pub fn push_escaped(out: &mut String, byte: u8) {
    out.push('%');
    out.push(char::from(HEX[usize::from(byte >> 4)]));
    out.push(char::from(HEX[usize::from(byte & 0x0f)]));
}

/// The value of one hex digit, either case.
pub fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estonian_letters_become_utf8_percent_escapes() {
        assert_eq!(percent_encode("JÕEORG".as_bytes()), "J%C3%95EORG");
        assert_eq!(
            percent_encode("ŽANNA ŠEVTŠENKO".as_bytes()),
            "%C5%BDANNA%20%C5%A0EVT%C5%A0ENKO"
        );
    }

    #[test]
    fn only_unreserved_characters_stay() {
        assert_eq!(percent_encode(b"Az09-._~"), "Az09-._~");
        assert_eq!(percent_encode(b"%+/=,:\r\n"), "%25%2B%2F%3D%2C%3A%0D%0A");
    }

    #[test]
    fn hex_digits_of_either_case_are_read() {
        assert_eq!(hex_value(b'c'), Some(12));
        assert_eq!(hex_value(b'C'), Some(12));
        assert_eq!(hex_value(b'g'), None);
    }
}
