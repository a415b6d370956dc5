//! The built-in greeting app: `GET /` says hello, `GET /whoami` returns the identity as JSON.
//!
//! Every request carries its connection's [`Authentication`] as an extension; a refused
//! connection gets the refusal on every path, as a page or, for clients that ask for JSON (and
//! always on `/whoami`), as a JSON error.

use std::sync::Arc;

use axum::extract::Extension;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use eidgate_core::identity::Identity;
use eidgate_core::{Refusal, RefusalKind};

use crate::auth::Authentication;
use crate::pages;

/// The greeting app's routes.
pub fn router() -> Router {
    Router::new().route("/", get(greeting)).route("/whoami", get(whoami)).fallback(not_found)
}

async fn greeting(Extension(auth): Extension<Arc<Authentication>>, headers: HeaderMap) -> Response {
    match auth.as_ref() {
        Authentication::Verified(card) if wants_json(&headers) => {
            Json(identity_json(card.identity())).into_response()
        }
        Authentication::Verified(card) => Html(pages::greeting(card.identity())).into_response(),
        Authentication::Refused(refusal) => refused(refusal, wants_json(&headers)),
    }
}

async fn whoami(Extension(auth): Extension<Arc<Authentication>>) -> Response {
    match auth.as_ref() {
        Authentication::Verified(card) => Json(identity_json(card.identity())).into_response(),
        Authentication::Refused(refusal) => refused(refusal, true),
    }
}

async fn not_found(
    Extension(auth): Extension<Arc<Authentication>>,
    headers: HeaderMap,
) -> Response {
    if let Authentication::Refused(refusal) = auth.as_ref() {
        return refused(refusal, wants_json(&headers));
    }
    let page = pages::notice("Not found", "There is nothing at this address. Try the front page.");
    (StatusCode::NOT_FOUND, Html(page)).into_response()
}

/// The answer to a refused visitor: 401 when no card was presented, 503 when the revocation
/// status could not be established, 403 otherwise.
pub fn refused(refusal: &Refusal, json: bool) -> Response {
    let status = match refusal.kind() {
        RefusalKind::NoCard => StatusCode::UNAUTHORIZED,
        RefusalKind::CheckUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::FORBIDDEN,
    };
    if json {
        let body = json!({ "error": refusal.code(), "message": refusal.to_string() });
        return (status, Json(body)).into_response();
    }
    (status, Html(pages::refusal(refusal))).into_response()
}

/// The identity as the JSON `/whoami` returns. Keys are always present; unknown values are null.
pub fn identity_json(identity: &Identity) -> Value {
    let code = identity.personal_code.as_ref();
    let identifier = identity.identifier.as_ref();
    json!({
        "given_name": identity.given_name,
        "surname": identity.surname,
        "common_name": identity.common_name,
        "identifier": identifier.map(|i| format!("{}{}-{}", i.kind, i.country, i.value)),
        "identifier_type": identifier.map(|i| i.kind.clone()),
        "country": identity.country,
        "personal_code": code.map(|c| c.code.clone()),
        "date_of_birth": code.map(|c| c.date_of_birth.to_string()),
        "sex": code.map(|c| c.sex),
        "document": identity.document,
        "hierarchy": identity.hierarchy,
        "emails": identity.emails,
        "issuer": identity.issuer,
        "certificate_serial": identity.certificate_serial,
        "not_before": rfc3339(identity.not_before),
        "not_after": rfc3339(identity.not_after),
    })
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// True when the client prefers JSON: its Accept header names `application/json` and not
/// `text/html` before it.
pub fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    match (accept.find("application/json"), accept.find("text/html")) {
        (Some(_), None) => true,
        (Some(json), Some(html)) => json < html,
        _ => false,
    }
}
