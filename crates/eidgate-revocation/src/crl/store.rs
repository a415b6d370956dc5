//! The loaded CRLs: one slot per (issuer, source), swapped whole when a newer CRL arrives, and
//! loaded on first use, on expiry, and by the background refresh.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use time::OffsetDateTime;

use super::error::CrlError;
use super::parse::parse_crl;
use super::schedule::next_refresh;
use super::snapshot::CrlSnapshot;
use crate::cert::{CertInfo, Serial};
use crate::client::{FetchLimits, HttpFetcher};
use crate::status::CertStatus;

/// Where a CRL is read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CrlLocation {
    File(PathBuf),
    Url(String),
}

impl fmt::Display for CrlLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CrlLocation::File(path) => write!(f, "{}", path.display()),
            CrlLocation::Url(url) => f.write_str(url),
        }
    }
}

/// One CRL source of one issuer, with the last CRL it gave.
pub(crate) struct CrlSource {
    location: CrlLocation,
    issuer: Arc<CertInfo>,
    limits: FetchLimits,
    refresh_interval: Duration,
    current: RwLock<Option<Arc<CrlSnapshot>>>,
    last_error: Mutex<Option<CrlError>>,
    next_due: Mutex<Option<OffsetDateTime>>,
    loading: tokio::sync::Mutex<()>,
}

impl CrlSource {
    pub fn location(&self) -> &CrlLocation {
        &self.location
    }

