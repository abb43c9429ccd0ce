//! Notifications (issue 21): preferences, room overrides and mutes, the inbox and its
//! live events, over REST and the socket, on both databases.

use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, problem_code, spawn_app};
use crate::on_both_backends;
use crate::ws_client::WsClient;

on_both_backends!(
    preferences_round_trip_and_refuse_what_is_invalid,
    each_reason_makes_its_kind_and_blocks_and_authors_get_none,
    mutes_and_room_levels_decide_what_reaches_the_inbox,
    quiet_hours_hold_alerts_in_the_persons_time_zone,
    the_inbox_pages_filters_and_marks_read,
    sockets_hear_new_read_and_removed_notifications,
    leaving_or_deleting_a_room_takes_its_notifications,
    the_missed_activity_switch_is_one_switch,
    an_edit_that_names_someone_new_tells_them_once,
);

/// Someone an edit names for the first time hears of it as of a new mention (inbox row,
/// `notification` and `mention` frames); those named before, and those told already (a
/// room set to "all"), get nothing more, and editing again adds nothing.
async fn an_edit_that_names_someone_new_tells_them_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let (omid, _) = app.account("omid").await;
    let (reza, _) = app.account("reza").await;
    let room = app.public_room(&ali, &[&sara, &omid, &reza]).await;
    let all = json!({
        "level": "all", "keywords": [], "show_content": "full", "email_missed": true,
    });
    json_of(app.api(&omid).notification_prefs_put(&all).await, 200).await;
    let message = app.post_message(&ali, &room, "hello @reza").await;
    assert_eq!(
        kinds(&app, &omid).await,
        [("message".to_owned(), id(&message))]
    );
    assert_eq!(kinds(&app, &reza).await.len(), 1);
    assert!(kinds(&app, &sara).await.is_empty());

    let mut socket = WsClient::connect(&app, &sara).await;
    let edit = json!({ "body": "hello @reza @sara @omid" });
    json_of(app.api(&ali).message_edit(&id(&message), &edit).await, 200).await;
    let frame = socket.expect("notification").await;
    assert_eq!(frame["data"]["notification"]["kind"], "mention");
    assert_eq!(frame["data"]["notification"]["message"]["id"], id(&message));
    assert_eq!(frame["data"]["alert"], true);
    let mention = socket.expect("mention").await;
    assert_eq!(mention["data"]["message"]["id"], id(&message));
    assert_eq!(
        kinds(&app, &sara).await,
        [("mention".to_owned(), id(&message))]
    );
    assert_eq!(
        kinds(&app, &omid).await,
        [("message".to_owned(), id(&message))]
    );
    assert_eq!(kinds(&app, &reza).await.len(), 1);

    let again = json!({ "body": "hello @reza @sara @omid!" });
    json_of(app.api(&ali).message_edit(&id(&message), &again).await, 200).await;
    for token in [&sara, &omid, &reza] {
        assert_eq!(kinds(&app, token).await.len(), 1);
    }
    let unread = inbox(&app, &sara, "").await;
    assert_eq!(unread["unread_count"], 1);
}

/// The preferences' `email_missed` is the account's switch: the one the settings page,
/// `PATCH /users/me` and unsubscribe links turn. Saved from either side, both read it.
async fn the_missed_activity_switch_is_one_switch(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sara, _) = app.account("sara").await;
    let off = json!({ "level": "mentions", "keywords": [], "show_content": "full", "email_missed": false });
    json_of(app.api(&sara).notification_prefs_put(&off).await, 200).await;
    let me = json_of(app.api(&sara).me().await, 200).await;
    assert_eq!(me["email_missed"], false, "{me}");
    json_of(
        app.api(&sara)
            .me_update(&json!({ "email_missed": true }))
            .await,
        200,
    )
    .await;
    let prefs = json_of(app.api(&sara).notification_prefs().await, 200).await;
    assert_eq!(prefs["email_missed"], true, "{prefs}");
    assert_eq!(prefs["level"], "mentions", "{prefs}");
}

async fn json_of(resp: reqwest::Response, status: u16) -> Value {
    let actual = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert_eq!(actual, status, "{body}");
    body
}

async fn inbox(app: &TestApp, token: &str, query: &str) -> Value {
    json_of(app.api(token).notifications(query).await, 200).await
}

