//! CRLs from URLs, files and the card's distribution points: verified against the issuer,
//! honoured until nextUpdate, refused when expired or badly signed, and replaced without a
//! restart when a newer one is published.

mod common;

use std::path::PathBuf;

use common::{dead_url, serial, serve, Pki, TempDir};
use eidgate_revocation::cert::CertInfo;
use eidgate_revocation::config::{IssuerConfig, Methods, PolicyConfig, RevocationConfig};
use eidgate_revocation::crl::{parse_crl, CrlError};
use eidgate_revocation::responder::{Misbehaviour, ResponderSettings, RunningResponder};
use eidgate_revocation::status::RevocationReason;
use eidgate_revocation::{RevocationChecker, RevocationError, RevocationOutcome, StatusSource};
use time::OffsetDateTime;

const CARD: u64 = 0x3003;

struct Setup {
    pki: Pki,
    running: RunningResponder,
    dir: TempDir,
    card: Vec<u8>,
}

async fn setup() -> Setup {
    let pki = Pki::new("TEST of ESTEID-EIDGATE");
    let running = serve(&pki.identity(), ResponderSettings::default()).await;
    let card = pki.card(CARD, Some(&running.ocsp_url()), Some(&running.crl_url()));
    let dir = TempDir::new("crl");
    dir.write("issuer.der", &pki.ca_der);
    Setup { pki, running, dir, card }
}

impl Setup {
    fn issuer_config(&self, methods: Methods) -> IssuerConfig {
        IssuerConfig {
            issuer_cert: PathBuf::from("issuer.der"),
            methods,
            ocsp: Default::default(),
            crl: Default::default(),
            clock_skew_secs: 300,
        }
    }

    fn checker(&self, issuer: IssuerConfig) -> RevocationChecker {
        let config = RevocationConfig { issuers: vec![issuer], ..Default::default() };
        RevocationChecker::new(&config, self.dir.path()).unwrap()
    }

    async fn check(
        &self,
        checker: &RevocationChecker,
    ) -> Result<RevocationOutcome, RevocationError> {
        checker.check(&self.card, &self.pki.ca_der, OffsetDateTime::now_utc()).await
    }
}

fn crl_source(outcome: &RevocationOutcome) -> &str {
    match &outcome.source {
        StatusSource::Crl { source, .. } => source,
        other => panic!("expected a CRL answer, got {other}"),
    }
}

#[tokio::test]
async fn crl_from_a_url_says_good_then_revoked_after_a_refresh() {
    let s = setup().await;
    let mut issuer = s.issuer_config(Methods::Crl);
    issuer.crl.urls = vec![s.running.crl_url()];
    let checker = s.checker(issuer);

    let good = s.check(&checker).await.unwrap();
    assert_eq!(crl_source(&good), s.running.crl_url());

    let revoked_at = time::macros::datetime!(2024-06-01 08:00 UTC);
    s.running.responder().revoke(&serial(CARD), revoked_at, Some(RevocationReason::KeyCompromise));
    assert!(s.check(&checker).await.is_ok(), "the loaded CRL stays in use until refreshed");

    let refreshed = checker.refresh_crls(OffsetDateTime::now_utc()).await;
    assert_eq!(refreshed, vec![(s.running.crl_url(), Ok(()))]);
    let err = s.check(&checker).await.unwrap_err();
    let RevocationError::Revoked { revoked_at: at, reason, origin } = err else {
        panic!("expected revoked, got {err:?}");
    };
    assert_eq!((at, reason), (revoked_at, Some(RevocationReason::KeyCompromise)));
    assert!(matches!(origin, StatusSource::Crl { .. }));
    assert_eq!(s.running.responder().ocsp_requests_served(), 0, "CRL only: OCSP never asked");
}

#[tokio::test]
async fn crl_file_is_reread_on_refresh() {
    let s = setup().await;
    let file = s.dir.write("issuing.crl", &s.running.responder().crl());
    let mut issuer = s.issuer_config(Methods::Crl);
    issuer.crl.files = vec![PathBuf::from("issuing.crl")];
    let checker = s.checker(issuer);
    assert_eq!(crl_source(&s.check(&checker).await.unwrap()), file.display().to_string());

    s.running.responder().revoke(&serial(CARD), OffsetDateTime::now_utc(), None);
    std::fs::write(&file, s.running.responder().crl().as_slice()).unwrap();
    checker.refresh_crls(OffsetDateTime::now_utc()).await;

    let err = s.check(&checker).await.unwrap_err();
    assert!(matches!(err, RevocationError::Revoked { reason: None, .. }), "{err:?}");
}