    pub fn snapshot(&self) -> Option<Arc<CrlSnapshot>> {
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn last_error(&self) -> Option<CrlError> {
        self.last_error.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn next_due(&self) -> Option<OffsetDateTime> {
        *self.next_due.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads or downloads the CRL, verifies it, and swaps it in unless the loaded one is newer.
    /// Concurrent loads of one source wait for each other.
    pub async fn load(
        &self,
        fetcher: &HttpFetcher,
        now: OffsetDateTime,
    ) -> Result<Arc<CrlSnapshot>, CrlError> {
        let _guard = self.loading.lock().await;
        let result = self.read_and_parse(fetcher).await;
        let due = next_refresh(result.as_ref().ok(), self.refresh_interval, now);
        *self.next_due.lock().unwrap_or_else(|p| p.into_inner()) = Some(due);

        match result {
            Ok(fresh) => Ok(self.swap_in(Arc::new(fresh))),
            Err(error) => {
                tracing::warn!(crl.source = %self.location, error = %error, "CRL load failed");
                *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(error.clone());
                Err(error)
            }
        }
    }

    /// Loads only when nothing is loaded yet (first use); otherwise returns what is loaded.
    async fn ensure_loaded(
        &self,
        fetcher: &HttpFetcher,
        now: OffsetDateTime,
    ) -> Result<Arc<CrlSnapshot>, CrlError> {
        match self.snapshot() {
            Some(snapshot) => Ok(snapshot),
            None => self.load(fetcher, now).await,
        }
    }

    fn swap_in(&self, fresh: Arc<CrlSnapshot>) -> Arc<CrlSnapshot> {
        let mut slot = self.current.write().unwrap_or_else(|p| p.into_inner());
        if let Some(loaded) = slot.as_ref() {
            if loaded.this_update() > fresh.this_update() {
                return Arc::clone(loaded);
            }
        }
        tracing::info!(crl.source = %self.location, crl.entries = fresh.len(), "CRL loaded");
        *slot = Some(Arc::clone(&fresh));
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
        fresh
    }

    async fn read_and_parse(&self, fetcher: &HttpFetcher) -> Result<CrlSnapshot, CrlError> {
        let bytes = match &self.location {
            CrlLocation::File(path) => tokio::fs::read(path).await.map_err(|e| CrlError::File {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?,
            CrlLocation::Url(url) => fetcher
                .get(url, self.limits)
                .await
                .map_err(|error| CrlError::Fetch { url: url.clone(), error })?
                .to_vec(),
        };
        // Parsing a national CA's CRL takes a noticeable moment; keep it off the async workers.
        let issuer = Arc::clone(&self.issuer);
        let source = self.location.to_string();
        tokio::task::spawn_blocking(move || parse_crl(&bytes, &issuer, &source))
            .await
            .map_err(|e| CrlError::Malformed(format!("parser task failed: {e}")))?
    }
}

/// Every CRL source known, keyed by issuer and location.
pub(crate) struct CrlStore {
    fetcher: HttpFetcher,
    sources: Mutex<HashMap<(IssuerKey, CrlLocation), Arc<CrlSource>>>,
}

/// Identifies an issuing CA: SHA-256 over its subject name and public key.
pub(crate) type IssuerKey = [u8; 32];

/// How one source is read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SourceSettings {
    pub limits: FetchLimits,
    pub refresh_interval: Duration,
}

impl CrlStore {
    pub fn new(fetcher: HttpFetcher) -> Self {
        CrlStore { fetcher, sources: Mutex::new(HashMap::new()) }
    }

    /// The source for (`issuer`, `location`), created on first mention.
    pub fn source(
        &self,
        key: IssuerKey,
        issuer: &Arc<CertInfo>,
        location: CrlLocation,
        settings: SourceSettings,
    ) -> Arc<CrlSource> {
        let mut sources = self.sources.lock().unwrap_or_else(|p| p.into_inner());
        let entry = sources.entry((key, location.clone())).or_insert_with(|| {
            Arc::new(CrlSource {
                location,
                issuer: Arc::clone(issuer),
                limits: settings.limits,
                refresh_interval: settings.refresh_interval,
                current: RwLock::new(None),
                last_error: Mutex::new(None),
                next_due: Mutex::new(None),
                loading: tokio::sync::Mutex::new(()),
            })
        });
        Arc::clone(entry)
    }

    /// Every source, for the background refresh.
    pub fn all_sources(&self) -> Vec<Arc<CrlSource>> {
        self.sources.lock().unwrap_or_else(|p| p.into_inner()).values().cloned().collect()
    }

    pub fn fetcher(&self) -> &HttpFetcher {
        &self.fetcher
    }

    /// The status of `serial` according to the freshest CRL among `sources`; a source with no
    /// CRL yet is loaded first, and an expired CRL is reloaded once before giving up.
    ///
    /// # Errors
    ///
    /// [`CrlError::NoSource`] without sources; otherwise the error of the freshest CRL (expired,
    /// not yet valid) or, when none could be loaded, the last load error.
    pub async fn status(
        &self,
        sources: &[Arc<CrlSource>],
        serial: &Serial,
        now: OffsetDateTime,
        skew: Duration,
    ) -> Result<(CertStatus, Arc<CrlSnapshot>), CrlError> {
        let freshest = self.freshest(sources, now).await?;
        match freshest.status(serial, now, skew) {
            Err(CrlError::Expired { .. }) => {
                self.reload_and_retry(sources, serial, now, skew).await
            }
            other => other.map(|status| (status, freshest)),
        }
    }

    async fn reload_and_retry(
        &self,
        sources: &[Arc<CrlSource>],
        serial: &Serial,
        now: OffsetDateTime,
        skew: Duration,
    ) -> Result<(CertStatus, Arc<CrlSnapshot>), CrlError> {
        for source in sources {
            // A failed reload keeps the old CRL; the error is logged by `load`.
            let _ = source.load(&self.fetcher, now).await;
        }
        let freshest = self.freshest(sources, now).await?;
        freshest.status(serial, now, skew).map(|status| (status, freshest))
    }

    async fn freshest(
        &self,
        sources: &[Arc<CrlSource>],
        now: OffsetDateTime,
    ) -> Result<Arc<CrlSnapshot>, CrlError> {
        let mut best: Option<Arc<CrlSnapshot>> = None;
        let mut first_error = None;
        for source in sources {
            match source.ensure_loaded(&self.fetcher, now).await {
                Ok(snapshot)
                    if best.as_ref().is_none_or(|b| snapshot.this_update() > b.this_update()) =>
                {
                    best = Some(snapshot);
                }
                Ok(_) => {}
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        best.ok_or_else(|| {
            first_error
                .or_else(|| sources.first().and_then(|s| s.last_error()))
                .unwrap_or(CrlError::NoSource)
        })
    }
}
