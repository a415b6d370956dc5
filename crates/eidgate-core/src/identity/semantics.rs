//! The natural-person semantics identifier of ETSI EN 319 412-1 §5.1.3, as it stands in the
//! subject serialNumber (`PNOEE-38001085718`), and the legacy bare Estonian code.

use std::fmt;

use serde::Serialize;

/// `PNOEE-38001085718` split into its parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SemanticsIdentifier {
    /// Three letters: `PNO`, `PAS`, `IDC`, `TAX`, `TIN`, ...; or a national scheme, two letters
    /// and a colon (`AB:`).
    pub kind: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub value: String,
}

impl SemanticsIdentifier {
    /// Reads the ETSI form `<kind><country>-<value>`.
    ///
    /// `kind` is three upper-case letters or two and a colon, `country` two upper-case letters,
    /// `value` anything non-empty. Returns `None` for any other shape; a bare number is not an
    /// identifier in this form (see [`SemanticsIdentifier::from_subject`] for the Estonian
    /// legacy rule).
    pub fn parse(text: &str) -> Option<Self> {
        let (prefix, value) = text.split_once('-')?;
        let prefix = prefix.as_bytes();
        let [k1, k2, k3, c1, c2] = *prefix else {
            return None;
        };

        let kind_ok = k1.is_ascii_uppercase()
            && k2.is_ascii_uppercase()
            && (k3.is_ascii_uppercase() || k3 == b':');
        let country_ok = c1.is_ascii_uppercase() && c2.is_ascii_uppercase();
        if !kind_ok || !country_ok || value.is_empty() {
            return None;
        }
        Some(SemanticsIdentifier {
            kind: ascii(&[k1, k2, k3]),
            country: ascii(&[c1, c2]),
            value: value.to_owned(),
        })
    }

    /// The identifier a subject names through its serialNumber and country.
    ///
    /// The ETSI form is read as it is, whatever the country. A legacy ESTEID-SK certificate
    /// carries the bare eleven-digit personal code instead; that is taken as `PNO`/`EE` only
    /// when the subject's country is `EE`, because eleven digits alone also fit other countries'
    /// numbers (a Belgian national number has eleven digits). Whether the code is valid is not
    /// checked here. Any other bare serialNumber (Finnish, Belgian, an organisation's registry
    /// code) gives no identifier; it stays readable as the subject serialNumber.
    pub fn from_subject(serial_number: &str, country: Option<&str>) -> Option<Self> {
        if let Some(identifier) = Self::parse(serial_number) {
            return Some(identifier);
        }
        let bare_code =
            serial_number.len() == 11 && serial_number.bytes().all(|b| b.is_ascii_digit());
        (bare_code && country == Some("EE")).then(|| SemanticsIdentifier {
            kind: "PNO".to_owned(),
            country: "EE".to_owned(),
            value: serial_number.to_owned(),
        })
    }

    /// True for an Estonian national personal number, `PNOEE`.
    pub fn is_estonian_personal_number(&self) -> bool {
        self.kind == "PNO" && self.country == "EE"
    }
}

fn ascii(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Writes the ETSI form back, `PNOEE-38001085718`.
impl fmt::Display for SemanticsIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}-{}", self.kind, self.country, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(identifier: &SemanticsIdentifier) -> (&str, &str, &str) {
        (&identifier.kind, &identifier.country, &identifier.value)
    }

    #[test]
    fn estonian_personal_number_splits_into_its_parts() {
        let identifier = SemanticsIdentifier::parse("PNOEE-38001085718").expect("identifier");
        assert_eq!(parts(&identifier), ("PNO", "EE", "38001085718"));
        assert!(identifier.is_estonian_personal_number());
        assert_eq!(identifier.to_string(), "PNOEE-38001085718");
    }

    #[test]
    fn other_kinds_and_countries_keep_the_rest_of_the_value() {
        let cases = [
            ("PNOLV-321922-33032", ("PNO", "LV", "321922-33032")),
            ("PASEE-K1234567", ("PAS", "EE", "K1234567")),
            ("IDCLT-AB123", ("IDC", "LT", "AB123")),
            ("TAXDE-12345", ("TAX", "DE", "12345")),
            ("TINPL-9999", ("TIN", "PL", "9999")),
            ("AB:FR-77", ("AB:", "FR", "77")),
        ];
        for (text, expected) in cases {
            let identifier = SemanticsIdentifier::parse(text).expect(text);
            assert_eq!(parts(&identifier), expected);
            assert_eq!(identifier.to_string(), text);
            assert!(!identifier.is_estonian_personal_number() || text.starts_with("PNOEE"));
        }
    }

    #[test]
    fn other_shapes_are_not_identifiers() {
        for text in [
            "38001085718",
            "PNOEE38001085718",
            "PNOEE-",
            "pnoee-38001085718",
            "PNOE-1",
            "PNOEEE-1",
            "ÕNOEE-1",
            "-",
        ] {
            assert_eq!(SemanticsIdentifier::parse(text), None, "{text}");
        }
    }

    #[test]
    fn bare_eleven_digits_are_an_estonian_code_only_in_an_estonian_subject() {
        let estonian = SemanticsIdentifier::from_subject("47101010033", Some("EE")).expect("EE");
        assert_eq!(parts(&estonian), ("PNO", "EE", "47101010033"));

        assert_eq!(SemanticsIdentifier::from_subject("01050399864", Some("BE")), None);
        assert_eq!(SemanticsIdentifier::from_subject("47101010033", None), None);
    }

    #[test]
    fn finnish_and_organisation_serial_numbers_give_no_identifier() {
        assert_eq!(SemanticsIdentifier::from_subject("999020016", Some("FI")), None);
        assert_eq!(SemanticsIdentifier::from_subject("99901112H", Some("FI")), None);
        assert_eq!(SemanticsIdentifier::from_subject("12276279", Some("EE")), None);
    }

    #[test]
    fn etsi_form_wins_whatever_the_country() {
        let latvian = SemanticsIdentifier::from_subject("PNOLV-321922-33032", Some("LV"));
        assert_eq!(latvian.as_ref().map(parts), Some(("PNO", "LV", "321922-33032")));
    }
}
