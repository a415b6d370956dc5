//! Every way an OCSP check can fail gives its own error, against the real test responder over
//! loopback; fallbacks are asked only when a responder is unavailable.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{dead_url, serial, serve, Pki};
use eidgate_revocation::client::FetchError;
use eidgate_revocation::config::{ResponderConfig, RevocationConfig};
use eidgate_revocation::ocsp::{CertIdHash, NotAuthorised, OcspError, ResponderStatus, Signer};
use eidgate_revocation::responder::{Misbehaviour, ResponderSettings, RunningResponder};
use eidgate_revocation::status::RevocationReason;
use eidgate_revocation::{
    AttemptError, RefusalKind, RevocationChecker, RevocationError, RevocationOutcome, StatusSource,
};
use time::OffsetDateTime;

const CARD: u64 = 0x1001;

struct Setup {
    pki: Pki,
    running: RunningResponder,
    card: Vec<u8>,
}

async fn setup() -> Setup {
    let pki = Pki::new("TEST of ESTEID-EIDGATE");
    let running = serve(&pki.identity(), ResponderSettings::default()).await;
    let card = pki.card(CARD, Some(&running.ocsp_url()), None);
    Setup { pki, running, card }
}

fn checker(config: &RevocationConfig) -> RevocationChecker {
    RevocationChecker::new(config, Path::new(".")).unwrap()
}

async fn check_with(
    s: &Setup,
    config: &RevocationConfig,
) -> Result<RevocationOutcome, RevocationError> {
    checker(config).check(&s.card, &s.pki.ca_der, OffsetDateTime::now_utc()).await
}

async fn check_misbehaving(
    misbehaviour: Misbehaviour,
) -> Result<RevocationOutcome, RevocationError> {
    let s = setup().await;
    s.running.responder().set_misbehaviour(misbehaviour);
    check_with(&s, &RevocationConfig::default()).await
}

fn invalid_response(result: Result<RevocationOutcome, RevocationError>) -> OcspError {
    match result {
        Err(RevocationError::InvalidResponse { error, .. }) => error,
        other => panic!("expected an invalid response, got {other:?}"),
    }
}

fn single_attempt(result: Result<RevocationOutcome, RevocationError>) -> AttemptError {
    match result {
        Err(RevocationError::Unavailable { mut attempts }) if attempts.len() == 1 => {
            attempts.remove(0).error
        }
        other => panic!("expected one unavailable responder, got {other:?}"),
    }
}

#[tokio::test]
async fn good_card_is_accepted_on_the_delegated_responders_word() {
    let s = setup().await;

    let outcome = check_with(&s, &RevocationConfig::default()).await.unwrap();

    let StatusSource::Ocsp { url, cached, signer, next_update, .. } = &outcome.source else {
        panic!("expected OCSP, got {outcome}");
    };
    assert_eq!(url, &s.running.ocsp_url());
    assert!(!cached);
    assert_eq!(next_update, &None);
    assert!(matches!(signer, Signer::Delegated { subject } if subject.contains("OCSP RESPONDER")));
    assert!(!outcome.dangerous_grace);
    assert_eq!(s.running.responder().ocsp_requests_served(), 1);
}

#[tokio::test]
async fn revoked_card_is_refused_with_its_time_and_reason() {
    let s = setup().await;
    let revoked_at = time::macros::datetime!(2024-05-01 10:00:00 UTC);
    s.running.responder().revoke(&serial(CARD), revoked_at, Some(RevocationReason::KeyCompromise));

    let err = check_with(&s, &RevocationConfig::default()).await.unwrap_err();

    assert_eq!(err.kind(), RefusalKind::Revoked);
    let RevocationError::Revoked { revoked_at: at, reason, origin } = err else {
        panic!("expected revoked, got {err:?}");
    };
    assert_eq!(at, revoked_at);
    assert_eq!(reason.map(RevocationReason::code), Some(1));
    assert!(matches!(origin, StatusSource::Ocsp { .. }));
}

