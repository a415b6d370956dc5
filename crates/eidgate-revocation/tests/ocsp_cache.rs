//! Good answers are reused until they expire, concurrent checks share one request, revocation
//! takes effect once the reused answer expires, and the dangerous grace period is bounded.
//! Time moves through the `now` argument; nothing sleeps.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::{serial, serve, Pki};
use eidgate_revocation::responder::{
    Misbehaviour, ResponderSettings, RunningResponder, TestResponder,
};
use eidgate_revocation::status::RevocationReason;
use eidgate_revocation::{RevocationChecker, RevocationConfig, RevocationError, StatusSource};
use time::OffsetDateTime;

const CARD: u64 = 0x2002;

struct Setup {
    pki: Pki,
    running: Option<RunningResponder>,
    responder: Arc<TestResponder>,
    card: Vec<u8>,
    checker: Arc<RevocationChecker>,
}

async fn setup(settings: ResponderSettings, config: RevocationConfig) -> Setup {
    let pki = Pki::new("TEST of ESTEID-EIDGATE");
    let running = serve(&pki.identity(), settings).await;
    let card = pki.card(CARD, Some(&running.ocsp_url()), None);
    let checker = Arc::new(RevocationChecker::new(&config, Path::new(".")).unwrap());
    let responder = Arc::clone(running.responder());
    Setup { pki, running: Some(running), responder, card, checker }
}

impl Setup {
    async fn check(
        &self,
        now: OffsetDateTime,
    ) -> Result<eidgate_revocation::RevocationOutcome, RevocationError> {
        self.checker.check(&self.card, &self.pki.ca_der, now).await
    }

    fn served(&self) -> u64 {
        self.responder.ocsp_requests_served()
    }

    /// Stops the responder: its port refuses connections from now on.
    fn stop_responder(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop();
        }
    }
}

fn secs(n: i64) -> time::Duration {
    time::Duration::seconds(n)
}

fn is_cached(outcome: &eidgate_revocation::RevocationOutcome) -> bool {
    matches!(outcome.source, StatusSource::Ocsp { cached: true, .. })
}

#[tokio::test]
async fn fifty_concurrent_checks_of_one_card_make_one_request() {
    let s = Arc::new(setup(ResponderSettings::default(), RevocationConfig::default()).await);
    s.responder.set_misbehaviour(Misbehaviour::Late(Duration::from_millis(200)));
    let now = OffsetDateTime::now_utc();

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let s = Arc::clone(&s);
            tokio::spawn(async move { s.check(now).await })
        })
        .collect();
    let mut fetched = 0;
    for task in tasks {
        let outcome = task.await.unwrap().unwrap();
        fetched += usize::from(!is_cached(&outcome));
    }

    assert_eq!(s.served(), 1);
    assert_eq!(fetched, 1, "exactly one check made the request, the others shared it");
}

#[tokio::test]
async fn answer_is_reused_until_next_update_and_fetched_again_after() {
    let settings = ResponderSettings {
        response_validity: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    let s = setup(settings, RevocationConfig::default()).await;
    let t = OffsetDateTime::now_utc();

    let first = s.check(t).await.unwrap();
    let StatusSource::Ocsp { next_update: Some(next_update), .. } = first.source else {
        panic!("expected nextUpdate, got {first}");
    };
    assert!(!is_cached(&first));

    let reused = s.check(t + secs(30)).await.unwrap();
    assert!(is_cached(&reused));
    assert_eq!(s.served(), 1);

    let after = s.check(next_update + secs(1)).await.unwrap();
    assert!(!is_cached(&after));
    assert_eq!(s.served(), 2);
}

#[tokio::test]
async fn answer_without_next_update_is_reused_for_the_configured_lifetime_only() {
    let mut config = RevocationConfig::default();
    config.cache.max_lifetime_secs = 120;
    let s = setup(ResponderSettings::default(), config).await;
    let t = OffsetDateTime::now_utc();

    s.check(t).await.unwrap();
    assert!(is_cached(&s.check(t + secs(119)).await.unwrap()));
    assert!(!is_cached(&s.check(t + secs(121)).await.unwrap()));
    assert_eq!(s.served(), 2);
}

#[tokio::test]
async fn revocation_takes_effect_once_the_reused_answer_expires() {
    let s = setup(ResponderSettings::default(), RevocationConfig::default()).await;
    let t = OffsetDateTime::now_utc();
    s.check(t).await.unwrap();

    s.responder.revoke(&serial(CARD), t, Some(RevocationReason::CessationOfOperation));
    let still_cached = s.check(t + secs(10)).await.unwrap();
    assert!(is_cached(&still_cached));

    let err = s.check(t + secs(301)).await.unwrap_err();
    assert!(
        matches!(
            err,
            RevocationError::Revoked { reason: Some(RevocationReason::CessationOfOperation), .. }
        ),
        "{err:?}"
    );
    assert_eq!(s.served(), 2);

    // The revoked card is not served from the cache afterwards either.
    assert!(s.check(t + secs(302)).await.is_err());
}

#[tokio::test]
async fn outage_refuses_the_card_once_the_answer_expired_by_default() {
    let s = setup(ResponderSettings::default(), RevocationConfig::default()).await;
    let t = OffsetDateTime::now_utc();
    s.check(t).await.unwrap();
    let mut s = s;
    s.stop_responder();

    let err = s.check(t + secs(301)).await.unwrap_err();

    assert!(matches!(err, RevocationError::Unavailable { .. }), "{err:?}");
}

#[tokio::test]
async fn dangerous_grace_period_reuses_the_last_answer_for_a_bounded_time() {
    let config = RevocationConfig { dangerous_grace_period_secs: 600, ..Default::default() };
    let mut s = setup(ResponderSettings::default(), config).await;
    let t = OffsetDateTime::now_utc();
    s.check(t).await.unwrap();
    s.stop_responder();

    let within = s.check(t + secs(301)).await.unwrap();
    assert!(within.dangerous_grace);
    assert!(within.to_string().contains("dangerous_grace_period_secs"), "{within}");

    let beyond = s.check(t + secs(300 + 601)).await.unwrap_err();
    assert!(matches!(beyond, RevocationError::Unavailable { .. }), "{beyond:?}");
}
