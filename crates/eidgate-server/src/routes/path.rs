//! The request path a route is chosen by, in one normal form, and the paths that are refused
//! because an app could read them as a different route than eidgate did.
//!
//! The normal form (RFC 3986 §6.2.2) decodes percent-escapes of unreserved characters
//! (`%61dmin` is `admin`), writes the remaining escapes with upper-case hex, and merges runs
//! of `/`. Routes are matched against it and it is what the upstream receives, so an app sees
//! the path the route was chosen for.
//!
//! Refused with 400: a path that is not absolute (`*`, an empty path), a `%` not followed by
//! two hex digits, a dot segment (`.` or `..`, also when escaped), a backslash or NUL (also
//! escaped), and a path whose fully decoded form (`%2F` read as `/`) would choose another
//! route than its normal form does. Route prefixes are compared case-sensitively; an app that
//! ignores case in paths must not rely on a prefix that only differs in case.

use super::super::identity_headers::encoding::{hex_value, is_unreserved, push_escaped};

/// Why a request path was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    #[error("the path does not start with '/'")]
    NotAbsolute,
    #[error("a '%' is not followed by two hex digits")]
    BadEscape,
    #[error("the path has a '.' or '..' segment")]
    DotSegment,
    #[error("the path has a backslash or NUL")]
    ForbiddenByte,
    #[error("the decoded path would choose another route")]
    Ambiguous,
}

/// A request path in normal form, with its fully decoded reading for the ambiguity check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestPath {
    /// The normal form: what routes match and what the upstream receives.
    pub normal: String,
    /// Every escape decoded and runs of `/` merged. Not valid UTF-8 in general, so bytes.
    pub decoded: Vec<u8>,
}

impl RequestPath {
    /// Reads a request path (without the query).
    ///
    /// # Errors
    ///
    /// [`PathError`] for the paths the module documentation lists.
    pub fn parse(raw: &str) -> Result<Self, PathError> {
        if !raw.starts_with('/') {
            return Err(PathError::NotAbsolute);
        }
        let bytes = raw.as_bytes();
        let mut normal = String::with_capacity(raw.len());
        let mut decoded = Vec::with_capacity(raw.len());
        let mut i = 0;
        while let Some(&byte) = bytes.get(i) {
            let (value, escaped) =
                if byte == b'%' { (escape_at(bytes, i)?, true) } else { (byte, false) };
            i += if escaped { 3 } else { 1 };

            if value == b'\\' || value == 0 {
                return Err(PathError::ForbiddenByte);
            }
            push_merged(&mut decoded, value);
            // An escape stays one unless it hides an unreserved character; a raw byte that is
            // not printable ASCII is escaped so that the normal form is always valid.
            let literal = if escaped { is_unreserved(value) } else { value.is_ascii_graphic() };
            if !literal {
                push_escaped(&mut normal, value);
            } else if !(value == b'/' && normal.ends_with('/')) {
                normal.push(char::from(value));
            }
        }
        if has_dot_segment(&decoded) {
            return Err(PathError::DotSegment);
        }
        Ok(Self { normal, decoded })
    }
}

/// True when `path` falls under `prefix`: equal, or longer and continuing after a `/` (so
/// `/api` covers `/api` and `/api/x` but not `/apix`; `/` covers everything).
pub fn under_prefix(path: &[u8], prefix: &str) -> bool {
    let prefix = prefix.as_bytes();
    let Some(rest) = path.strip_prefix(prefix) else { return false };
    rest.is_empty() || prefix.ends_with(b"/") || rest.starts_with(b"/")
}

/// Joins an upstream base path and the rest of a request path after its route prefix, with
/// exactly one `/` between them.
pub fn join(base: &str, rest: &str) -> String {
    let joined = match (base.ends_with('/'), rest.starts_with('/')) {
        (true, true) => format!("{base}{}", rest.trim_start_matches('/')),
        (false, false) if !rest.is_empty() => format!("{base}/{rest}"),
        _ => format!("{base}{rest}"),
    };
    if joined.is_empty() {
        "/".to_owned()
    } else {
        joined
    }
}

/// The byte a `%XX` escape at `i` stands for.
fn escape_at(bytes: &[u8], i: usize) -> Result<u8, PathError> {
    let high = bytes.get(i + 1).copied().and_then(hex_value).ok_or(PathError::BadEscape)?;
    let low = bytes.get(i + 2).copied().and_then(hex_value).ok_or(PathError::BadEscape)?;
    Ok(high << 4 | low)
}

fn push_merged(decoded: &mut Vec<u8>, value: u8) {
    if !(value == b'/' && decoded.last() == Some(&b'/')) {
        decoded.push(value);
    }
}

fn has_dot_segment(decoded: &[u8]) -> bool {
    decoded.split(|&b| b == b'/').any(|segment| segment == b"." || segment == b"..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(raw: &str) -> String {
        RequestPath::parse(raw).expect("accepted").normal
    }

    #[test]
    fn unreserved_escapes_are_decoded_and_others_kept_upper_case() {
        assert_eq!(normal("/%61dmin/%7e"), "/admin/~");
        assert_eq!(normal("/a%2fb/%c3%95"), "/a%2Fb/%C3%95");
    }

    #[test]
    fn runs_of_slashes_are_merged() {
        assert_eq!(normal("//admin///x/"), "/admin/x/");
        assert_eq!(RequestPath::parse("/%2F%2Fadmin").unwrap().decoded, b"/admin");
    }

    #[test]
    fn dot_segments_are_refused_also_when_escaped() {
        for raw in ["/a/../b", "/a/./b", "/..", "/a/%2e%2E/b", "/a%2F..%2Fb", "/x/."] {
            assert_eq!(RequestPath::parse(raw), Err(PathError::DotSegment), "{raw}");
        }
        assert_eq!(normal("/a/..b/.c"), "/a/..b/.c");
    }

    #[test]
    fn bad_escapes_backslashes_and_relative_paths_are_refused() {
        assert_eq!(RequestPath::parse("/a%zz"), Err(PathError::BadEscape));
        assert_eq!(RequestPath::parse("/a%2"), Err(PathError::BadEscape));
        assert_eq!(RequestPath::parse("/a%5Cb"), Err(PathError::ForbiddenByte));
        assert_eq!(RequestPath::parse("/a%00"), Err(PathError::ForbiddenByte));
        assert_eq!(RequestPath::parse("*"), Err(PathError::NotAbsolute));
    }

    #[test]
    fn prefixes_match_whole_segments() {
        assert!(under_prefix(b"/api", "/api"));
        assert!(under_prefix(b"/api/x", "/api"));
        assert!(!under_prefix(b"/apix", "/api"));
        assert!(under_prefix(b"/static/a.css", "/static/"));
        assert!(!under_prefix(b"/static", "/static/"));
        assert!(under_prefix(b"/anything", "/"));
    }

    #[test]
    fn base_and_rest_are_joined_with_one_slash() {
        assert_eq!(join("/", "/x"), "/x");
        assert_eq!(join("/v1", "/x"), "/v1/x");
        assert_eq!(join("/v1/", "x"), "/v1/x");
        assert_eq!(join("/v1", "x"), "/v1/x");
        assert_eq!(join("/v1", ""), "/v1");
        assert_eq!(join("", ""), "/");
    }
}
