//! The outermost middleware: gives each request an id, a language and a tracing span,
//! renders any error that escaped the inner layers, adds security headers and records
//! Prometheus metrics by route pattern.

use std::{net::IpAddr, sync::Arc, time::Instant};

use poem::{
    Endpoint, IntoResponse, Middleware, PathPattern, Request, Response, Result, http::HeaderValue,
};
use tracing::{Instrument, field::Empty};
use unic_langid::LanguageIdentifier;

use super::{client_ip, problem::ErrorContext, request_id::RequestId, security_headers};
use crate::{i18n::I18n, metrics as app_metrics, render::Templates};

const REQUEST_ID_HEADER: &str = "x-request-id";

/// See the module docs.
pub struct RequestContext {
    pub i18n: I18n,
    pub templates: Templates,
    pub trusted_proxies: Arc<[IpAddr]>,
}

impl<E: Endpoint> Middleware<E> for RequestContext {
    type Output = RequestContextEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequestContextEndpoint {
            inner,
            i18n: self.i18n.clone(),
            templates: self.templates.clone(),
            trusted_proxies: self.trusted_proxies.clone(),
        }
    }
}

pub struct RequestContextEndpoint<E> {
    inner: E,
    i18n: I18n,
    templates: Templates,
    trusted_proxies: Arc<[IpAddr]>,
}

impl<E: Endpoint> Endpoint for RequestContextEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let started = Instant::now();
        let request_id = incoming_request_id(&req)
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
            .into();
        let request_id = RequestId(request_id);
        let lang: LanguageIdentifier = super::lang::requested(&self.i18n, &req);
        let client_ip = client_ip::resolve(&req, &self.trusted_proxies);
        let method = req.method().clone();
        // The path only: query strings may carry tokens (`/ws?access_token=`).
        let path = req.uri().path().to_owned();

        let span = tracing::info_span!(
            "http.request",
            request.id = %request_id.0,
            http.method = %method,
            http.path = %path,
            client.ip = ?client_ip.0,
            http.route = Empty,
            http.status = Empty,
        );
        let ctx = ErrorContext {
            i18n: &self.i18n,
            templates: &self.templates,
            lang: &lang,
            request_id: &request_id,
            path: &path,
        };
        req.set_data(request_id.clone());
        req.set_data(lang.clone());
        req.set_data(client_ip);

        let result = self.inner.call(req).instrument(span.clone()).await;
        let mut resp = match result {
            Ok(resp) => resp.into_response(),
            Err(err) => span.in_scope(|| ctx.render(err)),
        };

        let route = resp
            .data::<PathPattern>()
            .map(|pattern| pattern.0.to_string())
            .filter(|pattern| !pattern.is_empty())
            // 404s: one label for every unknown path keeps the metric's cardinality bounded.
            .unwrap_or_else(|| "unmatched".to_owned());
        let status = resp.status();
        security_headers::apply(&path, &mut resp);
        if let Ok(value) = HeaderValue::from_str(&request_id.0) {
            resp.headers_mut().insert(REQUEST_ID_HEADER, value);
        }

        let elapsed = started.elapsed();
        app_metrics::record_request(method.as_str(), &route, status.as_u16(), elapsed);
        span.record("http.route", route.as_str());
        span.record("http.status", status.as_u16());
        span.in_scope(|| {
            tracing::info!(
                latency_ms = elapsed.as_secs_f64() * 1000.0,
                "request completed"
            );
        });
        Ok(resp)
    }
}

/// Reuses a caller's id (e.g. from nginx) when it is short and plain; otherwise ignores it.
fn incoming_request_id(req: &Request) -> Option<String> {
    let value = req.headers().get(REQUEST_ID_HEADER)?.to_str().ok()?;
    let plain = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    plain.then(|| value.to_owned())
}
