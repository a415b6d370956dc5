//! The revocation check the server calls after the TLS handshake and before the first request:
//! policy by issuer, cache, OCSP with fallbacks, CRL, and the failure policy.

mod crl;
mod ocsp;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::task::JoinHandle;

use crate::cache::{CardKey, StatusCache};
use crate::cert::CertInfo;
use crate::client::{HttpFetcher, DEFAULT_CONNECT_TIMEOUT};
use crate::config::{Methods, RevocationConfig};
use crate::crl::store::{CrlStore, IssuerKey};
use crate::crl::CrlError;
use crate::outcome::{RefusalKind, RevocationError, RevocationOutcome};
use crate::policy::{
    at_most, issuer_key, issuer_policy, unlisted_policy, ConfigError, Policy,
    MAX_CACHE_LIFETIME_SECS, MAX_GRACE_SECS,
};

/// Longest sleep of the background CRL refresh between two looks at its sources: one minute,
/// so that sources first used by a card (distribution points) are scheduled soon.
const REFRESH_TICK: Duration = Duration::from_secs(60);

/// Checks cards for revocation. Build once at start-up, share with `Arc`, call
/// [`check`](Self::check) for each new client certificate.
pub struct RevocationChecker {
    listed: HashMap<IssuerKey, Policy>,
    unlisted: Policy,
    cache: StatusCache,
    crls: CrlStore,
    cache_max_lifetime: time::Duration,
}

impl RevocationChecker {
    /// Builds the checker: reads the issuer and pinned responder certificates (paths relative
    /// to `base_dir`), checks every URL and limit. CRLs are not loaded here; they load on first
    /// use and then in the background (see [`spawn_crl_refresh`](Self::spawn_crl_refresh)).
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the offending key.
    pub fn new(config: &RevocationConfig, base_dir: &Path) -> Result<Self, ConfigError> {
        let crls = CrlStore::new(HttpFetcher::new(DEFAULT_CONNECT_TIMEOUT));
        let mut listed = HashMap::new();
        for (i, issuer_config) in config.issuers.iter().enumerate() {
            let key = format!("issuers[{i}]");
            let (issuer, policy) = issuer_policy(issuer_config, &key, base_dir, &crls)?;
            if listed.insert(issuer_key(&issuer), policy).is_some() {
                let subject = issuer.subject_text().to_string();
                return Err(ConfigError::DuplicateIssuer { key, subject });
            }
        }
        let grace_secs = config.dangerous_grace_period_secs;
        let grace = seconds(at_most(grace_secs, MAX_GRACE_SECS, "dangerous_grace_period_secs")?);
        let lifetime_secs = config.cache.max_lifetime_secs;
        let lifetime = at_most(lifetime_secs, MAX_CACHE_LIFETIME_SECS, "cache.max_lifetime_secs")?;
        Ok(RevocationChecker {
            listed,
            unlisted: unlisted_policy(&config.unlisted, base_dir)?,
            cache: StatusCache::new(config.cache.max_entries, grace),
            crls,
            cache_max_lifetime: seconds(lifetime),
        })
    }

    /// Checks whether the card `cert_der`, issued by `issuer_der` (the CA certificate the chain
    /// validation found), is revoked at `now`.
    ///
    /// The methods of the issuer's policy run in order; a card whose status cannot be
    /// established is refused (fail closed), unless `dangerous_grace_period_secs` allows its
    /// last good answer during an outage.
    ///
    /// # Errors
    ///
    /// [`RevocationError`]: revoked, unknown, unavailable, invalid answer, CRL problem, no
    /// source, or unreadable input. Use [`RevocationError::kind`] to choose the page.
    pub async fn check(
        &self,
        cert_der: &[u8],
        issuer_der: &[u8],
        now: OffsetDateTime,
    ) -> Result<RevocationOutcome, RevocationError> {
        let card = read(cert_der, "card")?;
        let issuer = Arc::new(read(issuer_der, "issuer")?);
        if !issuer.is_issuer_name_of(&card) {
            return Err(RevocationError::IssuerMismatch);
        }
        let issuer_key = issuer_key(&issuer);
        let policy = self.listed.get(&issuer_key).unwrap_or(&self.unlisted);
        let card_key = CardKey { issuer: issuer_key, serial: card.serial().clone() };
        let check = Check { policy, card: &card, issuer: &issuer, key: &card_key, now };

        let result = self.by_methods(&check).await;
        match result {
            Err(error) if error.is_outage() => self.cache.within_grace(&card_key, now).ok_or(error),
            Err(error) => {
                if error.kind() != RefusalKind::StatusUnavailable {
                    self.cache.forget(&card_key);
                }
                Err(error)
            }
            ok => ok,
        }
    }

