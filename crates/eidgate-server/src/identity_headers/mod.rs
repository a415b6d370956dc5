//! The identity headers a proxied app receives, and the removal of every forged one.
//!
//! # The header contract
//!
//! With the default prefix `X-Eid-`, a request from a verified card carries:
//!
//! | header | value |
//! |---|---|
//! | `X-Eid-Given-Name` | given names (GN), e.g. `MARI-LIIS` |
//! | `X-Eid-Surname` | surname (SN), e.g. `M%C3%84NNIK` for `MÄNNIK` |
//! | `X-Eid-Identifier` | ETSI semantics identifier, e.g. `PNOEE-49103151230` |
//! | `X-Eid-Country` | the subject's C, e.g. `EE` |
//! | `X-Eid-Document` | `id-card`, `digi-id`, `e-resident-digi-id`, … (as `/whoami`) |
//! | `X-Eid-Certificate-Serial` | upper-case hex |
//! | `X-Eid-Not-Before`, `X-Eid-Not-After` | RFC 3339 UTC, e.g. `2026-07-09T21%3A59%3A59Z` |
//! | `X-Eid-Issuer` | issuer DN, RFC 4514 with UTF-8 values |
//! | `X-Eid-Certificate` | the certificate as PEM |
//! | `X-Eid-Timestamp`, `X-Eid-Signature` | only with a signing key: see [`signature`] |
//!
//! Every value is UTF-8, percent-encoded as [`encoding`] describes: one decoding rule for all
//! of them, lossless for any name. A header whose value the certificate does not have (an
//! organisation certificate has no given name) is left out, never sent empty.
//!
//! For apps written against nginx, four more headers can be named in the configuration; they
//! carry nginx's own formats ([`nginx`]).
//!
//! # Removal
//!
//! Before anything is set, every incoming header whose name starts with the prefix and every
//! configured nginx header name is removed from the client's request, on every route. Names are
//! compared case-insensitively with `_` taken as `-`, because CGI-style apps (WSGI, PHP) read
//! `X_Eid_Surname` and `X-Eid-Surname` as the same variable.

pub mod encoding;
pub mod nginx;
pub mod openssl_name;
pub mod openssl_objects;
mod section;
pub mod signature;

use http::header::{HeaderMap, HeaderName, HeaderValue};

use eidgate_core::identity::Identity;
use eidgate_core::{Refusal, VerifiedCard};

pub use section::{IdentityHeadersSection, DEFAULT_PREFIX};
pub use signature::{IdentitySigner, SigningKeyError};

use encoding::percent_encode;
use nginx::NginxSubject;

/// The contract headers, without the prefix, in the order they are signed.
pub const SIGNED_FIELDS: [&str; 10] = [
    "given-name",
    "surname",
    "identifier",
    "country",
    "document",
    "certificate-serial",
    "not-before",
    "not-after",
    "issuer",
    "certificate",
];

/// Header suffixes of the signature pair.
const TIMESTAMP: &str = "timestamp";
const SIGNATURE: &str = "signature";

/// Builds, strips and sets the identity headers, as configured in `[identity_headers]`.
#[derive(Debug)]
pub struct IdentityHeaders {
    /// Lower-case prefix with `_` read as `-`.
    prefix: String,
    /// The prefixed names of [`SIGNED_FIELDS`], in that order, made once: every connection's
    /// headers share them.
    contract_names: [Option<HeaderName>; SIGNED_FIELDS.len()],
    timestamp_name: Option<HeaderName>,
    signature_name: Option<HeaderName>,
    nginx: NginxHeaderNames,
    signer: Option<IdentitySigner>,
}

/// The operator's names for the nginx-format headers; `None` leaves a header out.
#[derive(Clone, Debug, Default)]
pub struct NginxHeaderNames {
    pub s_dn: Option<HeaderName>,
    pub s_dn_legacy: Option<HeaderName>,
    pub verify: Option<HeaderName>,
    pub escaped_cert: Option<HeaderName>,
}