/// `(kind, message id)` of every notification of the user, newest first.
async fn kinds(app: &TestApp, token: &str) -> Vec<(String, String)> {
    inbox(app, token, "limit=100").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["kind"].as_str().unwrap().to_owned(),
                item["message"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

async fn preferences_round_trip_and_refuse_what_is_invalid(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sara, _) = app.account("sara").await;
    let (ali, _) = app.account("ali").await;
    let defaults = json_of(app.api(&sara).notification_prefs().await, 200).await;
    assert_eq!(
        defaults,
        json!({ "level": "mentions", "keywords": [], "show_content": "full", "email_missed": true })
    );
    let wanted = json!({
        "level": "all",
        "keywords": [" سارا ", "Release notes", "SARA"],
        "quiet_hours": { "start": "22:30", "end": "07:00" },
        "show_content": "room_only",
        "email_missed": false,
    });
    let saved = json_of(app.api(&sara).notification_prefs_put(&wanted).await, 200).await;
    let expected = json!({
        "level": "all",
        "keywords": ["سارا", "Release notes", "SARA"],
        "quiet_hours": { "start": "22:30", "end": "07:00" },
        "show_content": "room_only",
        "email_missed": false,
    });
    assert_eq!(saved, expected);
    assert_eq!(
        json_of(app.api(&sara).notification_prefs().await, 200).await,
        expected
    );
    // Quiet hours removed again; nobody else's preferences changed.
    let mut without = wanted.clone();
    without["quiet_hours"] = Value::Null;
    let saved = json_of(app.api(&sara).notification_prefs_put(&without).await, 200).await;
    assert!(saved.get("quiet_hours").is_none(), "{saved}");
    assert_eq!(
        json_of(app.api(&ali).notification_prefs().await, 200).await,
        defaults
    );

    let with = |field: &str, value: Value| {
        let mut body = wanted.clone();
        body[field] = value;
        body
    };
    let many: Vec<String> = (0..21).map(|i| format!("word{i}")).collect();
    for (body, status, code) in [
        (with("level", json!("loud")), 400, "bad_request"),
        (
            with("show_content", json!("everything")),
            400,
            "bad_request",
        ),
        (
            with("keywords", json!(many)),
            422,
            "notification.keywords_invalid",
        ),
        (
            with("keywords", json!(["x".repeat(65)])),
            422,
            "notification.keywords_invalid",
        ),
        (
            with("keywords", json!(["?!"])),
            422,
            "notification.keywords_invalid",
        ),
        (
            with("quiet_hours", json!({ "start": "25:00", "end": "07:00" })),
            422,
            "notification.quiet_hours_invalid",
        ),
        (
            with("quiet_hours", json!({ "start": "7:00", "end": "08:00" })),
            422,
            "notification.quiet_hours_invalid",
        ),
        (
            with("quiet_hours", json!({ "start": "08:00", "end": "08:00" })),
            422,
            "notification.quiet_hours_invalid",
        ),
    ] {
        let resp = app.api(&sara).notification_prefs_put(&body).await;
        assert_eq!(problem_code(resp, status).await, code, "{body}");
    }
    // The message is in the reader's language, with Persian digits.
    let resp = app
        .api(&sara)
        .request(reqwest::Method::PUT, "/api/v1/notifications/preferences")
        .header("accept-language", "fa-IR")
        .json(&with("keywords", json!(many)))
        .send()
        .await
        .unwrap();
    let problem = json_of(resp, 422).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("واژه") && detail.contains("۲۰"), "{detail}");
    // What was refused changed nothing.
    assert_eq!(
        json_of(app.api(&sara).notification_prefs().await, 200).await["level"],
        "all"
    );

    // Room overrides: members only.
    let room = app.public_room(&ali, &[&sara]).await;
    let other = app.public_room(&ali, &[]).await;
    let resp = app
        .api(&sara)
        .notification_room_put(&other, json!({ "level": "nothing" }))
        .await;
    assert_eq!(problem_code(resp, 403).await, "room.not_member");
    let missing = uuid::Uuid::now_v7().to_string();
    let resp = app
        .api(&sara)
        .notification_room_put(&missing, json!({ "level": "nothing" }))
        .await;
    assert_eq!(problem_code(resp, 404).await, "room.not_found");
    let resp = app
        .api(&sara)
        .notification_room_put(&room, json!({ "level": "loud" }))
        .await;
    assert_eq!(problem_code(resp, 400).await, "bad_request");
    // Whole seconds: PostgreSQL keeps microseconds.
    let until = (app.clock.now() + chrono::Duration::hours(2))
        .with_nanosecond(0)
        .unwrap();
    let saved = json_of(
        app.api(&sara)
            .notification_room_put(&room, json!({ "level": "all", "muted_until": until }))
            .await,
        200,
    )
    .await;
    assert_eq!(saved["room_id"], room);
    assert_eq!(saved["level"], "all");
    assert_eq!(saved["muted"], true);
    assert_eq!(saved["muted_forever"], false);
    let listed = json_of(app.api(&sara).notification_rooms().await, 200).await;
    assert_eq!(listed, json!([saved]));
    let resp = app.api(&sara).notification_room_delete(&room).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(
        json_of(app.api(&sara).notification_rooms().await, 200).await,
        json!([])
    );
}

