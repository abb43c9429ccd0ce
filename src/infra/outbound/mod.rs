//! The one way the server makes a request to the outside world (link previews today;
//! webhooks, push and OIDC discovery later). It exists so that no such request can be
//! turned against the inside: a user-supplied URL must never reach the server itself, the
//! private network or a cloud metadata service.
//!
//! Every hop is checked the same way: `http`/`https` only, ports 80 and 443 only, the host
//! resolved here and refused if any of its addresses is not public ([`address`]), and the
//! connection made to exactly the addresses that were checked (a second lookup by the HTTP
//! client could be answered differently: DNS rebinding). Redirects are followed by hand so
//! each hop is checked again; the whole exchange has one time limit and the body a size cap.
//!
//! Hosts on the configured allow-list skip the address and port rules. It exists so tests
//! can serve pages on 127.0.0.1; an installation has no reason to list anything.

pub mod address;

use std::{collections::HashSet, net::SocketAddr, time::Duration};

use reqwest::{StatusCode, header};
use url::{Host, Url};

use self::address::Refusal;
use crate::config::OutboundSettings;

/// Ports a URL may name unless its host is allow-listed.
const PORTS: [u16; 2] = [80, 443];
/// Redirects followed before giving up.
pub const REDIRECTS_MAX: usize = 3;

/// Why an outbound request did not give a usable answer. The `Display` never holds the
/// URL's path or query (they may carry tokens): only the kind, and the host at most.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("not an http(s) URL with a host")]
    BadUrl,
    #[error("port {0} is not allowed")]
    Port(u16),
    #[error("host resolves to a {} address", .0.as_str())]
    Refused(Refusal),
    #[error("host could not be resolved")]
    Unresolved,
    #[error("more than {REDIRECTS_MAX} redirects")]
    TooManyRedirects,
    #[error("redirect loop")]
    RedirectLoop,
    #[error("redirect without a usable Location")]
    BadRedirect,
    #[error("body larger than the limit")]
    TooLarge,
    #[error("time limit reached")]
    Timeout,
    #[error("answered with status {0}")]
    Status(u16),
    #[error("content type {0:?} not accepted")]
    BadType(String),
    #[error("connection failed: {0}")]
    Connect(String),
}

impl OutboundError {
    /// A short stable label, for metrics and the cache.
    pub const fn label(&self) -> &'static str {
        match self {
            Self::BadUrl => "bad_url",
            Self::Port(_) => "port",
            Self::Refused(_) => "refused_address",
            Self::Unresolved => "unresolved",
            Self::TooManyRedirects => "too_many_redirects",
            Self::RedirectLoop => "redirect_loop",
            Self::BadRedirect => "bad_redirect",
            Self::TooLarge => "too_large",
            Self::Timeout => "timeout",
            Self::Status(_) => "status",
            Self::BadType(_) => "bad_type",
            Self::Connect(_) => "connect",
        }
    }
}

/// A body that was read, whole or up to the cap.
#[derive(Debug)]
pub struct Fetched {
    /// Where it came from, after redirects.
    pub url: Url,
    /// The `Content-Type` essence, lowercased (`text/html`).
    pub content_type: String,
    pub body: Vec<u8>,
    /// False when the body was longer than the cap and cut there.
    pub complete: bool,
}

/// The guarded client. Cheap to share; holds only its rules.
#[derive(Debug, Clone)]
pub struct Outbound {
    allow_hosts: Vec<String>,
    timeout: Duration,
    max_body: usize,
}

impl Outbound {
    pub fn new(settings: &OutboundSettings) -> Self {
        Self {
            allow_hosts: settings
                .allow_hosts
                .iter()
                .map(|host| host.trim_matches(['[', ']']).to_ascii_lowercase())
                .collect(),
            timeout: Duration::from_millis(settings.timeout_ms),
            max_body: settings.max_body_bytes as usize,
        }
    }

