//! Methods per path: a method a path does not support is answered 405 with `Allow` (RFC
//! 9110 §15.5.6) — `TRACE` included — and `OPTIONS` 204 with `Allow`. CORS preflights are
//! answered further out ([`super::Cors`]) and never get here.

use std::sync::Arc;

use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
    http::{HeaderValue, Method, StatusCode, header},
};

use crate::error::AppError;

/// A path template: `/api/v1/rooms/{id}` (a `{…}` segment matches one segment), or a
/// prefix ending in `/*`.
#[derive(Debug, Clone)]
struct PathMethods {
    segments: Vec<Option<String>>,
    prefix: bool,
    methods: Vec<Method>,
}

impl PathMethods {
    fn matches(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        let fits = |parts: &[&str]| {
            parts
                .iter()
                .zip(&self.segments)
                .all(|(part, segment)| segment.as_deref().is_none_or(|s| s == *part))
        };
        if self.prefix {
            parts.len() >= self.segments.len() && fits(&parts[..self.segments.len()])
        } else {
            parts.len() == self.segments.len() && fits(&parts)
        }
    }

    fn allow(&self) -> String {
        let mut names: Vec<&str> = self.methods.iter().map(Method::as_str).collect();
        if self.methods.contains(&Method::GET) {
            names.push("HEAD");
        }
        names.push("OPTIONS");
        names.join(", ")
    }
}

/// The middleware, built from `(path template, methods)` pairs; paths it does not know
/// pass through (to their 404).
#[derive(Debug, Clone, Default)]
pub struct AllowedMethods {
    paths: Arc<Vec<PathMethods>>,
}

impl AllowedMethods {
    pub fn new(routes: impl IntoIterator<Item = (String, Vec<Method>)>) -> Self {
        let mut paths: Vec<PathMethods> = Vec::new();
        for (template, methods) in routes {
            let prefix = template.ends_with("/*");
            let template = template.trim_end_matches("/*");
            let segments: Vec<Option<String>> = template
                .split('/')
                .map(|s| (!(s.starts_with('{') || s.starts_with(':'))).then(|| s.to_owned()))
                .collect();
            match paths
                .iter_mut()
                .find(|p| p.segments == segments && p.prefix == prefix)
            {
                Some(known) => known.methods.extend(methods),
                None => paths.push(PathMethods {
                    segments,
                    prefix,
                    methods,
                }),
            }
        }
        // Exact templates before parameters (`/rooms/public` before `/rooms/{id}`), and
        // both before prefixes.
        paths.sort_by_key(|p| (p.prefix, p.segments.iter().filter(|s| s.is_none()).count()));
        Self {
            paths: Arc::new(paths),
        }
    }

    fn find(&self, path: &str) -> Option<&PathMethods> {
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        self.paths.iter().find(|p| p.matches(path))
    }
}

impl<E: Endpoint> Middleware<E> for AllowedMethods {
    type Output = AllowedMethodsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AllowedMethodsEndpoint {
            inner,
            methods: self.clone(),
        }
    }
}

pub struct AllowedMethodsEndpoint<E> {
    inner: E,
    methods: AllowedMethods,
}

impl<E: Endpoint> Endpoint for AllowedMethodsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        if let Some(known) = self.methods.find(req.uri().path()) {
            let method = req.method();
            let allowed = known.methods.contains(method)
                || (method == Method::HEAD && known.methods.contains(&Method::GET));
            if !allowed {
                let allow = HeaderValue::from_str(&known.allow())
                    .unwrap_or_else(|_| HeaderValue::from_static("OPTIONS"));
                if method == Method::OPTIONS {
                    return Ok(Response::builder()
                        .status(StatusCode::NO_CONTENT)
                        .header(header::ALLOW, allow)
                        .finish());
                }
                let allow = allow.to_str().unwrap_or("OPTIONS").to_owned();
                return Err(AppError::MethodNotAllowedAllow { allow }.into());
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}