async fn each_reason_makes_its_kind_and_blocks_and_authors_get_none(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let (omid, _) = app.account("omid").await;
    let (reza, _) = app.account("reza").await;
    let room = app.public_room(&ali, &[&sara, &omid, &reza]).await;
    let keywords = json!({
        "level": "mentions", "keywords": ["کیوان"], "show_content": "full", "email_missed": true,
    });
    json_of(app.api(&omid).notification_prefs_put(&keywords).await, 200).await;
    // Sara is online, so @here reaches her; Omid and Reza are not.
    let _sara_socket = WsClient::connect(&app, &sara).await;

    let mention = app.post_message(&ali, &room, "hi @sara").await;
    let here = app.post_message(&ali, &room, "@here tea").await;
    let everyone = app.post_message(&ali, &room, "@room meeting").await;
    // Arabic kaf and yeh match the Persian keyword; in code they do not count.
    let keyword = app.post_message(&ali, &room, "سلام كيوان").await;
    app.post_message(&ali, &room, "`کیوان` is code").await;
    let reply = json_of(
        app.api(&omid)
            .message_send(&room, json!({ "body": "yes", "reply_to": id(&mention) }))
            .await,
        201,
    )
    .await;
    // Several reasons: the strongest wins (a mention in a reply to Ali's message).
    let both = json_of(
        app.api(&sara)
            .message_send(&room, json!({ "body": "@ali see", "reply_to": id(&reply) }))
            .await,
        201,
    )
    .await;
    let plain = app.post_message(&ali, &room, "nothing special").await;
    let dm = json_of(app.api(&reza).dm("sara").await, 200).await;
    let direct = app.post_message(&reza, &id(&dm), "psst").await;

    let k = |kind: &str, message: &Value| (kind.to_owned(), id(message));
    assert_eq!(
        kinds(&app, &sara).await,
        [
            k("direct", &direct),
            k("room", &everyone),
            k("here", &here),
            k("mention", &mention)
        ]
    );
    assert_eq!(
        kinds(&app, &omid).await,
        [
            k("reply", &both),
            k("keyword", &keyword),
            k("room", &everyone)
        ]
    );
    assert_eq!(kinds(&app, &reza).await, [k("room", &everyone)]);
    assert_eq!(
        kinds(&app, &ali).await,
        [k("mention", &both), k("reply", &reply)]
    );
    // At the default level a plain message is nobody's notification.
    for token in [&sara, &omid, &reza, &ali] {
        let listed = kinds(&app, token).await;
        assert!(listed.iter().all(|(_, message)| *message != id(&plain)));
    }

    // Whoever blocked the author hears nothing of them; the author never hears themselves.
    assert_eq!(app.api(&sara).block("ali").await.status(), 204);
    app.post_message(&ali, &room, "@sara @room again").await;
    assert_eq!(kinds(&app, &sara).await.len(), 4);
    assert_eq!(kinds(&app, &ali).await.len(), 2);
    assert_eq!(kinds(&app, &omid).await.len(), 4);
}

