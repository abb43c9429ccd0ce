//! Browser origins and the allow-list patterns that match them. Shared by the CORS
//! middleware and (later) the WebSocket `Origin` check, so both agree on what is allowed.

use url::Url;

/// An origin or an origin pattern: `scheme://host[:port]`, where the host may start with
/// `*.` to match any subdomain (at any depth, never the bare domain itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginPattern {
    scheme: String,
    host: HostPattern,
    port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Exact(String),
    /// `*.example.org` keeps `.example.org`.
    AnySubdomainOf(String),
}

impl OriginPattern {
    /// Parses `https://chat.example.org`, `http://127.0.0.1:8080` or `https://*.example.org`.
    /// The error is a short English reason for the operator (config errors are not localized).
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let (scheme, rest) = input
            .split_once("://")
            .ok_or("is not an origin (scheme://host[:port])")?;
        if !matches!(scheme, "http" | "https") {
            return Err("must use http or https");
        }
        let (wildcard, concrete) = match rest.strip_prefix("*.") {
            Some(rest) => (true, format!("{scheme}://wildcard.{rest}")),
            None => (false, input.to_owned()),
        };
        let url = Url::parse(&concrete).map_err(|_| "is not an origin (scheme://host[:port])")?;
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err("must not have a path, query or fragment");
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not contain credentials");
        }
        if rest.contains('*') && !wildcard || rest[2..].contains('*') && wildcard {
            return Err("may only use a wildcard as the first label: https://*.example.org");
        }
        let host = url.host_str().ok_or("has no host")?.to_ascii_lowercase();
        let host = if wildcard {
            let suffix = host
                .strip_prefix("wildcard")
                .ok_or("has a malformed wildcard host")?;
            HostPattern::AnySubdomainOf(suffix.to_owned())
        } else {
            HostPattern::Exact(host)
        };
        Ok(Self {
            scheme: scheme.to_owned(),
            host,
            port: url.port_or_known_default(),
        })
    }

    /// Whether a concrete `Origin` header value matches this pattern.
    pub fn matches(&self, origin: &str) -> bool {
        let Ok(origin) = OriginPattern::parse(origin) else {
            return false;
        };
        let HostPattern::Exact(host) = &origin.host else {
            return false;
        };
        self.scheme == origin.scheme
            && self.port == origin.port
            && match &self.host {
                HostPattern::Exact(expected) => expected == host,
                HostPattern::AnySubdomainOf(suffix) => {
                    host.len() > suffix.len() && host.ends_with(suffix.as_str())
                }
            }
    }

    /// `host[:port]` as it appears in a `Host` header, for same-origin checks.
    pub fn authority(&self) -> Option<String> {
        let HostPattern::Exact(host) = &self.host else {
            return None;
        };
        let default_port = if self.scheme == "https" { 443 } else { 80 };
        Some(match self.port {
            Some(port) if port != default_port => format!("{host}:{port}"),
            _ => host.clone(),
        })
    }
}

/// The configured allow-list.
#[derive(Debug, Clone, Default)]
pub struct OriginAllowList {
    patterns: Vec<OriginPattern>,
}

impl OriginAllowList {
    /// Builds the list; entries were already checked when the configuration was loaded.
    pub fn new(entries: &[String]) -> Result<Self, &'static str> {
        let patterns = entries
            .iter()
            .map(|entry| OriginPattern::parse(entry.trim_end_matches('/')))
            .collect::<Result<_, _>>()?;
        Ok(Self { patterns })
    }

    pub fn allows(&self, origin: &str) -> bool {
        self.patterns.iter().any(|pattern| pattern.matches(origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(s: &str) -> OriginPattern {
        OriginPattern::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn exact_origins_match_only_themselves() {
        let p = pattern("https://chat.example.org");
        assert!(p.matches("https://chat.example.org"));
        assert!(p.matches("https://CHAT.example.org:443"));
        assert!(!p.matches("http://chat.example.org"));
        assert!(!p.matches("https://chat.example.org:8443"));
        assert!(!p.matches("https://evil.org"));
    }

    #[test]
    fn wildcards_match_subdomains_but_not_the_bare_domain_or_lookalikes() {
        let p = pattern("https://*.example.org");
        assert!(p.matches("https://a.example.org"));
        assert!(p.matches("https://a.b.example.org"));
        assert!(!p.matches("https://example.org"));
        assert!(!p.matches("https://evilexample.org"));
        assert!(!p.matches("https://a.example.org.evil.com"));
        assert!(!p.matches("http://a.example.org"));
    }

    #[test]
    fn malformed_patterns_are_refused() {
        for bad in [
            "example.org",
            "ftp://example.org",
            "https://example.org/path",
            "https://a.*.example.org",
            "https://*",
            "https://user@example.org",
        ] {
            assert!(
                OriginPattern::parse(bad).is_err(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn authority_omits_default_ports() {
        assert_eq!(
            pattern("https://chat.example.org").authority().as_deref(),
            Some("chat.example.org")
        );
        assert_eq!(
            pattern("http://127.0.0.1:8080").authority().as_deref(),
            Some("127.0.0.1:8080")
        );
    }
}
