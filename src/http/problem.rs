//! Turns errors into responses: `application/problem+json` for the API, a localized HTML
//! page for 404/5xx elsewhere. Panics in handlers become 500s here too.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use poem::{
    Endpoint, IntoResponse, Middleware, PathPattern, Request, Response, Result,
    error::ResponseError,
    http::{HeaderValue, StatusCode, header},
};
use unic_langid::LanguageIdentifier;

use super::{error_response::from_poem, request_id::RequestId};
use crate::{
    error::{AppError, PROBLEM_JSON},
    i18n::{DEFAULT_LOCALE, I18n},
    render::Templates,
};

/// What rendering an error needs to know about its request.
pub struct ErrorContext<'a> {
    pub i18n: &'a I18n,
    pub templates: &'a Templates,
    pub lang: &'a LanguageIdentifier,
    pub request_id: &'a RequestId,
    pub path: &'a str,
}

impl ErrorContext<'_> {
    /// Renders `err` for this request. 5xx causes are logged here (inside the request span)
    /// and never sent to the client.
    pub fn render(&self, err: poem::Error) -> Response {
        // Some "errors" are answers: a static file's 304 Not Modified is one.
        if !err.status().is_client_error() && !err.status().is_server_error() {
            return err.into_response();
        }
        let pattern = err.data::<PathPattern>().cloned();
        let owned;
        let app_err = match err.downcast_ref::<AppError>() {
            // A fault wrapped by hand into `Internal` is still answered as the fault.
            Some(app_err) => match app_err.fault_behind() {
                Some(fault) => {
                    owned = fault;
                    &owned
                }
                None => app_err,
            },
            None => {
                owned = from_poem(&err);
                &owned
            }
        };
        let status = app_err.status();
        if status.is_server_error() {
            match app_err {
                AppError::Internal(cause) => {
                    tracing::error!(error = format!("{cause:#}"), "request failed")
                }
                other => tracing::error!(error = %other, "request failed"),
            }
        }
        let wants_page = !is_machine_path(self.path)
            && (status == StatusCode::NOT_FOUND || status.is_server_error());
        let mut resp = if wants_page {
            let mut page =
                self.templates
                    .error_page(self.i18n, self.lang, status, &self.request_id.0);
            // A page's 503 says when to come back just as the problem document does.
            add_headers(&mut page, app_err);
            page
        } else {
            problem_response(app_err, self.i18n, self.lang)
        };
        if let Some(pattern) = pattern {
            resp.set_data(pattern);
        }
        resp
    }
}

/// API and operational endpoints answer errors in JSON, never HTML.
fn is_machine_path(path: &str) -> bool {
    path == "/api"
        || path.starts_with("/api/")
        || matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// The problem+json response for `err` in `lang`.
pub fn problem_response(err: &AppError, i18n: &I18n, lang: &LanguageIdentifier) -> Response {
    let problem = err.to_problem(i18n, lang);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut resp = Response::builder()
        .status(err.status())
        .header(header::CONTENT_TYPE, PROBLEM_JSON)
        .body(body);
    if let Ok(value) = HeaderValue::from_str(&lang.to_string()) {
        resp.headers_mut().insert(header::CONTENT_LANGUAGE, value);
    }
    add_headers(&mut resp, err);
    resp
}

fn add_headers(resp: &mut Response, err: &AppError) {
    for (name, value) in err.headers() {
        if let Ok(value) = HeaderValue::from_str(&value) {
            resp.headers_mut().insert(name, value);
        }
    }
}

/// Renders errors raised by the routes below it (so CORS headers still get added above).
pub struct ErrorRenderer {
    pub i18n: I18n,
    pub templates: Templates,
}

impl<E: Endpoint> Middleware<E> for ErrorRenderer {
    type Output = ErrorRendererEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ErrorRendererEndpoint {
            inner,
            i18n: self.i18n.clone(),
            templates: self.templates.clone(),
        }
    }
}

pub struct ErrorRendererEndpoint<E> {
    inner: E,
    i18n: I18n,
    templates: Templates,
}

impl<E: Endpoint> Endpoint for ErrorRendererEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let lang = req
            .data::<LanguageIdentifier>()
            .cloned()
            .unwrap_or(DEFAULT_LOCALE);
        let request_id = req
            .data::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId("-".into()));
        let path = req.uri().path().to_owned();
        let outcome = AssertUnwindSafe(self.inner.call(req)).catch_unwind().await;
        let err = match outcome {
            Ok(Ok(resp)) => return Ok(resp.into_response()),
            Ok(Err(err)) => err,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "non-string panic".to_owned());
                AppError::Internal(anyhow::anyhow!("handler panicked: {message}")).into()
            }
        };
        let ctx = ErrorContext {
            i18n: &self.i18n,
            templates: &self.templates,
            lang: &lang,
            request_id: &request_id,
            path: &path,
        };
        Ok(ctx.render(err))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use poem::{Endpoint, EndpointExt, Request, Route, handler, http::StatusCode};

    use super::ErrorRenderer;
    use crate::{http::RequestContext, i18n::I18n, render::Templates};

    #[handler]
    fn boom() -> &'static str {
        panic!("secret internals")
    }

    fn app() -> Result<impl Endpoint<Output = poem::Response>, Box<dyn std::error::Error>> {
        let (i18n, templates) = (I18n::load()?, Templates::load()?);
        Ok(Route::new()
            .at("/api/v1/boom", boom)
            .at("/boom", boom)
            .with(ErrorRenderer {
                i18n: i18n.clone(),
                templates: templates.clone(),
            })
            .with(RequestContext {
                i18n,
                templates,
                trusted_proxies: Arc::from(Vec::new()),
            }))
    }

    #[tokio::test]
    async fn a_panicking_api_handler_becomes_an_opaque_500_problem()
    -> Result<(), Box<dyn std::error::Error>> {
        let resp = app()?
            .call(
                Request::builder()
                    .uri_str("/api/v1/boom")
                    .header("accept-language", "fa")
                    .finish(),
            )
            .await?;
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(resp.content_type(), Some("application/problem+json"));
        let body = resp.into_body().into_string().await?;
        let problem: serde_json::Value = serde_json::from_str(&body)?;
        assert_eq!(problem["code"], "internal");
        assert_eq!(problem["title"], "خطای داخلی");
        assert!(!body.contains("secret internals"));
        Ok(())
    }

    #[tokio::test]
    async fn a_panicking_page_becomes_a_localized_500_page()
    -> Result<(), Box<dyn std::error::Error>> {
        let resp = app()?
            .call(
                Request::builder()
                    .uri_str("/boom")
                    .header("accept-language", "fa")
                    .finish(),
            )
            .await?;
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let request_id = resp
            .header("x-request-id")
            .map(str::to_owned)
            .ok_or("no request id")?;
        let html = resp.into_body().into_string().await?;
        assert!(html.contains("مشکلی پیش آمد"), "{html}");
        assert!(
            html.contains(&request_id),
            "the page shows the id to quote in a report"
        );
        assert!(!html.contains("secret internals"));
        Ok(())
    }
}
