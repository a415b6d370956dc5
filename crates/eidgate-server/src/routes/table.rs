//! The route table a request is dispatched through, in a fixed order: read the path, choose
//! the route, apply its card requirement, clean the headers, set the identity, forward.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use http::header::{self, HeaderName};
use http::{Request, StatusCode, Version};
use tower::ServiceExt;

use eidgate_core::{Refusal, VerifiedCard};

use super::path::{join, under_prefix, PathError, RequestPath};
use super::{CardRequirement, RouteSection, BUILTIN_GREETING};
use crate::auth::Authentication;
use crate::config::Config;
use crate::identity_headers::ConnectionIdentity;
use crate::identity_headers::{IdentityHeaders, SigningKeyError};
use crate::proxy::{headers, Proxy, RequestContext, Upstream};
use crate::{app, pages};

/// Why the routes could not be built from a checked configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    #[error(transparent)]
    SigningKey(#[from] SigningKeyError),
    #[error("route ({prefix}): upstream: {message}")]
    Upstream { prefix: String, message: String },
}

/// The app for the configuration: the built-in greeting at every path when no route is
/// configured, the route table otherwise.
///
/// # Errors
///
/// [`RouteError`] when the signing key cannot be read.
pub fn router(config: &Config) -> Result<Router, RouteError> {
    if config.routes.is_empty() {
        return Ok(app::router());
    }
    let table = Arc::new(RouteTable::from_config(config)?);
    let service = tower::service_fn(move |request: Request<Body>| {
        let table = Arc::clone(&table);
        async move { Ok::<_, Infallible>(table.dispatch(request).await) }
    });
    Ok(Router::new().fallback_service(service))
}

struct RouteTable {
    /// Longest prefix first, so the first match is the one that wins.
    routes: Vec<Route>,
    identity: IdentityHeaders,
    greeting: Router,
}

struct Route {
    prefix: String,
    card: CardRequirement,
    target: Target,
}

enum Target {
    Greeting,
    /// Boxed: a proxy with its connection pool is large, and routes are few.
    Proxy(Box<Proxy>),
}

/// What the route lets through about the visitor.
enum Visitor<'a> {
    Card(&'a VerifiedCard),
    Refused(&'a Refusal),
    Anonymous,
}

impl RouteTable {
    fn from_config(config: &Config) -> Result<Self, RouteError> {
        let timeouts = config.proxy.timeouts();
        let mut routes = config
            .routes
            .iter()
            .map(|section| Route::from_section(section, timeouts))
            .collect::<Result<Vec<_>, _>>()?;
        routes.sort_by_key(|route| std::cmp::Reverse(route.prefix.len()));
        let identity = config.identity_headers.build(|path| config.resolve(path))?;
        Ok(Self { routes, identity, greeting: app::router() })
    }

    /// Path, route, card requirement, headers, upstream: each step can end the request.
    async fn dispatch(&self, mut request: Request<Body>) -> Response {
        let peer = request.extensions().get::<SocketAddr>().copied();
        let peer = peer.unwrap_or(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)));
        let auth = request.extensions().get::<Arc<Authentication>>().cloned();
        let no_card = Authentication::Refused(Refusal::NoCertificate);
        let auth = auth.as_deref().unwrap_or(&no_card);

        let path = match RequestPath::parse(request.uri().path()) {
            Ok(path) => path,
            Err(error) => return bad_path(peer, error),
        };
        let route = match self.select(&path) {
            Ok(Some(route)) => route,
            Ok(None) => return not_found(),
            Err(error) => return bad_path(peer, error),
        };

        let visitor = match admit(route.card, auth) {
            Ok(visitor) => visitor,
            Err(refusal) => return app::refused(refusal, app::wants_json(request.headers())),
        };

        // Only now does the request go anywhere: to the built-in app, or with its headers
        // cleaned and the identity set, to the upstream.
        let proxy = match &route.target {
            Target::Greeting => return self.greet(request).await,
            Target::Proxy(proxy) => proxy,
        };
        let upgrade = headers::upgrade_request(&request);
        self.prepare_headers(&mut request, route, peer, &visitor);
        if let Some(upgrade) = &upgrade {
            headers::restore_upgrade(request.headers_mut(), upgrade);
        }

        let target = route.upstream_path(proxy.upstream(), &path, request.uri().query());
        let context = RequestContext { peer, route: route.prefix.clone() };
        tracing::debug!(client.addr = %peer, route.prefix = %context.route, %target, "forward");
        proxy.forward(request, &target, upgrade, &context).await
    }

    /// The route for `path`; the path's normal and fully decoded forms must agree on it.
    fn select(&self, path: &RequestPath) -> Result<Option<&Route>, PathError> {
        let by_normal =
            self.routes.iter().find(|r| under_prefix(path.normal.as_bytes(), &r.prefix));
        let by_decoded = self.routes.iter().find(|r| under_prefix(&path.decoded, &r.prefix));
        if by_normal.map(|r| &r.prefix) != by_decoded.map(|r| &r.prefix) {
            return Err(PathError::Ambiguous);
        }
        Ok(by_normal)
    }

    /// Removes hop-by-hop headers, forged identity and forwarding claims; then sets the
    /// forwarding headers and the identity the route allows. Removal comes first, so nothing
    /// the client sends (a `Connection` header naming an identity header, say) can touch what
    /// is set after it.
    fn prepare_headers(
        &self,
        request: &mut Request<Body>,
        route: &Route,
        peer: SocketAddr,
        visitor: &Visitor<'_>,
    ) {
        let host = headers::client_host(request);
        let h2 = request.version() == Version::HTTP_2;
        let connection = request.extensions().get::<Arc<ConnectionIdentity>>().cloned();
        let headers = request.headers_mut();
        headers::remove_hop_by_hop(headers);
        // hyper has already answered `Expect: 100-continue` when the body was first read.
        headers.remove(header::EXPECT);
        log_forged(peer, route, &self.identity.strip(headers));
        headers::remove_forwarding(headers);
        if h2 {
            headers::join_cookies(headers);
        }
        if let Some(host) = &host {
            headers.insert(header::HOST, host.clone());
        }
        headers::set_forwarding(headers, peer.ip(), host.as_ref());

        match visitor {
            Visitor::Card(card) => {
                let render = || self.identity.render(card);
                match &connection {
                    Some(connection) => {
                        let rendered = connection.get_or_render(render);
                        self.identity.insert_rendered(headers, rendered, unix_now());
                    }
                    None => self.identity.insert_rendered(headers, &render(), unix_now()),
                }
            }
            Visitor::Refused(refusal) => self.identity.insert_refused(headers, refusal),
            Visitor::Anonymous => {}
        }
    }

    async fn greet(&self, request: Request<Body>) -> Response {
        match self.greeting.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }
}

