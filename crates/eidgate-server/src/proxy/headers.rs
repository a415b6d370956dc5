//! The headers a proxy owns: hop-by-hop headers removed in both directions (RFC 9110 §7.6.1),
//! the `X-Forwarded-*` set, and the HTTP/1.1 form of an h2 request's cookies.
//!
//! eidgate is the edge: it terminates the client's TLS itself, so whatever `X-Forwarded-For`,
//! `X-Forwarded-Proto`, `X-Forwarded-Host` or `Forwarded` a client sends is its own claim.
//! Those are removed (also under `_` spellings) and replaced, never appended to; `Forwarded` is
//! not set again.

use std::net::IpAddr;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Request, Version};

/// Headers that describe one connection and never travel further (RFC 9110 §7.6.1).
const HOP_BY_HOP: [HeaderName; 6] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::TE,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Client claims about earlier hops, compared with `_` read as `-`.
const FORWARDING: [&str; 4] =
    ["forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"];

/// The protocol a client asked to switch to with `Connection: upgrade` (HTTP/1.1 only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpgradeRequest {
    pub protocol: HeaderValue,
}

/// Removes the hop-by-hop headers and those the `Connection` header names.
pub fn remove_hop_by_hop(headers: &mut HeaderMap) {
    let listed: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|token| HeaderName::try_from(token.trim()).ok())
        .collect();
    for name in listed.iter().chain(HOP_BY_HOP.iter()) {
        headers.remove(name);
    }
}

/// The upgrade a request asks for: HTTP/1.1 with an `Upgrade` header and `upgrade` among the
/// `Connection` tokens. h2 has no such upgrade (RFC 9113 §8.2.2).
pub fn upgrade_request<B>(request: &Request<B>) -> Option<UpgradeRequest> {
    if request.version() != Version::HTTP_11 {
        return None;
    }
    let headers = request.headers();
    let asks = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("upgrade"));
    let protocol = headers.get(header::UPGRADE)?.clone();
    asks.then_some(UpgradeRequest { protocol })
}

/// Puts the upgrade back after the hop-by-hop headers were removed.
pub fn restore_upgrade(headers: &mut HeaderMap, upgrade: &UpgradeRequest) {
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, upgrade.protocol.clone());
}

/// Removes every forwarding claim of the client; returns the names removed.
pub fn remove_forwarding(headers: &mut HeaderMap) -> Vec<HeaderName> {
    let claims: Vec<HeaderName> = headers
        .keys()
        .filter(|name| FORWARDING.contains(&name.as_str().replace('_', "-").as_str()))
        .cloned()
        .collect();
    for name in &claims {
        headers.remove(name);
    }
    claims
}

/// Sets `X-Forwarded-For` (the client's address), `X-Forwarded-Proto: https` and, when the
/// client named a host, `X-Forwarded-Host`.
pub fn set_forwarding(headers: &mut HeaderMap, client: IpAddr, host: Option<&HeaderValue>) {
    if let Ok(value) = HeaderValue::try_from(client.to_string()) {
        headers.insert("x-forwarded-for", value);
    }
    headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
    if let Some(host) = host {
        headers.insert("x-forwarded-host", host.clone());
    }
}

/// The host the client asked for: the `Host` header, or the h2 `:authority`.
pub fn client_host<B>(request: &Request<B>) -> Option<HeaderValue> {
    if let Some(host) = request.headers().get(header::HOST) {
        return Some(host.clone());
    }
    let authority = request.uri().authority()?;
    HeaderValue::try_from(authority.as_str()).ok()
}

/// h2 may split cookies over several fields; HTTP/1.1 wants one, joined by `; ` (RFC 9113
/// §8.2.3).
pub fn join_cookies(headers: &mut HeaderMap) {
    let cookies: Vec<&[u8]> =
        headers.get_all(header::COOKIE).iter().map(|v| v.as_bytes()).collect();
    if cookies.len() < 2 {
        return;
    }
    let joined = cookies.join(&b"; "[..]);
    if let Ok(value) = HeaderValue::from_bytes(&joined) {
        headers.insert(header::COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request<()> {
        let mut builder = Request::builder().uri("/").version(Version::HTTP_11);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn hop_by_hop_and_connection_listed_headers_are_removed() {
        let mut request = request(&[
            ("connection", "keep-alive, X-Secret"),
            ("keep-alive", "timeout=5"),
            ("x-secret", "1"),
            ("te", "trailers"),
            ("accept", "*/*"),
        ]);
        remove_hop_by_hop(request.headers_mut());
        let names: Vec<&str> = request.headers().keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["accept"]);
    }

    #[test]
    fn websocket_upgrade_is_recognised_and_restored() {
        let request = request(&[("connection", "keep-alive, Upgrade"), ("upgrade", "websocket")]);
        let upgrade = upgrade_request(&request).expect("an upgrade");
        let mut headers = request.headers().clone();
        remove_hop_by_hop(&mut headers);
        restore_upgrade(&mut headers, &upgrade);
        assert_eq!(headers["connection"], "upgrade");
        assert_eq!(headers["upgrade"], "websocket");
        assert!(upgrade_request(&self::request(&[("upgrade", "websocket")])).is_none());
    }

    #[test]
    fn forwarding_claims_are_replaced_not_appended() {
        let mut request = request(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x_forwarded_host", "evil"),
            ("forwarded", "for=x"),
        ]);
        let removed = remove_forwarding(request.headers_mut());
        assert_eq!(removed.len(), 3);
        set_forwarding(request.headers_mut(), "127.0.0.1".parse().unwrap(), None);
        assert_eq!(request.headers()["x-forwarded-for"], "127.0.0.1");
        assert_eq!(request.headers()["x-forwarded-proto"], "https");
        assert!(request.headers().get("x-forwarded-host").is_none());
    }

    #[test]
    fn h2_cookies_are_joined() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1"));
        headers.append(header::COOKIE, HeaderValue::from_static("b=2"));
        join_cookies(&mut headers);
        assert_eq!(headers.get_all(header::COOKIE).iter().count(), 1);
        assert_eq!(headers[header::COOKIE], "a=1; b=2");
    }
}