    /// GETs `url`, following up to [`REDIRECTS_MAX`] redirects, all within the time limit.
    /// `accept` is asked about the final `Content-Type` essence before the body is read.
    pub async fn get(
        &self,
        url: &Url,
        accept: impl Fn(&str) -> bool,
    ) -> Result<Fetched, OutboundError> {
        let host = url.host_str().unwrap_or_default().to_owned();
        let outcome = tokio::time::timeout(self.timeout, self.get_within(url, accept))
            .await
            .unwrap_or(Err(OutboundError::Timeout));
        let label = match &outcome {
            Ok(_) => "ok",
            Err(err) => err.label(),
        };
        metrics::counter!("anjoman_outbound_requests_total", "outcome" => label).increment(1);
        match &outcome {
            Ok(fetched) => tracing::debug!(
                outbound.host = %host, outbound.bytes = fetched.body.len(), "outbound request done"
            ),
            Err(err) => {
                tracing::info!(outbound.host = %host, error = %err, "outbound request refused or failed")
            }
        }
        outcome
    }

    async fn get_within(
        &self,
        url: &Url,
        accept: impl Fn(&str) -> bool,
    ) -> Result<Fetched, OutboundError> {
        let mut current = url.clone();
        let mut seen = HashSet::new();
        for _ in 0..=REDIRECTS_MAX {
            if !seen.insert(current.clone()) {
                return Err(OutboundError::RedirectLoop);
            }
            let response = self.hop(&current).await?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .ok_or(OutboundError::BadRedirect)?;
                current = current
                    .join(location)
                    .map_err(|_| OutboundError::BadRedirect)?;
                continue;
            }
            if !status.is_success() {
                return Err(OutboundError::Status(status.as_u16()));
            }
            let content_type = response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.split(';').next())
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if !accept(&content_type) {
                return Err(OutboundError::BadType(content_type));
            }
            let (body, complete) = self.body_read(response).await?;
            return Ok(Fetched {
                url: current,
                content_type,
                body,
                complete,
            });
        }
        Err(OutboundError::TooManyRedirects)
    }

    /// Reads at most the cap, then stops: the rest is never downloaded.
    async fn body_read(
        &self,
        mut response: reqwest::Response,
    ) -> Result<(Vec<u8>, bool), OutboundError> {
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(connect_error)? {
            let room = self.max_body - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                return Ok((body, false));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, true))
    }

    /// POSTs `body` with `headers` to `url` (a Web Push endpoint) and returns the answer's
    /// status, whatever it is: the caller decides what a 404 or a 429 means. The same
    /// address rules as [`Outbound::get`]; redirects are not followed (a push service
    /// answers where it was asked).
    pub async fn post(
        &self,
        url: &Url,
        headers: header::HeaderMap,
        body: Vec<u8>,
    ) -> Result<StatusCode, OutboundError> {
        let host = url.host_str().unwrap_or_default().to_owned();
        let sent = async {
            let client = self.client_for(url).await?;
            let response = client
                .post(url.clone())
                .headers(headers)
                .body(body)
                .send()
                .await
                .map_err(connect_error)?;
            Ok(response.status())
        };
        let outcome = tokio::time::timeout(self.timeout, sent)
            .await
            .unwrap_or(Err(OutboundError::Timeout));
        let label = match &outcome {
            Ok(_) => "ok",
            Err(err) => err.label(),
        };
        metrics::counter!("anjoman_outbound_requests_total", "outcome" => label).increment(1);
        if let Err(err) = &outcome {
            tracing::info!(outbound.host = %host, error = %err, "outbound request refused or failed");
        }
        outcome
    }

    /// One request, no redirects, to the checked addresses of `url`'s host.
    async fn hop(&self, url: &Url) -> Result<reqwest::Response, OutboundError> {
        let client = self.client_for(url).await?;
        client.get(url.clone()).send().await.map_err(connect_error)
    }

    /// A client that reaches `url`'s host only at the addresses checked here.
    async fn client_for(&self, url: &Url) -> Result<reqwest::Client, OutboundError> {
        let (host, port) = match (url.scheme(), url.host(), url.port_or_known_default()) {
            ("http" | "https", Some(host), Some(port)) => (host, port),
            _ => return Err(OutboundError::BadUrl),
        };
        let listed = self.is_listed(&host);
        if !listed && !PORTS.contains(&port) {
            return Err(OutboundError::Port(port));
        }
        let addresses: Vec<SocketAddr> = match &host {
            Host::Ipv4(ip) => vec![SocketAddr::new((*ip).into(), port)],
            Host::Ipv6(ip) => vec![SocketAddr::new((*ip).into(), port)],
            Host::Domain(name) => tokio::net::lookup_host((*name, port))
                .await
                .map_err(|_| OutboundError::Unresolved)?
                .collect(),
        };
        if addresses.is_empty() {
            return Err(OutboundError::Unresolved);
        }
        if !listed {
            // One inside address is enough to refuse: which one a client picks is not ours
            // to choose, and a name that mixes them is not an honest public site.
            if let Some(why) = addresses.iter().find_map(|a| address::classify(a.ip())) {
                return Err(OutboundError::Refused(why));
            }
        }
        crate::infra::tls::install_provider();
        let mut builder = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "Anjoman/",
                env!("CARGO_PKG_VERSION"),
                " (+outbound)"
            ))
            .timeout(self.timeout);
        if let Host::Domain(name) = &host {
            // The client connects only to what was checked; it never looks the name up.
            builder = builder.resolve_to_addrs(name, &addresses);
        }
        builder.build().map_err(connect_error)
    }

    fn is_listed(&self, host: &Host<&str>) -> bool {
        let name = match host {
            Host::Domain(name) => name.to_ascii_lowercase(),
            Host::Ipv4(ip) => ip.to_string(),
            Host::Ipv6(ip) => ip.to_string(),
        };
        self.allow_hosts.contains(&name)
    }
}

