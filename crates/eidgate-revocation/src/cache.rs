//! Good answers remembered per card, and one in-flight check per card.
//!
//! A good OCSP answer is reused until it is no longer fresh (see the checker for the rule).
//! Every good answer, OCSP or CRL, is also remembered as the card's last good answer, which
//! only the dangerous grace period may use after it expired. Concurrent checks of one card
//! wait for a single request (single flight): fifty tabs opening at once cost one OCSP request.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, MutexGuard};

use time::OffsetDateTime;
use tokio::sync::watch;

use crate::cert::Serial;
use crate::crl::store::IssuerKey;
use crate::outcome::{RevocationError, RevocationOutcome};

/// Identifies a card: its issuer and serial number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CardKey {
    pub issuer: IssuerKey,
    pub serial: Serial,
}

type CheckResult = Result<RevocationOutcome, RevocationError>;

/// One remembered good answer.
#[derive(Clone, Debug)]
struct Entry {
    outcome: RevocationOutcome,
    /// Reused as is until then; `None` when never reused (CRL answers, which are looked up anew).
    fresh_until: Option<OffsetDateTime>,
    /// The end of the answer's own validity, from which the grace period counts.
    valid_until: OffsetDateTime,
    /// When the entry may be dropped: `valid_until` plus the grace period.
    keep_until: OffsetDateTime,
    stored_at: OffsetDateTime,
}

/// How an answer is remembered.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Retention {
    pub fresh_until: Option<OffsetDateTime>,
    pub valid_until: OffsetDateTime,
}

pub(crate) struct StatusCache {
    entries: Mutex<HashMap<CardKey, Entry>>,
    inflight: Mutex<HashMap<CardKey, watch::Receiver<Option<CheckResult>>>>,
    max_entries: usize,
    grace: time::Duration,
}

impl StatusCache {
    pub fn new(max_entries: usize, grace: time::Duration) -> Self {
        StatusCache {
            entries: Mutex::new(HashMap::new()),
            inflight: Mutex::new(HashMap::new()),
            max_entries,
            grace,
        }
    }

    /// The answer for `key` if it may still be reused at `now`, marked as cached.
    pub fn fresh(&self, key: &CardKey, now: OffsetDateTime) -> Option<RevocationOutcome> {
        let entries = lock(&self.entries);
        let entry = entries.get(key)?;
        let fresh = entry.fresh_until.is_some_and(|until| now < until && now >= entry.stored_at);
        fresh.then(|| entry.outcome.clone().marked_cached())
    }

    /// The last good answer for `key`, if `now` lies within the grace period after its end.
    pub fn within_grace(&self, key: &CardKey, now: OffsetDateTime) -> Option<RevocationOutcome> {
        if self.grace.is_zero() {
            return None;
        }
        let entries = lock(&self.entries);
        let entry = entries.get(key)?;
        (now <= entry.keep_until).then(|| {
            let mut outcome = entry.outcome.clone().marked_cached();
            outcome.dangerous_grace = now > entry.valid_until;
            outcome
        })
    }

    /// Remembers a good answer.
    pub fn remember(
        &self,
        key: CardKey,
        outcome: &RevocationOutcome,
        retention: Retention,
        now: OffsetDateTime,
    ) {
        if self.max_entries == 0 {
            return;
        }
        let mut entries = lock(&self.entries);
        if entries.len() >= self.max_entries && !entries.contains_key(&key) {
            evict(&mut entries, self.max_entries, now);
        }
        let entry = Entry {
            outcome: outcome.clone(),
            fresh_until: retention.fresh_until,
            valid_until: retention.valid_until,
            keep_until: retention
                .valid_until
                .checked_add(self.grace)
                .unwrap_or(retention.valid_until),
            stored_at: now,
        };
        entries.insert(key, entry);
    }

    /// Forgets the answer for `key` (after the card was found revoked).
    pub fn forget(&self, key: &CardKey) {
        lock(&self.entries).remove(key);
    }

    /// Runs `work` for `key` unless a run for the same key is in flight, in which case it
    /// waits for that run's result instead. A run whose caller went away lets the next waiter
    /// run it anew.
    pub async fn single_flight<F, Fut>(&self, key: &CardKey, work: F) -> CheckResult
    where
        F: Fn() -> Fut,
        Fut: Future<Output = CheckResult>,
    {
        loop {
            let sender = {
                let mut inflight = lock(&self.inflight);
                match inflight.get(key) {
                    Some(receiver) => Err(receiver.clone()),
                    None => {
                        let (sender, receiver) = watch::channel(None);
                        inflight.insert(key.clone(), receiver);
                        Ok(sender)
                    }
                }
            };
            match sender {
                Ok(sender) => return self.lead(key, sender, work()).await,
                Err(mut receiver) => {
                    if let Ok(result) = receiver.wait_for(Option::is_some).await {
                        if let Some(result) = result.as_ref() {
                            return result.clone().map(RevocationOutcome::marked_cached);
                        }
                    }
                    // The leader was cancelled: try again, perhaps as the leader.
                }
            }
        }
    }

