//! A small OCSP responder and CRL publisher for one CA, for tests and `eidgate demo`.
//!
//! It answers OCSP POSTs for certificates of its CA from a revocation list that can be changed
//! while it runs, signs with a delegated responder key (or the CA key, when the responder
//! identity is the CA itself), echoes nonces, and publishes a CRL signed by the CA. A
//! [`Misbehaviour`] switches it into one of the ways real responders fail, so that every
//! refusal of the client can be tested over a real socket.
//!
//! It is not a production responder: it keeps its list in memory, answers every request (no
//! access control, no rate limit), and reads the clock of the machine it runs on.

mod answer;
mod crl;
mod server;
mod signing;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use time::OffsetDateTime;

use crate::cert::Serial;
use crate::status::RevocationReason;

pub use server::RunningResponder;

/// Why the responder could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponderError {
    /// A certificate of the identity could not be read.
    #[error("responder certificate: {0}")]
    Certificate(String),
    /// A key could not be read or used.
    #[error("responder key: {0}")]
    Key(String),
    /// An answer or CRL could not be encoded.
    #[error("encoding: {0}")]
    Encoding(String),
    /// The listening socket could not be opened.
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// The CA and the responder that signs for it.
#[derive(Clone)]
pub struct ResponderIdentity {
    /// The CA certificate (DER) whose certificates are answered for and which signs the CRL.
    pub ca_cert_der: Vec<u8>,
    /// The CA's private key, PKCS#8 DER.
    pub ca_key_pkcs8: Vec<u8>,
    /// The responder certificate (DER): a delegated responder issued by the CA with the
    /// OCSPSigning EKU, or the CA certificate itself to sign responses with the CA key.
    pub responder_cert_der: Vec<u8>,
    /// The responder's private key, PKCS#8 DER.
    pub responder_key_pkcs8: Vec<u8>,
}

/// How the responder shapes its answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponderSettings {
    /// nextUpdate − thisUpdate of OCSP answers. Default `None`: no nextUpdate, as SK's AIA
    /// responders answer (live signing).
    pub response_validity: Option<Duration>,
    /// nextUpdate − thisUpdate of the CRL. Default one day.
    pub crl_validity: Duration,
    /// Path the CRL is served at. Default `/crl/issuing.crl`.
    pub crl_path: String,
}

impl Default for ResponderSettings {
    fn default() -> Self {
        ResponderSettings {
            response_validity: None,
            crl_validity: Duration::from_secs(24 * 3600),
            crl_path: "/crl/issuing.crl".to_string(),
        }
    }
}

/// A way to misbehave, switchable at run time with [`TestResponder::set_misbehaviour`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misbehaviour {
    /// Answer correctly.
    #[default]
    None,
    /// Wait this long before answering (OCSP and CRL).
    Late(Duration),
    /// Sign, then corrupt the signature.
    BadSignature,
    /// Sign with a self-signed responder key that the CA never authorised.
    WrongResponder,
    /// Leave the nonce out.
    NoNonce,
    /// Echo another nonce than the one received.
    WrongNonce,
    /// Answer "unknown" for every certificate.
    Unknown,
    /// Answer HTTP 500.
    Http500,
    /// Answer 200 `application/ocsp-response` with a body that is not OCSP.
    Garbage,
    /// Answer 200 with a correct response labelled `text/html`.
    WrongContentType,
    /// Answer 200 with a 1 MiB body.
    Oversized,
    /// Answer with thisUpdate one day old and no nextUpdate.
    StaleThisUpdate,
    /// Answer with thisUpdate one hour in the future.
    FutureThisUpdate,
    /// Put two SingleResponses in the answer.
    TwoResponses,
    /// Answer about the next serial number instead of the one asked.
    OtherSerial,
    /// Answer responseStatus tryLater.
    TryLater,
    /// Publish a CRL whose nextUpdate has passed.
    ExpiredCrl,
    /// Publish a CRL with a corrupted signature.
    BadCrlSignature,
}

/// One revocation in the responder's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Revocation {
    pub at: OffsetDateTime,
    pub reason: Option<RevocationReason>,
}

/// The responder. Create with [`TestResponder::new`], serve with [`TestResponder::spawn`].
pub struct TestResponder {
    keys: answer::Keys,
    settings: ResponderSettings,
    state: Mutex<State>,
    ocsp_served: AtomicU64,
    crl_served: AtomicU64,
}

