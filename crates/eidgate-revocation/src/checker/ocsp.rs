//! The OCSP step: cache, single flight, responders in order, verification, status.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use time::OffsetDateTime;

use super::{Check, RevocationChecker};
use crate::cache::Retention;
use crate::config::AIA;
use crate::ocsp::{
    encode_request, verify_response, CertId, Expectation, OcspError, VerifiedResponse, NONCE_LEN,
};
use crate::outcome::{
    AttemptError, ResponderAttempt, RevocationError, RevocationOutcome, StatusSource,
};
use crate::policy::Responder;
use crate::status::CertStatus;

/// How one responder's exchange ended, when it gave no verified answer.
enum Failure {
    /// Not reachable now: the next responder is asked.
    Unavailable(AttemptError),
    /// It answered, and the answer failed verification: final.
    Refused(OcspError),
}

impl RevocationChecker {
    /// A fresh cached answer, or one OCSP round for this card shared by concurrent checks.
    pub(super) async fn ocsp(
        &self,
        check: &Check<'_>,
    ) -> Result<RevocationOutcome, RevocationError> {
        if let Some(cached) = self.cache.fresh(check.key, check.now) {
            return Ok(cached);
        }
        self.cache.single_flight(check.key, || self.ask_and_remember(check)).await
    }

    async fn ask_and_remember(
        &self,
        check: &Check<'_>,
    ) -> Result<RevocationOutcome, RevocationError> {
        let (url, verified) = ask_responders(check).await?;
        let origin = StatusSource::Ocsp {
            url,
            cached: false,
            produced_at: verified.produced_at,
            this_update: verified.this_update,
            next_update: verified.next_update,
            signer: verified.signer.clone(),
        };
        match verified.status {
            CertStatus::Good => {
                let outcome = RevocationOutcome { source: origin, dangerous_grace: false };
                let retention = self.ocsp_retention(verified.next_update, check.now);
                self.cache.remember(check.key.clone(), &outcome, retention, check.now);
                Ok(outcome)
            }
            CertStatus::Revoked { revoked_at, reason } => {
                Err(RevocationError::Revoked { revoked_at, reason, origin })
            }
            CertStatus::Unknown => Err(RevocationError::Unknown { origin }),
        }
    }

    /// A good answer is reused until its nextUpdate, but never longer than the configured
    /// maximum lifetime after it was fetched (and exactly that long without nextUpdate).
    fn ocsp_retention(
        &self,
        next_update: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Retention {
        let cap = now + self.cache_max_lifetime;
        let until = next_update.map_or(cap, |next| next.min(cap));
        Retention { fresh_until: Some(until), valid_until: until }
    }
}

/// Asks the policy's responders in order until one answers with a verified response.
async fn ask_responders(check: &Check<'_>) -> Result<(String, VerifiedResponse), RevocationError> {
    let mut attempts = Vec::new();
    for responder in &check.policy.responders {
        let Some(url) = responder.url_for(check.card) else {
            attempts.push(ResponderAttempt { url: AIA.to_string(), error: AttemptError::NoAiaUrl });
            continue;
        };
        match ask_one(check, responder, url).await {
            Ok(verified) => return Ok((url.to_string(), verified)),
            Err(Failure::Refused(error)) => {
                return Err(RevocationError::InvalidResponse { url: url.to_string(), error });
            }
            Err(Failure::Unavailable(error)) => {
                tracing::warn!(ocsp.url = url, error = %error, "OCSP responder unavailable");
                attempts.push(ResponderAttempt { url: url.to_string(), error });
            }
        }
    }
    if attempts.iter().all(|a| a.error == AttemptError::NoAiaUrl) {
        let reason = "the card names no OCSP responder (no AIA) and no responder URL is configured";
        return Err(RevocationError::NoSource { reason });
    }
    Err(RevocationError::Unavailable { attempts })
}

/// One request to one responder, and the verification of its answer.
async fn ask_one(
    check: &Check<'_>,
    responder: &Responder,
    url: &str,
) -> Result<VerifiedResponse, Failure> {
    let cert_id = CertId::new(check.issuer, check.card.serial(), responder.hash);
    let nonce = responder.nonce.then(fresh_nonce).transpose().map_err(Failure::Unavailable)?;
    let request = encode_request(&cert_id, nonce.as_ref().map(|n| n.as_slice()))
        .map_err(|e| Failure::Unavailable(AttemptError::Request(e)))?;

    let policy = check.policy;
    let body = policy
        .fetcher
        .post_ocsp(url, request.der, policy.ocsp_limits)
        .await
        .map_err(|e| Failure::Unavailable(AttemptError::Fetch(e)))?;

    let expect = Expectation {
        cert_id: &cert_id,
        nonce_extension: request.nonce_extension.as_deref(),
        issuer: check.issuer,
        authority: responder.authority(),
        freshness: policy.freshness,
    };
    match verify_response(&body, &expect, check.now) {
        Ok(verified) => Ok(verified),
        Err(OcspError::Unsuccessful(status)) if busy(status) => {
            Err(Failure::Unavailable(AttemptError::Busy(status)))
        }
        Err(error) => Err(Failure::Refused(error)),
    }
}

fn busy(status: crate::ocsp::ResponderStatus) -> bool {
    OcspError::Unsuccessful(status).is_responder_busy()
}

/// 32 random bytes for the nonce.
fn fresh_nonce() -> Result<[u8; NONCE_LEN], AttemptError> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| AttemptError::Request(crate::ocsp::RequestError::no_randomness()))?;
    Ok(nonce)
}