impl NginxHeaderNames {
    fn iter(&self) -> impl Iterator<Item = &HeaderName> {
        [&self.s_dn, &self.s_dn_legacy, &self.verify, &self.escaped_cert].into_iter().flatten()
    }
}

impl IdentityHeaders {
    /// Identity headers under `prefix` (already checked by the configuration), with the nginx
    /// headers `nginx` and an optional signer.
    pub fn new(prefix: &str, nginx: NginxHeaderNames, signer: Option<IdentitySigner>) -> Self {
        let prefix = normalized_name(prefix);
        let name = |field: &str| HeaderName::try_from(format!("{prefix}{field}")).ok();
        Self {
            contract_names: SIGNED_FIELDS.map(name),
            timestamp_name: name(TIMESTAMP),
            signature_name: name(SIGNATURE),
            prefix,
            nginx,
            signer,
        }
    }

    /// Removes every header of eidgate's namespace and every nginx header name from `headers`,
    /// and returns the names removed (lower case, each once).
    pub fn strip(&self, headers: &mut HeaderMap) -> Vec<HeaderName> {
        let forged: Vec<HeaderName> =
            headers.keys().filter(|name| self.is_reserved(name)).cloned().collect();
        for name in &forged {
            headers.remove(name);
        }
        forged
    }

    /// Sets the headers of a verified card. `now_unix_secs` is the signature's timestamp.
    pub fn insert_verified(
        &self,
        headers: &mut HeaderMap,
        card: &VerifiedCard,
        now_unix_secs: u64,
    ) {
        self.insert_rendered(headers, &self.render(card), now_unix_secs);
    }

    /// Everything about a card's headers that does not change between requests: render it once
    /// per connection (see [`ConnectionIdentity`]) and set it with [`Self::insert_rendered`].
    pub fn render(&self, card: &VerifiedCard) -> RenderedIdentity {
        let der = card.certificate().as_ref();
        let contract =
            contract_values(card.identity(), der).map(|value| value.and_then(header_value));
        let mut nginx = Vec::new();
        self.render_nginx_verified(&mut nginx, der);
        RenderedIdentity { contract, nginx }
    }