async fn mutes_and_room_levels_decide_what_reaches_the_inbox(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let room = app.public_room(&ali, &[&sara]).await;
    let mut socket = WsClient::connect(&app, &sara).await;
    let prefs = json!({
        "level": "mentions", "keywords": ["tea"], "show_content": "full", "email_missed": true,
    });
    json_of(app.api(&sara).notification_prefs_put(&prefs).await, 200).await;

    // Muted for an hour: @room and keywords are dropped; a direct mention stays, silent.
    let until = app.clock.now() + chrono::Duration::hours(1);
    let put = |body: Value| {
        let (app, sara, room) = (&app, sara.clone(), room.clone());
        async move { json_of(app.api(&sara).notification_room_put(&room, body).await, 200).await }
    };
    put(json!({ "muted_until": until })).await;
    app.post_message(&ali, &room, "@room tea").await;
    let mention = app.post_message(&ali, &room, "@sara look").await;
    let frame = socket.expect("notification").await;
    assert_eq!(frame["data"]["notification"]["message"]["id"], id(&mention));
    assert_eq!(frame["data"]["notification"]["kind"], "mention");
    assert_eq!(frame["data"]["alert"], false);
    assert_eq!(frame["room_id"], room);
    assert_eq!(kinds(&app, &sara).await.len(), 1);

    // Past the mute, notifications resume, with alerts. (A socket idle that long is
    // closed, so she connects again.)
    app.clock.advance(Duration::from_secs(2 * 3600));
    let mut socket = WsClient::connect(&app, &sara).await;
    let resumed = app.post_message(&ali, &room, "@room tea again").await;
    let frame = socket.expect("notification").await;
    assert_eq!(frame["data"]["notification"]["message"]["id"], id(&resumed));
    assert_eq!(frame["data"]["notification"]["kind"], "room");
    assert_eq!(frame["data"]["alert"], true);
    assert_eq!(kinds(&app, &sara).await.len(), 2);

    // Muted forever: only mentions and replies.
    put(json!({ "muted_forever": true })).await;
    app.post_message(&ali, &room, "@room tea forever").await;
    let forever = app.post_message(&ali, &room, "@sara still there?").await;
    let frame = socket.expect("notification").await;
    assert_eq!(frame["data"]["notification"]["message"]["id"], id(&forever));
    assert_eq!(kinds(&app, &sara).await.len(), 3);

    // Level `nothing` in the room: likewise, without a mute.
    put(json!({ "level": "nothing" })).await;
    app.post_message(&ali, &room, "tea @room").await;
    let named = app.post_message(&ali, &room, "@sara tea").await;
    let frame = socket.expect("notification").await;
    assert_eq!(frame["data"]["notification"]["message"]["id"], id(&named));
    assert_eq!(frame["data"]["alert"], false);
    assert_eq!(kinds(&app, &sara).await.len(), 4);

    // Level `all`: every message, as `message` when nothing stronger applies.
    put(json!({ "level": "all" })).await;
    let any = app.post_message(&ali, &room, "just chatting").await;
    let frame = socket.expect("notification").await;
    assert_eq!(frame["data"]["notification"]["kind"], "message");
    assert_eq!(frame["data"]["notification"]["message"]["id"], id(&any));
    assert_eq!(frame["data"]["alert"], true);
    let keyword = app.post_message(&ali, &room, "tea time").await;
    let frame = socket.expect("notification").await;
    assert_eq!(frame["data"]["notification"]["kind"], "keyword");
    assert_eq!(frame["data"]["notification"]["message"]["id"], id(&keyword));

    // Back to the default (`mentions`): a plain message is not for her.
    assert_eq!(
        app.api(&sara)
            .notification_room_delete(&room)
            .await
            .status(),
        204
    );
    app.post_message(&ali, &room, "just chatting again").await;
    assert_eq!(kinds(&app, &sara).await.len(), 6);
}

