//! The configuration turned into what the checker uses: certificates read, URLs checked, one
//! HTTP client per policy. Every mistake is reported with the key that holds it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::digest;

use crate::cert::CertInfo;
use crate::client::{http_uri, FetchLimits, HttpFetcher};
use crate::config::{
    CrlConfig, IssuerConfig, Methods, OcspConfig, PolicyConfig, ResponderConfig, AIA,
};
use crate::crl::store::{CrlLocation, CrlSource, CrlStore, IssuerKey, SourceSettings};
use crate::ocsp::{CertIdHash, Freshness, ResponderAuthority};

/// Upper bounds of durations in the configuration. They keep every time computation far from
/// overflow and catch unit slips (milliseconds written as seconds); none limits a sane setup.
pub(crate) const MAX_TIMEOUT_MS: u64 = 10 * 60 * 1000;
pub(crate) const MAX_CLOCK_SKEW_SECS: u64 = 24 * 3600;
pub(crate) const MAX_AGE_SECS: u64 = 7 * 24 * 3600;
pub(crate) const MAX_REFRESH_INTERVAL_SECS: u64 = 7 * 24 * 3600;
pub(crate) const MAX_CACHE_LIFETIME_SECS: u64 = 24 * 3600;
pub(crate) const MAX_GRACE_SECS: u64 = 7 * 24 * 3600;

/// A configuration mistake, naming the key (`issuers[0].ocsp.responders[1].url`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A certificate file could not be read or is not a certificate.
    #[error("{key}: cannot use {path}: {reason}")]
    Certificate { key: String, path: PathBuf, reason: String },
    /// A value is not allowed.
    #[error("{key}: {reason}")]
    Invalid { key: String, reason: String },
    /// Two entries name the same issuer.
    #[error("{key}: issuer {subject} is already configured")]
    DuplicateIssuer { key: String, subject: String },
}

/// How the cards of one issuer (or of all unlisted issuers) are checked.
pub(crate) struct Policy {
    pub methods: Methods,
    pub responders: Vec<Responder>,
    pub fetcher: HttpFetcher,
    pub ocsp_limits: FetchLimits,
    pub freshness: Freshness,
    pub crl_sources: Vec<Arc<CrlSource>>,
    pub crl_settings: SourceSettings,
    pub distribution_points: bool,
    pub clock_skew: Duration,
}

/// One OCSP responder of a policy.
pub(crate) struct Responder {
    /// `None`: the card's AIA URL.
    pub url: Option<String>,
    pub pinned: Option<CertInfo>,
    pub nonce: bool,
    pub hash: CertIdHash,
}

impl Responder {
    pub fn url_for<'a>(&'a self, card: &'a CertInfo) -> Option<&'a str> {
        self.url.as_deref().or_else(|| card.ocsp_urls().first().map(String::as_str))
    }

    pub fn authority(&self) -> ResponderAuthority<'_> {
        match &self.pinned {
            Some(cert) => ResponderAuthority::Pinned(cert),
            None => ResponderAuthority::IssuerOrDelegated,
        }
    }
}

/// Identifies an issuing CA: SHA-256 over its DER subject name and SubjectPublicKeyInfo, so a
/// re-issued CA certificate with the same name and key matches the same policy.
pub(crate) fn issuer_key(issuer: &CertInfo) -> IssuerKey {
    let mut context = digest::Context::new(&digest::SHA256);
    context.update(&issuer.subject);
    context.update(&issuer.spki);
    let mut key = [0u8; 32];
    key.copy_from_slice(context.finish().as_ref());
    key
}

/// Builds the policy of one listed issuer, registering its CRL sources in `store`.
pub(crate) fn issuer_policy(
    config: &IssuerConfig,
    key_prefix: &str,
    base_dir: &Path,
    store: &CrlStore,
) -> Result<(Arc<CertInfo>, Policy), ConfigError> {
    let issuer_path = base_dir.join(&config.issuer_cert);
    let issuer = Arc::new(read_cert(&format!("{key_prefix}.issuer_cert"), &issuer_path)?);
    let parts = PolicyConfig {
        methods: config.methods,
        ocsp: config.ocsp.clone(),
        crl: config.crl.clone(),
        clock_skew_secs: config.clock_skew_secs,
    };
    let mut policy = policy(&parts, key_prefix, base_dir)?;
    policy.crl_sources =
        crl_sources(&config.crl, key_prefix, base_dir, store, &issuer, policy.crl_settings)?;
    check_methods(&policy, key_prefix)?;
    Ok((issuer, policy))
}

/// Builds the policy for unlisted issuers; it cannot name CRL files or URLs, having no issuer
/// certificate to check them against.
pub(crate) fn unlisted_policy(
    config: &PolicyConfig,
    base_dir: &Path,
) -> Result<Policy, ConfigError> {
    if !config.crl.files.is_empty() || !config.crl.urls.is_empty() {
        return Err(invalid(
            "unlisted.crl",
            "files and urls need an issuer; list the issuer under [[revocation.issuers]]",
        ));
    }
    let policy = policy(config, "unlisted", base_dir)?;
    check_methods(&policy, "unlisted")?;
    Ok(policy)
}

