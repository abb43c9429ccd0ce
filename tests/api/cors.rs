use serde_json::Value;

use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};
use crate::on_both_backends;

on_both_backends!(
    listed_and_wildcard_origins_get_cors_headers,
    unlisted_origins_are_refused,
    preflights_answer_for_allowed_origins_only,
    same_origin_requests_are_always_allowed,
    dev_mode_allows_any_origin,
);

const ALLOWED: &str = "https://chat.example.org, https://*.example.net";

async fn with_allow_list(backend: Backend) -> TestApp {
    spawn_app_with(backend, |f| f.merge(("http.cors_origins", ALLOWED))).await
}

async fn get_with_origin(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .get(app.url("/api/v1/version"))
        .header("Origin", origin)
        .send()
        .await
        .unwrap()
}

async fn listed_and_wildcard_origins_get_cors_headers(backend: Backend) {
    let app = with_allow_list(backend).await;
    for origin in [
        "https://chat.example.org",
        "https://team.example.net",
        "https://a.b.example.net",
    ] {
        let resp = get_with_origin(&app, origin).await;
        assert_eq!(resp.status(), 200, "{origin}");
        assert_eq!(resp.headers()["access-control-allow-origin"], origin);
        assert_eq!(resp.headers()["access-control-allow-credentials"], "true");
        // Compression varies the answer too, so Origin is one of the Vary values.
        let vary: Vec<&str> = resp
            .headers()
            .get_all("vary")
            .iter()
            .flat_map(|v| v.to_str().unwrap().split(','))
            .map(str::trim)
            .collect();
        assert!(vary.contains(&"Origin"), "{vary:?}");
    }
}

async fn unlisted_origins_are_refused(backend: Backend) {
    let app = with_allow_list(backend).await;
    for origin in [
        "https://evil.org",
        "https://example.net",
        "https://team.example.net.evil.org",
        "http://chat.example.org",
        "null",
    ] {
        let resp = get_with_origin(&app, origin).await;
        assert_eq!(resp.status(), 403, "{origin}");
        assert!(resp.headers().get("access-control-allow-origin").is_none());
        let problem: Value = resp.json().await.unwrap();
        assert_eq!(problem["code"], "cors.origin_not_allowed");
    }
}

async fn preflights_answer_for_allowed_origins_only(backend: Backend) {
    let app = with_allow_list(backend).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/version"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
    };
    let ok = preflight("https://x.example.net").await.unwrap();
    assert_eq!(ok.status(), 204);
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://x.example.net"
    );
    assert!(
        ok.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert!(
        ok.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );

    let refused = preflight("https://evil.org").await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

async fn same_origin_requests_are_always_allowed(backend: Backend) {
    let app = with_allow_list(backend).await;
    // A page served by this server sends its own origin, e.g. on POST.
    let resp = get_with_origin(&app, &app.address).await;
    assert_eq!(resp.status(), 200);
}

async fn dev_mode_allows_any_origin(backend: Backend) {
    let strict = spawn_app(backend.clone()).await;
    assert_eq!(
        get_with_origin(&strict, "https://anything.test")
            .await
            .status(),
        403
    );

    let dev = spawn_app_with(backend, |f| f.merge(("server.mode", "dev"))).await;
    let resp = get_with_origin(&dev, "https://anything.test").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://anything.test"
    );
}
