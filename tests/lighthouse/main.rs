//! Lighthouse in Debian's Chromium against the real server. A test binary of its own:
//! `cargo test` runs test binaries one after another, so this one runs alone, after the
//! API suite, and Lighthouse judges the page's main-thread time on a machine that is not
//! also running hundreds of other tests.

#![expect(clippy::expect_used, reason = "a failed expectation is a failed test")]

#[path = "../api/chromium.rs"]
mod chromium;
#[path = "../api/helpers.rs"]
#[allow(
    dead_code,
    reason = "the API suite's helpers; this binary needs a few of them"
)]
mod helpers;
#[path = "../api/nginx.rs"]
#[allow(
    dead_code,
    reason = "shared with the deployment test; this binary needs only nginx itself"
)]
mod nginx;

use std::time::Duration;

use chromium::{browser_or_skip, run_node};
use helpers::{Backend, TestApp, spawn_app};

/// A room of twelve messages, half of them Persian: what the chat page opens on.
async fn seeded(app: &TestApp) -> (String, String) {
    let (alice, _) = app.account("alice").await;
    let (parisa, _) = app.account("parisa").await;
    let room = app.public_room(&alice, &[&parisa]).await;
    for n in 1..=12 {
        let (token, body) = if n % 2 == 0 {
            (&parisa, format!("سلام، پیام شماره {n} در چای‌خانه"))
        } else {
            (
                &alice,
                format!("Message {n}: the tea is ready, come and sit."),
            )
        };
        app.post_message(token, &room, &body).await;
    }
    (alice, room)
}

/// Lighthouse (12.2.3, pinned in `tests/browser/package.json`) scores `/login` and the
/// signed-in chat page, mobile and desktop, for performance, accessibility and best
/// practices, twice: as deployed (README's nginx config in front: HTTPS, HTTP/2, brotli)
/// and the bare server over plain HTTP/1.1. Every score must reach 98, each the median of
/// its runs (see `tests/browser/lighthouse.mjs`). Reports land in
/// `target/lighthouse/{nginx,direct}/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lighthouse_scores_reach_98_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    if !nginx::runnable("Lighthouse behind nginx", nginx::ready()) {
        return;
    }
    let (deployed, proxy) = nginx::app_behind_nginx().await;
    let bare = spawn_app(Backend::Sqlite).await;

    let mut summary = String::new();
    for (site, app, base) in [
        ("nginx", &deployed, proxy.public_url.as_str()),
        ("direct", &bare, bare.address.as_str()),
    ] {
        let (alice, room) = seeded(app).await;
        let stdout = run_node(
            "lighthouse.mjs",
            &[
                base,
                &alice,
                &room,
                &format!("target/lighthouse/{site}"),
                "0.98",
                site,
            ],
            Duration::from_secs(900),
        )
        .await;
        summary.push_str(&stdout);
        // The scores stay on record for `.ci/run` to print, failed or not.
        std::fs::write("target/lighthouse/summary.txt", &summary).expect("summary written");
        assert!(stdout.contains("lighthouse ok"), "{site}:\n{stdout}");
    }
}
