//! Routes: which path prefixes go to which app, and what a request without an accepted card
//! gets there.
//!
//! ```toml
//! [[route]]
//! prefix = "/health"                 # public: no identity is sent, forged ones still removed
//! upstream = "http://127.0.0.1:5000"
//! card = "none"
//!
//! [[route]]
//! prefix = "/"                       # everything else needs a card
//! upstream = "unix:/run/app.sock"
//! card = "required"                  # the default
//! ```
//!
//! The TLS handshake always asks for a card; the route decides what happens without one.
//! `required`: the refusal page (401 without a card, 403 for a refused one), as the built-in
//! app gives it. `optional`: the request goes through, with identity headers only when the card
//! was accepted. `none`: the request goes through without identity headers. On every route the
//! client's own identity headers are removed first. The longest matching prefix wins; a path no
//! prefix covers gets 404. Without any route, the built-in greeting app answers every path.

mod path;
mod table;

use serde::Deserialize;

pub use path::{PathError, RequestPath};
pub use table::{router, RouteError};

use crate::config::{Config, ConfigError, RefuseAt};
use crate::proxy::Upstream;

/// The upstream that serves the built-in greeting (`/` and `/whoami`).
pub const BUILTIN_GREETING: &str = "builtin:greeting";

/// What a route requires of the visitor's card.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum CardRequirement {
    /// Only an accepted card gets through; others get the refusal page. The default.
    #[default]
    Required,
    /// Everyone gets through; identity headers only with an accepted card.
    Optional,
    /// Everyone gets through; no identity headers are sent.
    None,
}

/// One `[[route]]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSection {
    /// Path prefix, matched by whole segments: `/api` covers `/api` and `/api/x`, not `/apix`.
    /// Required; starts with `/`.
    pub prefix: String,
    /// `http://host:port[/base]`, `unix:/path/to.sock` or `builtin:greeting`. Required.
    pub upstream: String,
    /// Default `required`.
    #[serde(default)]
    pub card: CardRequirement,
}

/// Checks the `[[route]]`, `[proxy]` and `[identity_headers]` sections of `config`.
///
/// # Errors
///
/// [`ConfigError::Invalid`] naming the key at fault.
pub fn validate(config: &Config) -> Result<(), ConfigError> {
    config.proxy.validate()?;
    config.identity_headers.validate()?;
    for (i, route) in config.routes.iter().enumerate() {
        route.validate().map_err(|message| route_error(i, route, &message))?;
        let unique = config.routes[..i].iter().all(|other| other.prefix != route.prefix);
        if !unique {
            return Err(route_error(i, route, "the same prefix is listed twice"));
        }
        let needs_page = route.card != CardRequirement::Required;
        if needs_page && config.server.refuse_at == RefuseAt::Handshake {
            let message = "needs server.refuse_at = \"page\": with \"handshake\" no request \
                           without a card gets this far";
            return Err(route_error(i, route, message));
        }
    }
    Ok(())
}

impl RouteSection {
    fn validate(&self) -> Result<(), String> {
        check_prefix(&self.prefix)?;
        if self.upstream == BUILTIN_GREETING {
            if self.card != CardRequirement::Required {
                return Err(
                    "builtin:greeting greets card holders only: card must be \"required\"".into()
                );
            }
            return Ok(());
        }
        Upstream::parse(&self.upstream).map(drop)
    }
}

/// A prefix must be a plain absolute path in normal form, so that it can match one.
fn check_prefix(prefix: &str) -> Result<(), String> {
    let normal =
        RequestPath::parse(prefix).map(|p| p.normal).map_err(|e| format!("prefix: {e}"))?;
    if normal != prefix || prefix.contains(['?', '#', '%']) {
        return Err("prefix must be a plain path like /static/ (no query, escapes or //)".into());
    }
    Ok(())
}

fn route_error(i: usize, route: &RouteSection, message: &str) -> ConfigError {
    ConfigError::Invalid {
        key: "route",
        message: format!("route {} ({}): {message}", i + 1, route.prefix),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    const BASE: &str = "[server]\nlisten = \"127.0.0.1:8443\"\ncertificate = \"s.crt\"\n\
                        private_key = \"s.key\"\n[trust]\nca_files = [\"ca.pem\"]\n";

    fn parse(extra: &str) -> Result<Config, ConfigError> {
        Config::parse(&format!("{BASE}{extra}"), PathBuf::new())
    }

    fn error(extra: &str) -> String {
        parse(extra).expect_err("refused").to_string()
    }

    #[test]
    fn routes_default_to_a_required_card() {
        let config = parse("[[route]]\nprefix = \"/\"\nupstream = \"http://127.0.0.1:5000\"\n");
        let config = config.expect("accepted");
        assert_eq!(config.routes[0].card, CardRequirement::Required);
        assert!(parse("").expect("accepted").routes.is_empty());
    }

    #[test]
    fn public_route_with_handshake_refusal_is_an_error() {
        let text = "[[route]]\nprefix = \"/health\"\nupstream = \"http://127.0.0.1:5000\"\n\
                    card = \"none\"\n";
        let with_handshake = BASE.replace("[trust]", "refuse_at = \"handshake\"\n[trust]");
        let message = Config::parse(&format!("{with_handshake}{text}"), PathBuf::new())
            .expect_err("refused")
            .to_string();
        assert!(
            message.contains("route 1 (/health)") && message.contains("refuse_at"),
            "{message}"
        );
    }

    #[test]
    fn bad_routes_are_named_in_the_error() {
        let twice = "[[route]]\nprefix = \"/a\"\nupstream = \"unix:/run/a.sock\"\n\
                     [[route]]\nprefix = \"/a\"\nupstream = \"unix:/run/b.sock\"\n";
        assert!(error(twice).contains("route 2 (/a): the same prefix"), "{}", error(twice));
        let scheme = "[[route]]\nprefix = \"/\"\nupstream = \"https://app:443\"\n";
        assert!(error(scheme).contains("route 1 (/): must start with http://"));
        let greeting =
            "[[route]]\nprefix = \"/\"\nupstream = \"builtin:greeting\"\ncard = \"optional\"\n";
        assert!(error(greeting).contains("card must be \"required\""));
        for prefix in ["api", "/a/../b", "/a//b", "/a%20b", "/a?x"] {
            let text =
                format!("[[route]]\nprefix = \"{prefix}\"\nupstream = \"unix:/run/a.sock\"\n");
            assert!(error(&text).contains("prefix"), "{prefix}: {}", error(&text));
        }
    }

    #[test]
    fn unknown_route_keys_are_refused() {
        let text = "[[route]]\nprefix = \"/\"\nupstream = \"unix:/run/a.sock\"\ncards = \"none\"\n";
        assert!(error(text).contains("cards"), "{}", error(text));
    }
}
