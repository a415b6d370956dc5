//! The Estonian personal identification code (isikukood), `GYYMMDDSSSC`.
//!
//! `G` gives century and sex, `YYMMDD` the date of birth, `SSS` tells apart the people born on
//! that day, and `C` is a check digit over the first ten digits (EVS 585 as described in
//! `eid-domain.md` §3).

use std::fmt;

use serde::Serialize;
use time::{Date, Month};

/// A checked Estonian personal code.
///
/// Only [`PersonalCode::parse`] builds one, so a value of this type has the right shape, a
/// century digit in `1..=8`, a real calendar date and a correct check digit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonalCode {
    pub code: String,
    pub date_of_birth: Date,
    pub sex: Sex,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

/// Which rule of the personal code a string breaks. The checks run in the order of the variants,
/// so a code with a bad date is reported as such even if its checksum is also wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PersonalCodeError {
    /// Not exactly eleven ASCII digits.
    #[error("a personal code has 11 digits")]
    Shape,
    /// The first digit is `0` or `9`; only `1..=8` name a century and sex.
    #[error("century and sex digit {digit} is not in 1..=8")]
    CenturyDigit { digit: u8 },
    /// Digits 2 to 7 with the century do not name a day of the calendar.
    #[error("{year:04}-{month:02}-{day:02} is not a calendar date")]
    Date { year: i32, month: u8, day: u8 },
    /// The last digit is not the one the checksum gives.
    #[error("check digit is {found}, the checksum gives {expected}")]
    Checksum { expected: u8, found: u8 },
}

/// Weights of the first checksum round, one per leading digit.
const FIRST_ROUND_WEIGHTS: [u32; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1];
/// Weights of the second round, used when the first round leaves a remainder of ten.
const SECOND_ROUND_WEIGHTS: [u32; 10] = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3];

impl PersonalCode {
    /// Checks `code` and reads the date of birth and sex from it.
    ///
    /// # Errors
    ///
    /// The first rule `code` breaks, as a [`PersonalCodeError`]: shape, century digit, date,
    /// then checksum (carrying the digit the checksum expects).
    pub fn parse(code: &str) -> Result<Self, PersonalCodeError> {
        let digits = eleven_digits(code)?;
        let [century_digit, y1, y2, m1, m2, d1, d2, .., found] = digits;

        let (century, sex) = century_and_sex(century_digit)?;
        let year = century + i32::from(y1 * 10 + y2);
        let date_of_birth = calendar_date(year, m1 * 10 + m2, d1 * 10 + d2)?;

        let expected = check_digit(&digits);
        if expected != found {
            return Err(PersonalCodeError::Checksum { expected, found });
        }
        Ok(PersonalCode { code: code.to_owned(), date_of_birth, sex })
    }
}

impl fmt::Display for PersonalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

fn eleven_digits(code: &str) -> Result<[u8; 11], PersonalCodeError> {
    let bytes: [u8; 11] = code.as_bytes().try_into().map_err(|_| PersonalCodeError::Shape)?;
    if !bytes.iter().all(u8::is_ascii_digit) {
        return Err(PersonalCodeError::Shape);
    }
    Ok(bytes.map(|b| b - b'0'))
}

/// `1`/`2` are the 1800s, `3`/`4` the 1900s, `5`/`6` the 2000s, `7`/`8` the 2100s; odd is male.
fn century_and_sex(digit: u8) -> Result<(i32, Sex), PersonalCodeError> {
    if !(1..=8).contains(&digit) {
        return Err(PersonalCodeError::CenturyDigit { digit });
    }
    let century = 1800 + 100 * i32::from((digit - 1) / 2);
    let sex = if digit % 2 == 1 { Sex::Male } else { Sex::Female };
    Ok((century, sex))
}

fn calendar_date(year: i32, month: u8, day: u8) -> Result<Date, PersonalCodeError> {
    let invalid = PersonalCodeError::Date { year, month, day };
    let month_of_year = Month::try_from(month).map_err(|_| invalid.clone())?;
    Date::from_calendar_date(year, month_of_year, day).map_err(|_| invalid)
}

