//! Pages in real headless Chromium (Debian's `chromium`, driven by `playwright-core` from
//! `tests/browser/`). `.ci/run` installs both; elsewhere a missing browser is reported as
//! SKIPPED (which CI refuses).

use std::{path::Path, time::Duration};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app};

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

/// Two readers of one public room: `alice` reads English, the other (named `persian_name`)
/// has saved Persian as her language. Returns (alice, persian reader, room).
async fn two_readers(app: &TestApp, persian_name: &str) -> (String, String, String) {
    let (alice, _) = app.account("alice").await;
    let (persian, _) = app.account(persian_name).await;
    prefer_persian(app, &persian).await;
    let room = app.public_room(&alice, &[&persian]).await;
    (alice, persian, room)
}

async fn prefer_persian(app: &TestApp, token: &str) {
    let saved = app
        .authed(Method::PATCH, "/api/v1/users/me", token)
        .json(&json!({"locale": "fa-IR"}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
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
        &[
            &app.address,
            &root,
            "mallory",
            SCREENSHOTS,
            "root",
            "correct horse battery",
        ],
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

/// Persian is drawn in Vazirmatn on every page, the account and error pages included, as
/// Chromium reports the font it used: the system's Arabic-script font is only a fallback.
/// Digits and punctuation are Persian too: day headings, file sizes, lists, status codes.
#[tokio::test]
async fn persian_pages_render_in_vazirmatn_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (root, _) = app.account("root").await;
    prefer_persian(&app, &root).await;
    let room = app.public_room(&root, &[]).await;
    app.post_message(&root, &room, "سلام").await;
    crate::files::share(
        &app,
        &root,
        &room,
        "گزارش.pdf",
        &[crate::files::PDF; 40].concat(),
    )
    .await;
    let stdout = run_node(
        "typography.mjs",
        &[&app.address, &root, &room],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: typography ok"), "{stdout}");
}

/// One long unbroken string (a 300-character token, in a message, a file name, the composer,
/// the inline editor and the reply preview) wraps inside its box and never widens the page,
/// in English and Persian, on desktop and phone.
#[tokio::test]
async fn a_long_unbroken_string_leaves_the_page_width_unchanged_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    let long: String = "0123456789abcdef".chars().cycle().take(300).collect();
    let file_name = format!("{}.pdf", &long[..200]);
    crate::files::share(&app, &alice, &room, &file_name, crate::files::PDF).await;
    for token in [&alice, &parisa] {
        app.post_message(token, &room, &long).await;
    }
    let stdout = run_node(
        "layout.mjs",
        &[&app.address, &room, &long, &alice, &parisa, SCREENSHOTS],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: layout ok"), "{stdout}");
}

/// On a phone the member list and the room list are drawers: each opens by touch from its
/// toggle and closes by a tap on the backdrop, its close button or Escape, and focus goes back
/// to the toggle; in English and Persian.
#[tokio::test]
async fn the_drawers_open_and_close_by_touch_on_a_phone_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    let stdout = run_node(
        "drawers.mjs",
        &[&app.address, &room, &alice, &parisa, SCREENSHOTS],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: drawers ok"), "{stdout}");
}

/// A continued message (same author, right after, drawn without its header) still shows
/// "edited" once it was edited, in English and Persian.
#[tokio::test]
async fn an_edited_continued_message_shows_it_was_edited_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    app.post_message(&alice, &room, "first thought").await;
    let second = app.post_message(&alice, &room, "second thaught").await;
    let edited = app
        .authed(
            Method::PATCH,
            &format!("/api/v1/messages/{}", second["id"].as_str().unwrap()),
            &alice,
        )
        .json(&json!({"body": "second thought"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    let stdout = run_node(
        "timeline.mjs",
        &[
            &app.address,
            &room,
            "second thought",
            &alice,
            &parisa,
            SCREENSHOTS,
        ],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: timeline ok"), "{stdout}");
}

/// Right-to-left details: a preview in the other script is cut at its logical end (its
/// first words show), and @username sits beside the name in the member list.
#[tokio::test]
async fn previews_and_member_names_keep_their_reading_order_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, persian_room) = two_readers(&app, "پریسا").await;
    let english_room = app.public_room(&alice, &[&parisa]).await;
    app.post_message(
        &parisa,
        &persian_room,
        "سلام به همه، جلسهٔ فردا ساعت ده صبح در اتاق بزرگ برگزار می‌شود و همه دعوت هستند",
    )
    .await;
    app.post_message(
        &alice,
        &english_room,
        "Hello everyone, tomorrow's meeting is at ten in the big room and everyone is invited",
    )
    .await;
    let stdout = run_node(
        "bidi.mjs",
        &[
            &app.address,
            &persian_room,
            &english_room,
            &alice,
            &parisa,
            SCREENSHOTS,
        ],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: bidi ok"), "{stdout}");
}

/// On a phone and a tablet the top bar hides neither the search scope nor the connection
/// state in words, in English and Persian.
#[tokio::test]
async fn the_top_bar_hides_nothing_on_a_phone_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    let stdout = run_node(
        "topbar.mjs",
        &[&app.address, &room, &alice, &parisa, SCREENSHOTS],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: topbar ok"), "{stdout}");
}

/// Shift+Space after a Persian letter types the half-space (U+200C), in the composer and the
/// inline editor, and the half-space button inserts it; after Latin it stays a space.
#[tokio::test]
async fn shift_space_types_a_half_space_in_persian_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    let stdout = run_node(
        "composer.mjs",
        &[&app.address, &room, &alice, &parisa, SCREENSHOTS],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: composer ok"), "{stdout}");
    // What was sent keeps its half-space.
    let history: Value = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &alice)
        .await;
    let bodies: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert!(bodies.contains(&"نیم\u{200c}فاصله"), "{bodies:?}");
}

/// Someone else's message can be reported from its menu (with a reason, in either
/// language), and the moderators' queue then holds it.
#[tokio::test]
async fn a_message_is_reported_from_its_menu_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    app.post_message(&alice, &room, "Hello, this is Alice")
        .await;
    app.post_message(&parisa, &room, "سلام، این پیام پریساست")
        .await;
    let stdout = run_node(
        "report.mjs",
        &[&app.address, &room, &alice, &parisa],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: report ok"), "{stdout}");
    // alice is the first account, so an admin: she sees both reports.
    let reports: Vec<Value> = app.get_json("/api/v1/admin/reports", &alice).await;
    let mut reasons: Vec<&str> = reports
        .iter()
        .filter_map(|r| r["reason"].as_str())
        .collect();
    reasons.sort_unstable();
    assert_eq!(reasons, ["spam from the browser", "هرزنامه از مرورگر"]);
}

/// Pictures open in an in-page viewer (arrow keys, download, Escape and focus back), a file
/// card beside a picture keeps its height, and a 2,000-character message is folded with
/// "Show more"; in English and Persian.
#[tokio::test]
async fn pictures_open_in_the_viewer_and_long_messages_fold_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    let mut attachments = Vec::new();
    for (name, bytes) in [
        ("tall.png", crate::files::png(300, 400)),
        ("plan.pdf", crate::files::PDF.to_vec()),
        ("wide.png", crate::files::png(400, 300)),
    ] {
        let pending = crate::files::upload_with(
            &app,
            &alice,
            &[("room_id", &room), ("send", "false")],
            name,
            &bytes,
        )
        .await;
        assert_eq!(pending.status(), 201);
        let pending: Value = pending.json().await.unwrap();
        attachments.push(pending["file"]["id"].as_str().unwrap().to_owned());
    }
    let sent = app
        .authed(
            Method::POST,
            &format!("/api/v1/rooms/{room}/messages"),
            &alice,
        )
        .json(&json!({"body": "", "attachments": attachments}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    let long = "A long story, told at length. ".repeat(70);
    app.post_message(&alice, &room, long.trim()).await;
    let stdout = run_node(
        "viewer.mjs",
        &[&app.address, &room, &alice, &parisa, SCREENSHOTS],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: viewer ok"), "{stdout}");
}

/// On a throttled network the chat shows skeletons until the room list answers, never
/// "no rooms" or the welcome, and a failed list says so with a retry; both languages.
#[tokio::test]
async fn loading_shows_skeletons_not_emptiness_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, _room) = two_readers(&app, "parisa").await;
    let stdout = run_node(
        "loading.mjs",
        &[&app.address, &alice, &parisa, SCREENSHOTS],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: loading ok"), "{stdout}");
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

/// Lighthouse (12.2.3, pinned in `tests/browser/package.json`) scores `/login` and the
/// signed-in chat page, mobile and desktop: performance, accessibility and best practices
/// must each reach 98. Reports land in `target/lighthouse/`.
///
/// Lighthouse judges main-thread time, so it runs alone, after the suite (`.ci/run`), not
/// beside hundreds of tests that load both cores.
#[tokio::test]
#[ignore = "runs alone after the suite (.ci/run): Lighthouse measures main-thread time"]
async fn lighthouse_scores_reach_98_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
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
    let stdout = run_node(
        "lighthouse.mjs",
        &[&app.address, &alice, &room, "target/lighthouse", "0.98"],
        Duration::from_secs(900),
    )
    .await;
    println!("{stdout}");
    assert!(stdout.contains("lighthouse ok"), "{stdout}");
}
