//! Drafts that follow a person between devices, and scheduled messages: REST, the `draft`
//! and `scheduled.failed` events, the background pass on the server's clock, a restart,
//! and two nodes sending each message once.

use std::time::Duration;

use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, problem_code, spawn_app};
use crate::on_both_backends;
use crate::ws_client::WsClient;

on_both_backends!(
    a_draft_follows_its_owner_between_devices_and_goes_when_sent,
    scheduled_messages_are_listed_edited_cancelled_and_sent_now,
    a_scheduled_message_is_sent_once_when_its_time_comes_even_after_a_restart,
    a_scheduled_message_of_a_muted_author_fails_and_they_are_told,
);

const PASSWORD: &str = "correct horse battery";

async fn put_draft(app: &TestApp, token: &str, room: &str, body: Value) -> reqwest::Response {
    app.authed(Method::PUT, &format!("/api/v1/rooms/{room}/draft"), token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn schedule(app: &TestApp, token: &str, room: &str, body: Value) -> reqwest::Response {
    app.authed(
        Method::POST,
        &format!("/api/v1/rooms/{room}/scheduled"),
        token,
    )
    .json(&body)
    .send()
    .await
    .unwrap()
}

async fn scheduled_id(app: &TestApp, token: &str, room: &str, body: &str, secs: i64) -> String {
    let send_at = Utc::now() + chrono::Duration::seconds(secs);
    let resp = schedule(app, token, room, json!({"body": body, "send_at": send_at})).await;
    assert_eq!(resp.status(), 201);
    let row: Value = resp.json().await.unwrap();
    assert_eq!(row["state"], "pending");
    row["id"].as_str().unwrap().to_owned()
}

/// The bodies of the room's messages, oldest first.
async fn bodies(app: &TestApp, token: &str, room: &str) -> Vec<String> {
    let history: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/messages?limit=100"), token)
        .await;
    let mut bodies: Vec<(i64, String)> = history
        .iter()
        .map(|m| {
            (
                m["seq"].as_i64().unwrap(),
                m["body"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    bodies.sort();
    bodies.into_iter().map(|(_, body)| body).collect()
}

/// Moves the servers' clocks `by` forward in steps a socket outlives (a server closes one
/// silent for 30 s of its clock), each socket saying something after each step.
async fn time_passes(apps: &[&TestApp], sockets: &mut [&mut WsClient], by: Duration) {
    let step = Duration::from_secs(15);
    let mut moved = Duration::ZERO;
    while moved < by {
        let now = step.min(by - moved);
        for app in apps {
            app.clock.advance(now);
        }
        for ws in sockets.iter_mut() {
            let ack = ws.request(json!({"op": "ping"})).await;
            assert_eq!(ack["type"], "ack", "{ack}");
        }
        moved += now;
    }
}

/// How far ahead the tests schedule what the clock then reaches: enough for a slow machine
/// to make the request before the real time gets there.
const AHEAD_SECS: i64 = 60;
const PAST_IT: Duration = Duration::from_secs(75);

async fn subscribed(app: &TestApp, token: &str, room: &str) -> WsClient {
    let mut ws = WsClient::connect(app, token).await;
    let ack = ws
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    ws
}

async fn a_draft_follows_its_owner_between_devices_and_goes_when_sent(backend: Backend) {
    let app = spawn_app(backend).await;
    let (phone, _) = app.account("sara").await;
    let laptop = app.login_token("sara", PASSWORD).await;
    let (other, _) = app.account("omid").await;
    let (outsider, _) = app.account("nima").await;
    let room = app.public_room(&phone, &[&other]).await;
    let mut laptop_ws = WsClient::connect(&app, &laptop).await;

    // Written on the phone, seen live on the laptop, with who saved it.
    let saved = put_draft(
        &app,
        &phone,
        &room,
        json!({"body": "نیمه‌کاره zanzibar ", "client_nonce": "phone-tab"}),
    )
    .await;
    assert_eq!(saved.status(), 200);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(saved["body"], "نیمه‌کاره zanzibar ");
    assert!(saved.get("thread_id").is_none(), "{saved}");
    let live = laptop_ws.expect("draft").await;
    assert_eq!(live["room_id"], room.as_str());
    assert_eq!(live["data"]["draft"]["body"], "نیمه‌کاره zanzibar ");
    assert_eq!(live["data"]["client_nonce"], "phone-tab");
    assert!(live["data"]["session_id"].is_string(), "{live}");
    // And after a reload.
    let mine: Vec<Value> = app.get_json("/api/v1/drafts", &laptop).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["room_id"], room.as_str());
    assert_eq!(mine[0]["body"], "نیمه‌کاره zanzibar ");

    // A thread's draft is its own.
    let thread = uuid::Uuid::now_v7().to_string();
    let threaded = put_draft(
        &app,
        &phone,
        &room,
        json!({"body": "in a thread", "thread_id": thread}),
    )
    .await;
    assert_eq!(threaded.status(), 200);
    let mine: Vec<Value> = app.get_json("/api/v1/drafts", &laptop).await;
    assert_eq!(mine.len(), 2);
    assert!(
        mine.iter().any(|d| d["thread_id"] == thread.as_str()),
        "{mine:?}"
    );

    // Nobody else sees it; search does not find it; outsiders cannot write one.
    let theirs: Vec<Value> = app.get_json("/api/v1/drafts", &other).await;
    assert!(theirs.is_empty());
    let found: Value = app
        .get_json("/api/v1/search/messages?q=zanzibar", &phone)
        .await;
    assert_eq!(found["hits"].as_array().unwrap().len(), 0, "{found}");
    let refused = put_draft(&app, &outsider, &room, json!({"body": "let me in"})).await;
    assert_eq!(problem_code(refused, 403).await, "room.not_member");
    let too_long = put_draft(&app, &phone, &room, json!({"body": "x".repeat(4001)})).await;
    assert_eq!(problem_code(too_long, 422).await, "message.too_long");
    let mine: Vec<Value> = app.get_json("/api/v1/drafts", &phone).await;
    assert_eq!(mine.len(), 2, "a refused save changes nothing");

    // Sending in the room clears the room's draft (not the thread's), and the laptop hears.
    let sent = app.post_message(&phone, &room, "zanzibar it is").await;
    assert_eq!(sent["body"], "zanzibar it is");
    let cleared = laptop_ws
        .wait_for(|f| f["type"] == "draft" && f["data"]["draft"]["body"] == "")
        .await;
    assert_eq!(cleared["room_id"], room.as_str());
    let mine: Vec<Value> = app.get_json("/api/v1/drafts", &laptop).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["thread_id"], thread.as_str());
    let found: Value = app
        .get_json("/api/v1/search/messages?q=zanzibar", &phone)
        .await;
    assert_eq!(
        found["hits"].as_array().unwrap().len(),
        1,
        "the message is found"
    );

    // Over the socket too.
    put_draft(&app, &laptop, &room, json!({"body": "again"})).await;
    let mut phone_ws = WsClient::connect(&app, &phone).await;
    let ack = phone_ws
        .request(json!({"op": "send", "room_id": room, "body": "again, sent"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    phone_ws
        .wait_for(|f| f["type"] == "draft" && f["data"]["draft"]["body"] == "")
        .await;
    let mine: Vec<Value> = app.get_json("/api/v1/drafts", &phone).await;
    assert_eq!(mine.len(), 1);

    // Blank text and DELETE remove it.
    let blank = put_draft(
        &app,
        &phone,
        &room,
        json!({"body": "  ", "thread_id": thread}),
    )
    .await;
    assert_eq!(blank.status(), 200);
    let mine: Vec<Value> = app.get_json("/api/v1/drafts", &phone).await;
    assert!(mine.is_empty());
    put_draft(&app, &phone, &room, json!({"body": "once more"})).await;
    let deleted = app
        .authed(
            Method::DELETE,
            &format!("/api/v1/rooms/{room}/draft"),
            &phone,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let mine: Vec<Value> = app.get_json("/api/v1/drafts", &phone).await;
    assert!(mine.is_empty());
}

async fn scheduled_messages_are_listed_edited_cancelled_and_sent_now(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sara, _) = app.account("sara").await;
    let (omid, _) = app.account("omid").await;
    let room = app.public_room(&sara, &[&omid]).await;

    for (send_at, why) in [
        (Utc::now() - chrono::Duration::minutes(1), "past"),
        (Utc::now() + chrono::Duration::days(400), "too far"),
    ] {
        let refused = schedule(&app, &sara, &room, json!({"body": "x", "send_at": send_at})).await;
        assert_eq!(
            problem_code(refused, 422).await,
            "scheduled.send_at_invalid",
            "{why}"
        );
    }
    let empty = schedule(
        &app,
        &sara,
        &room,
        json!({"body": " ", "send_at": Utc::now() + chrono::Duration::hours(1)}),
    )
    .await;
    assert_eq!(problem_code(empty, 422).await, "message.body_empty");

    let later = scheduled_id(&app, &sara, &room, "later", 3 * 3600).await;
    let sooner = scheduled_id(&app, &sara, &room, "sooner", 3600).await;
    let doomed = scheduled_id(&app, &sara, &room, "doomed", 2 * 3600).await;
    let list: Vec<Value> = app.get_json("/api/v1/scheduled", &sara).await;
    let order: Vec<&str> = list.iter().map(|r| r["body"].as_str().unwrap()).collect();
    assert_eq!(order, ["sooner", "doomed", "later"], "soonest first");
    let theirs: Vec<Value> = app.get_json("/api/v1/scheduled", &omid).await;
    assert!(theirs.is_empty());

    // Edit: text and time; someone else's is not found.
    let edited = app
        .authed(Method::PATCH, &format!("/api/v1/scheduled/{later}"), &sara)
        .json(&json!({"body": "earliest", "send_at": Utc::now() + chrono::Duration::minutes(30)}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!(edited["body"], "earliest");
    let list: Vec<Value> = app.get_json("/api/v1/scheduled", &sara).await;
    assert_eq!(list[0]["id"], later.as_str());
    let foreign = app
        .authed(Method::PATCH, &format!("/api/v1/scheduled/{later}"), &omid)
        .json(&json!({"body": "mine now"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(foreign, 404).await, "scheduled.not_found");

    // Cancel.
    let cancelled = app
        .authed(
            Method::DELETE,
            &format!("/api/v1/scheduled/{doomed}"),
            &sara,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 204);

    // Send now: a normal message, and the row is done with.
    let mut omid_ws = subscribed(&app, &omid, &room).await;
    let sent = app
        .authed(
            Method::POST,
            &format!("/api/v1/scheduled/{sooner}/send"),
            &sara,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    let sent: Value = sent.json().await.unwrap();
    assert_eq!(sent["body"], "sooner");
    let created = omid_ws.expect("message.created").await;
    assert_eq!(created["data"]["id"], sent["id"]);
    let list: Vec<Value> = app.get_json("/api/v1/scheduled", &sara).await;
    let left: Vec<&str> = list.iter().map(|r| r["body"].as_str().unwrap()).collect();
    assert_eq!(left, ["earliest"]);

    // A sent one cannot be edited, cancelled or sent again.
    let path = format!("/api/v1/scheduled/{sooner}");
    let again = app
        .authed(Method::PATCH, &path, &sara)
        .json(&json!({"body": "too late"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(again, 409).await, "scheduled.already_sent");
    let again = app
        .authed(Method::DELETE, &path, &sara)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(again, 409).await, "scheduled.already_sent");
    let again = app
        .authed(Method::POST, &format!("{path}/send"), &sara)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(again, 409).await, "scheduled.already_sent");
    assert_eq!(
        bodies(&app, &sara, &room).await,
        ["sooner"],
        "sent once, nothing else"
    );
}

async fn a_scheduled_message_is_sent_once_when_its_time_comes_even_after_a_restart(
    backend: Backend,
) {
    let first = spawn_app(backend).await;
    let (sara, _) = first.account("sara").await;
    let (omid, _) = first.account("omid").await;
    let room = first.public_room(&sara, &[&omid]).await;
    let id = scheduled_id(&first, &sara, &room, "from the past", AHEAD_SECS).await;

    // The first server does not reach the time (as if it went down); a new one on the same
    // database does, and sends it as sara, at the time it sends it.
    let second = first.another_node(|f| f).await;
    let mut on_second = subscribed(&second, &omid, &room).await;
    time_passes(&[&second], &mut [&mut on_second], PAST_IT).await;
    let created = on_second.expect("message.created").await;
    assert_eq!(created["data"]["body"], "from the past");
    assert_eq!(created["data"]["author"]["username"], "sara");
    let list: Vec<Value> = second.get_json("/api/v1/scheduled", &sara).await;
    assert!(list.is_empty(), "{list:?}");
    let again = second
        .authed(Method::DELETE, &format!("/api/v1/scheduled/{id}"), &sara)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(again, 409).await, "scheduled.already_sent");

    // The first server's pass, once its clock is past both, sends only the newer one.
    // (Far enough ahead that the second's clock does not reach it meanwhile.)
    scheduled_id(&first, &sara, &room, "marker", 10 * AHEAD_SECS).await;
    let mut on_first = subscribed(&first, &omid, &room).await;
    time_passes(
        &[&first],
        &mut [&mut on_first],
        Duration::from_secs(11 * 60),
    )
    .await;
    let marker = on_first.expect("message.created").await;
    assert_eq!(marker["data"]["body"], "marker");
    assert_eq!(
        bodies(&second, &omid, &room).await,
        ["from the past", "marker"],
        "each sent once"
    );
}

async fn a_scheduled_message_of_a_muted_author_fails_and_they_are_told(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sara, _) = app.account("sara").await;
    let (omid, omid_id) = app.account("omid").await;
    let room = app.public_room(&sara, &[&omid]).await;
    let id = scheduled_id(&app, &omid, &room, "you cannot stop me", AHEAD_SECS).await;
    let muted = app
        .authed(
            Method::POST,
            &format!("/api/v1/rooms/{room}/members/{omid_id}/mute"),
            &sara,
        )
        .json(&json!({"minutes": 24 * 60, "reason": "cool down"}))
        .send()
        .await
        .unwrap();
    assert_eq!(muted.status(), 200);
    let mut omid_ws = WsClient::connect(&app, &omid).await;

    time_passes(&[&app], &mut [&mut omid_ws], PAST_IT).await;
    let failed = omid_ws.expect("scheduled.failed").await;
    assert_eq!(failed["room_id"], room.as_str());
    assert_eq!(failed["data"]["id"], id.as_str());
    assert_eq!(failed["data"]["state"], "failed");
    assert_eq!(failed["data"]["error_code"], "room.muted");
    let list: Vec<Value> = app.get_json("/api/v1/scheduled", &omid).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["state"], "failed");
    assert_eq!(list[0]["error_code"], "room.muted");
    assert!(
        bodies(&app, &sara, &room).await.is_empty(),
        "nothing was sent"
    );

    // Their inbox tells them too, live and when asked: the room and why, no message.
    let told = omid_ws.expect("notification").await;
    assert_eq!(told["data"]["notification"]["kind"], "scheduled_failed");
    assert_eq!(told["data"]["unread_count"], 1);
    let inbox: Value = app.get_json("/api/v1/notifications", &omid).await;
    assert_eq!(inbox["unread_count"], 1, "{inbox}");
    let items = inbox["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{inbox}");
    let notice = &items[0];
    assert_eq!(notice["id"], told["data"]["notification"]["id"]);
    assert_eq!(notice["kind"], "scheduled_failed");
    assert_eq!(notice["room"]["id"], room.as_str());
    assert_eq!(notice["error_code"], "room.muted");
    assert_eq!(notice["scheduled"]["id"], id.as_str());
    assert_eq!(notice["scheduled"]["body"], "you cannot stop me");
    assert_eq!(notice["read"], false);
    assert!(notice.get("message").is_none(), "{notice}");
    let count: Value = app
        .get_json("/api/v1/notifications?unread=true", &omid)
        .await;
    assert_eq!(count["items"].as_array().unwrap().len(), 1);
    // Sara, who muted him, hears nothing of it.
    let hers: Value = app.get_json("/api/v1/notifications", &sara).await;
    assert!(hers["items"].as_array().unwrap().is_empty(), "{hers}");
    // Reading the room does not read it; reading it by hand does.
    let resp = app
        .authed(
            Method::POST,
            &format!(
                "/api/v1/notifications/{}/read",
                notice["id"].as_str().unwrap()
            ),
            &omid,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(answer["unread_count"], 0);

    // Sending it now is refused the same way, and changes nothing.
    let now = app
        .authed(Method::POST, &format!("/api/v1/scheduled/{id}/send"), &omid)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(now, 403).await, "room.muted");
    let list: Vec<Value> = app.get_json("/api/v1/scheduled", &omid).await;
    assert_eq!(list[0]["state"], "failed");
}

/// Two nodes (PostgreSQL, Redis) both running the pass when many messages fall due at
/// once: each is sent exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_send_each_scheduled_message_once() {
    let Some((a, b)) = crate::cluster::two_nodes(|f| f).await else {
        return;
    };
    let (sara, _) = a.account("sara").await;
    let (omid, _) = a.account("omid").await;
    let room = a.public_room(&sara, &[&omid]).await;
    let wanted: Vec<String> = (0..12).map(|i| format!("due {i:02}")).collect();
    for body in &wanted {
        scheduled_id(&a, &sara, &room, body, AHEAD_SECS).await;
    }
    let mut omid_ws = subscribed(&b, &omid, &room).await;
    // Node a has no socket to keep: its clock jumps; b's moves in steps.
    a.clock.advance(PAST_IT);
    time_passes(&[&b], &mut [&mut omid_ws], PAST_IT).await;
    let mut seen = Vec::new();
    while seen.len() < wanted.len() {
        let frame = omid_ws.expect("message.created").await;
        seen.push(frame["data"]["body"].as_str().unwrap().to_owned());
    }
    seen.sort();
    assert_eq!(seen, wanted, "each once, over the shared broker");
    let list: Vec<Value> = b.get_json("/api/v1/scheduled", &sara).await;
    assert!(list.is_empty(), "{list:?}");
    let mut sent = bodies(&a, &omid, &room).await;
    sent.sort();
    assert_eq!(sent, wanted, "each stored exactly once");
}
