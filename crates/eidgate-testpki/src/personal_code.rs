//! The check digit of an Estonian personal identification code (isikukood), so that test cards
//! carry codes a real validator accepts.
//!
//! This is a deliberately small copy of the rule, not a validator: eidgate-core owns validation,
//! and this crate must not depend on it (eidgate-core uses this crate in its tests).

/// First-round weights of the check digit (`eid-domain.md` §3).
const WEIGHTS_FIRST: [u32; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1];
/// Second-round weights, used when the first round gives 10.
const WEIGHTS_SECOND: [u32; 10] = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3];

/// The check digit for the first ten digits of a code, or `None` when `first_ten` is not exactly
/// ten ASCII digits.
pub fn check_digit(first_ten: &str) -> Option<u8> {
    let digits = ten_digits(first_ten)?;
    let sum = |weights: &[u32; 10]| -> u32 {
        digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11
    };

    // A remainder of 10 moves to the second weights; 10 again gives check digit 0.
    let digit = match sum(&WEIGHTS_FIRST) {
        10 => sum(&WEIGHTS_SECOND) % 10,
        first => first,
    };
    u8::try_from(digit).ok()
}

/// Appends the check digit to the first ten digits of a code.
///
/// Returns `None` when `first_ten` is not exactly ten ASCII digits.
pub fn with_check_digit(first_ten: &str) -> Option<String> {
    check_digit(first_ten).map(|digit| format!("{first_ten}{digit}"))
}

/// Whether `code` is eleven digits whose last one is the right check digit.
///
/// The birth date inside the code is not checked.
pub fn has_valid_check_digit(code: &str) -> bool {
    let (Some(first_ten), Some(last)) = (code.get(..10), code.get(10..)) else {
        return false;
    };
    match (check_digit(first_ten), last.parse::<u8>()) {
        (Some(expected), Ok(actual)) => last.len() == 1 && expected == actual,
        _ => false,
    }
}

fn ten_digits(text: &str) -> Option<[u32; 10]> {
    let mut digits = [0; 10];
    let mut chars = text.chars();
    for slot in &mut digits {
        *slot = chars.next()?.to_digit(10)?;
    }
    chars.next().is_none().then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_round_remainder_is_the_check_digit() {
        // eid-domain.md §3: 184 mod 11 = 8.
        assert_eq!(check_digit("3800108571"), Some(8));
        assert!(has_valid_check_digit("38001085718"));
    }

    #[test]
    fn remainder_ten_falls_back_to_the_second_weights() {
        assert_eq!(check_digit("4881204013"), Some(8));
    }

    #[test]
    fn wrong_digit_or_length_is_not_valid() {
        assert!(!has_valid_check_digit("38309140420"));
        assert!(!has_valid_check_digit("3800108571"));
        assert!(!has_valid_check_digit("380010857188"));
        assert!(!has_valid_check_digit("3800108571x"));
        assert_eq!(check_digit("38001O8571"), None);
    }

    #[test]
    fn with_check_digit_appends_it() {
        assert_eq!(with_check_digit("4910315123").as_deref(), Some("49103151230"));
    }
}