#[tokio::test]
async fn unknown_card_is_refused() {
    let err = check_misbehaving(Misbehaviour::Unknown).await.unwrap_err();
    assert_eq!(err.kind(), RefusalKind::StatusUnknown);
    assert!(matches!(err, RevocationError::Unknown { .. }), "{err:?}");
}

#[tokio::test]
async fn responder_that_is_down_makes_the_status_unavailable() {
    let pki = Pki::new("TEST of ESTEID-EIDGATE");
    let card = pki.card(CARD, Some(&dead_url()), None);

    let result = checker(&RevocationConfig::default())
        .check(&card, &pki.ca_der, OffsetDateTime::now_utc())
        .await;

    let err = result.as_ref().unwrap_err().clone();
    assert_eq!(err.kind(), RefusalKind::StatusUnavailable);
    let attempt = single_attempt(result);
    assert!(matches!(attempt, AttemptError::Fetch(FetchError::Unavailable { .. })), "{attempt:?}");
}

#[tokio::test]
async fn slow_responder_times_out() {
    let s = setup().await;
    s.running.responder().set_misbehaviour(Misbehaviour::Late(Duration::from_secs(3)));
    let mut config = RevocationConfig::default();
    config.unlisted.ocsp.response_timeout_ms = 300;

    let attempt = single_attempt(check_with(&s, &config).await);

    assert_eq!(
        attempt,
        AttemptError::Fetch(FetchError::Timeout { after: Duration::from_millis(300) })
    );
}

#[tokio::test]
async fn http_500_is_its_own_failure() {
    let attempt = single_attempt(check_misbehaving(Misbehaviour::Http500).await);
    assert_eq!(attempt, AttemptError::Fetch(FetchError::HttpStatus(500)));
}

#[tokio::test]
async fn wrong_content_type_is_its_own_failure() {
    let attempt = single_attempt(check_misbehaving(Misbehaviour::WrongContentType).await);
    let AttemptError::Fetch(FetchError::ContentType { found, .. }) = attempt else {
        panic!("expected a content type failure, got {attempt:?}");
    };
    assert_eq!(found.as_deref(), Some("text/html"));
}

#[tokio::test]
async fn oversized_body_is_cut_off_at_the_limit() {
    let attempt = single_attempt(check_misbehaving(Misbehaviour::Oversized).await);
    assert_eq!(attempt, AttemptError::Fetch(FetchError::TooLarge { limit: 64 * 1024 }));
}

#[tokio::test]
async fn try_later_without_fallback_is_unavailable() {
    let attempt = single_attempt(check_misbehaving(Misbehaviour::TryLater).await);
    assert_eq!(attempt, AttemptError::Busy(ResponderStatus::TryLater));
}

#[tokio::test]
async fn body_that_is_not_ocsp_is_malformed() {
    let error = invalid_response(check_misbehaving(Misbehaviour::Garbage).await);
    assert!(matches!(error, OcspError::Malformed(_)), "{error:?}");
}

#[tokio::test]
async fn corrupted_signature_is_a_bad_signature() {
    let error = invalid_response(check_misbehaving(Misbehaviour::BadSignature).await);
    assert_eq!(error, OcspError::BadSignature);
}

#[tokio::test]
async fn responder_the_ca_never_delegated_is_not_authorised() {
    let error = invalid_response(check_misbehaving(Misbehaviour::WrongResponder).await);
    let OcspError::ResponderNotAuthorised(NotAuthorised::NotIssuedByCa { subject }) = error else {
        panic!("expected not issued by the CA, got {error:?}");
    };
    assert!(subject.contains("Rogue"), "{subject}");
}

#[tokio::test]
async fn answer_about_another_serial_is_the_wrong_certificate() {
    let error = invalid_response(check_misbehaving(Misbehaviour::OtherSerial).await);
    assert_eq!(
        error,
        OcspError::WrongCertificate { expected: serial(CARD), found: serial(CARD + 1) }
    );
}