    async fn lead(
        &self,
        key: &CardKey,
        sender: watch::Sender<Option<CheckResult>>,
        work: impl Future<Output = CheckResult>,
    ) -> CheckResult {
        let _guard = InflightGuard { cache: self, key };
        let result = work.await;
        // Waiters may all be gone; the result is still returned to this caller.
        let _ = sender.send(Some(result.clone()));
        result
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.entries).len()
    }
}

/// Removes the in-flight mark when the leading run ends or is cancelled.
struct InflightGuard<'a> {
    cache: &'a StatusCache,
    key: &'a CardKey,
}

impl Drop for InflightGuard<'_> {
    fn drop(&mut self) {
        lock(&self.cache.inflight).remove(self.key);
    }
}

/// Makes room: first drops entries past their keep time, then, if still full, the oldest tenth.
fn evict(entries: &mut HashMap<CardKey, Entry>, max_entries: usize, now: OffsetDateTime) {
    entries.retain(|_, entry| entry.keep_until >= now);
    if entries.len() < max_entries {
        return;
    }
    let mut by_age: Vec<(OffsetDateTime, CardKey)> =
        entries.iter().map(|(key, entry)| (entry.stored_at, key.clone())).collect();
    by_age.sort_unstable_by_key(|(stored_at, _)| *stored_at);
    let drop_count = (max_entries / 10).max(1);
    for (_, key) in by_age.into_iter().take(drop_count) {
        entries.remove(&key);
    }
}

/// A poisoned lock only means a panic elsewhere; the map itself is always consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::StatusSource;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2024-01-01 12:00 UTC);

    fn key(n: u8) -> CardKey {
        CardKey { issuer: [0; 32], serial: Serial::from_integer_bytes(&[n]) }
    }

    fn outcome() -> RevocationOutcome {
        let source = StatusSource::Crl { source: "t".into(), this_update: NOW, next_update: NOW };
        RevocationOutcome { source, dangerous_grace: false }
    }

    fn retention(minutes: i64) -> Retention {
        let until = NOW + time::Duration::minutes(minutes);
        Retention { fresh_until: Some(until), valid_until: until }
    }

    #[test]
    fn answer_is_fresh_until_its_time_and_not_after() {
        let cache = StatusCache::new(10, time::Duration::ZERO);
        cache.remember(key(1), &outcome(), retention(5), NOW);
        assert!(cache.fresh(&key(1), NOW + time::Duration::minutes(4)).is_some());
        assert!(cache.fresh(&key(1), NOW + time::Duration::minutes(5)).is_none());
        assert!(cache.within_grace(&key(1), NOW + time::Duration::minutes(6)).is_none());
    }

    #[test]
    fn grace_period_reuses_an_expired_answer_and_says_so() {
        let cache = StatusCache::new(10, time::Duration::minutes(10));
        cache.remember(key(1), &outcome(), retention(5), NOW);
        let reused = cache.within_grace(&key(1), NOW + time::Duration::minutes(14)).unwrap();
        assert!(reused.dangerous_grace);
        assert!(cache.within_grace(&key(1), NOW + time::Duration::minutes(16)).is_none());
    }

    #[test]
    fn full_cache_drops_expired_entries_then_the_oldest() {
        let cache = StatusCache::new(10, time::Duration::ZERO);
        for n in 0..10 {
            cache.remember(
                key(n),
                &outcome(),
                retention(5),
                NOW + time::Duration::seconds(n.into()),
            );
        }
        cache.remember(key(100), &outcome(), retention(5), NOW + time::Duration::minutes(1));
        assert_eq!(cache.len(), 10);
        assert!(cache.fresh(&key(0), NOW + time::Duration::minutes(1)).is_none());
        assert!(cache.fresh(&key(1), NOW + time::Duration::minutes(1)).is_some());

        cache.remember(key(101), &outcome(), retention(5), NOW + time::Duration::minutes(30));
        assert_eq!(cache.len(), 1, "all expired entries go at once");
    }

    #[tokio::test]
    async fn concurrent_checks_of_one_card_run_once() {
        let cache = Arc::new(StatusCache::new(10, time::Duration::ZERO));
        let runs = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (cache, runs) = (Arc::clone(&cache), Arc::clone(&runs));
            tasks.push(tokio::spawn(async move {
                cache
                    .single_flight(&key(1), || async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok(outcome())
                    })
                    .await
            }));
        }
        for task in tasks {
            assert!(task.await.unwrap().is_ok());
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}