impl Route {
    fn from_section(
        section: &RouteSection,
        timeouts: crate::proxy::Timeouts,
    ) -> Result<Self, RouteError> {
        let target = if section.upstream == BUILTIN_GREETING {
            Target::Greeting
        } else {
            let upstream = Upstream::parse(&section.upstream).map_err(|message| {
                RouteError::Upstream { prefix: section.prefix.clone(), message }
            })?;
            Target::Proxy(Box::new(Proxy::new(upstream, timeouts)))
        };
        Ok(Self { prefix: section.prefix.clone(), card: section.card, target })
    }

    /// The path and query the upstream receives: the normal path with the prefix replaced by
    /// the upstream's base path when it has one, and the query unchanged.
    fn upstream_path(
        &self,
        upstream: &Upstream,
        path: &RequestPath,
        query: Option<&str>,
    ) -> String {
        let path = match upstream.base_path() {
            Some(base) => join(base, path.normal.get(self.prefix.len()..).unwrap_or("")),
            None => path.normal.clone(),
        };
        match query {
            Some(query) => format!("{path}?{query}"),
            None => path,
        }
    }
}

/// What the route lets through, or the refusal that ends the request.
fn admit(card: CardRequirement, auth: &Authentication) -> Result<Visitor<'_>, &Refusal> {
    match (card, auth) {
        (CardRequirement::Required, Authentication::Refused(refusal)) => Err(refusal),
        (CardRequirement::None, _) => Ok(Visitor::Anonymous),
        (_, Authentication::Verified(card)) => Ok(Visitor::Card(card)),
        (CardRequirement::Optional, Authentication::Refused(refusal)) => {
            Ok(Visitor::Refused(refusal))
        }
    }
}

/// One line when a client sent headers from the identity namespace: names only, never values.
fn log_forged(peer: SocketAddr, route: &Route, forged: &[HeaderName]) {
    if forged.is_empty() {
        return;
    }
    let names: Vec<&str> = forged.iter().map(HeaderName::as_str).collect();
    tracing::info!(
        client.addr = %peer,
        route.prefix = %route.prefix,
        headers = %names.join(","),
        "spoofed identity headers removed"
    );
}

fn bad_path(peer: SocketAddr, error: PathError) -> Response {
    tracing::info!(client.addr = %peer, reason = "bad-path", detail = %error, "request refused");
    let page = pages::notice(
        "This address cannot be served",
        "The address contains a part this server does not accept (such as /../ or an \
         escaped slash that changes its meaning). Check the link and try again.",
    );
    (StatusCode::BAD_REQUEST, Html(page)).into_response()
}

fn not_found() -> Response {
    let page = pages::notice("Not found", "There is nothing at this address.");
    (StatusCode::NOT_FOUND, Html(page)).into_response()
}

/// The clock, read once per request at the edge, for the signature's timestamp.
fn unix_now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
