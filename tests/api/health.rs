use serde_json::Value;

use crate::helpers::{Backend, spawn_app};
use crate::on_both_backends;

on_both_backends!(
    a_fresh_database_is_migrated_and_ready,
    readyz_fails_when_the_database_is_gone,
    the_version_endpoint_names_the_backend,
);

async fn a_fresh_database_is_migrated_and_ready(backend: Backend) {
    let app = spawn_app(backend).await;

    let live = app.get("/healthz").await;
    assert_eq!(live.status(), 200);
    assert_eq!(live.json::<Value>().await.unwrap()["status"], "ok");

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);

    let status = anjoman::db::migration_status(&app.db).await.unwrap();
    assert!(!status.is_empty());
    assert!(status.iter().all(|(_, applied)| *applied), "{status:?}");
}

async fn readyz_fails_when_the_database_is_gone(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.get("/readyz").await.status(), 200);

    app.database.take_away(&app.db).await;

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert_eq!(
        ready.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let problem: Value = ready.json().await.unwrap();
    assert_eq!(problem["code"], "service.unavailable");
    // Liveness is about the process, not its dependencies.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

async fn the_version_endpoint_names_the_backend(backend: Backend) {
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let app = spawn_app(backend).await;
    let version: Value = app.get("/api/v1/version").await.json().await.unwrap();
    assert_eq!(version["name"], "anjoman");
    assert_eq!(version["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(version["database"], expected);
    assert_eq!(version["locales"], serde_json::json!(["en-US", "fa-IR"]));
}