struct State {
    revocations: BTreeMap<Serial, Revocation>,
    misbehaviour: Misbehaviour,
    clock_offset: time::Duration,
    crl: crl::Published,
}

impl TestResponder {
    /// A responder for `identity`, with an empty revocation list.
    ///
    /// # Errors
    ///
    /// [`ResponderError`] when a certificate or key of the identity cannot be read.
    pub fn new(
        identity: &ResponderIdentity,
        settings: ResponderSettings,
    ) -> Result<Arc<Self>, ResponderError> {
        let state = State {
            revocations: BTreeMap::new(),
            misbehaviour: Misbehaviour::None,
            clock_offset: time::Duration::ZERO,
            crl: crl::Published::default(),
        };
        Ok(Arc::new(TestResponder {
            keys: answer::Keys::new(identity)?,
            settings,
            state: Mutex::new(state),
            ocsp_served: AtomicU64::new(0),
            crl_served: AtomicU64::new(0),
        }))
    }

    /// Listens on `addr` (port 0 picks a free port) and serves until the returned handle is
    /// dropped or stopped.
    ///
    /// # Errors
    ///
    /// [`ResponderError::Io`] when the address cannot be bound.
    pub async fn spawn(
        self: &Arc<Self>,
        addr: SocketAddr,
    ) -> Result<RunningResponder, ResponderError> {
        server::spawn(Arc::clone(self), addr).await
    }

    /// Marks `serial` revoked from `revoked_at`, with `reason` (none: no reason given). Takes
    /// effect on the next OCSP answer and the next CRL fetch.
    pub fn revoke(
        &self,
        serial: &Serial,
        revoked_at: OffsetDateTime,
        reason: Option<RevocationReason>,
    ) {
        let mut state = self.lock();
        state.revocations.insert(serial.clone(), Revocation { at: revoked_at, reason });
        state.crl.invalidate();
    }

    /// Removes `serial` from the revocation list.
    pub fn unrevoke(&self, serial: &Serial) {
        let mut state = self.lock();
        state.revocations.remove(serial);
        state.crl.invalidate();
    }

    /// Switches to `misbehaviour` (or back to [`Misbehaviour::None`]).
    pub fn set_misbehaviour(&self, misbehaviour: Misbehaviour) {
        let mut state = self.lock();
        state.misbehaviour = misbehaviour;
        state.crl.invalidate();
    }

    /// Shifts the responder's clock by `offset` (to produce answers as of another time).
    pub fn set_clock_offset(&self, offset: time::Duration) {
        let mut state = self.lock();
        state.clock_offset = offset;
        state.crl.invalidate();
    }

    /// How many OCSP requests were answered (whatever the answer).
    pub fn ocsp_requests_served(&self) -> u64 {
        self.ocsp_served.load(Ordering::SeqCst)
    }

    /// How many CRL downloads were answered.
    pub fn crl_requests_served(&self) -> u64 {
        self.crl_served.load(Ordering::SeqCst)
    }

    /// The current misbehaviour.
    pub fn misbehaviour(&self) -> Misbehaviour {
        self.lock().misbehaviour
    }

    /// Answers one OCSP request (DER in, OCSPResponse DER out), as the HTTP endpoint does.
    pub fn ocsp_response(&self, request_der: &[u8]) -> Vec<u8> {
        self.ocsp_served.fetch_add(1, Ordering::SeqCst);
        let state = self.lock();
        let now = OffsetDateTime::now_utc() + state.clock_offset;
        let ctx = answer::Context {
            keys: &self.keys,
            revocations: &state.revocations,
            misbehaviour: state.misbehaviour,
            validity: self.settings.response_validity,
            now,
        };
        answer::respond(&ctx, request_der)
    }

    /// The current CRL (DER), regenerated after a change or when half its validity has passed.
    pub fn crl(&self) -> Arc<Vec<u8>> {
        self.crl_served.fetch_add(1, Ordering::SeqCst);
        let mut state = self.lock();
        let now = OffsetDateTime::now_utc() + state.clock_offset;
        let State { revocations, misbehaviour, crl, .. } = &mut *state;
        crl.current(&self.keys, revocations, *misbehaviour, self.settings.crl_validity, now)
    }

    /// The path the CRL is served at.
    pub fn crl_path(&self) -> &str {
        &self.settings.crl_path
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the list half-changed (every change is a
        // single insert or remove), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