/// The check digit of the first ten digits: weighted sum modulo 11 with the first weights; on a
/// remainder of ten, again with the second weights; on ten again, zero.
fn check_digit(digits: &[u8; 11]) -> u8 {
    let remainder = |weights: &[u32; 10]| -> u32 {
        let sum: u32 = digits.iter().zip(weights).map(|(&d, &w)| u32::from(d) * w).sum();
        sum % 11
    };

    let first = remainder(&FIRST_ROUND_WEIGHTS);
    let check = if first < 10 { first } else { remainder(&SECOND_ROUND_WEIGHTS) % 10 };
    // `check` is below ten, so it fits a digit.
    check as u8
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn parsed(code: &str) -> PersonalCode {
        PersonalCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"))
    }

    #[test]
    fn reads_date_of_birth_and_sex_of_a_1900s_man() {
        let code = parsed("38001085718");
        assert_eq!(code.date_of_birth, date!(1980 - 01 - 08));
        assert_eq!(code.sex, Sex::Male);
        assert_eq!(code.to_string(), "38001085718");
    }

    #[test]
    fn second_checksum_round_is_used_when_the_first_gives_ten() {
        // 4 8 8 1 2 0 4 0 1 3: first round 98 mod 11 = 10, second round 151 mod 11 = 8.
        let code = parsed("48812040138");
        assert_eq!(code.date_of_birth, date!(1988 - 12 - 04));
        assert_eq!(code.sex, Sex::Female);
    }

    #[test]
    fn ten_in_both_rounds_gives_check_digit_zero() {
        // 3 8 0 0 1 0 8 1 3 5: first round 120 mod 11 = 10, second round 142 mod 11 = 10.
        let code = parsed("38001081350");
        assert_eq!(code.date_of_birth, date!(1980 - 01 - 08));
        assert_eq!(
            PersonalCode::parse("38001081351"),
            Err(PersonalCodeError::Checksum { expected: 0, found: 1 })
        );
    }

    #[test]
    fn month_twelve_day_thirty_four_is_not_a_date() {
        assert_eq!(
            PersonalCode::parse("36012345678"),
            Err(PersonalCodeError::Date { year: 1960, month: 12, day: 34 })
        );
    }

    #[test]
    fn wrong_check_digit_names_the_expected_one() {
        assert_eq!(
            PersonalCode::parse("38309140420"),
            Err(PersonalCodeError::Checksum { expected: 2, found: 0 })
        );
    }

    #[test]
    fn century_digits_map_to_their_centuries() {
        let cases = [
            ("19912310041", date!(1899 - 12 - 31), Sex::Male),
            ("20001010025", date!(1800 - 01 - 01), Sex::Female),
            ("50002290122", date!(2000 - 02 - 29), Sex::Male),
            ("61203151230", date!(2012 - 03 - 15), Sex::Female),
            ("70001010019", date!(2100 - 01 - 01), Sex::Male),
            ("89912319991", date!(2199 - 12 - 31), Sex::Female),
        ];
        for (code, born, sex) in cases {
            let parsed = parsed(code);
            assert_eq!((parsed.date_of_birth, parsed.sex), (born, sex), "{code}");
        }
    }

    #[test]
    fn february_twenty_ninth_follows_the_leap_years_of_the_century() {
        // 1900 and 2100 are not leap years, 2000 is.
        assert!(matches!(
            PersonalCode::parse("30002290011"),
            Err(PersonalCodeError::Date { year: 1900, month: 2, day: 29 })
        ));
        assert!(matches!(
            PersonalCode::parse("70002290015"),
            Err(PersonalCodeError::Date { year: 2100, month: 2, day: 29 })
        ));
        assert_eq!(parsed("50002290122").date_of_birth, date!(2000 - 02 - 29));
    }

    #[test]
    fn century_digits_zero_and_nine_are_refused() {
        assert_eq!(
            PersonalCode::parse("08001085718"),
            Err(PersonalCodeError::CenturyDigit { digit: 0 })
        );
        assert_eq!(
            PersonalCode::parse("98001085718"),
            Err(PersonalCodeError::CenturyDigit { digit: 9 })
        );
    }

    #[test]
    fn anything_but_eleven_ascii_digits_is_a_shape_error() {
        for code in ["", "3800108571", "380010857180", "3800108571X", "３8001085718", " 8001085718"]
        {
            assert_eq!(PersonalCode::parse(code), Err(PersonalCodeError::Shape), "{code:?}");
        }
    }

    #[test]
    fn valid_codes_of_the_data_set_pass() {
        for code in ["37101010021", "47101010033", "61710030163", "37712300255", "37602040334"] {
            parsed(code);
        }
    }
}
