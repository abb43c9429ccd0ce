//! Faults are answered for what they are: a database out of reach gets a retryable 503
//! `service.unavailable`, a full store 507 `storage.full` — on REST and on the socket —
//! and each is counted in `anjoman_faults_total`.

use std::{path::Path, process::Command};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::files::upload_with;
use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};
use crate::on_both_backends;
use crate::ws_client::WsClient;

on_both_backends!(a_database_that_is_gone_gets_503_with_retry_after);

const PASSWORD: &str = "correct horse battery";

/// The value of `anjoman_faults_total{kind}` in the server's metrics (0 when absent).
pub async fn faults_counted(app: &TestApp, kind: &str) -> f64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    let series = format!("anjoman_faults_total{{kind=\"{kind}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&series))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

async fn a_database_that_is_gone_gets_503_with_retry_after(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let room = app.public_room(&alice, &[]).await;
    let mut socket = WsClient::connect(&app, &alice).await;

    app.database.take_away(&app.db).await;

    let resp = app
        .authed(reqwest::Method::GET, "/api/v1/users/me", &alice)
        .header("accept-language", "fa-IR")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(resp.headers()["retry-after"], "5");
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "service.unavailable");
    assert_eq!(problem["data"]["retry_after"], 5);
    assert!(
        problem["detail"].as_str().unwrap().contains("دسترس"),
        "localized: {problem}"
    );

    // The socket answers the same fault, not `internal`.
    let reply = socket
        .request(json!({"op": "send", "room_id": room, "body": "is anyone there?"}))
        .await;
    assert_eq!(reply["type"], "error", "{reply}");
    assert_eq!(reply["data"]["code"], "service.unavailable", "{reply}");
    assert_eq!(reply["data"]["retry_after"], 5, "{reply}");

    // /readyz says the same, under the same code.
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.headers()["retry-after"], "5");
    assert!(faults_counted(&app, "database_unavailable").await >= 2.0);
}

/// A tmpfs of a fixed size, unmounted when dropped. Mounting needs root (CI runs as root,
/// and `.ci/run` checks that it can).
struct SmallDisk {
    dir: TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("the mount command runs");
        assert!(
            status.success(),
            "mounting a {size} tmpfs at {} failed: this test needs root (see .ci/run)",
            dir.path().display()
        );
        SmallDisk { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazy: the server task may still hold a file open when the test ends.
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_onto_a_full_disk_gets_507_storage_full() {
    let disk = SmallDisk::mount("1m");
    let app = spawn_app_with(Backend::Sqlite, |figment| {
        figment.merge(("uploads.dir", disk.path()))
    })
    .await;
    let alice = app.register_token("alice", PASSWORD).await;
    let room = app.public_room(&alice, &[]).await;

    let two_mib = vec![b'a'; 2 * 1024 * 1024];
    let resp = upload_with(&app, &alice, &[("room_id", &room)], "notes.txt", &two_mib).await;
    assert_eq!(resp.status(), StatusCode::INSUFFICIENT_STORAGE);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "storage.full", "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("space"),
        "localized: {problem}"
    );
    assert!(faults_counted(&app, "storage_full").await >= 1.0);

    // The partial upload was removed, so a file that fits is still accepted.
    let small = upload_with(&app, &alice, &[("room_id", &room)], "hi.txt", b"hello").await;
    assert_eq!(small.status(), StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_past_the_password_queue_get_503_not_500() {
    // One hash at a time, one more waiting: a third login at once finds the queue full.
    let app = spawn_app_with(Backend::Sqlite, |figment| {
        figment
            .merge(("auth.argon2.max_concurrent", 1))
            .merge(("auth.argon2.max_waiting", 1))
            // Hashes slow enough that a burst's logins are in the queue together.
            .merge(("auth.argon2.memory_kib", 8192))
            .merge(("auth.argon2.iterations", 4))
    })
    .await;
    app.register("alice", PASSWORD).await;

    // No clock involved: bursts of eight logins until one of them finds the queue full
    // (the first burst, unless eight requests trickle in one hash apart each time).
    let mut refused = None;
    for _ in 0..20 {
        let burst = (0..8).map(|_| app.login("alice", PASSWORD, "storm"));
        for resp in futures_util::future::join_all(burst).await {
            match resp.status() {
                StatusCode::OK => {}
                StatusCode::SERVICE_UNAVAILABLE => refused = Some(resp),
                other => panic!("a login got {other}: {}", resp.text().await.unwrap()),
            }
        }
        if refused.is_some() {
            break;
        }
    }
    let refused = refused.expect("a burst past the queue is refused");
    assert_eq!(refused.headers()["retry-after"], "5");
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["code"], "service.unavailable", "{problem}");
    assert!(faults_counted(&app, "password_queue_full").await >= 1.0);

    // The queue drains: the next login on its own goes through.
    assert_eq!(app.login("alice", PASSWORD, "after").await.status(), 200);
}