fn connect_error(err: reqwest::Error) -> OutboundError {
    if err.is_timeout() {
        return OutboundError::Timeout;
    }
    // Without the URL: it may hold a token.
    OutboundError::Connect(err.without_url().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(allow_hosts: &[&str]) -> Outbound {
        Outbound::new(&OutboundSettings {
            allow_hosts: allow_hosts.iter().map(|h| (*h).to_owned()).collect(),
            timeout_ms: 5000,
            max_body_bytes: 1024,
        })
    }

    async fn refusal(outbound: &Outbound, url: &str) -> OutboundError {
        outbound
            .get(&Url::parse(url).unwrap(), |_| true)
            .await
            .expect_err(url)
    }

    #[tokio::test]
    async fn loopback_is_refused_unless_listed() {
        let unlisted = client(&[]);
        for url in [
            "http://127.0.0.1/",
            "http://localhost/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "https://169.254.169.254/latest/meta-data/",
        ] {
            assert!(
                matches!(refusal(&unlisted, url).await, OutboundError::Refused(_)),
                "{url}"
            );
        }
        // Listed, the address passes and a real connection is tried: nothing listens on
        // port 9 (discard) here, so it fails to connect, not by refusal.
        let listed = client(&["127.0.0.1"]);
        assert!(matches!(
            refusal(&listed, "http://127.0.0.1:9/").await,
            OutboundError::Connect(_) | OutboundError::Timeout
        ));
    }

    #[tokio::test]
    async fn only_http_and_https_on_their_ports() {
        let outbound = client(&[]);
        assert!(matches!(
            refusal(&outbound, "ftp://1.1.1.1/").await,
            OutboundError::BadUrl
        ));
        assert!(matches!(
            refusal(&outbound, "http://1.1.1.1:8080/").await,
            OutboundError::Port(8080)
        ));
        assert!(matches!(
            refusal(&outbound, "http://10.0.0.1:443/").await,
            OutboundError::Refused(Refusal::Private)
        ));
    }
}
