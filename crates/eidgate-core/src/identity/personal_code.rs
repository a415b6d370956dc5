//! The Estonian personal identification code (isikukood), `GYYMMDDSSSC`.

use serde::Serialize;
use time::Date;

/// A checked Estonian personal code.
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

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PersonalCodeError {
    #[error("a personal code has 11 digits")]
    Shape,
}
