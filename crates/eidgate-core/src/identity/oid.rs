//! Dotted text of an object identifier, decoded from its DER content octets (X.690 §8.19).
//!
//! The reader does not use the parser's own `to_id_string`: asn1-rs 0.7 (under x509-parser
//! 0.18) reads the first content octet as the first two arcs, which is wrong for `2.x` with
//! x ≥ 48, whose first subidentifier needs two octets. The Zetes test policies under `2.999`
//! come out of it as `3.16.55.…`, and the ESTEID2025 test cards would not be recognised.

use x509_parser::der_parser::asn1_rs::Oid;

/// The dotted form of a parsed OID, or `None` when its encoding is invalid.
///
/// Use this rather than the parser's `to_id_string` anywhere an OID is compared with the
/// document policy table (a CA's policy list, for example): see the module notes for why.
pub fn dotted_oid(oid: &Oid<'_>) -> Option<String> {
    dotted(oid.as_bytes())
}

/// The dotted form of an OID whose content octets are `content`, or `None` when they are not a
/// valid encoding (empty, an unfinished last subidentifier, a padded `0x80` octet at the start
/// of a subidentifier, or a subidentifier beyond `u64`).
pub(super) fn dotted(content: &[u8]) -> Option<String> {
    let mut subidentifiers = subidentifiers(content)?.into_iter();
    let first = subidentifiers.next()?;

    // X.690 §8.19.4: the first subidentifier is 40 * arc1 + arc2, with arc2 < 40 unless arc1 = 2.
    let (arc1, arc2) = match first {
        0..=39 => (0, first),
        40..=79 => (1, first - 40),
        _ => (2, first - 80),
    };
    let mut text = format!("{arc1}.{arc2}");
    for arc in subidentifiers {
        text.push('.');
        text.push_str(&arc.to_string());
    }
    Some(text)
}

fn subidentifiers(content: &[u8]) -> Option<Vec<u64>> {
    let mut values = Vec::new();
    let mut current: u64 = 0;
    let mut in_progress = false;
    for &octet in content {
        // X.690 §8.19.2: a subidentifier is encoded in the fewest octets, so it never starts
        // with 0x80.
        if !in_progress && octet == 0x80 {
            return None;
        }
        if current > u64::MAX >> 7 {
            return None;
        }
        current = (current << 7) | u64::from(octet & 0x7F);
        in_progress = octet & 0x80 != 0;
        if !in_progress {
            values.push(current);
            current = 0;
        }
    }
    (!in_progress && !values.is_empty()).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_policies_of_the_current_cards() {
        let ncp_plus = [0x04, 0x00, 0x8F, 0x7A, 0x01, 0x02];
        assert_eq!(dotted(&ncp_plus).as_deref(), Some("0.4.0.2042.1.2"));
        let id_card = [0x2B, 0x06, 0x01, 0x04, 0x01, 0x83, 0x91, 0x21, 0x01, 0x01, 0x01];
        assert_eq!(dotted(&id_card).as_deref(), Some("1.3.6.1.4.1.51361.1.1.1"));
    }

    #[test]
    fn decodes_a_second_arc_that_needs_two_octets() {
        // 2.999: 80 + 999 = 1079 = 8 * 128 + 55.
        assert_eq!(dotted(&[0x88, 0x37, 0x01, 0x03]).as_deref(), Some("2.999.1.3"));
        assert_eq!(dotted(&[0x7F]).as_deref(), Some("2.47"));
    }

    #[test]
    fn invalid_encodings_give_nothing() {
        assert_eq!(dotted(&[]), None);
        assert_eq!(dotted(&[0x2B, 0x86]), None);
        assert_eq!(dotted(&[0x2B, 0x80, 0x01]), None);
        assert_eq!(
            dotted(&[0x2B, 0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
            None
        );
    }
}