#[tokio::test]
async fn expired_crl_is_refused() {
    let s = setup().await;
    s.running.responder().set_misbehaviour(Misbehaviour::ExpiredCrl);
    let mut issuer = s.issuer_config(Methods::Crl);
    issuer.crl.urls = vec![s.running.crl_url()];

    let err = s.check(&s.checker(issuer)).await.unwrap_err();

    assert!(matches!(err, RevocationError::Crl(CrlError::Expired { .. })), "{err:?}");
    assert!(err.is_outage());
}

#[tokio::test]
async fn crl_with_a_bad_signature_is_refused() {
    let s = setup().await;
    s.running.responder().set_misbehaviour(Misbehaviour::BadCrlSignature);
    let mut issuer = s.issuer_config(Methods::Crl);
    issuer.crl.urls = vec![s.running.crl_url()];

    let err = s.check(&s.checker(issuer)).await.unwrap_err();

    assert_eq!(err, RevocationError::Crl(CrlError::BadSignature));
}

#[tokio::test]
async fn crl_of_another_ca_is_refused() {
    let s = setup().await;
    let stranger = Pki::new("Some other CA");
    let stranger_ca = CertInfo::from_der(&stranger.ca_der).unwrap();

    let err = parse_crl(&s.running.responder().crl(), &stranger_ca, "test").unwrap_err();

    assert!(matches!(err, CrlError::WrongIssuer { .. }), "{err:?}");
}

#[tokio::test]
async fn crl_is_used_when_ocsp_is_unavailable() {
    let s = setup().await;
    let mut issuer = s.issuer_config(Methods::OcspThenCrl);
    issuer.ocsp.responders[0].url = dead_url();
    issuer.crl.urls = vec![s.running.crl_url()];

    let outcome = s.check(&s.checker(issuer)).await.unwrap();

    assert_eq!(crl_source(&outcome), s.running.crl_url());
}

#[tokio::test]
async fn crl_is_not_used_when_ocsp_says_revoked() {
    let s = setup().await;
    let mut issuer = s.issuer_config(Methods::OcspThenCrl);
    issuer.crl.urls = vec![s.running.crl_url()];
    s.running.responder().revoke(&serial(CARD), OffsetDateTime::now_utc(), None);

    let err = s.check(&s.checker(issuer)).await.unwrap_err();

    assert!(matches!(err, RevocationError::Revoked { origin: StatusSource::Ocsp { .. }, .. }));
    assert_eq!(s.running.responder().crl_requests_served(), 0);
}

#[tokio::test]
async fn distribution_point_of_the_card_is_used_when_enabled() {
    let s = setup().await;
    let unlisted = PolicyConfig {
        methods: Methods::Crl,
        crl: eidgate_revocation::config::CrlConfig {
            distribution_points: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let config = RevocationConfig { unlisted, ..Default::default() };
    let checker = RevocationChecker::new(&config, s.dir.path()).unwrap();

    let outcome = s.check(&checker).await.unwrap();

    assert_eq!(crl_source(&outcome), s.running.crl_url());
    assert_eq!(s.running.responder().crl_requests_served(), 1);
}

#[tokio::test]
async fn crl_method_without_any_source_is_a_configuration_error() {
    let s = setup().await;
    let config =
        RevocationConfig { issuers: vec![s.issuer_config(Methods::Crl)], ..Default::default() };

    let err = RevocationChecker::new(&config, s.dir.path()).err().unwrap();

    assert!(err.to_string().starts_with("issuers[0].methods:"), "{err}");
}

#[tokio::test]
async fn background_refresh_picks_up_a_new_crl_without_a_restart() {
    let s = setup().await;
    let mut issuer = s.issuer_config(Methods::Crl);
    issuer.crl.urls = vec![s.running.crl_url()];
    issuer.crl.refresh_interval_secs = 1;
    let checker = std::sync::Arc::new(s.checker(issuer));
    assert!(s.check(&checker).await.is_ok());
    let refresh = checker.spawn_crl_refresh();

    s.running.responder().revoke(&serial(CARD), OffsetDateTime::now_utc(), None);
    let mut revoked = false;
    for _ in 0..50 {
        if s.check(&checker).await.is_err() {
            revoked = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    refresh.abort();

    assert!(revoked, "the background refresh did not load the new CRL within 5 s");
    assert!(s.running.responder().crl_requests_served() >= 2);
}
