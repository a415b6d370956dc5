//! The authentication decision for one connection, made once its handshake is done, and its log
//! line.
//!
//! TLS session resumption brings back the certificate of the original handshake; the decision is
//! made again for every connection, so a resumed session never skips a check.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, UnixTime};

use eidgate_core::identity::Identity;
use eidgate_core::{verify_card, AcceptancePolicy, Refusal, TrustStore, VerifiedCard};
use eidgate_revocation::{RevocationChecker, RevocationOutcome};

/// What the connection's client proved.
#[derive(Debug)]
pub enum Authentication {
    /// A card that passed every check.
    Verified(Arc<VerifiedCard>),
    /// A refusal, with the reason the log and the page give.
    Refused(Refusal),
}

/// Decides for one connection's peer certificates and logs the decision.
pub struct Authenticator {
    trust: Arc<TrustStore>,
    policy: AcceptancePolicy,
    revocation: Option<Arc<RevocationChecker>>,
    log_personal_codes: bool,
}

impl Authenticator {
    /// `revocation` is `None` only when the operator turned the check off.
    pub fn new(
        trust: Arc<TrustStore>,
        policy: AcceptancePolicy,
        revocation: Option<Arc<RevocationChecker>>,
        log_personal_codes: bool,
    ) -> Self {
        Self { trust, policy, revocation, log_personal_codes }
    }

    pub fn trust(&self) -> &Arc<TrustStore> {
        &self.trust
    }

    /// The revocation checker, unless the operator turned the check off.
    pub fn revocation(&self) -> Option<&Arc<RevocationChecker>> {
        self.revocation.as_ref()
    }

    /// Decides for the certificates a client presented (`None` or empty: no card) at `now`:
    /// the acceptance decision, then the revocation check, and writes the one log line of the
    /// decision.
    pub async fn authenticate(
        &self,
        peer: SocketAddr,
        certificates: Option<&[CertificateDer<'static>]>,
        now: UnixTime,
    ) -> Authentication {
        let chain = certificates.unwrap_or_default();
        let decided = match verify_card(chain, &self.trust, &self.policy, now) {
            Ok(card) => self.check_revocation(card, now).await,
            Err(refusal) => Err(refusal),
        };
        match decided {
            Ok((card, outcome)) => {
                self.log_accepted(peer, &card, outcome.as_ref());
                Authentication::Verified(Arc::new(card))
            }
            Err(refusal) => {
                log_refused_certificate(peer, chain.first(), &refusal);
                Authentication::Refused(refusal)
            }
        }
    }

    async fn check_revocation(
        &self,
        card: VerifiedCard,
        now: UnixTime,
    ) -> Result<(VerifiedCard, Option<RevocationOutcome>), Refusal> {
        let Some(checker) = &self.revocation else { return Ok((card, None)) };
        let now = offset_date_time(now);
        match checker.check(card.certificate(), card.issuer(), now).await {
            Ok(outcome) => Ok((card, Some(outcome))),
            Err(error) => Err(crate::revocation::refusal(&error)),
        }
    }

    fn log_accepted(
        &self,
        peer: SocketAddr,
        card: &VerifiedCard,
        status: Option<&RevocationOutcome>,
    ) {
        let identity = card.identity();
        let code = identity.personal_code.as_ref().map(|c| c.code.as_str());
        let code = if self.log_personal_codes { code.unwrap_or("-") } else { "(not logged)" };
        tracing::info!(
            client.addr = %peer,
            cert.issuer = %identity.issuer,
            cert.serial = %identity.certificate_serial,
            cert.document = ?identity.document,
            revocation = %status.map_or_else(|| "not checked".to_string(), ToString::to_string),
            person.code = code,
            decision = "accepted",
            reason = "ok",
            "authentication decision"
        );
    }
}

/// Logs a refusal of a presented certificate with its issuer and serial, which an operator needs
/// to find the card; the subject is not logged, since a refused certificate says whatever its
/// sender chose.
fn log_refused_certificate(peer: SocketAddr, leaf: Option<&CertificateDer<'_>>, refusal: &Refusal) {
    let Some(identity) = leaf.and_then(|der| Identity::from_der(der).ok()) else {
        return log_refused(peer, refusal);
    };
    tracing::info!(
        client.addr = %peer,
        cert.issuer = %identity.issuer,
        cert.serial = %identity.certificate_serial,
        decision = "refused",
        reason = refusal.code(),
        detail = %refusal,
        "authentication decision"
    );
}

/// Logs a refusal when there is no readable certificate to describe.
pub fn log_refused(peer: SocketAddr, refusal: &Refusal) {
    tracing::info!(
        client.addr = %peer,
        decision = "refused",
        reason = refusal.code(),
        detail = %refusal,
        "authentication decision"
    );
}

fn offset_date_time(now: UnixTime) -> time::OffsetDateTime {
    let seconds = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    time::OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}
