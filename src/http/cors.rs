//! Cross-origin requests: same-origin and allow-listed origins get CORS headers (with
//! credentials); any other origin is refused with 403 `cors.origin_not_allowed`, for
//! preflights and actual requests alike. `dev` mode allows every origin.

use std::sync::Arc;

use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
};

use super::origin::{OriginAllowList, OriginPattern};
use crate::error::AppError;

const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOWED_HEADERS: &str = "authorization, content-type, accept, accept-language, x-request-id";
const EXPOSED_HEADERS: &str = "x-request-id, retry-after, content-language, location";
const PREFLIGHT_MAX_AGE_SECS: &str = "600";

/// Who may call the API from a browser page on another origin.
#[derive(Clone)]
pub struct Cors {
    policy: Arc<Policy>,
}

struct Policy {
    allow_list: OriginAllowList,
    allow_any: bool,
    /// `host[:port]` of the configured public URL, if any.
    public_authority: Option<String>,
}

impl Cors {
    pub fn new(allow_list: OriginAllowList, allow_any: bool, public_url: Option<&str>) -> Self {
        let public_authority = public_url
            .and_then(|url| OriginPattern::parse(url.trim_end_matches('/')).ok())
            .and_then(|origin| origin.authority());
        Self {
            policy: Arc::new(Policy {
                allow_list,
                allow_any,
                public_authority,
            }),
        }
    }
}

impl Policy {
    fn allows(&self, origin: &str, headers: &HeaderMap) -> bool {
        self.allow_any || self.is_same_origin(origin, headers) || self.allow_list.allows(origin)
    }

    /// A page served by this server sends its own origin; compare authorities (not the
    /// scheme, which a TLS-terminating proxy changes).
    fn is_same_origin(&self, origin: &str, headers: &HeaderMap) -> bool {
        let Some(authority) = OriginPattern::parse(origin)
            .ok()
            .and_then(|origin| origin.authority())
        else {
            return false;
        };
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase);
        host.as_deref() == Some(authority.as_str())
            || self.public_authority.as_deref() == Some(authority.as_str())
    }
}

impl<E: Endpoint> Middleware<E> for Cors {
    type Output = CorsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        CorsEndpoint {
            inner,
            policy: self.policy.clone(),
        }
    }
}

pub struct CorsEndpoint<E> {
    inner: E,
    policy: Arc<Policy>,
}

impl<E: Endpoint> Endpoint for CorsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let Some(origin) = req.headers().get(header::ORIGIN).cloned() else {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        };
        let allowed = origin
            .to_str()
            .is_ok_and(|origin| self.policy.allows(origin, req.headers()));
        if !allowed {
            tracing::info!(http.origin = ?origin, "cross-origin request refused");
            return Err(AppError::OriginNotAllowed.into());
        }

        let is_preflight = req.method() == Method::OPTIONS
            && req
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        let mut resp = if is_preflight {
            let mut resp = StatusCode::NO_CONTENT.into_response();
            let headers = resp.headers_mut();
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(ALLOWED_METHODS),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOWED_HEADERS),
            );
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static(PREFLIGHT_MAX_AGE_SECS),
            );
            resp
        } else {
            let mut resp = self.inner.call(req).await?.into_response();
            resp.headers_mut().insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSED_HEADERS),
            );
            resp
        };
        let headers = resp.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
        Ok(resp)
    }
}
