//! When to fetch a CRL again: before its nextUpdate, at least every refresh interval, spread
//! by random jitter so that many gateways do not ask the CA in the same second.

use std::time::Duration;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use time::OffsetDateTime;

use super::snapshot::CrlSnapshot;

/// Wait after a failed load: one minute. CRL points serve static files, so a minute keeps the
/// load on them small while a short outage is recovered from quickly.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60);

/// Share of the wait that jitter may take off: a tenth.
const JITTER_SHARE: f64 = 0.1;

/// When to load again, after a load that gave `loaded` (`None`: it failed) at `now`.
pub(crate) fn next_refresh(
    loaded: Option<&CrlSnapshot>,
    interval: Duration,
    now: OffsetDateTime,
) -> OffsetDateTime {
    refresh_time(loaded.map(|s| (s.this_update(), s.next_update())), interval, now, random_unit())
}

/// The pure rule: on failure, retry after [`RETRY_AFTER_FAILURE`]. On success, the earlier of
/// `now + interval` and nextUpdate minus a lead (a tenth of the CRL's validity, between one
/// minute and the interval), less up to a tenth of the wait as jitter (`unit` in 0..1). A CRL
/// already at its end is retried like a failure.
pub(crate) fn refresh_time(
    validity: Option<(OffsetDateTime, OffsetDateTime)>,
    interval: Duration,
    now: OffsetDateTime,
    unit: f64,
) -> OffsetDateTime {
    let Some((this_update, next_update)) = validity else {
        return now + RETRY_AFTER_FAILURE;
    };
    let span: time::Duration = (next_update - this_update).max(time::Duration::ZERO);
    let ceiling = interval_td(interval).max(time::Duration::MINUTE);
    let lead = span.checked_div(10).unwrap_or(span).clamp(time::Duration::MINUTE, ceiling);
    let due = (now + interval).min(next_update - lead);
    if due <= now {
        return now + RETRY_AFTER_FAILURE;
    }
    due - (due - now) * (JITTER_SHARE * unit.clamp(0.0, 1.0))
}

fn interval_td(interval: Duration) -> time::Duration {
    time::Duration::try_from(interval).unwrap_or(time::Duration::MAX)
}

fn random_unit() -> f64 {
    let mut bytes = [0u8; 4];
    // Without randomness the jitter is simply zero; scheduling still works.
    if SystemRandom::new().fill(&mut bytes).is_err() {
        return 0.0;
    }
    f64::from(u32::from_be_bytes(bytes)) / f64::from(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2024-01-01 12:00 UTC);
    const FIFTEEN_MIN: Duration = Duration::from_secs(900);

    #[test]
    fn long_lived_crl_is_refreshed_every_interval() {
        let validity = Some((datetime!(2024-01-01 00:00 UTC), datetime!(2024-01-02 00:00 UTC)));
        assert_eq!(refresh_time(validity, FIFTEEN_MIN, NOW, 0.0), NOW + FIFTEEN_MIN);
        let jittered = refresh_time(validity, FIFTEEN_MIN, NOW, 1.0);
        assert_eq!(jittered, NOW + FIFTEEN_MIN - time::Duration::seconds(90));
    }

    #[test]
    fn crl_near_its_end_is_refreshed_before_next_update() {
        let validity = Some((datetime!(2024-01-01 00:00 UTC), datetime!(2024-01-01 12:10 UTC)));
        // lead = a tenth of 12h10m = 73 min, capped at the 15 min interval: due 11:55 < now.
        assert_eq!(refresh_time(validity, FIFTEEN_MIN, NOW, 0.0), NOW + RETRY_AFTER_FAILURE);
        let later = Some((datetime!(2024-01-01 11:00 UTC), datetime!(2024-01-01 12:20 UTC)));
        // lead = 8 min: due 12:12, before the interval's 12:15.
        assert_eq!(refresh_time(later, FIFTEEN_MIN, NOW, 0.0), datetime!(2024-01-01 12:12 UTC));
    }

    #[test]
    fn failure_is_retried_after_a_minute() {
        assert_eq!(refresh_time(None, FIFTEEN_MIN, NOW, 0.5), NOW + RETRY_AFTER_FAILURE);
    }
}