/// `HH:MM` of `at` in Tehran.
fn tehran_hh_mm(at: DateTime<Utc>) -> String {
    let tehran: chrono_tz::Tz = "Asia/Tehran".parse().unwrap();
    let local = at.with_timezone(&tehran);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

async fn quiet_hours_hold_alerts_in_the_persons_time_zone(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let room = app.public_room(&ali, &[&sara]).await;
    let resp = app
        .api(&sara)
        .me_update(json!({ "timezone": "Asia/Tehran" }))
        .await;
    assert_eq!(resp.status(), 200);
    let mut socket = WsClient::connect(&app, &sara).await;
    // Quiet from an hour from now to three hours from now, in Tehran (whole minutes).
    let now = app.clock.now();
    let start = now + chrono::Duration::hours(1);
    let end = now + chrono::Duration::hours(3);
    let prefs = json!({
        "level": "mentions", "keywords": [], "show_content": "full", "email_missed": true,
        "quiet_hours": { "start": tehran_hh_mm(start), "end": tehran_hh_mm(end) },
    });
    json_of(app.api(&sara).notification_prefs_put(&prefs).await, 200).await;

    app.post_message(&ali, &room, "@sara before").await;
    let frame = socket.expect("notification").await;
    assert_eq!(frame["data"]["alert"], true);
    assert!(frame["data"].get("held_until").is_none(), "{frame}");

    // Two hours on, it is quiet in Tehran: the alert waits until the window ends.
    app.clock.advance(Duration::from_secs(2 * 3600));
    let mut socket = WsClient::connect(&app, &sara).await;
    app.post_message(&ali, &room, "@sara during").await;
    let frame = socket.expect("notification").await;
    assert_eq!(frame["data"]["alert"], true);
    let held: DateTime<Utc> = frame["data"]["held_until"]
        .as_str()
        .expect("held during quiet hours")
        .parse()
        .unwrap();
    let expected_end = end.with_second(0).unwrap().with_nanosecond(0).unwrap();
    assert_eq!(held, expected_end);

    // Two more hours: the window is over.
    app.clock.advance(Duration::from_secs(2 * 3600));
    let mut socket = WsClient::connect(&app, &sara).await;
    app.post_message(&ali, &room, "@sara after").await;
    let frame = socket.expect("notification").await;
    assert!(frame["data"].get("held_until").is_none(), "{frame}");
}

async fn the_inbox_pages_filters_and_marks_read(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let tea = app.public_room(&ali, &[&sara]).await;
    let work = app.public_room(&ali, &[&sara]).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(id(&app
            .post_message(&ali, &tea, &format!("@sara tea {i}"))
            .await));
    }
    sent.push(id(&app.post_message(&ali, &work, "@sara work").await));
    sent.reverse(); // newest first, as the inbox lists them

    // Pages of two, newest first, until there is no `next_before`.
    let mut seen = Vec::new();
    let mut query = "limit=2".to_owned();
    loop {
        let page = inbox(&app, &sara, &query).await;
        assert_eq!(page["unread_count"], 6);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        for item in items {
            assert_eq!(item["read"], false);
            assert_eq!(item["kind"], "mention");
            assert_eq!(item["message"]["author"]["username"], "ali");
            seen.push(item["message"]["id"].as_str().unwrap().to_owned());
        }
        match page["next_before"].as_str() {
            Some(before) => query = format!("limit=2&before={before}"),
            None => break,
        }
    }
    assert_eq!(seen, sent);
    let first = inbox(&app, &sara, "limit=1").await;
    let item = &first["items"][0];
    assert_eq!(item["room"]["id"], work);
    assert_eq!(item["room"]["kind"], "public");
    let resp = app.api(&sara).notifications("limit=0").await;
    assert_eq!(problem_code(resp, 400).await, "bad_request");
    let resp = app.api(&sara).notifications("limit=101").await;
    assert_eq!(problem_code(resp, 400).await, "bad_request");

    // Mark one read: it stays listed, not among the unread.
    let newest = id(item);
    let marked = json_of(app.api(&sara).notification_read(&newest).await, 200).await;
    assert_eq!(marked, json!({ "unread_count": 5 }));
    let all = inbox(&app, &sara, "").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 6);
    assert_eq!(all["items"][0]["read"], true);
    let unread = inbox(&app, &sara, "unread=true").await;
    assert_eq!(unread["items"].as_array().unwrap().len(), 5);
    assert!(
        unread["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|item| item["read"] == false)
    );
    // Not hers: the same answer as none at all.
    let resp = app.api(&ali).notification_read(&newest).await;
    assert_eq!(problem_code(resp, 404).await, "notification.not_found");

    // All of one room, then everything.
    app.post_message(&ali, &work, "@sara more work").await;
    let marked = json_of(
        app.api(&sara)
            .notifications_read_all(json!({ "room_id": tea }))
            .await,
        200,
    )
    .await;
    assert_eq!(marked, json!({ "unread_count": 1 }));
    let unread = inbox(&app, &sara, "unread=true").await;
    assert_eq!(unread["items"][0]["room"]["id"], work);
    let marked = json_of(app.api(&sara).notifications_read_all(json!({})).await, 200).await;
    assert_eq!(marked, json!({ "unread_count": 0 }));
    assert_eq!(inbox(&app, &sara, "unread=true").await["items"], json!([]));
}

