use serde_json::Value;

use crate::helpers::{Backend, spawn_app};
use crate::on_both_backends;

on_both_backends!(
    every_response_carries_security_headers,
    pages_get_a_content_security_policy,
    request_ids_are_made_or_reused,
    metrics_count_requests_by_route_pattern,
    the_openapi_spec_and_swagger_ui_are_served,
    the_front_page_is_localized,
);

async fn every_response_carries_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/healthz", "/api/v1/nope", "/nope"] {
        let resp = app.get(path).await;
        let headers = resp.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
}

async fn pages_get_a_content_security_policy(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app.get("/").await;
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
}

async fn request_ids_are_made_or_reused(backend: Backend) {
    let app = spawn_app(backend).await;
    let made = app.get("/healthz").await;
    let id = made.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");

    let reused = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "from-nginx-123")
        .send()
        .await
        .unwrap();
    assert_eq!(reused.headers()["x-request-id"], "from-nginx-123");

    // Anything odd (here: a newline attempt and an overlong value) is replaced, not echoed.
    let odd = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "a".repeat(200))
        .send()
        .await
        .unwrap();
    assert_ne!(odd.headers()["x-request-id"], "a".repeat(200).as_str());
}

async fn metrics_count_requests_by_route_pattern(backend: Backend) {
    let app = spawn_app(backend).await;
    for _ in 0..3 {
        assert_eq!(app.get("/readyz").await.status(), 200);
    }
    app.get("/definitely/unknown/path/1").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    let readyz_count: f64 = text
        .lines()
        .find(|line| {
            line.starts_with("anjoman_http_requests_total{")
                && line.contains(r#"route="/readyz""#)
                && line.contains(r#"status="200""#)
        })
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no readyz counter in:\n{text}"));
    // The recorder is process-wide; other tests add to it, never subtract.
    assert!(readyz_count >= 3.0, "{readyz_count}");
    assert!(
        text.contains(r#"route="unmatched""#),
        "unknown paths share one label"
    );
    assert!(
        !text.contains("/definitely/unknown"),
        "raw paths must not become labels"
    );
    assert!(text.contains("anjoman_http_request_duration_seconds_bucket{"));
    assert!(text.contains("# TYPE anjoman_ws_connections gauge"));
}

async fn the_openapi_spec_and_swagger_ui_are_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let spec: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/healthz", "/readyz", "/api/v1/version"] {
        assert!(
            spec["paths"][path]["get"].is_object(),
            "{path} missing from spec"
        );
    }
    let description = spec["info"]["description"].as_str().unwrap();
    assert!(
        description.contains("| `username.taken` | 409 |"),
        "error catalogue missing"
    );
    assert!(spec["components"]["securitySchemes"]["bearerAuth"].is_object());
    let me = &spec["paths"]["/api/v1/users/me"]["get"];
    assert_eq!(
        me["security"],
        serde_json::json!([{"bearerAuth": []}, {"cookieAuth": []}])
    );
    let problem = &spec["components"]["schemas"]["Problem"];
    assert!(problem["properties"]["code"].is_object(), "{problem}");
    // Every JSON request body shows an example; every protected operation its errors.
    let schemas = &spec["components"]["schemas"];
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let json_body = &operation["requestBody"]["content"]["application/json"]["schema"];
            if let Some(reference) = json_body["$ref"].as_str() {
                let name = reference.rsplit('/').next().unwrap();
                assert!(
                    schemas[name]["example"].is_object(),
                    "{method} {path}: {name} has no example"
                );
            }
            let protected = operation["security"].is_array();
            if protected {
                // Problem documents for the 401 and every other status it can answer.
                let problem = &operation["responses"]["401"]["content"]["application/problem+json"];
                assert!(
                    problem.is_object(),
                    "{method} {path} does not document its errors"
                );
            }
        }
    }

    let docs = app.get("/api/docs").await;
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("SwaggerUIBundle"));
}

async fn the_front_page_is_localized(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app
        .client
        .get(app.url("/"))
        .header("Accept-Language", "fa")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"dir="rtl""#));
    assert!(html.contains("انجمن"));
}