fn policy(config: &PolicyConfig, key: &str, base_dir: &Path) -> Result<Policy, ConfigError> {
    let ocsp = &config.ocsp;
    let responders = ocsp
        .responders
        .iter()
        .enumerate()
        .map(|(i, r)| responder(r, &format!("{key}.ocsp.responders[{i}]"), base_dir))
        .collect::<Result<Vec<_>, _>>()?;
    let skew_secs =
        at_most(config.clock_skew_secs, MAX_CLOCK_SKEW_SECS, &format!("{key}.clock_skew_secs"))?;
    let age_key = format!("{key}.ocsp.max_this_update_age_secs");
    let max_age_secs = at_most(ocsp.max_this_update_age_secs, MAX_AGE_SECS, &age_key)?;
    Ok(Policy {
        methods: config.methods,
        responders,
        fetcher: HttpFetcher::new(millis(
            ocsp.connect_timeout_ms,
            &format!("{key}.ocsp.connect_timeout_ms"),
        )?),
        ocsp_limits: ocsp_limits(ocsp, key)?,
        freshness: Freshness {
            clock_skew: Duration::from_secs(skew_secs),
            max_age_without_next_update: Duration::from_secs(max_age_secs),
        },
        crl_sources: Vec::new(),
        crl_settings: crl_settings(&config.crl, key)?,
        distribution_points: config.crl.distribution_points,
        clock_skew: Duration::from_secs(skew_secs),
    })
}

fn responder(
    config: &ResponderConfig,
    key: &str,
    base_dir: &Path,
) -> Result<Responder, ConfigError> {
    let url = match config.url.as_str() {
        AIA => None,
        url => {
            http_uri(url).map_err(|e| invalid(&format!("{key}.url"), &e.to_string()))?;
            Some(url.to_string())
        }
    };
    let pinned = config
        .responder_cert
        .as_ref()
        .map(|path| read_cert(&format!("{key}.responder_cert"), &base_dir.join(path)))
        .transpose()?;
    Ok(Responder { url, pinned, nonce: config.nonce, hash: config.cert_id_hash })
}

fn ocsp_limits(ocsp: &OcspConfig, key: &str) -> Result<FetchLimits, ConfigError> {
    if ocsp.max_response_bytes == 0 {
        return Err(invalid(&format!("{key}.ocsp.max_response_bytes"), "must be above 0"));
    }
    Ok(FetchLimits {
        total_timeout: millis(
            ocsp.response_timeout_ms,
            &format!("{key}.ocsp.response_timeout_ms"),
        )?,
        max_body_bytes: ocsp.max_response_bytes,
    })
}

fn crl_settings(crl: &CrlConfig, key: &str) -> Result<SourceSettings, ConfigError> {
    if crl.max_crl_bytes == 0 {
        return Err(invalid(&format!("{key}.crl.max_crl_bytes"), "must be above 0"));
    }
    let interval_key = format!("{key}.crl.refresh_interval_secs");
    if crl.refresh_interval_secs == 0 {
        return Err(invalid(&interval_key, "must be above 0"));
    }
    at_most(crl.refresh_interval_secs, MAX_REFRESH_INTERVAL_SECS, &interval_key)?;
    Ok(SourceSettings {
        limits: FetchLimits {
            total_timeout: millis(
                crl.download_timeout_ms,
                &format!("{key}.crl.download_timeout_ms"),
            )?,
            max_body_bytes: crl.max_crl_bytes,
        },
        refresh_interval: Duration::from_secs(crl.refresh_interval_secs),
    })
}

fn crl_sources(
    crl: &CrlConfig,
    key: &str,
    base_dir: &Path,
    store: &CrlStore,
    issuer: &Arc<CertInfo>,
    settings: SourceSettings,
) -> Result<Vec<Arc<CrlSource>>, ConfigError> {
    let issuer_key = issuer_key(issuer);
    let files = crl.files.iter().map(|path| CrlLocation::File(base_dir.join(path)));
    let mut locations: Vec<CrlLocation> = files.collect();
    for (i, url) in crl.urls.iter().enumerate() {
        http_uri(url).map_err(|e| invalid(&format!("{key}.crl.urls[{i}]"), &e.to_string()))?;
        locations.push(CrlLocation::Url(url.clone()));
    }
    Ok(locations.into_iter().map(|l| store.source(issuer_key, issuer, l, settings)).collect())
}

/// Each method named must have something to ask.
fn check_methods(policy: &Policy, key: &str) -> Result<(), ConfigError> {
    let has_crl = !policy.crl_sources.is_empty() || policy.distribution_points;
    match policy.methods {
        Methods::Crl if !has_crl => Err(invalid(
            &format!("{key}.methods"),
            "\"crl\" needs crl.files, crl.urls or crl.distribution_points",
        )),
        Methods::Ocsp if policy.responders.is_empty() => Err(invalid(
            &format!("{key}.methods"),
            "\"ocsp\" needs at least one ocsp.responders entry",
        )),
        _ => Ok(()),
    }
}

fn read_cert(key: &str, path: &Path) -> Result<CertInfo, ConfigError> {
    let failed = |reason: String| ConfigError::Certificate {
        key: key.to_string(),
        path: path.to_path_buf(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| failed(e.to_string()))?;
    CertInfo::from_der_or_pem(&bytes).map_err(|e| failed(e.to_string()))
}

fn millis(value: u64, key: &str) -> Result<Duration, ConfigError> {
    if value == 0 {
        return Err(invalid(key, "must be above 0"));
    }
    Ok(Duration::from_millis(at_most(value, MAX_TIMEOUT_MS, key)?))
}

/// `value` when it is at most `max`.
pub(crate) fn at_most(value: u64, max: u64, key: &str) -> Result<u64, ConfigError> {
    if value > max {
        return Err(invalid(key, &format!("must be at most {max}")));
    }
    Ok(value)
}

fn invalid(key: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid { key: key.to_string(), reason: reason.to_string() }
}