#[tokio::test]
async fn two_answers_are_too_many() {
    let error = invalid_response(check_misbehaving(Misbehaviour::TwoResponses).await);
    assert_eq!(error, OcspError::TooManyResponses(2));
}

#[tokio::test]
async fn day_old_answer_without_next_update_is_stale() {
    let error = invalid_response(check_misbehaving(Misbehaviour::StaleThisUpdate).await);
    assert!(matches!(error, OcspError::ThisUpdateTooOld { max_age_secs: 120, .. }), "{error:?}");
}

#[tokio::test]
async fn answer_from_an_hour_ahead_is_in_the_future() {
    let error = invalid_response(check_misbehaving(Misbehaviour::FutureThisUpdate).await);
    assert!(matches!(error, OcspError::ThisUpdateInFuture { .. }), "{error:?}");
}

#[tokio::test]
async fn missing_nonce_is_refused() {
    let error = invalid_response(check_misbehaving(Misbehaviour::NoNonce).await);
    assert_eq!(error, OcspError::NonceMissing);
}

#[tokio::test]
async fn different_nonce_is_refused() {
    let error = invalid_response(check_misbehaving(Misbehaviour::WrongNonce).await);
    assert_eq!(error, OcspError::NonceMismatch);
}

#[tokio::test]
async fn responder_without_nonce_is_accepted_when_nonce_is_off() {
    let s = setup().await;
    s.running.responder().set_misbehaviour(Misbehaviour::NoNonce);
    let mut config = RevocationConfig::default();
    config.unlisted.ocsp.responders[0].nonce = false;

    assert!(check_with(&s, &config).await.is_ok());
}

#[tokio::test]
async fn sha256_cert_id_is_answered() {
    let s = setup().await;
    let mut config = RevocationConfig::default();
    config.unlisted.ocsp.responders[0].cert_id_hash = CertIdHash::Sha256;

    assert!(check_with(&s, &config).await.is_ok());
}

#[tokio::test]
async fn fallback_is_asked_when_the_first_responder_is_down() {
    let s = setup().await;
    let mut config = RevocationConfig::default();
    let down = ResponderConfig { url: dead_url(), ..ResponderConfig::aia() };
    config.unlisted.ocsp.responders = vec![down, ResponderConfig::aia()];

    let outcome = check_with(&s, &config).await.unwrap();

    assert!(
        matches!(&outcome.source, StatusSource::Ocsp { url, .. } if *url == s.running.ocsp_url())
    );
}

#[tokio::test]
async fn fallback_is_asked_when_the_first_responder_says_try_later() {
    let s = setup().await;
    let busy = serve(&s.pki.identity(), ResponderSettings::default()).await;
    busy.responder().set_misbehaviour(Misbehaviour::TryLater);
    let mut config = RevocationConfig::default();
    let first = ResponderConfig { url: busy.ocsp_url(), ..ResponderConfig::aia() };
    config.unlisted.ocsp.responders = vec![first, ResponderConfig::aia()];

    let outcome = check_with(&s, &config).await.unwrap();

    assert_eq!(busy.responder().ocsp_requests_served(), 1);
    assert!(
        matches!(&outcome.source, StatusSource::Ocsp { url, .. } if *url == s.running.ocsp_url())
    );
}

#[tokio::test]
async fn fallback_is_not_asked_after_an_answer_that_fails_verification() {
    let s = setup().await;
    let forger = serve(&s.pki.identity(), ResponderSettings::default()).await;
    forger.responder().set_misbehaviour(Misbehaviour::BadSignature);
    let mut config = RevocationConfig::default();
    let first = ResponderConfig { url: forger.ocsp_url(), ..ResponderConfig::aia() };
    config.unlisted.ocsp.responders = vec![first, ResponderConfig::aia()];

    let error = invalid_response(check_with(&s, &config).await);

    assert_eq!(error, OcspError::BadSignature);
    assert_eq!(s.running.responder().ocsp_requests_served(), 0);
}

