//! Headers that make browsers treat every response defensively.

use poem::{
    Response,
    http::{HeaderValue, header},
};

/// Pages: scripts and styles from our own origin only, never framed.
const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Swagger UI ships its script and style inline, so its page needs `'unsafe-inline'`.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Anything that is not a page must not run as one, even if sniffed as HTML.
const DATA_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Adds the security headers a response lacks; a handler that set its own CSP keeps it.
pub fn apply(path: &str, resp: &mut Response) {
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let csp = match (is_html, path.starts_with("/api/docs")) {
        (true, true) => DOCS_CSP,
        (true, false) => PAGE_CSP,
        (false, _) => DATA_CSP,
    };
    let headers = resp.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // Not `no-referrer`: with it Chromium sends `Origin: null` on the pages' own form
        // posts, which the Origin check must refuse. `same-origin` leaks nothing to others.
        (header::REFERRER_POLICY, "same-origin"),
        (header::CONTENT_SECURITY_POLICY, csp),
    ] {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    }
    headers
        .entry("cross-origin-opener-policy")
        .or_insert_with(|| HeaderValue::from_static("same-origin"));
}
