//! One CRL as loaded: its validity and its entries, sorted for lookup by serial.

use time::OffsetDateTime;

use super::error::CrlError;
use crate::cert::Serial;
use crate::status::{CertStatus, RevocationReason};

/// One revoked certificate of a CRL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    pub serial: Serial,
    pub revoked_at: OffsetDateTime,
    pub reason: Option<RevocationReason>,
}

/// A verified CRL. Only [`parse_crl`](super::parse_crl) builds one.
///
/// Entries are kept in a vector sorted by serial: half the memory of a hash map for the
/// hundreds of thousands of entries of a national CA, and a lookup of about twenty comparisons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrlSnapshot {
    source: String,
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    number: Option<Vec<u8>>,
    revoked: Vec<RevokedEntry>,
}

impl CrlSnapshot {
    pub(crate) fn new(
        source: String,
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
        number: Option<Vec<u8>>,
        mut revoked: Vec<RevokedEntry>,
    ) -> Self {
        revoked.sort_unstable_by(|a, b| a.serial.cmp(&b.serial));
        CrlSnapshot { source, this_update, next_update, number, revoked }
    }

    /// Where the CRL came from (file path or URL).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// When the CRL was issued.
    pub fn this_update(&self) -> OffsetDateTime {
        self.this_update
    }

    /// When the next CRL is due; the CRL is refused after it (plus the clock skew).
    pub fn next_update(&self) -> OffsetDateTime {
        self.next_update
    }

    /// The cRLNumber, big-endian, when the CRL has one.
    pub fn number(&self) -> Option<&[u8]> {
        self.number.as_deref()
    }

    /// How many certificates it lists.
    pub fn len(&self) -> usize {
        self.revoked.len()
    }

    /// Whether it lists no certificate.
    pub fn is_empty(&self) -> bool {
        self.revoked.is_empty()
    }

    /// The entry for `serial`, if listed.
    pub fn entry(&self, serial: &Serial) -> Option<&RevokedEntry> {
        let index = self.revoked.binary_search_by(|e| e.serial.cmp(serial)).ok()?;
        self.revoked.get(index)
    }

    /// The status of `serial` at `now`, if this CRL is current then.
    ///
    /// # Errors
    ///
    /// [`CrlError::Expired`] once nextUpdate plus `skew` has passed; [`CrlError::NotYetValid`]
    /// while thisUpdate lies beyond now plus `skew`.
    pub fn status(
        &self,
        serial: &Serial,
        now: OffsetDateTime,
        skew: std::time::Duration,
    ) -> Result<CertStatus, CrlError> {
        if self.this_update > now + skew {
            let this_update = self.this_update;
            return Err(CrlError::NotYetValid { location: self.source.clone(), this_update });
        }
        if self.next_update < now - skew {
            let next_update = self.next_update;
            return Err(CrlError::Expired { location: self.source.clone(), next_update, now });
        }
        Ok(match self.entry(serial) {
            Some(entry) => {
                CertStatus::Revoked { revoked_at: entry.revoked_at, reason: entry.reason }
            }
            None => CertStatus::Good,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use time::macros::datetime;

    fn snapshot(count: u32) -> CrlSnapshot {
        let revoked = (0..count)
            .rev()
            .map(|n| RevokedEntry {
                serial: Serial::from_integer_bytes(&(n * 7).to_be_bytes()),
                revoked_at: datetime!(2024-01-01 00:00 UTC),
                reason: Some(RevocationReason::KeyCompromise),
            })
            .collect();
        let (this, next) = (datetime!(2024-01-01 00:00 UTC), datetime!(2024-01-02 00:00 UTC));
        CrlSnapshot::new("test".into(), this, next, None, revoked)
    }

    #[test]
    fn lookup_finds_listed_serials_among_three_hundred_thousand() {
        let crl = snapshot(300_000);
        let at = datetime!(2024-01-01 12:00 UTC);
        let listed = Serial::from_integer_bytes(&(7 * 123_456u32).to_be_bytes());
        let unlisted = Serial::from_integer_bytes(&(7 * 123_456u32 + 1).to_be_bytes());
        let status = crl.status(&listed, at, Duration::ZERO).unwrap();
        assert!(matches!(
            status,
            CertStatus::Revoked { reason: Some(RevocationReason::KeyCompromise), .. }
        ));
        assert_eq!(crl.status(&unlisted, at, Duration::ZERO), Ok(CertStatus::Good));
        assert_eq!(crl.len(), 300_000);
    }

    #[test]
    fn expired_crl_gives_no_answer() {
        let crl = snapshot(1);
        let late = datetime!(2024-01-02 00:05:01 UTC);
        let err = crl.status(&Serial::from_integer_bytes(&[1]), late, Duration::from_secs(300));
        assert!(matches!(err, Err(CrlError::Expired { .. })));
    }
}