async fn sockets_hear_new_read_and_removed_notifications(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let room = app.public_room(&ali, &[&sara]).await;
    let mut phone = WsClient::connect(&app, &sara).await;
    let mut laptop = WsClient::connect(&app, &sara).await;

    let first = app.post_message(&ali, &room, "@sara first").await;
    let second = app.post_message(&ali, &room, "@sara second").await;
    let frame = phone
        .wait_for(|f| {
            f["type"] == "notification" && f["data"]["notification"]["message"]["id"] == first["id"]
        })
        .await;
    assert_eq!(frame["data"]["unread_count"], 1);
    assert_eq!(frame["data"]["alert"], true);
    assert_eq!(frame["data"]["notification"]["room"]["id"], room);
    let frame = phone
        .wait_for(|f| {
            f["type"] == "notification"
                && f["data"]["notification"]["message"]["id"] == second["id"]
        })
        .await;
    assert_eq!(frame["data"]["unread_count"], 2);
    let first_notification = inbox(&app, &sara, "").await["items"][1]["id"].clone();
    // The existing `mention` frame still comes too.
    laptop.expect("mention").await;

    // Reading the room (over REST, from the phone) up to the first message marks that
    // one read everywhere.
    let resp = app
        .api(&sara)
        .room_read(&room, json!({ "seq": first["seq"] }))
        .await;
    assert_eq!(resp.status(), 200);
    let read = laptop.expect("notification.read").await;
    assert_eq!(
        read["data"],
        json!({ "ids": [first_notification], "room_id": room, "unread_count": 1 })
    );
    phone.expect("notification.read").await;

    // Deleting the second message removes its notification.
    let resp = app.api(&ali).message_delete(&id(&second)).await;
    assert_eq!(resp.status(), 204);
    let removed = laptop.expect("notification.removed").await;
    assert_eq!(removed["room_id"], room);
    assert_eq!(removed["data"]["unread_count"], 0);
    assert_eq!(removed["data"]["ids"].as_array().unwrap().len(), 1);
    assert_eq!(
        inbox(&app, &sara, "").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Marking all read from one device tells the other.
    app.post_message(&ali, &room, "@sara third").await;
    phone.expect("notification").await;
    json_of(app.api(&sara).notifications_read_all(json!({})).await, 200).await;
    let read = laptop.expect("notification.read").await;
    assert_eq!(read["data"], json!({ "all": true, "unread_count": 0 }));

    // Reading the room over the socket does what the REST read mark does.
    let fourth = app.post_message(&ali, &room, "@sara fourth").await;
    phone.expect("notification").await;
    let ack = phone
        .request(json!({ "op": "read", "room_id": room, "seq": fourth["seq"] }))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let read = laptop.expect("notification.read").await;
    assert_eq!(read["data"]["unread_count"], 0);
    assert_eq!(read["data"]["ids"].as_array().unwrap().len(), 1);
}

async fn leaving_or_deleting_a_room_takes_its_notifications(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let tea = app.public_room(&ali, &[&sara]).await;
    let work = app.public_room(&ali, &[&sara]).await;
    app.post_message(&ali, &tea, "@sara tea").await;
    app.post_message(&ali, &work, "@sara work").await;
    json_of(
        app.api(&sara)
            .notification_room_put(&tea, json!({ "muted_forever": true }))
            .await,
        200,
    )
    .await;
    let mut socket = WsClient::connect(&app, &sara).await;
    assert_eq!(app.api(&sara).room_leave(&tea).await.status(), 204);
    let removed = socket.expect("notification.removed").await;
    assert_eq!(removed["room_id"], tea);
    assert_eq!(removed["data"]["unread_count"], 1);
    let page = inbox(&app, &sara, "").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["room"]["id"], work);
    assert_eq!(
        json_of(app.api(&sara).notification_rooms().await, 200).await,
        json!([])
    );
    // A deleted room takes its rows along (the database cascades).
    assert_eq!(app.api(&ali).room_delete(&work).await.status(), 204);
    let page = inbox(&app, &sara, "").await;
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["unread_count"], 0);
}

/// Two nodes sharing Redis: the notification reaches Sara's socket on the other node, and
/// reading the room on one node tells her socket on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_and_reads_cross_nodes() {
    let Some((a, b)) = crate::cluster::two_nodes(|f| f).await else {
        return;
    };
    let (ali, _) = a.account("ali").await;
    let (sara, _) = a.account("sara").await;
    let room = a.public_room(&ali, &[&sara]).await;
    let mut sara_on_a = WsClient::connect(&a, &sara).await;
    let mut sara_on_b = WsClient::connect(&b, &sara).await;
    let sent = b.post_message(&ali, &room, "@sara from node B").await;
    let frame = sara_on_a.expect("notification").await;
    assert_eq!(frame["data"]["notification"]["message"]["id"], sent["id"]);
    sara_on_b.expect("notification").await;
    let resp = a
        .api(&sara)
        .room_read(&room, json!({ "seq": sent["seq"] }))
        .await;
    assert_eq!(resp.status(), 200);
    let read = sara_on_b.expect("notification.read").await;
    assert_eq!(read["data"]["unread_count"], 0);
    assert_eq!(read["data"]["room_id"], room);
}