    /// Sets a rendered identity, signed as of `now_unix_secs` when a key is configured.
    pub fn insert_rendered(
        &self,
        headers: &mut HeaderMap,
        rendered: &RenderedIdentity,
        now_unix_secs: u64,
    ) {
        for (name, value) in self.contract_names.iter().zip(&rendered.contract) {
            if let (Some(name), Some(value)) = (name, value) {
                headers.insert(name.clone(), value.clone());
            }
        }
        for (name, value) in &rendered.nginx {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(signer) = &self.signer {
            // Every value is printable ASCII (percent-encoded), so `to_str` cannot fail.
            let fields: Vec<(&str, Option<&str>)> = SIGNED_FIELDS
                .iter()
                .zip(&rendered.contract)
                .map(|(f, v)| (*f, v.as_ref().and_then(|v| v.to_str().ok())))
                .collect();
            insert(headers, self.timestamp_name.clone(), &now_unix_secs.to_string());
            insert(headers, self.signature_name.clone(), &signer.sign(now_unix_secs, &fields));
        }
    }

    /// Sets what a connection without an accepted card gets on a route where the card is
    /// optional: only the nginx verify header (`NONE` or `FAILED:…`), when it is configured.
    pub fn insert_refused(&self, headers: &mut HeaderMap, refusal: &Refusal) {
        if let Some(name) = &self.nginx.verify {
            insert(headers, Some(name.clone()), &nginx::verify_refused(refusal));
        }
    }

    fn render_nginx_verified(&self, into: &mut Vec<(HeaderName, HeaderValue)>, der: &[u8]) {
        let names = &self.nginx;
        let mut push = |name: &Option<HeaderName>, value: Option<HeaderValue>| {
            if let (Some(name), Some(value)) = (name, value) {
                into.push((name.clone(), value));
            }
        };
        push(&names.verify, Some(HeaderValue::from_static("SUCCESS")));
        if names.escaped_cert.is_some() {
            push(&names.escaped_cert, header_value(nginx::escaped_certificate(der)));
        }
        if names.s_dn.is_none() && names.s_dn_legacy.is_none() {
            return;
        }
        match NginxSubject::from_der(der) {
            Ok(subject) => {
                push(&names.s_dn, header_value(subject.rfc2253));
                push(&names.s_dn_legacy, header_value(subject.legacy));
            }
            // OpenSSL fails on the same certificates; nginx then sends no header either.
            Err(error) => tracing::warn!(%error, "nginx-format subject left out"),
        }
    }

    fn is_reserved(&self, name: &HeaderName) -> bool {
        let name = normalized_name(name.as_str());
        name.starts_with(&self.prefix)
            || self.nginx.iter().any(|reserved| normalized_name(reserved.as_str()) == name)
    }
}

/// The contract values in [`SIGNED_FIELDS`] order, percent-encoded; `None` when absent.
fn contract_values(identity: &Identity, der: &[u8]) -> [Option<String>; SIGNED_FIELDS.len()] {
    let rfc3339 =
        |at: time::OffsetDateTime| at.format(&time::format_description::well_known::Rfc3339).ok();
    let document = serde_json::to_value(identity.document).ok();
    let raw = [
        identity.given_name.clone(),
        identity.surname.clone(),
        identity.identifier.as_ref().map(ToString::to_string),
        identity.country.clone(),
        document.as_ref().and_then(|v| v.as_str()).map(str::to_owned),
        Some(identity.certificate_serial.clone()),
        rfc3339(identity.not_before),
        rfc3339(identity.not_after),
        Some(identity.issuer.clone()),
        Some(nginx::pem(der)),
    ];
    raw.map(|value| value.filter(|v| !v.is_empty()).map(|v| percent_encode(v.as_bytes())))
}

/// A header value that owns `text` without copying it; `None` for an empty or unprintable
/// value, which is left out as nginx leaves out an empty variable.
fn header_value(mut text: String) -> Option<HeaderValue> {
    if text.is_empty() {
        return None;
    }
    // The value is kept for the connection's lifetime: give back what the encoder reserved.
    text.shrink_to_fit();
    HeaderValue::try_from(text).ok()
}

/// A card's identity headers, rendered once. Each value is held once, as the header value
/// that is copied (by reference count) into every request; the signature reads the same
/// values.
#[derive(Debug)]
pub struct RenderedIdentity {
    /// The contract values in [`SIGNED_FIELDS`] order, for the names in
    /// [`IdentityHeaders::contract_names`].
    contract: [Option<HeaderValue>; SIGNED_FIELDS.len()],
    /// The configured nginx-format headers.
    nginx: Vec<(HeaderName, HeaderValue)>,
}

/// The identity headers of one connection's card, rendered on its first proxied request and
/// reused for the rest: a browser's keep-alive connection sends many requests with one card.
#[derive(Debug, Default)]
pub struct ConnectionIdentity {
    rendered: std::sync::OnceLock<RenderedIdentity>,
}

impl ConnectionIdentity {
    /// The rendered identity, rendering it with `render` the first time.
    pub fn get_or_render(&self, render: impl FnOnce() -> RenderedIdentity) -> &RenderedIdentity {
        self.rendered.get_or_init(render)
    }
}

/// Sets one header; an empty value is left out, as nginx leaves out an empty variable.
fn insert(headers: &mut HeaderMap, name: Option<HeaderName>, value: &str) {
    let Some(name) = name else { return };
    if value.is_empty() {
        return;
    }
    // Every value here is printable ASCII, so the conversion cannot fail.
    if let Ok(value) = HeaderValue::try_from(value) {
        headers.insert(name, value);
    }
}

/// A header name as CGI-style apps see it: lower case, `_` as `-`.
fn normalized_name(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
}

#[cfg(test)]
mod tests;
