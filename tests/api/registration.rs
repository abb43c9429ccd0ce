//! Registration is limited per client address and overall, over every node: each account
//! costs a password hash, so a flood from one address (or many) is refused with 429.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::on_both_backends;

on_both_backends!(
    registrations_over_the_per_ip_limit_get_429_with_retry_after,
    registrations_over_the_overall_limit_get_429_from_any_address,
);

const PASSWORD: &str = "correct horse battery";

/// A server that believes `X-Forwarded-For` from the tests (127.0.0.1), so each request
/// can come from an address of its choosing, with the given limits.
pub async fn behind_proxy(backend: Backend, per_ip: u32, total: u32) -> TestApp {
    spawn_app_with(backend, move |figment| {
        figment
            .merge(("server.trusted_proxies", vec!["127.0.0.1"]))
            .merge(("limits.registrations_per_window", per_ip))
            .merge(("limits.registrations_total_per_window", total))
    })
    .await
}

/// POST /auth/register as `username` from `ip`.
pub async fn register_from(app: &TestApp, ip: &str, username: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/register"))
        .header("x-forwarded-for", ip)
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .unwrap()
}

/// Checks a refusal: 429 `rate_limited`, with a `Retry-After` it also gives in `data`.
pub async fn assert_limited(resp: reqwest::Response) {
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "rate_limited", "{problem}");
    assert_eq!(problem["data"]["retry_after"], retry_after);
}

async fn registrations_over_the_per_ip_limit_get_429_with_retry_after(backend: Backend) {
    let app = behind_proxy(backend, 3, 1000).await;
    // A form with a mistake in it costs no hash and is not counted.
    let short = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("x-forwarded-for", "198.51.100.7")
        .json(&json!({ "username": "typo", "password": "short" }))
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for i in 0..3 {
        let resp = register_from(&app, "198.51.100.7", &format!("user{i}")).await;
        assert_eq!(resp.status(), StatusCode::CREATED);
    }
    assert_limited(register_from(&app, "198.51.100.7", "user3").await).await;
    let login = app.login("user3", PASSWORD, "t").await;
    assert_eq!(login.status(), 401, "the refused account was not created");

    // Another address has its own budget.
    let other = register_from(&app, "198.51.100.8", "user4").await;
    assert_eq!(other.status(), StatusCode::CREATED);
}

async fn registrations_over_the_overall_limit_get_429_from_any_address(backend: Backend) {
    let app = behind_proxy(backend, 2, 3).await;
    for i in 0..3 {
        let resp = register_from(&app, &format!("203.0.113.{i}"), &format!("user{i}")).await;
        assert_eq!(resp.status(), StatusCode::CREATED);
    }
    // Every address is under its own budget, but together they spent the overall one.
    for i in 3..5 {
        assert_limited(register_from(&app, &format!("203.0.113.{i}"), &format!("user{i}")).await)
            .await;
    }
}
