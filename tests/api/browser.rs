//! Pages in real headless Chromium (Debian's `chromium`, driven by `playwright-core` from
//! `tests/browser/`). `.ci/run` installs both; elsewhere a missing browser is reported as
//! SKIPPED (which CI refuses).

use std::{path::Path, time::Duration};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, spawn_app};

const SCREENSHOTS: &str = "target/screenshots";

fn browser_ready() -> Result<(), String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!("{chromium} is missing (apt-get install chromium)"));
    }
    if !Path::new("tests/browser/node_modules/playwright-core").exists() {
        return Err("playwright-core is missing (npm install --prefix tests/browser)".into());
    }
    Ok(())
}

/// Whether the browser tests can run here; in CI they must.
fn browser_or_skip() -> bool {
    match browser_ready() {
        Ok(()) => true,
        Err(missing) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "browser tests need {missing}"
            );
            println!("SKIPPED browser test: {missing}");
            false
        }
    }
}

/// Runs a script of `tests/browser/` to the end and returns what it printed; a failure
/// shows both streams.
async fn run_node(script: &str, args: &[&str], limit: Duration) -> String {
    let run = tokio::process::Command::new("node")
        .arg(format!("tests/browser/{script}"))
        .args(args)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(limit, run)
        .await
        .unwrap_or_else(|_| panic!("{script} finishes within {limit:?}"))
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    stdout
}

#[tokio::test]
async fn the_admin_dashboard_works_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (root, _) = app.account("root").await;
    let (alice, _) = app.account("alice").await;
    let (mallory, _) = app.account("mallory").await;
    let room = app.public_room(&alice, &[&mallory]).await;
    let sent: Value = app
        .authed(
            Method::POST,
            &format!("/api/v1/rooms/{room}/messages"),
            &mallory,
        )
        .json(&json!({"body": "buy cheap watches"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let resp = app
        .authed(
            Method::POST,
            &format!("/api/v1/messages/{}/report", sent["id"].as_str().unwrap()),
            &alice,
        )
        .json(&json!({"reason": "spam"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);

    let stdout = run_node(
        "admin.mjs",
        &[&app.address, &root, "mallory", SCREENSHOTS],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("admin dashboard ok"), "{stdout}");

    // What the clicks did, seen through the API.
    let reports: Vec<Value> = app
        .get_json("/api/v1/admin/reports?status=dismissed", &root)
        .await;
    assert_eq!(reports.len(), 1);
    let bans: Vec<Value> = app
        .get_json("/api/v1/admin/audit?action=user.ban", &root)
        .await;
    assert_eq!(bans[0]["reason"], "spam from the browser");
}

/// The chat in real Chromium against the real binary, which the script starts, kills and
/// restarts itself (a server restart cannot be faked in-process): two people in English
/// and one in Persian chat, react, type, vote; an XSS payload stays text; after the
/// restart the timeline resumes without losses or duplicates.
#[tokio::test]
async fn the_chat_works_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let work = tempfile::tempdir().expect("work dir");
    let work_dir = work.path().display().to_string();
    let stdout = run_node(
        "chat.mjs",
        &[env!("CARGO_BIN_EXE_anjoman"), &work_dir, SCREENSHOTS],
        Duration::from_secs(900),
    )
    .await;
    assert!(stdout.contains("browser: chat ok"), "{stdout}");
    for shot in [
        "chat-en-desktop.png",
        "chat-en-mobile.png",
        "chat-fa-desktop.png",
        "chat-fa-mobile.png",
    ] {
        let path = Path::new(SCREENSHOTS).join(shot);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "{shot} was saved ({size} bytes)");
    }
}