#[tokio::test]
async fn fallback_is_not_asked_after_a_revoked_answer() {
    let s = setup().await;
    let first = serve(&s.pki.identity(), ResponderSettings::default()).await;
    first.responder().revoke(&serial(CARD), OffsetDateTime::now_utc(), None);
    let mut config = RevocationConfig::default();
    let first_config = ResponderConfig { url: first.ocsp_url(), ..ResponderConfig::aia() };
    config.unlisted.ocsp.responders = vec![first_config, ResponderConfig::aia()];

    let err = check_with(&s, &config).await.unwrap_err();

    assert!(matches!(err, RevocationError::Revoked { reason: None, .. }), "{err:?}");
    assert_eq!(s.running.responder().ocsp_requests_served(), 0);
}

#[tokio::test]
async fn ca_signing_its_own_answers_is_accepted() {
    let pki = Pki::new("TEST of ESTEID-EIDGATE");
    let running = serve(&pki.ca_signing_identity(), ResponderSettings::default()).await;
    let card = pki.card(CARD, Some(&running.ocsp_url()), None);

    let outcome = checker(&RevocationConfig::default())
        .check(&card, &pki.ca_der, OffsetDateTime::now_utc())
        .await
        .unwrap();

    assert!(
        matches!(&outcome.source, StatusSource::Ocsp { signer: Signer::Issuer, .. }),
        "{outcome}"
    );
}

#[tokio::test]
async fn designated_responder_is_accepted_only_when_pinned() {
    let card_ca = Pki::new("TEST of ESTEID-EIDGATE");
    let other_ca = Pki::new("TEST of EE Certification Centre Root CA");
    let designated = common::TempDir::new("designated");
    let mut identity = card_ca.identity();
    identity.responder_cert_der = other_ca.responder_der.clone();
    identity.responder_key_pkcs8 = other_ca.responder_key.clone();
    let running = serve(&identity, ResponderSettings::default()).await;
    let card = card_ca.card(CARD, None, None);
    let pinned_path = designated.write("designated.der", &other_ca.responder_der);

    let mut config = RevocationConfig::default();
    config.unlisted.ocsp.responders = vec![ResponderConfig {
        url: running.ocsp_url(),
        responder_cert: Some(pinned_path),
        ..ResponderConfig::aia()
    }];
    let now = OffsetDateTime::now_utc();
    let pinned = checker(&config).check(&card, &card_ca.ca_der, now).await.unwrap();
    assert!(matches!(&pinned.source, StatusSource::Ocsp { signer: Signer::Pinned { .. }, .. }));

    config.unlisted.ocsp.responders[0].responder_cert = None;
    let error = invalid_response(checker(&config).check(&card, &card_ca.ca_der, now).await);
    assert!(matches!(
        error,
        OcspError::ResponderNotAuthorised(NotAuthorised::NotIssuedByCa { .. })
    ));
}

#[tokio::test]
async fn card_without_aia_and_without_crl_is_refused_for_lack_of_a_source() {
    let pki = Pki::new("TEST of ESTEID-EIDGATE");
    let card = pki.card(CARD, None, None);

    let err = checker(&RevocationConfig::default())
        .check(&card, &pki.ca_der, OffsetDateTime::now_utc())
        .await
        .unwrap_err();

    assert!(
        matches!(err, RevocationError::NoSource { reason } if reason.contains("no AIA")),
        "{err:?}"
    );
    assert_eq!(err.kind(), RefusalKind::StatusUnavailable);
}

#[tokio::test]
async fn issuer_that_did_not_issue_the_card_is_a_mismatch() {
    let s = setup().await;
    let stranger = Pki::new("Some other CA");

    let err = checker(&RevocationConfig::default())
        .check(&s.card, &stranger.ca_der, OffsetDateTime::now_utc())
        .await
        .unwrap_err();

    assert_eq!(err, RevocationError::IssuerMismatch);
}
