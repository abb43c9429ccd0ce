//! Pages in real headless Chromium (Debian's `chromium`, driven by `playwright-core` from
//! `tests/browser/`). `.ci/run` installs both; elsewhere a missing browser is reported as
//! SKIPPED (which CI refuses).

use std::{path::Path, time::Duration};

use reqwest::Method;
use serde_json::{Value, json};

use crate::{
    chromium::{browser_or_skip, run_node},
    helpers::{Backend, TestApp, spawn_app, spawn_app_with},
    ws_client::WsClient,
};

const SCREENSHOTS: &str = "target/screenshots";

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

/// Rich messages: the server's Markdown rendering shows as elements (highlighted code,
/// safe links with their host, spoilers), each block in its own direction; every
/// filter-evasion vector is inert (no handler, no script link, no dialog); the composer's
/// shortcuts and preview work, in English and Persian.
#[tokio::test]
async fn rich_messages_render_safely_and_the_composer_formats_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app_with(Backend::Sqlite, |f| {
        f.merge(("limits.messages_per_minute", 1000))
    })
    .await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    let named = app
        .authed(Method::PATCH, "/api/v1/users/me", &parisa)
        .json(&json!({"display_name": "پریسا"}))
        .send()
        .await
        .unwrap();
    assert_eq!(named.status(), 200);
    app.post_message(
        &parisa,
        &room,
        "showcase **bold** *italic* `code` ||secret|| [docs](https://example.org/docs)\n\n```rust\nfn main() {}\n```",
    )
    .await;
    app.post_message(
        &parisa,
        &room,
        "جلسهٔ فردا ساعت ده است\n\n```\nlet x = 1;\n```\n\nEnglish after",
    )
    .await;
    let vectors = crate::markup::xss_vectors();
    for vector in &vectors {
        app.post_message(&parisa, &room, vector).await;
    }
    let expected = (vectors.len() + 2).to_string();
    let stdout = run_node(
        "rich.mjs",
        &[&app.address, &room, &alice, &parisa, &expected, SCREENSHOTS],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: rich ok"), "{stdout}");
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

/// Pinned and saved messages from the message menu: the owner pins an old message, the
/// pinned panel (room header) jumps to it, it is saved with a note and found in the saved
/// list; a member sees the pin but has no "Pin". English and Persian.
#[tokio::test]
async fn messages_are_pinned_and_saved_from_their_menu_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app_with(Backend::Sqlite, |f| {
        f.merge(("limits.messages_per_minute", 100_000))
    })
    .await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    let old = "The tea is ready — چای آماده است";
    let pinned = app.post_message(&parisa, &room, old).await;
    let mut last = Value::Null;
    for i in 0..80 {
        last = app
            .post_message(&alice, &room, &format!("later message {i}"))
            .await;
    }
    // Both have read everything, so each page opens at the newest messages, far below.
    let read = app
        .authed(Method::POST, &format!("/api/v1/rooms/{room}/read"), &parisa)
        .json(&json!({ "seq": last["seq"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let stdout = run_node(
        "pins.mjs",
        &[&app.address, &room, &alice, &parisa, old, SCREENSHOTS],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: pins ok"), "{stdout}");
    // What the pages did reached the server: one pin, by alice; each saved it with a note.
    let pins: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/pins"), &alice)
        .await;
    assert_eq!(pins.len(), 1);
    assert_eq!(pins[0]["message"]["id"], pinned["id"]);
    assert_eq!(pins[0]["pinned_by"]["username"], "alice");
    for (token, note) in [
        (&alice, "for the release notes"),
        (&parisa, "برای یادداشت‌های انتشار"),
    ] {
        let page: Value = app.get_json("/api/v1/saved", token).await;
        assert_eq!(page["items"][0]["message_id"], pinned["id"]);
        assert_eq!(page["items"][0]["note"], note);
    }
}

/// A message is forwarded from its menu (a filterable list of rooms, an optional comment),
/// and the copy shows "Forwarded from #room · author": a link for a member of the source
/// room, plain text for someone outside it. English and Persian, with screenshots.
#[tokio::test]
async fn a_message_is_forwarded_from_its_menu_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, hall) = two_readers(&app, "parisa").await;
    let (carol, _) = app.account("carol").await;
    let joined = app
        .authed(Method::POST, &format!("/api/v1/rooms/{hall}/join"), &carol)
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), 200);
    let back: Value = app
        .authed(Method::POST, "/api/v1/rooms", &alice)
        .json(&json!({"name": "Back office", "visibility": "private"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let back_id = back["id"].as_str().unwrap().to_owned();
    let joined = app
        .authed(Method::POST, "/api/v1/rooms/join", &parisa)
        .json(&json!({"code": back["invite_code"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), 200);
    app.post_message(&alice, &back_id, "Plan for Thursday")
        .await;
    app.post_message(&parisa, &back_id, "برنامهٔ پنجشنبه").await;
    let stdout = run_node(
        "forward.mjs",
        &[
            &app.address,
            &back_id,
            &hall,
            &alice,
            &parisa,
            &carol,
            SCREENSHOTS,
        ],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: forward ok"), "{stdout}");
    // What the clicks did: two copies in the public room, each with its snapshot and
    // followed by its comment; the outsider's view carries no link.
    let history: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{hall}/messages"), &carol)
        .await;
    let copies: Vec<&Value> = history
        .iter()
        .filter(|m| m["forwarded_from"].is_object())
        .collect();
    assert_eq!(copies.len(), 2, "{history:?}");
    for copy in &copies {
        assert_eq!(copy["forwarded_from"]["room_name"], "Back office");
        assert!(copy["forwarded_from"].get("room_id").is_none());
    }
    let bodies: Vec<&str> = history.iter().filter_map(|m| m["body"].as_str()).collect();
    assert!(
        bodies.contains(&"see this") && bodies.contains(&"این را ببینید"),
        "{bodies:?}"
    );
}

/// A click on a name opens the person's profile card and creates nothing; "Message" opens
/// the direct conversation; a moderator mutes from the card; local time from the profile's
/// time zone; /settings detects an unset zone. English and Persian, desktop and phone.
#[tokio::test]
async fn a_name_opens_a_profile_card_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    let (sara, _) = app.account("sara").await;
    for (token, body) in [
        (
            &alice,
            json!({"display_name": "Alice", "timezone": "America/New_York"}),
        ),
        (
            &parisa,
            json!({"display_name": "پریسا", "bio": "Tea and poetry · چای و شعر", "timezone": "Asia/Tehran"}),
        ),
    ] {
        let saved = app
            .authed(Method::PATCH, "/api/v1/users/me", token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), 200);
    }
    app.post_message(&alice, &room, "Hello, this is Alice")
        .await;
    app.post_message(&parisa, &room, "سلام، این پیام پریساست")
        .await;
    let stdout = run_node(
        "profile.mjs",
        &[&app.address, &room, &alice, &parisa, SCREENSHOTS, &sara],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: profile ok"), "{stdout}");
    // The card's Mute reached the server, and only "Message" made a direct room: one.
    let members: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/members"), &alice)
        .await;
    let muted = members
        .iter()
        .find(|m| m["user"]["username"] == "parisa")
        .and_then(|m| m["muted_until"].as_str());
    assert!(muted.is_some(), "parisa is muted: {members:?}");
    let rooms: Vec<Value> = app.get_json("/api/v1/rooms", &parisa).await;
    let direct = rooms.iter().filter(|r| r["kind"] == "direct").count();
    assert_eq!(direct, 1, "one direct room, made by Message: {rooms:?}");
    let me: Value = app.get_json("/api/v1/users/me", &sara).await;
    assert_eq!(
        me["timezone"], "Europe/Berlin",
        "the detected zone was saved"
    );
}

/// The room settings dialog: the owner renames, sets the topic, makes the room private,
/// locks it, sets retention, renews the code, mutes and removes members (English,
/// desktop); an owner deletes her room by typing its name (Persian, phone); a member sees
/// the details and leaves (Persian). The server's state is checked after.
#[tokio::test]
async fn room_settings_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    let (bob, _) = app.account("bob").await;
    let (carol, _) = app.account("carol").await;
    for token in [&bob, &carol] {
        let joined = app
            .authed(Method::POST, &format!("/api/v1/rooms/{room}/join"), token)
            .send()
            .await
            .unwrap();
        assert_eq!(joined.status(), 200);
    }
    let library: Value = app
        .authed(Method::POST, "/api/v1/rooms", &parisa)
        .json(&json!({"name": "کتاب‌خانه", "topic": "کتاب", "visibility": "public"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let library = library["id"].as_str().unwrap().to_owned();
    app.post_message(&parisa, &library, "سلام").await;
    let stdout = run_node(
        "room-settings.mjs",
        &[&app.address, &room, &library, &alice, &parisa, SCREENSHOTS],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: room settings ok"), "{stdout}");

    let view: Value = app.get_json(&format!("/api/v1/rooms/{room}"), &alice).await;
    assert_eq!(view["name"], "Tea house");
    assert_eq!(view["topic"], "Green tea only");
    assert_eq!(view["kind"], "private");
    assert_eq!(view["locked"], true);
    assert_eq!(view["retention_days"], 30);
    let members: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/members"), &alice)
        .await;
    let names: Vec<&str> = members
        .iter()
        .filter_map(|m| m["user"]["username"].as_str())
        .collect();
    assert!(!names.contains(&"carol"), "carol was removed: {names:?}");
    assert!(!names.contains(&"parisa"), "parisa left: {names:?}");
    let bob_row = members.iter().find(|m| m["user"]["username"] == "bob");
    assert!(
        bob_row.is_some_and(|m| m["muted_until"].is_string()),
        "bob is muted: {members:?}"
    );
    let gone = app
        .authed(Method::GET, &format!("/api/v1/rooms/{library}"), &parisa)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404, "the deleted room is gone");
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

/// `owner` creates a public room called `name` that everyone in `members` joins.
async fn named_room(app: &TestApp, owner: &str, name: &str, members: &[&str]) -> String {
    let room: Value = app
        .authed(Method::POST, "/api/v1/rooms", owner)
        .json(&json!({"name": name, "visibility": "public"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = room["id"].as_str().unwrap().to_owned();
    for token in members {
        let joined = app
            .authed(Method::POST, &format!("/api/v1/rooms/{id}/join"), token)
            .send()
            .await
            .unwrap();
        assert_eq!(joined.status(), 200);
    }
    id
}

/// `token`'s user has read `room` up to `seq`.
async fn read_up_to(app: &TestApp, token: &str, room: &str, seq: i64) {
    let read = app
        .authed(Method::POST, &format!("/api/v1/rooms/{room}/read"), token)
        .json(&json!({ "seq": seq }))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
}

/// The unread count `token`'s user has in `room`, as the room list says.
async fn unread_in(app: &TestApp, token: &str, room: &str) -> i64 {
    let rooms: Vec<Value> = app.get_json("/api/v1/rooms", token).await;
    rooms
        .iter()
        .find(|r| r["id"] == room)
        .and_then(|r| r["unread"].as_i64())
        .expect("the room is listed")
}

/// A reader back after 60 messages (more than a page) sees "New messages" right above the
/// first unread one, in view; "Jump to latest" counts those below and one more as it
/// arrives; jumping reads the room (on the server too) and the next open has no divider;
/// three mentions elsewhere make one pop-up and one notification tag. English and Persian,
/// desktop and phone.
#[tokio::test]
async fn unread_divider_and_jump_count_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = crate::helpers::spawn_app_with(Backend::Sqlite, |f| {
        f.merge(("limits.messages_per_minute", 100_000))
    })
    .await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    let (bob, _) = app.account("bob").await;
    let joined = app
        .authed(Method::POST, &format!("/api/v1/rooms/{room}/join"), &bob)
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), 200);
    let lobby = named_room(&app, &bob, "Lobby", &[&alice, &parisa]).await;
    let mut last = Value::Null;
    for n in 1..=10 {
        last = app
            .post_message(&bob, &room, &format!("earlier {n:02}"))
            .await;
    }
    let read = last["seq"].as_i64().unwrap();
    read_up_to(&app, &alice, &room, read).await;
    read_up_to(&app, &parisa, &room, read).await;
    for n in 1..=60 {
        app.post_message(&bob, &room, &format!("unread {n:02}"))
            .await;
    }
    assert_eq!(unread_in(&app, &alice, &room).await, 60);
    let stdout = run_node(
        "unread.mjs",
        &[
            &app.address,
            &room,
            &lobby,
            &bob,
            &alice,
            "alice",
            &parisa,
            "parisa",
            SCREENSHOTS,
        ],
        Duration::from_secs(900),
    )
    .await;
    assert!(stdout.contains("browser: unread ok"), "{stdout}");
    // Jumping to the latest read the room on the server: the Persian reader went last;
    // alice has since missed only the Persian pass's 26 messages.
    assert_eq!(unread_in(&app, &parisa, &room).await, 0);
    assert_eq!(unread_in(&app, &alice, &room).await, 26);
}

/// Ctrl+K and Cmd+K open a switcher over rooms and people: fuzzy and ranked, Persian
/// spellings folded («كتابخانه» finds «کتاب‌خانه»), ↑/↓ and Enter, Escape with focus back,
/// a person found by the user search gets a new conversation. Alt+↑/↓ move between rooms
/// (and Alt+↑ no longer starts editing), Alt+Shift+↓ goes to the unread room, "/" focuses
/// the composer and "?" lists the shortcuts. English and Persian, desktop and phone.
#[tokio::test]
async fn quick_switcher_and_shortcuts_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, tea_house) = two_readers(&app, "parisa").await;
    let (bob, _) = app.account("bob").await;
    let (sara, _) = app.account("sara").await;
    let named = app
        .authed(Method::PATCH, "/api/v1/users/me", &sara)
        .json(&json!({"display_name": "Sara Ahmadi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(named.status(), 200);
    let readers = [alice.as_str(), parisa.as_str()];
    let random = named_room(&app, &bob, "Random", &readers).await;
    let library = named_room(&app, &bob, "کتاب‌خانه", &readers).await;
    let design = named_room(&app, &bob, "Design reviews", &readers).await;
    let review = named_room(&app, &bob, "Review queue", &readers).await;
    // Activity orders the sidebar, newest first: the tea house, Review queue (where both
    // readers have a message of their own to edit), Design reviews, the library, Random.
    app.post_message(&bob, &random, "Anyone here?").await;
    for room in [&library, &design] {
        let seq = app.post_message(&bob, room, "Welcome").await["seq"]
            .as_i64()
            .unwrap();
        for reader in readers {
            read_up_to(&app, reader, room, seq).await;
        }
    }
    app.post_message(&alice, &review, "Alice's draft").await;
    let seq = app.post_message(&parisa, &review, "پیش‌نویس پریسا").await["seq"]
        .as_i64()
        .unwrap();
    let seq_tea = app.post_message(&alice, &tea_house, "چای آماده است").await["seq"]
        .as_i64()
        .unwrap();
    for reader in readers {
        read_up_to(&app, reader, &review, seq).await;
        read_up_to(&app, reader, &tea_house, seq_tea).await;
    }
    let stdout = run_node(
        "switcher.mjs",
        &[&app.address, &review, &alice, &parisa, SCREENSHOTS],
        Duration::from_secs(900),
    )
    .await;
    assert!(stdout.contains("browser: switcher ok"), "{stdout}");
    // Choosing Sara in the switcher started a real conversation, for both readers.
    for reader in readers {
        let rooms: Vec<Value> = app.get_json("/api/v1/rooms", reader).await;
        assert!(
            rooms
                .iter()
                .any(|r| r["kind"] == "direct" && r["peer"]["username"] == "sara"),
            "{rooms:?}"
        );
    }
}

/// The emoji picker and the composer's `:shortcode:` suggestions (issue 20): search by
/// English and Persian name (spellings folded), keyboard picking, skin tone, recently used,
/// insertion into the composer, `:smi` → 😄; the data is not on the first screen. English
/// and Persian, desktop and phone. The reactions picked are the server's afterwards.
#[tokio::test]
async fn emoji_picker_and_shortcode_suggestions_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    app.post_message(&alice, &room, "Tea is ready").await;
    let stdout = run_node(
        "emoji.mjs",
        &[&app.address, &room, &alice, &parisa, SCREENSHOTS],
        Duration::from_secs(900),
    )
    .await;
    assert!(stdout.contains("browser: emoji ok"), "{stdout}");
    // Both readers reacted with 👍 and, in the medium skin tone, 👍🏽.
    let history: Value = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &alice)
        .await;
    let tea = history
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["body"] == "Tea is ready")
        .unwrap();
    assert_eq!(
        tea["reactions"],
        json!([
            {"emoji": "👍", "count": 2, "users": ["alice", "parisa"]},
            {"emoji": "👍🏽", "count": 2, "users": ["alice", "parisa"]},
        ]),
        "{tea}"
    );
}

/// `token` sends `method` to `path` with `body`; the answer must have `status`.
async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
    status: u16,
) -> Value {
    let resp = app
        .authed(method, path, token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), status, "{path}");
    resp.json().await.unwrap_or(Value::Null)
}

/// A new account that has left the room everyone starts in: its chat is empty.
async fn newcomer(app: &TestApp, name: &str) -> String {
    let (token, _) = app.account(name).await;
    let rooms: Vec<Value> = app.get_json("/api/v1/rooms", &token).await;
    for room in rooms {
        let path = format!("/api/v1/rooms/{}/leave", room["id"].as_str().unwrap());
        let left = app
            .authed(Method::POST, &path, &token)
            .send()
            .await
            .unwrap();
        assert!(left.status().is_success(), "{path}: {}", left.status());
    }
    token
}

/// axe-core finds nothing in any page or chat overlay (WCAG 2.0/2.1 A and AA and its best
/// practices), in English and Persian, light and dark, desktop and phone; and on a phone
/// every control is at least 44×44 px. The room holds every kind of message: text,
/// reactions, a reply, a poll, a picture and a file, an edited one; a report fills the
/// dashboard; a private room has an invite code; two newcomers see the empty chat. The
/// chat's dialogs are checked open: profile cards (a member's, with Mute, Remove and Ban,
/// and one's own), their mute and confirm dialogs, room settings (the owner's, the delete
/// confirm, a plain member's "About this room"), the quick switcher (results, "Nothing
/// matches"), the shortcut list, and a room opened at "New messages" with the jump count
/// and a pop-up counting three mentions.
#[tokio::test]
async fn axe_finds_no_violations_on_any_page_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    // Sami writes more than a page of unread messages at once, and mentions on each visit.
    let app = crate::helpers::spawn_app_with(Backend::Sqlite, |f| {
        f.merge(("limits.messages_per_minute", 100_000))
    })
    .await;
    let (alice, _) = app.account("alice").await;
    let (parisa, parisa_id) = app.account("parisa").await;
    prefer_persian(&app, &parisa).await;
    // Both readers are admins, so the dashboard is seen in both languages.
    call(
        &app,
        Method::POST,
        &format!("/api/v1/admin/users/{parisa_id}/role"),
        &alice,
        json!({"role": "admin", "reason": "second admin"}),
        200,
    )
    .await;
    let bob = newcomer(&app, "bob").await;
    let dara = newcomer(&app, "dara").await;
    prefer_persian(&app, &dara).await;

    let room = app.public_room(&alice, &[&parisa]).await;
    let hello = app
        .post_message(&alice, &room, "Hello, this is Alice")
        .await;
    let salam = app
        .post_message(&parisa, &room, "سلام، این پیام پریساست")
        .await;
    let (hello, salam) = (hello["id"].as_str().unwrap(), salam["id"].as_str().unwrap());
    call(
        &app,
        Method::PUT,
        &format!("/api/v1/messages/{hello}/reactions/👍"),
        &parisa,
        json!({}),
        200,
    )
    .await;
    call(
        &app,
        Method::PUT,
        &format!("/api/v1/messages/{salam}/reactions/❤️"),
        &alice,
        json!({}),
        200,
    )
    .await;
    call(
        &app,
        Method::POST,
        &format!("/api/v1/rooms/{room}/messages"),
        &alice,
        json!({"body": "A reply, @parisa", "reply_to": salam}),
        201,
    )
    .await;
    let draft = app.post_message(&parisa, &room, "پیش‌نویس").await;
    call(
        &app,
        Method::PATCH,
        &format!("/api/v1/messages/{}", draft["id"].as_str().unwrap()),
        &parisa,
        json!({"body": "ویرایش‌شده، ببینید https://example.org"}),
        200,
    )
    .await;
    call(
        &app,
        Method::POST,
        &format!("/api/v1/rooms/{room}/polls"),
        &alice,
        json!({"question": "Tea or coffee?", "options": ["Tea", "Coffee"]}),
        201,
    )
    .await;
    let mut attachments = Vec::new();
    for (name, bytes) in [
        ("tea.png", crate::files::png(300, 200)),
        ("plan.pdf", crate::files::PDF.to_vec()),
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
    call(
        &app,
        Method::POST,
        &format!("/api/v1/rooms/{room}/messages"),
        &alice,
        json!({"body": "", "attachments": attachments}),
        201,
    )
    .await;
    call(
        &app,
        Method::POST,
        &format!("/api/v1/messages/{salam}/report"),
        &alice,
        json!({"reason": "spam"}),
        201,
    )
    .await;

    let private: Value = call(
        &app,
        Method::POST,
        "/api/v1/rooms",
        &alice,
        json!({"name": "Back room", "visibility": "private"}),
        201,
    )
    .await;
    let code = private["invite_code"]
        .as_str()
        .expect("a private room has an invite code");
    call(
        &app,
        Method::POST,
        "/api/v1/rooms/join",
        &parisa,
        json!({"code": code}),
        200,
    )
    .await;

    // Plain members, no staff: sami (en) and nasrin (fa) see "About this room"; sami's card
    // offers Mute, Remove and Ban to the readers; he writes the reading room's unread
    // messages (its state opens scrolled up at the divider, so they stay unread) and, on
    // each visit, three mentions in the lobby (axe.mjs posts them).
    let (sami, _) = app.account("sami").await;
    let (nasrin, _) = app.account("nasrin").await;
    prefer_persian(&app, &nasrin).await;
    for token in [&sami, &nasrin] {
        call(
            &app,
            Method::POST,
            &format!("/api/v1/rooms/{room}/join"),
            token,
            json!({}),
            200,
        )
        .await;
    }
    app.post_message(&sami, &room, "Sami says hi").await;
    let mut side_rooms = Vec::new();
    for name in ["Reading room", "Lobby"] {
        let made: Value = call(
            &app,
            Method::POST,
            "/api/v1/rooms",
            &alice,
            json!({"name": name, "visibility": "public"}),
            201,
        )
        .await;
        let id = made["id"].as_str().unwrap().to_owned();
        for token in [&parisa, &sami] {
            call(
                &app,
                Method::POST,
                &format!("/api/v1/rooms/{id}/join"),
                token,
                json!({}),
                200,
            )
            .await;
        }
        side_rooms.push(id);
    }
    let first = app.post_message(&sami, &side_rooms[0], "Read before").await;
    for reader in [&alice, &parisa] {
        read_up_to(&app, reader, &side_rooms[0], first["seq"].as_i64().unwrap()).await;
    }
    for n in 1..=60 {
        app.post_message(&sami, &side_rooms[0], &format!("unread {n:02}"))
            .await;
    }

    let stdout = run_node(
        "axe.mjs",
        &[
            &app.address,
            &room,
            private["id"].as_str().unwrap(),
            &alice,
            &parisa,
            &bob,
            &dara,
            SCREENSHOTS,
            &side_rooms[0],
            &side_rooms[1],
            &sami,
            &nasrin,
        ],
        Duration::from_secs(2400),
    )
    .await;
    assert!(stdout.contains("browser: axe ok"), "{stdout}");
    assert!(
        stdout.contains("total: 0 axe violations, 0 tap targets under 44 px"),
        "{stdout}"
    );
    // Every state ran (a state that cannot be opened fails the script before this).
    for state in [
        "profile-card",
        "profile-own",
        "mute-dialog",
        "kick-confirm",
        "ban-confirm",
        "room-settings",
        "room-delete-confirm",
        "room-about",
        "switcher-results",
        "switcher-empty",
        "shortcuts-dialog",
        "unread",
        "password-reset",
        "unsubscribe",
        "inbox-panel",
        "room-notify-dialog",
        "thread-panel",
        "thread-lists",
    ] {
        for line in [
            "en light desktop: 0 axe violations",
            "fa dark phone: 0 axe violations",
        ] {
            assert!(
                stdout.contains(&format!("{state} {line}")),
                "{state} {line}\n{stdout}"
            );
        }
    }
    for shot in [
        "axe-profile-card-fa-dark-phone.png",
        "axe-thread-panel-fa-dark-phone.png",
        "axe-room-settings-en-light-desktop.png",
        "axe-unread-fa-light-desktop.png",
        "axe-chat-room-en-light-desktop.png",
        "axe-chat-room-fa-dark-phone.png",
        "axe-report-dialog-fa-light-desktop.png",
        "axe-login-error-en-dark-phone.png",
    ] {
        let path = Path::new(SCREENSHOTS).join(shot);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "{shot} was saved ({size} bytes)");
    }
}

/// A link preview appears live under the author's message in Chromium, its page's markup
/// shown as text, its picture served from here; the author's × takes it away.
#[tokio::test]
async fn a_link_preview_appears_live_and_goes_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let site = crate::previews::site_start().await;
    let app = crate::previews::app_for_site(Backend::Sqlite, &[]).await;
    let (alice, _) = app.account("alice").await;
    let room = app.public_room(&alice, &[]).await;
    let stdout = run_node(
        "previews.mjs",
        &[
            &app.address,
            &alice,
            &room,
            &site.url("/markup"),
            "<b>Bold</b> <img src=x onerror=alert(1)>",
        ],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: previews ok"), "{stdout}");
}

/// The inbox: a mention made before the page opened is counted; a reply and a direct
/// message arrive live (badge, title, favicon); the panel lists them with their kinds;
/// opening one, or reading the room, reads it in a second tab too; "Mark all as read"
/// clears both; a hidden tab shows a direct message as a system notification; without
/// permission the panel offers to ask for it. English and Persian, desktop and phone.
#[tokio::test]
async fn inbox_counts_lists_and_reads_everywhere_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, tea_house) = two_readers(&app, "parisa").await;
    let (bob, _) = app.account("bob").await;
    let lobby = named_room(&app, &bob, "Lobby", &[&alice, &parisa]).await;
    let mut readers = vec![];
    for (lang, token, name) in [("en", &alice, "alice"), ("fa", &parisa, "parisa")] {
        let own = app
            .post_message(token, &lobby, &format!("a question from {name}"))
            .await;
        app.post_message(&bob, &lobby, &format!("@{name} have a look"))
            .await;
        readers.extend([
            lang.to_owned(),
            token.to_string(),
            name.to_owned(),
            own["id"].as_str().unwrap().to_owned(),
        ]);
    }
    let mut args: Vec<&str> = vec![&app.address, &tea_house, &lobby, &bob, SCREENSHOTS];
    args.extend(readers.iter().map(String::as_str));
    let stdout = run_node("inbox.mjs", &args, Duration::from_secs(900)).await;
    assert!(stdout.contains("browser: inbox ok"), "{stdout}");
}

/// Web Push: the page links a valid web app manifest whose icons exist, the service worker
/// registers at the root, and a push delivered through the DevTools protocol shows a
/// notification with the room and the sender, tagged by room. English and Persian.
#[tokio::test]
async fn push_worker_and_manifest_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, _) = two_readers(&app, "parisa").await;
    let (bob, _) = app.account("bob").await;
    let tea = named_room(&app, &bob, "Tea house", &[&alice, &parisa]).await;
    let message = app.post_message(&bob, &tea, "hello").await;
    let seq = message["seq"].to_string();
    let args = [
        app.address.as_str(),
        &tea,
        "Tea house",
        message["id"].as_str().unwrap(),
        &seq,
        "en",
        &alice,
        "fa",
        &parisa,
    ];
    let stdout = run_node("push.mjs", &args, Duration::from_secs(600)).await;
    assert!(stdout.contains("browser: push ok"), "{stdout}");
}

