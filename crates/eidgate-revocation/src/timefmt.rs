//! Prints instants as RFC 3339 in messages and logs.

use std::fmt;

use time::format_description::well_known::Rfc3339 as Rfc3339Format;
use time::OffsetDateTime;

/// Displays the wrapped instant as RFC 3339 (`2021-09-17T18:25:24Z`).
#[derive(Clone, Copy, Debug)]
pub struct Rfc3339(pub OffsetDateTime);

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(&Rfc3339Format) {
            Ok(text) => f.write_str(&text),
            // Years outside 0..=9999 have no RFC 3339 form; the debug form still says when.
            Err(_) => write!(f, "{}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn prints_rfc3339() {
        assert_eq!(Rfc3339(datetime!(2021-09-17 18:25:24 UTC)).to_string(), "2021-09-17T18:25:24Z");
    }
}
