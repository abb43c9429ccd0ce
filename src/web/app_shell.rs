//! What makes Anjoman an installable app: the web app manifest (`/manifest.webmanifest`,
//! linked from every page, in the visitor's language) and the service worker (`/sw.js`,
//! at the site's root so its scope is every page), which shows Web Push notifications.

use poem::{
    Request, Response, handler,
    http::{StatusCode, header},
    web::Data,
};
use serde_json::json;

use crate::{http::lang, i18n::is_rtl, render::assets::assets, state::AppState};

/// The brand colour (the favicon's square): the browser's title bar and splash screen.
pub const THEME_COLOR: &str = "#1f6f5c";

/// `/manifest.webmanifest`.
#[handler]
pub fn manifest(state: Data<&AppState>, req: &Request) -> Response {
    let lang = lang::requested(&state.i18n, req);
    let name = state.i18n.message(&lang, "app-name", None, None);
    let icon = |size: u32| {
        let path = format!("icons/icon-{size}.png");
        json!({
            "src": assets().url(&path).unwrap_or_else(|| format!("/static/{path}")),
            "sizes": format!("{size}x{size}"),
            "type": "image/png",
            "purpose": "any maskable",
        })
    };
    let body = json!({
        "name": name,
        "short_name": name,
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": THEME_COLOR,
        "lang": lang.to_string(),
        "dir": if is_rtl(&lang) { "rtl" } else { "ltr" },
        "icons": [icon(192), icon(512)],
    });
    Response::builder()
        .content_type("application/manifest+json")
        .header(header::CACHE_CONTROL, "no-cache")
        .header(header::VARY, "Accept-Language, Cookie")
        .body(body.to_string())
}

/// `/sw.js`: revalidated on every update check, so a deploy reaches it at once.
#[handler]
pub fn service_worker() -> Response {
    let Some((asset, _)) = assets().lookup("sw.js") else {
        return StatusCode::NOT_FOUND.into();
    };
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("Service-Worker-Allowed", "/")
        // The worker fetches nothing itself; the notification's icon is ours.
        .header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self'; frame-ancestors 'none'",
        )
        .body(asset.identity.clone())
}
