//! The socket's AsyncAPI document: every op, event and close code is in it, and it is valid
//! AsyncAPI (checked by the official parser).

use std::path::Path;
use std::time::Duration;

use anjoman::ws::{events::EventType, protocol::OpType, protocol::close};
use serde_json::Value;

use crate::helpers::{Backend, TestApp, spawn_app};

async fn document(app: &TestApp) -> Value {
    let resp = app.get("/api/asyncapi.json").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    resp.json().await.unwrap()
}

/// Every `$ref` string anywhere under `value`.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                out.push(target.clone());
            }
            map.values().for_each(|v| references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_socket_document_names_every_op_event_and_close_code() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc = document(&app).await;
    assert_eq!(doc["asyncapi"], "3.0.0");
    assert_eq!(doc["channels"]["socket"]["address"], "/ws");
    let messages = &doc["components"]["messages"];
    for kind in EventType::ALL {
        let message = &messages[format!("event.{}", kind.name())];
        assert_eq!(
            message["payload"]["properties"]["type"]["const"],
            kind.name(),
            "{kind:?}"
        );
    }
    for op in OpType::ALL {
        let message = &messages[format!("op.{}", op.name())];
        assert_eq!(
            message["payload"]["allOf"][0]["properties"]["op"]["const"],
            op.name(),
            "{op:?}"
        );
        assert_eq!(
            doc["operations"][format!("op.{}", op.name())]["action"],
            "receive"
        );
    }
    let codes: Vec<u64> = doc["channels"]["socket"]["x-close-codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = close::ALL
        .iter()
        .map(|(code, _)| u64::from(*code))
        .collect();
    assert_eq!(codes, expected);

    let mut targets = Vec::new();
    references(&doc, &mut targets);
    for target in targets {
        let pointer = target.strip_prefix('#').expect("a local reference");
        assert!(doc.pointer(pointer).is_some(), "{target} does not resolve");
    }
    // A view is described as the OpenAPI document describes it.
    let openapi: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(
        doc["components"]["schemas"]["MessageView"],
        openapi["components"]["schemas"]["MessageView"]
    );
    // The inbox's view is the REST one, and its fields are explained.
    assert_eq!(
        doc["components"]["schemas"]["NotificationView"],
        openapi["components"]["schemas"]["NotificationView"]
    );
    let kind = &doc["components"]["schemas"]["NotificationView"]["properties"]["kind"];
    assert!(
        kind["description"]
            .as_str()
            .is_some_and(|d| d.contains("keyword")),
        "{kind}"
    );
}

/// Whether `@asyncapi/parser` is installed; in CI it must be.
fn parser_ready() -> Result<(), String> {
    if Path::new("tests/browser/node_modules/@asyncapi/parser").exists() {
        Ok(())
    } else {
        Err("@asyncapi/parser (npm install --prefix tests/browser)".into())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_socket_document_is_valid_asyncapi() {
    if !crate::nginx::runnable("the AsyncAPI validation", parser_ready()) {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let url = app.url("/api/asyncapi.json");
    let out = crate::chromium::run_node("asyncapi.mjs", &[&url], Duration::from_secs(60)).await;
    assert!(out.contains("valid AsyncAPI 3.0.0"), "{out}");
}
