//! The CRL step: the issuer's configured sources (and, when enabled, the card's distribution
//! points), the freshest CRL among them, and the status it gives.

use std::sync::Arc;

use super::{Check, RevocationChecker};
use crate::cache::Retention;
use crate::client::http_uri;
use crate::crl::store::{CrlLocation, CrlSource};
use crate::outcome::{RevocationError, RevocationOutcome, StatusSource};
use crate::status::CertStatus;

impl RevocationChecker {
    /// Whether the CRL step has any source for this card.
    pub(super) fn crl_possible(&self, check: &Check<'_>) -> bool {
        !self.crl_sources(check).is_empty()
    }

    pub(super) async fn crl(
        &self,
        check: &Check<'_>,
    ) -> Result<RevocationOutcome, RevocationError> {
        let sources = self.crl_sources(check);
        if sources.is_empty() {
            let reason = "no CRL is configured for this issuer and no distribution point is used";
            return Err(RevocationError::NoSource { reason });
        }
        let skew = check.policy.clock_skew;
        let (status, crl) = self
            .crls
            .status(&sources, check.card.serial(), check.now, skew)
            .await
            .map_err(RevocationError::Crl)?;

        let origin = StatusSource::Crl {
            source: crl.source().to_string(),
            this_update: crl.this_update(),
            next_update: crl.next_update(),
        };
        match status {
            CertStatus::Good => {
                let outcome = RevocationOutcome { source: origin, dangerous_grace: false };
                // CRL answers are looked up anew each time (a lookup is cheap and a newly
                // loaded CRL must count at once); they are remembered for the grace period only.
                let retention = Retention { fresh_until: None, valid_until: crl.next_update() };
                self.cache.remember(check.key.clone(), &outcome, retention, check.now);
                Ok(outcome)
            }
            CertStatus::Revoked { revoked_at, reason } => {
                Err(RevocationError::Revoked { revoked_at, reason, origin })
            }
            CertStatus::Unknown => Err(RevocationError::Unknown { origin }),
        }
    }

    /// The configured sources, plus the card's `http://` distribution points when enabled.
    fn crl_sources(&self, check: &Check<'_>) -> Vec<Arc<CrlSource>> {
        let policy = check.policy;
        let mut sources = policy.crl_sources.clone();
        if !policy.distribution_points {
            return sources;
        }
        for url in check.card.crl_urls().iter().filter(|url| http_uri(url).is_ok()) {
            let location = CrlLocation::Url(url.clone());
            let issuer: &Arc<_> = check.issuer;
            sources.push(self.crls.source(check.key.issuer, issuer, location, policy.crl_settings));
        }
        sources
    }
}