/// A draft typed in one login's composer is in another login's when it opens the room;
/// "Schedule" beside Send schedules the composer's text and lists it. English and Persian.
#[tokio::test]
async fn a_draft_follows_to_another_login_and_a_message_is_scheduled_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, parisa, room) = two_readers(&app, "parisa").await;
    let alice_again = app.login_token("alice", "correct horse battery").await;
    let parisa_again = app.login_token("parisa", "correct horse battery").await;
    let stdout = run_node(
        "schedule.mjs",
        &[
            &app.address,
            &room,
            &alice,
            &alice_again,
            &parisa,
            &parisa_again,
            SCREENSHOTS,
        ],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: schedule ok"), "{stdout}");
    for (token, body) in [
        (&alice, "Half a thought, to finish later"),
        (&parisa, "فکری نیمه‌کاره برای بعد"),
    ] {
        let scheduled: Vec<Value> = app.get_json("/api/v1/scheduled", token).await;
        assert_eq!(scheduled.len(), 1, "{scheduled:?}");
        assert_eq!(scheduled[0]["body"], body);
        assert_eq!(scheduled[0]["state"], "pending");
    }
}

/// A scheduled message refused when its time came (its author was muted meanwhile) is in
/// the author's inbox: counted, listed with its room and the reason in the page's
/// language, and read by opening it. English and Persian.
#[tokio::test]
async fn a_scheduled_message_not_sent_is_in_the_inbox_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (sara, _) = app.account("sara").await;
    let (alice, alice_id) = app.account("alice").await;
    let (parisa, parisa_id) = app.account("parisa").await;
    prefer_persian(&app, &parisa).await;
    let room = named_room(&app, &sara, "Garden", &[&alice, &parisa]).await;
    let send_at = chrono::Utc::now() + chrono::Duration::seconds(60);
    let mut sockets = vec![];
    let mut readers = vec![];
    for (lang, token, id, body) in [
        ("en", &alice, &alice_id, "see you at the gate"),
        ("fa", &parisa, &parisa_id, "سر قرار می‌بینمت"),
    ] {
        let resp = app
            .authed(
                Method::POST,
                &format!("/api/v1/rooms/{room}/scheduled"),
                token,
            )
            .json(&json!({"body": body, "send_at": send_at}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let muted = app
            .authed(
                Method::POST,
                &format!("/api/v1/rooms/{room}/members/{id}/mute"),
                &sara,
            )
            .json(&json!({"minutes": 24 * 60, "reason": "cool down"}))
            .send()
            .await
            .unwrap();
        assert_eq!(muted.status(), 200);
        sockets.push(WsClient::connect(&app, token).await);
        readers.extend([lang.to_owned(), token.clone(), body.to_owned()]);
    }
    // The clock passes the time in steps, each one a round trip for the pass to run.
    for _ in 0..5 {
        app.clock.advance(Duration::from_secs(15));
        for ws in &mut sockets {
            let ack = ws.request(json!({"op": "ping"})).await;
            assert_eq!(ack["type"], "ack", "{ack}");
        }
    }
    for ws in &mut sockets {
        let told = ws.wait_for(|f| f["type"] == "notification").await;
        assert_eq!(told["data"]["notification"]["kind"], "scheduled_failed");
    }
    let mut args: Vec<&str> = vec![&app.address, &room, "Garden", SCREENSHOTS];
    args.extend(readers.iter().map(String::as_str));
    let stdout = run_node("scheduled-inbox.mjs", &args, Duration::from_secs(600)).await;
    assert!(stdout.contains("browser: scheduled inbox ok"), "{stdout}");
}

/// Threads in the side panel: "Reply in thread" opens it, a reply shows up live as the
/// root's summary (not in the main timeline), "Also send to the room" puts one there too,
/// "My threads" lists what one follows, and a thread's draft survives a reload; a reply
/// that arrives while the panel's first page is loading is shown and counted once, a
/// picture attached in the thread's box goes with the reply, and the member list's toggle
/// says whether the list is shown. English and Persian, with screenshots of the open panel.
#[tokio::test]
async fn threads_are_read_and_replied_to_in_the_side_panel_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, bob, room) = two_readers(&app, "bob").await;
    let root_text = "Shall we meet on Thursday?";
    app.post_message(&bob, &room, "Good morning").await;
    let root = app.post_message(&alice, &room, root_text).await;
    let root_id = root["id"].as_str().unwrap().to_owned();
    let stdout = run_node(
        "threads.mjs",
        &[
            &app.address,
            &room,
            &root_id,
            root_text,
            &alice,
            &bob,
            SCREENSHOTS,
        ],
        Duration::from_secs(600),
    )
    .await;
    assert!(stdout.contains("browser: threads ok"), "{stdout}");
    // What the pages did reached the server: four replies, bob's first also in the room,
    // alice's last carrying the picture attached in the thread's box.
    let page: Value = app
        .get_json(&format!("/api/v1/messages/{root_id}/thread"), &alice)
        .await;
    let replies = page["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 4, "{page}");
    assert_eq!(replies[0]["also_to_room"], false);
    assert_eq!(replies[1]["also_to_room"], true);
    assert_eq!(replies[1]["author"]["username"], "bob");
    assert_eq!(replies[2]["body"], "Friday is fine too");
    assert_eq!(replies[3]["author"]["username"], "alice");
    assert_eq!(replies[3]["also_to_room"], false);
    let attachments = replies[3]["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "{page}");
    assert_eq!(attachments[0]["name"], "plan.png");
    assert_eq!(page["root"]["thread"]["reply_count"], 4);
    let mine: Vec<Value> = app.get_json("/api/v1/threads", &bob).await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["root"]["id"], root["id"]);
    // The thread's draft came back after a reload (the page checked it), and went with
    // the reply that was sent from the box.
    let drafts: Vec<Value> = app.get_json("/api/v1/drafts", &alice).await;
    assert!(
        !drafts.iter().any(|d| d["thread_id"] == root["id"]),
        "{drafts:?}"
    );
}
