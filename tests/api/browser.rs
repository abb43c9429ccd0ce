//! Pages in real headless Chromium (Debian's `chromium`, driven by `playwright-core` from
//! `tests/browser/`). `.ci/run` installs both; elsewhere a missing browser is reported as
//! SKIPPED (which CI refuses).

use std::{path::Path, time::Duration};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, spawn_app};

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

#[tokio::test]
async fn the_admin_dashboard_works_in_chromium() {
    if let Err(missing) = browser_ready() {
        assert!(
            std::env::var_os("CI").is_none(),
            "browser tests need {missing}"
        );
        println!("SKIPPED browser test: {missing}");
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

    let run = tokio::process::Command::new("node")
        .arg("tests/browser/admin.mjs")
        .arg(&app.address)
        .arg(&root)
        .arg("mallory")
        .arg("target/screenshots")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(90), run)
        .await
        .expect("the browser run finishes within 90 s")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
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
