//! Web Push end to end against a push service the test starts: `tests/push/push_service.py`
//! (Python `http_ece` + `cryptography`, from the virtualenv `.ci/run` makes of
//! tests/deploy/requirements.txt) hands out subscriptions with browser-side keys, and for
//! each push checks the VAPID JWT (ES256 under the served key, `aud`, `exp`, `sub`) and
//! decrypts the aes128gcm body. The delay is the server's clock, moved by the test.

use std::time::Duration;

use chrono::{Duration as Span, Timelike};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use tokio::process::Child;

use crate::{
    helpers::{Backend, PATIENCE, TestApp, problem_code, spawn_app_with},
    on_both_backends,
    python::{free_port, python_with, spawn_ready},
    ws_client::WsClient,
};

const SERVICE: &str = "tests/push/push_service.py";
/// Past the default `[push] delay_secs` (30).
const PAST_DELAY: Duration = Duration::from_secs(31);

on_both_backends!(
    a_mention_unread_past_the_delay_is_pushed_once_in_a_batch,
    a_read_message_is_not_pushed,
    a_gone_subscription_is_removed_and_quiet_hours_hold_pushes,
    subscriptions_are_checked_replaced_and_end_with_the_session,
    two_nodes_push_each_notification_once,
    a_scheduled_message_not_sent_is_pushed_to_its_author,
    a_reply_kept_in_its_thread_is_pushed_to_open_in_its_thread,
);

/// The push service a test starts.
struct PushService {
    _child: Child,
    base: String,
    client: reqwest::Client,
}

impl PushService {
    /// Starts it on a free port, or `None` (outside CI) when its Python packages are missing.
    async fn start() -> Option<PushService> {
        if !python_with("http_ece, cryptography", "push").await {
            return None;
        }
        let port = free_port();
        let child = spawn_ready(&[SERVICE, &port.to_string()]).await;
        Some(PushService {
            _child: child,
            base: format!("http://127.0.0.1:{port}"),
            client: crate::helpers::client(),
        })
    }

    /// A new browser subscription whose endpoint answers `status`.
    async fn subscription(&self, name: &str, status: u16) -> Value {
        self.client
            .get(format!("{}/subscribe/{name}?status={status}", self.base))
            .send()
            .await
            .expect("subscribe")
            .json()
            .await
            .expect("subscription json")
    }

    async fn received(&self) -> Vec<Value> {
        self.client
            .get(format!("{}/received", self.base))
            .send()
            .await
            .expect("received")
            .json()
            .await
            .expect("received json")
    }