    /// Loads every known CRL source now, as the background refresh does when a source is due.
    /// Returns each source with its result.
    pub async fn refresh_crls(&self, now: OffsetDateTime) -> Vec<(String, Result<(), CrlError>)> {
        let mut results = Vec::new();
        for source in self.crls.all_sources() {
            let result = source.load(self.crls.fetcher(), now).await.map(|_| ());
            results.push((source.location().to_string(), result));
        }
        results
    }

    /// Starts the background CRL refresh: configured sources are loaded at once, then each
    /// source again before its nextUpdate and at least every `refresh_interval_secs`, with
    /// jitter; a failed load is retried after a minute while the old CRL stays in use. Reads the
    /// system clock. Abort the handle to stop.
    pub fn spawn_crl_refresh(self: &Arc<Self>) -> JoinHandle<()> {
        let checker = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                let now = OffsetDateTime::now_utc();
                checker.refresh_due_crls(now).await;
                tokio::time::sleep(checker.until_next_refresh(OffsetDateTime::now_utc())).await;
            }
        })
    }

    async fn refresh_due_crls(&self, now: OffsetDateTime) {
        for source in self.crls.all_sources() {
            // A source never loaded is due at once, so that configured CRLs load at start-up.
            if source.next_due().is_none_or(|due| due <= now) {
                // A failure is logged by `load` and retried on the next round.
                let _ = source.load(self.crls.fetcher(), now).await;
            }
        }
    }

    fn until_next_refresh(&self, now: OffsetDateTime) -> Duration {
        let earliest = self.crls.all_sources().iter().filter_map(|s| s.next_due()).min();
        let wait = earliest
            .map_or(REFRESH_TICK, |due| Duration::try_from(due - now).unwrap_or(Duration::ZERO));
        wait.min(REFRESH_TICK)
    }

    async fn by_methods(&self, check: &Check<'_>) -> Result<RevocationOutcome, RevocationError> {
        match check.policy.methods {
            Methods::Ocsp => self.ocsp(check).await,
            Methods::Crl => self.crl(check).await,
            Methods::OcspThenCrl => match self.ocsp(check).await {
                Err(error) if falls_back_to_crl(&error) && self.crl_possible(check) => {
                    tracing::warn!(error = %error, "OCSP unavailable, trying the CRL");
                    self.crl(check).await
                }
                other => other,
            },
        }
    }
}

/// Everything one check needs.
pub(crate) struct Check<'a> {
    pub policy: &'a Policy,
    pub card: &'a CertInfo,
    pub issuer: &'a Arc<CertInfo>,
    pub key: &'a CardKey,
    pub now: OffsetDateTime,
}

fn falls_back_to_crl(error: &RevocationError) -> bool {
    matches!(error, RevocationError::Unavailable { .. } | RevocationError::NoSource { .. })
}

// The error is large because a refusal carries where its answer came from; it is built once per
// refused card, never in a loop, so its size costs nothing that matters.
#[allow(clippy::result_large_err)]
fn read(der: &[u8], which: &'static str) -> Result<CertInfo, RevocationError> {
    CertInfo::from_der(der).map_err(|error| RevocationError::Certificate { which, error })
}

fn seconds(value: u64) -> time::Duration {
    // Bounded by the configuration limits, far below i64::MAX.
    time::Duration::seconds(i64::try_from(value).unwrap_or(i64::MAX))
}
