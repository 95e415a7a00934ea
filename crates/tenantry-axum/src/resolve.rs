//! Where a request names its tenant.

use std::fmt;
use std::sync::Arc;

use http::HeaderName;
use http::request::Parts;

/// The header [`Resolver::default`] reads.
pub const TENANT_HEADER: &str = "x-tenant-id";

type Resolve = dyn Fn(&Parts) -> Option<String> + Send + Sync;

/// Reads the tenant id of a request, as text: `None` when the request names none.
#[derive(Clone)]
pub struct Resolver {
    resolve: Arc<Resolve>,
    what: String,
}

impl Resolver {
    /// The value of header `name` (a value that is not UTF-8 counts as malformed).
    pub fn header(name: HeaderName) -> Self {
        let what = format!("header {name}");
        Self::new(what, move |parts| {
            parts
                .headers
                .get(&name)
                .map(|v| v.to_str().unwrap_or("\u{fffd}").trim().to_owned())
        })
    }

    /// The label of the request's host just below `domain`: `acme` in `acme.example.com` for
    /// `example.com` (the port ignored). A host that is `domain` itself or outside it names no
    /// tenant; one with more labels (`a.b.example.com`) is malformed.
    pub fn subdomain(domain: impl Into<String>) -> Self {
        let domain = domain.into().trim_start_matches('.').to_ascii_lowercase();
        let what = format!("subdomain of {domain}");
        Self::new(what, move |parts| {
            let host = parts
                .headers
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .or_else(|| parts.uri.host())?;
            let host = host.rsplit_once(':').map_or(host, |(h, port)| {
                if port.chars().all(|c| c.is_ascii_digit()) {
                    h
                } else {
                    host
                }
            });
            let host = host.to_ascii_lowercase();
            let label = host.strip_suffix(&domain)?.strip_suffix('.')?;
            if label.is_empty() {
                return None;
            }
            Some(if label.contains('.') {
                "\u{fffd}".to_owned()
            } else {
                label.to_owned()
            })
        })
    }

    /// Path segment `index` (0-based, after the leading `/`): `1` reads `acme` in
    /// `/t/acme/orders`. As the router sees it, before any nesting strips a prefix.
    pub fn path_segment(index: usize) -> Self {
        let what = format!("path segment {index}");
        Self::new(what, move |parts| {
            parts
                .uri
                .path()
                .trim_start_matches('/')
                .split('/')
                .nth(index)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        })
    }

    /// A closure over the request's head: for claims of a verified token (put there by an
    /// authentication layer in front), a cookie, a query parameter.
    pub fn from_fn(f: impl Fn(&Parts) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::new("a custom resolver".into(), f)
    }

    fn new(what: String, f: impl Fn(&Parts) -> Option<String> + Send + Sync + 'static) -> Self {
        Self {
            resolve: Arc::new(f),
            what,
        }
    }

    /// The tenant id the request names, as text.
    pub fn resolve(&self, parts: &Parts) -> Option<String> {
        (self.resolve)(parts)
    }

    /// What it reads, for messages (`header x-tenant-id`).
    pub fn describe(&self) -> &str {
        &self.what
    }
}

impl Default for Resolver {
    /// The `X-Tenant-ID` header.
    fn default() -> Self {
        Self::header(HeaderName::from_static(TENANT_HEADER))
    }
}

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver")
            .field("reads", &self.what)
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parts(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder().uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn each_resolver_reads_its_place() {
        let h = Resolver::default();
        assert_eq!(
            h.resolve(&parts("/", &[("X-Tenant-ID", " 42 ")])),
            Some("42".into())
        );
        assert_eq!(h.resolve(&parts("/", &[])), None);

        let s = Resolver::subdomain("example.com");
        let host = |h: &str| s.resolve(&parts("/", &[("host", h)]));
        assert_eq!(host("acme.example.com"), Some("acme".into()));
        assert_eq!(host("ACME.Example.com:8080"), Some("acme".into()));
        assert_eq!(host("example.com"), None);
        assert_eq!(host("acme.other.org"), None);
        assert_eq!(host("evilexample.com"), None);
        assert_eq!(host("a.b.example.com"), Some("\u{fffd}".into()));

        let p = Resolver::path_segment(1);
        assert_eq!(
            p.resolve(&parts("/t/acme/orders", &[])),
            Some("acme".into())
        );
        assert_eq!(p.resolve(&parts("/t/", &[])), None);
        assert_eq!(p.describe(), "path segment 1");

        let f = Resolver::from_fn(|p| p.uri.query().map(str::to_owned));
        assert_eq!(f.resolve(&parts("/x?7", &[])), Some("7".into()));
    }
}