    /// Pushes to `name`, once there are at least `count` (a bound on a hang only).
    async fn wait_for(&self, name: &str, count: usize) -> Vec<Value> {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let pushes: Vec<Value> = self
                .received()
                .await
                .into_iter()
                .filter(|push| push["name"] == name)
                .collect();
            if pushes.len() >= count {
                return pushes;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{count} push(es) to {name} did not arrive; got {pushes:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Loopback is where the push service is: the outbound rules let it through.
fn loopback(figment: figment::Figment) -> figment::Figment {
    figment.merge(("outbound.allow_hosts", vec!["127.0.0.1"]))
}

async fn subscribe(app: &TestApp, token: &str, subscription: &Value) {
    let resp = app.api(token).push_subscribe(subscription).await;
    assert_eq!(resp.status(), 201);
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let row = app
        .db
        .query_one(Statement::from_string(
            app.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .expect("query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("n")
}

/// Waits until `sql` counts `expected` (a bound on a hang only).
async fn wait_count(app: &TestApp, sql: &str, expected: i64) {
    let deadline = std::time::Instant::now() + PATIENCE;
    while count(app, sql).await != expected {
        assert!(
            std::time::Instant::now() < deadline,
            "{sql} never counted {expected}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Checks what a push service checks: a valid VAPID JWT under the served key, decrypted.
async fn assert_well_formed(app: &TestApp, token: &str, push: &Value) {
    assert_eq!(push["problems"], json!([]), "{push}");
    let config: Value = app
        .api(token)
        .push_config()
        .await
        .json()
        .await
        .expect("config");
    assert_eq!(push["vapid"]["k"], config["public_key"], "{push}");
    assert_eq!(push["vapid"]["claims"]["sub"], "mailto:admin@localhost");
    assert_eq!(push["ttl"], "86400");
}

/// Text without Fluent's bidi isolation marks.
fn plain(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(|c| !matches!(c, '\u{2068}' | '\u{2069}'))
        .collect()
}

async fn a_mention_unread_past_the_delay_is_pushed_once_in_a_batch(backend: Backend) {
    let Some(service) = PushService::start().await else {
        return;
    };
    let app = spawn_app_with(backend, loopback).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let room = app.public_room(&ali, &[&sara]).await;
    subscribe(&app, &sara, &service.subscription("sara-phone", 201).await).await;

    let first = app.post_message(&ali, &room, "@sara are you there?").await;
    app.clock.advance(PAST_DELAY);
    let push = service.wait_for("sara-phone", 1).await.remove(0);
    assert_well_formed(&app, &sara, &push).await;
    assert_eq!(push["urgency"], "high");
    let payload = &push["payload"];
    assert_eq!(plain(&payload["title"]), "#چای‌خانه");
    assert_eq!(plain(&payload["body"]), "ali: @sara are you there?");
    assert_eq!(payload["tag"], format!("anjoman-room-{room}"));
    // A click opens the room at the message, in a new tab too.
    assert_eq!(
        payload["url"],
        format!(
            "/#room={room}&message={}&seq={}",
            first["id"].as_str().expect("id"),
            first["seq"]
        )
    );
    assert_eq!(payload["message_id"], first["id"]);
    assert_eq!(payload["count"], 1);
    assert_eq!(
        (&payload["lang"], &payload["dir"]),
        (&json!("en-US"), &json!("ltr"))
    );

    // Three more while away: one push, for all three, naming the latest.
    for text in ["@sara one", "@sara two", "@sara three"] {
        app.post_message(&ali, &room, text).await;
    }
    app.clock.advance(PAST_DELAY);
    let push = service.wait_for("sara-phone", 2).await.remove(1);
    assert_well_formed(&app, &sara, &push).await;
    assert_eq!(push["payload"]["count"], 3);
    assert_eq!(plain(&push["payload"]["title"]), "3 new in #چای‌خانه");
    assert_eq!(plain(&push["payload"]["body"]), "ali: @sara three");
    // Each notification was decided once: none is left to push again (the rows are marked
    // once the push service answered).
    let unpushed = "SELECT COUNT(*) AS n FROM notifications WHERE pushed_at IS NULL";
    wait_count(&app, unpushed, 0).await;
    app.clock.advance(PAST_DELAY);

    // `room_only` hides the sender and the text.
    let prefs = json!({ "level": "mentions", "keywords": [], "show_content": "room_only", "email_missed": true });
    assert_eq!(
        app.api(&sara).notification_prefs_put(&prefs).await.status(),
        200
    );
    app.post_message(&ali, &room, "@sara a secret").await;
    app.clock.advance(PAST_DELAY);
    let push = service.wait_for("sara-phone", 3).await.remove(2);
    assert_eq!(plain(&push["payload"]["body"]), "New message in #چای‌خانه");
    assert!(!push["payload"].to_string().contains("secret"), "{push}");
    assert_eq!(service.received().await.len(), 3);
}

async fn a_read_message_is_not_pushed(backend: Backend) {
    let Some(service) = PushService::start().await else {
        return;
    };
    let app = spawn_app_with(backend, loopback).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let room = app.public_room(&ali, &[&sara]).await;
    subscribe(&app, &sara, &service.subscription("sara-laptop", 201).await).await;
    let mut socket = WsClient::connect(&app, &sara).await;

    // Sara has the room open and reads the message within the delay.
    let seen = app.post_message(&ali, &room, "@sara lunch?").await;
    socket.expect("notification").await;
    let read = socket
        .request(json!({"op": "read", "room_id": room, "seq": seen["seq"]}))
        .await;
    assert_eq!(read["type"], "ack", "{read}");
    socket.expect("notification.read").await;
    // One she does not read.
    let unseen = app.post_message(&ali, &room, "@sara hello?").await;
    app.clock.advance(PAST_DELAY);

    let pushes = service.wait_for("sara-laptop", 1).await;
    assert_eq!(pushes[0]["payload"]["count"], 1);
    assert_eq!(pushes[0]["payload"]["message_id"], unseen["id"]);
    // The read one stays unpushed, for good.
    let pushed = "SELECT COUNT(*) AS n FROM notifications WHERE pushed_at IS NOT NULL";
    wait_count(&app, pushed, 1).await;
    let read_unpushed =
        "SELECT COUNT(*) AS n FROM notifications WHERE pushed_at IS NULL AND read_at IS NOT NULL";
    assert_eq!(count(&app, read_unpushed).await, 1);
}

async fn a_gone_subscription_is_removed_and_quiet_hours_hold_pushes(backend: Backend) {
    let Some(service) = PushService::start().await else {
        return;
    };
    let app = spawn_app_with(backend, loopback).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let (reza, _) = app.account("reza").await;
    let room = app.public_room(&ali, &[&sara, &reza]).await;
    subscribe(&app, &reza, &service.subscription("reza-old", 410).await).await;
    subscribe(&app, &sara, &service.subscription("sara-phone", 201).await).await;

    // Sara's quiet hours: an hour either side of now (UTC, her zone).
    let now = app.clock.now();
    let hh_mm = |at: chrono::DateTime<chrono::Utc>| format!("{:02}:{:02}", at.hour(), at.minute());
    let prefs = json!({
        "level": "mentions", "keywords": [], "show_content": "full", "email_missed": true,
        "quiet_hours": { "start": hh_mm(now - Span::hours(1)), "end": hh_mm(now + Span::hours(1)) },
    });
    assert_eq!(
        app.api(&sara).notification_prefs_put(&prefs).await.status(),
        200
    );

    app.post_message(&ali, &room, "@sara @reza tea at five")
        .await;
    app.clock.advance(PAST_DELAY);
    // Reza's push service says the subscription is gone: it goes.
    service.wait_for("reza-old", 1).await;
    wait_count(
        &app,
        "SELECT COUNT(*) AS n FROM push_subscriptions WHERE endpoint LIKE '%reza-old'",
        0,
    )
    .await;
    // The round that pushed Reza's found Sara's held: nothing for her, and it waits.
    assert!(
        service
            .received()
            .await
            .iter()
            .all(|push| push["name"] != "sara-phone")
    );
    let held = "SELECT COUNT(*) AS n FROM notifications WHERE pushed_at IS NULL AND held_until IS NOT NULL";
    assert_eq!(count(&app, held).await, 1);

    // After her quiet hours it is sent: held, not lost.
    app.clock.advance(Duration::from_secs(2 * 3600));
    let push = service.wait_for("sara-phone", 1).await.remove(0);
    assert_well_formed(&app, &sara, &push).await;
    assert_eq!(
        plain(&push["payload"]["body"]),
        "ali: @sara @reza tea at five"
    );
}

async fn subscriptions_are_checked_replaced_and_end_with_the_session(backend: Backend) {
    let Some(service) = PushService::start().await else {
        return;
    };
    let app = spawn_app_with(backend, loopback).await;
    let (sara, _) = app.account("sara").await;
    let config: Value = app
        .api(&sara)
        .push_config()
        .await
        .json()
        .await
        .expect("config");
    assert_eq!(config["public_key"].as_str().unwrap().len(), 87, "{config}");
    assert_eq!(config["delay_secs"], 30);

    let good = service.subscription("sara-phone", 201).await;
    let mut bad = good.clone();
    bad["endpoint"] = json!("ftp://127.0.0.1/push");
    let resp = app.api(&sara).push_subscribe(&bad).await;
    assert_eq!(problem_code(resp, 422).await, "push.endpoint_invalid");
    // Plain http only to allow-listed hosts.
    bad["endpoint"] = json!("http://push.example.net/x");
    let resp = app.api(&sara).push_subscribe(&bad).await;
    assert_eq!(problem_code(resp, 422).await, "push.endpoint_invalid");
    let mut bad = good.clone();
    bad["keys"]["auth"] = json!("c2hvcnQ");
    let resp = app.api(&sara).push_subscribe(&bad).await;
    assert_eq!(problem_code(resp, 422).await, "push.keys_invalid");
    bad["keys"] = json!({ "p256dh": "BAAA", "auth": good["keys"]["auth"] });
    let resp = app.api(&sara).push_subscribe(&bad).await;
    assert_eq!(problem_code(resp, 422).await, "push.keys_invalid");

    // The same endpoint again replaces it: one row.
    subscribe(&app, &sara, &good).await;
    subscribe(&app, &sara, &good).await;
    let rows = "SELECT COUNT(*) AS n FROM push_subscriptions";
    assert_eq!(count(&app, rows).await, 1);
    let gone = json!({ "endpoint": good["endpoint"] });
    assert_eq!(app.api(&sara).push_unsubscribe(&gone).await.status(), 204);
    let resp = app.api(&sara).push_unsubscribe(&gone).await;
    assert_eq!(problem_code(resp, 404).await, "push.subscription_not_found");

    // Signing out removes this session's subscription.
    subscribe(&app, &sara, &good).await;
    assert_eq!(app.api(&sara).auth_logout().await.status(), 204);
    assert_eq!(count(&app, rows).await, 0);
}

async fn two_nodes_push_each_notification_once(backend: Backend) {
    let Some(service) = PushService::start().await else {
        return;
    };
    let first = spawn_app_with(backend, loopback).await;
    let second = first.another_node(loopback).await;
    let (ali, _) = first.account("ali").await;
    let users = ["sara", "reza", "mina", "omid"];
    let mut tokens = vec![];
    for name in users {
        let (token, _) = first.account(name).await;
        let subscription = service.subscription(&format!("{name}-phone"), 201).await;
        subscribe(&second, &token, &subscription).await;
        tokens.push(token);
    }
    // One VAPID key pair, generated by whichever node started first, for both.
    let key_of = async |node: &TestApp| -> Value {
        let config: Value = node
            .api(&tokens[0])
            .push_config()
            .await
            .json()
            .await
            .expect("config");
        config["public_key"].clone()
    };
    assert_eq!(key_of(&first).await, key_of(&second).await);
    let members: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let room = first.public_room(&ali, &members).await;
    // Each person is mentioned three times, half of it through each node.
    for n in 0..3 {
        let node = if n % 2 == 0 { &first } else { &second };
        node.post_message(&ali, &room, &format!("@sara @reza @mina @omid round {n}"))
            .await;
    }
    // Both nodes' rounds race for every row.
    first.clock.advance(PAST_DELAY);
    second.clock.advance(PAST_DELAY);
    for name in users {
        service.wait_for(&format!("{name}-phone"), 1).await;
    }
    let unpushed = "SELECT COUNT(*) AS n FROM notifications WHERE pushed_at IS NULL";
    wait_count(&first, unpushed, 0).await;
    // Every notification went out in exactly one push, whichever node sent it.
    for name in users {
        let pushes: Vec<Value> = service
            .received()
            .await
            .into_iter()
            .filter(|push| push["name"] == format!("{name}-phone").as_str())
            .collect();
        let total: u64 = pushes
            .iter()
            .map(|push| push["payload"]["count"].as_u64().unwrap())
            .sum();
        assert_eq!(total, 3, "{name}: {pushes:?}");
    }
}

/// A scheduled message refused when its time came (its author was muted meanwhile) is a
/// notice to its author: pushed with the room and the reason, and no message to open.
async fn a_scheduled_message_not_sent_is_pushed_to_its_author(backend: Backend) {
    let Some(service) = PushService::start().await else {
        return;
    };
    let app = spawn_app_with(backend, loopback).await;
    let (ali, _) = app.account("ali").await;
    let (sara, sara_id) = app.account("sara").await;
    let room = app.public_room(&ali, &[&sara]).await;
    subscribe(&app, &sara, &service.subscription("sara-tablet", 201).await).await;
    let send_at = chrono::Utc::now() + Span::seconds(60);
    let resp = app
        .authed(
            reqwest::Method::POST,
            &format!("/api/v1/rooms/{room}/scheduled"),
            &sara,
        )
        .json(&json!({"body": "a secret plan", "send_at": send_at}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let muted = app
        .authed(
            reqwest::Method::POST,
            &format!("/api/v1/rooms/{room}/members/{sara_id}/mute"),
            &ali,
        )
        .json(&json!({"minutes": 24 * 60, "reason": "cool down"}))
        .send()
        .await
        .unwrap();
    assert_eq!(muted.status(), 200);
    let mut socket = WsClient::connect(&app, &sara).await;
    // The clock passes the time in steps, each one a round trip for the pass to run.
    for _ in 0..5 {
        app.clock.advance(Duration::from_secs(15));
        let ack = socket.request(json!({"op": "ping"})).await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }
    let told = socket.expect("notification").await;
    assert_eq!(told["data"]["notification"]["kind"], "scheduled_failed");
    assert_eq!(told["data"]["alert"], true);
    app.clock.advance(PAST_DELAY);

    let push = service.wait_for("sara-tablet", 1).await.remove(0);
    assert_well_formed(&app, &sara, &push).await;
    let payload = &push["payload"];
    assert_eq!(plain(&payload["title"]), "Scheduled message not sent");
    assert_eq!(
        plain(&payload["body"]),
        "Your scheduled message to #چای‌خانه was not sent: you are muted"
    );
    assert_eq!(payload["url"], format!("/#room={room}"));
    assert_eq!(payload["room_id"], room.as_str());
    assert!(payload.get("message_id").is_none(), "{payload}");
    assert_eq!(payload["count"], 1);
}

/// The room's timeline does not show a reply kept in its thread, so its push names the
/// thread, and a click opens it there; a reply also sent to the room opens in the room.
async fn a_reply_kept_in_its_thread_is_pushed_to_open_in_its_thread(backend: Backend) {
    let Some(service) = PushService::start().await else {
        return;
    };
    let app = spawn_app_with(backend, loopback).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let room = app.public_room(&ali, &[&sara]).await;
    subscribe(&app, &sara, &service.subscription("sara-phone", 201).await).await;
    let root = app.post_message(&ali, &room, "Lunch on Thursday?").await;
    let root = root["id"].as_str().expect("id").to_owned();
    let reply = app
        .api(&ali)
        .message_send(&room, json!({"body": "@sara noon?", "thread_id": root}))
        .await;
    assert_eq!(reply.status(), 201);
    let reply: Value = reply.json().await.unwrap();
    app.clock.advance(PAST_DELAY);
    let push = service.wait_for("sara-phone", 1).await.remove(0);
    let payload = &push["payload"];
    assert_eq!(payload["thread_id"], json!(root), "{payload}");
    assert_eq!(
        payload["url"],
        format!(
            "/#room={room}&message={}&seq={}&thread={root}",
            reply["id"].as_str().expect("id"),
            reply["seq"]
        )
    );

    let resp = app
        .api(&ali)
        .message_send(
            &room,
            json!({"body": "@sara noon it is", "thread_id": root, "also_to_room": true}),
        )
        .await;
    assert_eq!(resp.status(), 201);
    app.clock.advance(PAST_DELAY);
    let push = service.wait_for("sara-phone", 2).await.remove(1);
    let payload = &push["payload"];
    assert!(payload.get("thread_id").is_none(), "{payload}");
    assert!(
        !payload["url"]
            .as_str()
            .unwrap_or_default()
            .contains("thread="),
        "{payload}"
    );
}
