use futures_util::stream;
use serde_json::Value;

use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};
use crate::on_both_backends;

on_both_backends!(
    api_errors_are_problem_json_with_a_stable_code,
    accept_language_fa_gives_a_persian_detail,
    pages_that_do_not_exist_get_a_localized_html_page,
    a_declared_body_over_the_limit_is_refused_before_reading,
    a_streamed_body_over_the_limit_is_cut_off,
    a_body_under_the_limit_passes_through,
    a_wrong_method_is_a_problem_too,
);

async fn api_errors_are_problem_json_with_a_stable_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = app.get("/api/v1/no-such-thing").await;
    assert_eq!(resp.status(), 404);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let problem: Value = resp.json().await.unwrap();
    let keys: Vec<&str> = problem
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in ["type", "title", "status", "detail", "code"] {
        assert!(keys.contains(&key), "missing {key} in {problem}");
    }
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["code"], "not_found");
    assert_eq!(problem["type"], "urn:anjoman:error:not_found");
    assert_eq!(problem["detail"], "There is nothing at this address.");
}

async fn accept_language_fa_gives_a_persian_detail(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = app
        .client
        .get(app.url("/api/v1/no-such-thing"))
        .header("Accept-Language", "fa")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-language"], "fa-IR");
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "not_found", "the code is not translated");
    assert_eq!(problem["detail"], "در این نشانی چیزی وجود ندارد.");
    assert_eq!(problem["title"], "پیدا نشد");
}

async fn pages_that_do_not_exist_get_a_localized_html_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let english = app.get("/no/such/page").await;
    assert_eq!(english.status(), 404);
    assert!(
        english.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = english.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en-US" dir="ltr""#), "{html}");
    assert!(html.contains("Page not found"));

    let persian = app
        .client
        .get(app.url("/no/such/page"))
        .header("Accept-Language", "fa-IR,fa;q=0.9")
        .send()
        .await
        .unwrap();
    let html = persian.text().await.unwrap();
    assert!(html.contains(r#"<html lang="fa-IR" dir="rtl""#), "{html}");
    assert!(html.contains("صفحه پیدا نشد"));
}

/// A limit small enough to cross cheaply in a test.
const LIMIT: u64 = 4096;

async fn a_declared_body_over_the_limit_is_refused_before_reading(backend: Backend) {
    let app = spawn_app_with(backend, |f| f.merge(("http.body_limit_bytes", LIMIT))).await;
    let resp = app
        .client
        .post(app.url("/api/v1/version"))
        .header("content-type", "application/json")
        .body(vec![b' '; LIMIT as usize + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "payload_too_large");
    assert!(
        problem["detail"].as_str().unwrap().contains("4096"),
        "{problem}"
    );
}

/// POSTs `kib` chunks of 1 KiB without a Content-Length (chunked transfer encoding).
async fn post_chunked(app: &TestApp, kib: usize) -> reqwest::Response {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..kib).map(|_| Ok(vec![b' '; 1024])).collect();
    app.client
        .post(app.url("/api/v1/version"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream::iter(chunks)))
        .send()
        .await
        .unwrap()
}

async fn a_streamed_body_over_the_limit_is_cut_off(backend: Backend) {
    let app = spawn_app_with(backend, |f| f.merge(("http.body_limit_bytes", LIMIT))).await;
    // No Content-Length: chunked transfer, so only counting while reading can catch it.
    let resp = post_chunked(&app, 5).await;
    assert_eq!(resp.status(), 413);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "payload_too_large");
}

async fn a_body_under_the_limit_passes_through(backend: Backend) {
    let app = spawn_app_with(backend, |f| f.merge(("http.body_limit_bytes", LIMIT))).await;
    let resp = post_chunked(&app, 3).await;
    // The body got through the limit and reached the router, which has no POST here.
    assert_eq!(resp.status(), 405);
}

async fn a_wrong_method_is_a_problem_too(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = app.client.delete(app.url("/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), 405);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "method_not_allowed");
}

/// Every error code (`ErrorCode`, published in the OpenAPI description with a message in
/// every locale) is raised somewhere in `src/`: a code nothing answers any more is a stale
/// promise to clients. `ErrorCode::<Variant>` must occur outside its declaration
/// (`error/code.rs`) and outside `api/problems.rs`, which lists the codes each operation may
/// answer.
#[test]
fn every_catalogued_code_is_raised_somewhere() {
    fn read(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("src/ readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                read(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = std::fs::read_to_string(&path).expect("source readable");
                out.push((path.display().to_string(), text));
            }
        }
    }
    /// Whether `text` names `path` whole (`ErrorCode::RoomNotFound`, not a longer variant).
    fn names(text: &str, path: &str) -> bool {
        text.match_indices(path).any(|(at, _)| {
            !text[at + path.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        })
    }
    let mut sources = Vec::new();
    read(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut sources,
    );
    let unused: Vec<&str> = anjoman::error::ErrorCode::ALL
        .iter()
        .filter(|code| {
            let path = format!("ErrorCode::{}", code.name());
            !sources
                .iter()
                .filter(|(file, _)| {
                    !file.ends_with("api/problems.rs") && !file.ends_with("error/code.rs")
                })
                .any(|(_, text)| names(text, &path))
        })
        .map(|code| code.as_str())
        .collect();
    assert!(unused.is_empty(), "catalogued but never raised: {unused:?}");
}
