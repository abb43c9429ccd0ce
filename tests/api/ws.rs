use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue};

use crate::helpers::{Backend, TestApp, problem_code, spawn_app, spawn_app_with, token_of};
use crate::on_both_backends;
use crate::ws_client::{WsClient, ws_url};

on_both_backends!(
    two_users_chat_in_a_room_and_a_dm,
    edits_deletes_and_reactions_reach_others,
    typing_lapses_without_a_refresh,
    presence_counts_every_device,
    resume_replays_exactly_what_was_missed_while_others_send,
    a_slow_consumer_is_closed_while_others_keep_receiving,
    sending_too_fast_is_rate_limited,
    a_foreign_origin_cannot_open_a_socket,
    unauthenticated_sockets_time_out_or_authenticate_in_band,
    malformed_frames_get_localized_errors_and_the_socket_stays_up,
    revoking_a_session_or_banning_closes_live_sockets,
    a_message_sent_over_rest_reaches_sockets,
    an_oversized_frame_is_closed_with_1009,
    connection_attempts_per_ip_are_limited,
);

const PASSWORD: &str = "correct horse battery";

/// Registers `names`, returning their tokens and ids.
async fn people(app: &TestApp, names: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in names {
        let body = app.register(name, PASSWORD).await;
        out.push((
            token_of(&body),
            body["user"]["id"].as_str().unwrap().to_owned(),
        ));
    }
    out
}

async fn subscribed(app: &TestApp, token: &str, room: &str) -> WsClient {
    let mut ws = WsClient::connect(app, token).await;
    let ack = ws
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    ws
}

async fn two_users_chat_in_a_room_and_a_dm(backend: Backend) {
    let app = spawn_app(backend).await;
    let ids = people(&app, &["alice", "bob"]).await;
    let (alice, bob) = (&ids[0].0, &ids[1].0);
    let room = app.public_room(alice, &[bob]).await;
    let mut a = subscribed(&app, alice, &room).await;
    let mut b = subscribed(&app, bob, &room).await;

    let ack = a
        .request(json!({"op": "send", "room_id": room, "body": "سلام Bob <b>hi</b>"}))
        .await;
    assert_eq!(ack["type"], "ack");
    let sent = &ack["data"];
    let got = b.expect("message.created").await;
    assert_eq!(got["room_id"], room.as_str());
    assert_eq!(got["seq"], sent["seq"]);
    assert_eq!(got["data"]["body"], "سلام Bob <b>hi</b>", "stored as typed");
    assert_eq!(got["data"]["author"]["username"], "alice");

    let reply = b
        .request(
            json!({"op": "send", "room_id": room, "body": "hi @alice", "reply_to": sent["id"]}),
        )
        .await;
    assert_eq!(reply["data"]["reply_to"], sent["id"]);
    let mention = a.expect("mention").await;
    assert_eq!(mention["data"]["message"]["body"], "hi @alice");
    let rooms: Vec<Value> = app.get_json("/api/v1/rooms", alice).await;
    let listed = rooms.iter().find(|r| r["id"] == room.as_str()).unwrap();
    assert_eq!(listed["unread_mentions"], 1);
    assert_eq!(listed["unread"], 1);
    assert_eq!(listed["last_message"]["body"], "hi @alice");
    let seq = reply["data"]["seq"].as_i64().unwrap();
    let read = a
        .request(json!({"op": "read", "room_id": room, "seq": seq}))
        .await;
    assert_eq!(read["data"]["seq"], seq);
    let receipt = b.expect("read").await;
    assert_eq!(receipt["data"]["user"]["username"], "alice");
    let rooms: Vec<Value> = app.get_json("/api/v1/rooms", alice).await;
    let listed = rooms.iter().find(|r| r["id"] == room.as_str()).unwrap();
    assert_eq!(
        (
            listed["unread"].as_i64(),
            listed["unread_mentions"].as_i64()
        ),
        (Some(0), Some(0))
    );

    // A direct conversation: the peer is told about it and can talk back.
    let dm: Value = app.api(alice).dm("BOB").await.json().await.unwrap();
    assert_eq!(dm["kind"], "direct");
    assert_eq!(dm["peer"]["username"], "bob");
    let dm_id = dm["id"].as_str().unwrap().to_owned();
    let added = b.expect("room.added").await;
    assert_eq!(added["room_id"], dm_id.as_str());
    let again: Value = app.api(bob).dm("alice").await.json().await.unwrap();
    assert_eq!(again["id"], dm_id.as_str(), "one room per pair");
    b.request(json!({"op": "subscribe", "room_id": dm_id}))
        .await;
    a.request(json!({"op": "subscribe", "room_id": dm_id}))
        .await;
    b.request(json!({"op": "send", "room_id": dm_id, "body": "private hello"}))
        .await;
    let private = a
        .wait_for(|f| f["type"] == "message.created" && f["room_id"] == dm_id.as_str())
        .await;
    assert_eq!(private["data"]["body"], "private hello");

    // A block stops the DM both ways.
    app.api(bob).block("alice").await;
    let refused = a
        .request(json!({"op": "send", "room_id": dm_id, "body": "still there?"}))
        .await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["data"]["code"], "dm.blocked");
    let carol = app.register_token("carol", PASSWORD).await;
    app.api(bob).block("carol").await;
    let blocked = app.api(&carol).dm("bob").await;
    assert_eq!(problem_code(blocked, 403).await, "dm.blocked");
}

async fn edits_deletes_and_reactions_reach_others(backend: Backend) {
    let app = spawn_app(backend).await;
    let ids = people(&app, &["writer", "reader"]).await;
    let (writer, reader) = (&ids[0].0, &ids[1].0);
    let room = app.public_room(writer, &[reader]).await;
    let mut w = subscribed(&app, writer, &room).await;
    let mut r = subscribed(&app, reader, &room).await;
    let sent = w
        .request(json!({"op": "send", "room_id": room, "body": "first draft"}))
        .await;
    let id = sent["data"]["id"].as_str().unwrap().to_owned();
    r.expect("message.created").await;

    w.request(json!({"op": "edit", "message_id": id, "body": "final text"}))
        .await;
    let edited = r.expect("message.edited").await;
    assert_eq!(edited["data"]["body"], "final text");
    assert!(edited["data"]["edited_at"].is_string());
    let not_yours = r
        .request(json!({"op": "edit", "message_id": id, "body": "hijack"}))
        .await;
    assert_eq!(not_yours["data"]["code"], "message.not_author");

    r.request(json!({"op": "react", "message_id": id, "emoji": "👍"}))
        .await;
    let added = w.expect("reaction.added").await;
    assert_eq!(
        added["data"]["reactions"],
        json!([{"emoji": "👍", "count": 1, "users": ["reader"]}])
    );
    let bad = r
        .request(json!({"op": "react", "message_id": id, "emoji": "lol"}))
        .await;
    assert_eq!(bad["data"]["code"], "reaction.invalid");
    r.request(json!({"op": "unreact", "message_id": id, "emoji": "👍"}))
        .await;
    let removed = w.expect("reaction.removed").await;
    assert_eq!(removed["data"]["reactions"], json!([]));

    let refused = r.request(json!({"op": "delete", "message_id": id})).await;
    assert_eq!(refused["data"]["code"], "forbidden");
    w.request(json!({"op": "delete", "message_id": id})).await;
    let deleted = r.expect("message.deleted").await;
    assert_eq!(deleted["data"]["id"], id.as_str());
    assert_eq!(deleted["data"]["by_moderator"], false);
    let history: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), reader)
        .await;
    let gone = history.iter().find(|m| m["id"] == id.as_str()).unwrap();
    assert_eq!(gone["deleted"], true);
    assert_eq!(gone["body"], "");
}

async fn typing_lapses_without_a_refresh(backend: Backend) {
    const EXPIRY: Duration = Duration::from_secs(5);
    let app = spawn_app_with(backend, |f| {
        f.merge(("ws.typing_expiry_ms", EXPIRY.as_millis() as u64))
    })
    .await;
    let ids = people(&app, &["typist", "watcher"]).await;
    let room = app.public_room(&ids[0].0, &[&ids[1].0]).await;
    let mut t = subscribed(&app, &ids[0].0, &room).await;
    let mut w = subscribed(&app, &ids[1].0, &room).await;
    t.request(json!({"op": "typing", "room_id": room})).await;
    // A repeat right away is absorbed by the throttle.
    t.request(json!({"op": "typing", "room_id": room})).await;
    let on = w.expect("typing").await;
    assert_eq!(on["data"]["active"], true);
    assert_eq!(on["data"]["user"]["username"], "typist");
    app.clock.advance(EXPIRY);
    let off = w.expect("typing").await;
    assert_eq!(off["data"]["active"], false, "lapsed without a refresh");
    // Typing is never stored: nothing in the history.
    let history: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &ids[1].0)
        .await;
    assert!(history.is_empty());
}

async fn presence_counts_every_device(backend: Backend) {
    let app = spawn_app(backend).await;
    let ids = people(&app, &["roamer", "observer"]).await;
    let roamer_second = app.login_token("roamer", PASSWORD).await;
    // Presence is told to the rooms the user is in: watch one they share.
    let room = app.public_room(&ids[1].0, &[&ids[0].0]).await;
    let mut observer = subscribed(&app, &ids[1].0, &room).await;
    // Presence arrives in batches: `{"changes": [{user, status}, …]}`.
    fn roamer_status(frame: &Value) -> Option<String> {
        let changes = frame["data"]["changes"].as_array()?;
        let change = changes.iter().find(|c| c["user"]["username"] == "roamer")?;
        change["status"].as_str().map(str::to_owned)
    }
    let is_roamer = |f: &Value| f["type"] == "presence" && roamer_status(f).is_some();

    let mut phone = WsClient::connect(&app, &ids[0].0).await;
    assert_eq!(
        roamer_status(&observer.wait_for(is_roamer).await).unwrap(),
        "online"
    );
    let mut laptop = WsClient::connect(&app, &roamer_second).await;

    phone
        .request(json!({"op": "presence", "status": "away"}))
        .await;
    observer
        .assert_silent(is_roamer, Duration::from_millis(300))
        .await;
    let ack = laptop
        .request(json!({"op": "presence", "status": "away"}))
        .await;
    assert_eq!(ack["data"]["status"], "away");
    assert_eq!(
        roamer_status(&observer.wait_for(is_roamer).await).unwrap(),
        "away"
    );
    laptop
        .request(json!({"op": "presence", "status": "online"}))
        .await;
    assert_eq!(
        roamer_status(&observer.wait_for(is_roamer).await).unwrap(),
        "online"
    );

    let members: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/members"), &ids[1].0)
        .await;
    let roamer = members
        .iter()
        .find(|m| m["user"]["username"] == "roamer")
        .unwrap();
    assert_eq!(roamer["presence"], "online");

    drop(laptop);
    assert_eq!(
        roamer_status(&observer.wait_for(is_roamer).await).unwrap(),
        "away",
        "phone is still there, away"
    );
    drop(phone);
    assert_eq!(
        roamer_status(&observer.wait_for(is_roamer).await).unwrap(),
        "offline"
    );
}

async fn resume_replays_exactly_what_was_missed_while_others_send(backend: Backend) {
    let app = spawn_app_with(backend, |f| f.merge(("limits.messages_per_minute", 10_000))).await;
    let ids = people(&app, &["leaver", "talker"]).await;
    let (leaver, talker) = (ids[0].0.clone(), ids[1].0.clone());
    let room = app.public_room(&leaver, &[&talker]).await;
    let mut ws = subscribed(&app, &leaver, &room).await;
    let ack = ws
        .request(json!({"op": "send", "room_id": room, "body": "before the tunnel"}))
        .await;
    let last_seen = ack["data"]["seq"].as_i64().unwrap();
    drop(ws);

    let send = |body: String| app.api(&talker).message_send(&room, json!({"body": body}));
    for i in 0..10 {
        assert_eq!(send(format!("missed {i}")).await.status(), 201);
    }
    // Resubscribe while more messages keep arriving.
    let mut ws = WsClient::connect(&app, &leaver).await;
    let reference = ws
        .op(json!({"op": "subscribe", "room_id": room, "after_seq": last_seen}))
        .await;
    let during = join_all((0..20).map(|i| send(format!("during {i}")))).await;
    assert!(during.iter().all(|r| r.status() == 201));
    let ack = ws.wait_for(|f| f["ref"] == reference.as_str()).await;
    assert_eq!(ack["type"], "ack");

    let mut seqs = Vec::new();
    while seqs.len() < 30 {
        let frame = ws.expect("message.created").await;
        seqs.push(frame["seq"].as_i64().unwrap());
    }
    let expected: Vec<i64> = (last_seen + 1..=last_seen + 30).collect();
    assert_eq!(
        seqs, expected,
        "every missed and concurrent message once, in order"
    );
    ws.assert_silent(
        |f| f["type"] == "message.created",
        Duration::from_millis(300),
    )
    .await;
}

async fn a_slow_consumer_is_closed_while_others_keep_receiving(backend: Backend) {
    let app = spawn_app_with(backend, |f| {
        f.merge(("ws.queue_capacity", 64))
            .merge(("limits.messages_per_minute", 100_000))
    })
    .await;
    let ids = people(&app, &["sender", "fast", "stalled"]).await;
    let room = app.public_room(&ids[0].0, &[&ids[1].0, &ids[2].0]).await;
    let mut fast = subscribed(&app, &ids[1].0, &room).await;
    let mut stalled = WsClient::connect_small_buffer(&app, &ids[2].0).await;
    let ack = stalled
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    assert_eq!(ack["type"], "ack");

    // The stalled client stops reading while the room gets busy: ~6 MiB of large Persian
    // messages, more than the server's socket buffer can hold for it.
    let body = "س".repeat(4_000);
    let (senders, per_sender) = (4, 200);
    let total = senders * per_sender;
    let url = app.url(&format!("/api/v1/rooms/{room}/messages"));
    let tasks: Vec<_> = (0..senders)
        .map(|_| {
            let (client, url, token, body) = (
                app.client.clone(),
                url.clone(),
                ids[0].0.clone(),
                body.clone(),
            );
            tokio::spawn(async move {
                for _ in 0..per_sender {
                    let resp = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&json!({"body": body}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(resp.status(), 201);
                }
            })
        })
        .collect();
    let mut seqs = Vec::with_capacity(total);
    while seqs.len() < total {
        seqs.push(
            fast.expect("message.created").await["seq"]
                .as_i64()
                .unwrap(),
        );
    }
    for task in tasks {
        task.await.unwrap();
    }
    let mut sorted = seqs.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        total,
        "the fast reader got every message exactly once"
    );
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "and in seq order");

    // The stalled one was cut off: reading now, its stream ends before all messages.
    let mut seen = 0;
    while let Some(frame) = stalled.next_or_end().await {
        if frame["type"] == "message.created" {
            seen += 1;
        }
    }
    assert!(
        seen < total,
        "stalled client received {seen} of {total} before being closed"
    );
}

async fn sending_too_fast_is_rate_limited(backend: Backend) {
    let app = spawn_app_with(backend, |f| f.merge(("limits.messages_per_minute", 3))).await;
    let ids = people(&app, &["chatty"]).await;
    let room = app.public_room(&ids[0].0, &[]).await;
    let mut ws = subscribed(&app, &ids[0].0, &room).await;
    for i in 0..3 {
        let ack = ws
            .request(json!({"op": "send", "room_id": room, "body": format!("m{i}")}))
            .await;
        assert_eq!(ack["type"], "ack");
    }
    let limited = ws
        .request(json!({"op": "send", "room_id": room, "body": "one too many"}))
        .await;
    assert_eq!(limited["type"], "error");
    assert_eq!(limited["data"]["code"], "rate_limited");
    assert!(limited["data"]["retry_after"].as_u64().unwrap() >= 1);
    let rest = app
        .api(&ids[0].0)
        .message_send(&room, json!({"body": "over REST"}))
        .await;
    assert!(rest.headers().contains_key("retry-after"));
    assert_eq!(problem_code(rest, 429).await, "rate_limited");
}

async fn a_foreign_origin_cannot_open_a_socket(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.register_token("victim", PASSWORD).await;
    let mut request = ws_url(&app, "").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("origin", HeaderValue::from_static("https://evil.example"));
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    let refused = tokio_tungstenite::connect_async(request).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 403),
        other => panic!("expected a 403 handshake, got {other:?}"),
    }
    // Same origin is fine.
    let mut request = ws_url(&app, "").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("origin", HeaderValue::from_str(&app.address).unwrap());
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    assert!(tokio_tungstenite::connect_async(request).await.is_ok());
}

async fn unauthenticated_sockets_time_out_or_authenticate_in_band(backend: Backend) {
    const AUTH_TIMEOUT: Duration = Duration::from_secs(15);
    let app = spawn_app_with(backend, |f| {
        f.merge(("ws.auth_timeout_secs", AUTH_TIMEOUT.as_secs()))
    })
    .await;
    let token = app.register_token("late", PASSWORD).await;
    let mut idle = WsClient::connect_raw(ws_url(&app, "")).await;
    let refused = idle.request(json!({"op": "ping"})).await;
    assert_eq!(refused["data"]["code"], "unauthorized");
    // The socket is waiting for its `auth` now: past its time, it is closed.
    app.clock.advance(AUTH_TIMEOUT);
    assert_eq!(idle.closed().await, Some(4001));

    let mut in_band = WsClient::connect_raw(ws_url(&app, "")).await;
    in_band.op(json!({"op": "auth", "token": token})).await;
    let ready = in_band.expect("ready").await;
    assert_eq!(ready["data"]["user"]["username"], "late");

    let mut by_query = WsClient::connect_raw(ws_url(&app, &format!("?access_token={token}"))).await;
    by_query.expect("ready").await;

    let bad = tokio_tungstenite::connect_async(ws_url(&app, "?access_token=forged")).await;
    assert!(
        matches!(bad, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 401)
    );
}

async fn malformed_frames_get_localized_errors_and_the_socket_stays_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.register_token("fumbler", PASSWORD).await;
    let mut request = ws_url(&app, "").into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    request
        .headers_mut()
        .insert("accept-language", HeaderValue::from_static("fa"));
    let (socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    drop(socket);
    let mut ws = WsClient::connect(&app, &token).await;
    ws.send_text("this is not json").await;
    assert_eq!(ws.expect("error").await["data"]["code"], "ws.malformed");
    let unknown = ws.request(json!({"op": "dance"})).await;
    assert_eq!(unknown["data"]["code"], "ws.unknown_op");
    let invalid = ws
        .request(json!({"op": "send", "room_id": "not-a-uuid", "body": "x"}))
        .await;
    assert_eq!(invalid["data"]["code"], "ws.invalid_op");
    let missing = ws
        .request(json!({"op": "subscribe", "room_id": uuid::Uuid::now_v7()}))
        .await;
    assert_eq!(missing["data"]["code"], "room.not_found");
    assert_eq!(
        ws.request(json!({"op": "ping"})).await["type"],
        "ack",
        "still up"
    );

    // The user's language: Persian messages.
    app.api(&token).me_update(json!({"locale": "fa-IR"})).await;
    let mut fa = WsClient::connect(&app, &token).await;
    let unknown = fa.request(json!({"op": "dance"})).await;
    assert_eq!(unknown["data"]["message"], "عملیات ناشناخته.");
}

async fn revoking_a_session_or_banning_closes_live_sockets(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.register_token("warden", PASSWORD).await;
    let first = app.register("inmate", PASSWORD).await;
    let (token_a, inmate_id) = (
        token_of(&first),
        first["user"]["id"].as_str().unwrap().to_owned(),
    );
    let token_b = app.login_token("inmate", PASSWORD).await;
    let mut a = WsClient::connect(&app, &token_a).await;
    let mut b = WsClient::connect(&app, &token_b).await;

    let sessions: Vec<Value> = app.get_json("/api/v1/auth/sessions", &token_a).await;
    let b_session = sessions.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.api(&token_a).session_revoke(&b_session).await;
    // 4003 (revoked): closed because of the revocation, not by a timer.
    assert_eq!(b.closed().await, Some(4003));
    assert_eq!(
        a.request(json!({"op": "ping"})).await["type"],
        "ack",
        "the other device stays"
    );

    app.api(&admin)
        .admin_ban(&inmate_id, json!({"reason": "flooding"}))
        .await;
    assert_eq!(a.closed().await, Some(4003));
}

async fn a_message_sent_over_rest_reaches_sockets(backend: Backend) {
    let app = spawn_app(backend).await;
    let ids = people(&app, &["api_client", "browser"]).await;
    let room = app.public_room(&ids[0].0, &[&ids[1].0]).await;
    let mut ws = subscribed(&app, &ids[1].0, &room).await;
    let sent: Value = app
        .api(&ids[0].0)
        .message_send(&room, json!({"body": "from an OpenAPI client"}))
        .await
        .json()
        .await
        .unwrap();
    let mut got = ws.expect("message.created").await["data"].clone();
    let mut sent = sent;
    // Same instant; the two serializers spell UTC differently (`Z` / `+00:00`).
    let time = |v: &mut Value| {
        v["created_at"]
            .take()
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    };
    assert_eq!(time(&mut got), time(&mut sent));
    assert_eq!(got, sent, "the event carries exactly what REST returned");

    // History pages over REST, oldest first.
    for i in 0..4 {
        app.api(&ids[0].0)
            .message_send(&room, json!({"body": format!("n{i}")}))
            .await;
    }
    let bodies = |page: Vec<Value>| -> Vec<String> {
        page.iter()
            .map(|m| m["body"].as_str().unwrap().to_owned())
            .collect()
    };
    let latest: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/messages?limit=2"), &ids[1].0)
        .await;
    let before = latest[0]["seq"].as_i64().unwrap();
    assert_eq!(bodies(latest), ["n2", "n3"]);
    let older: Vec<Value> = app
        .get_json(
            &format!("/api/v1/rooms/{room}/messages?limit=2&before_seq={before}"),
            &ids[1].0,
        )
        .await;
    assert_eq!(bodies(older), ["n0", "n1"]);
    let newer: Vec<Value> = app
        .get_json(
            &format!("/api/v1/rooms/{room}/messages?after_seq={before}"),
            &ids[1].0,
        )
        .await;
    assert_eq!(bodies(newer), ["n3"]);
}

async fn an_oversized_frame_is_closed_with_1009(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.register_token("big", PASSWORD).await;
    let mut ws = WsClient::connect(&app, &token).await;
    let huge = format!(r#"{{"op":"ping","pad":"{}"}}"#, "x".repeat(1_100_000));
    // The server may stop reading before the whole frame is even written; its close frame
    // is still there to read.
    let _ = ws.try_send_text(&huge).await;
    assert_eq!(
        ws.closed().await,
        Some(1009),
        "closed with 1009 (message too big)"
    );
}

async fn connection_attempts_per_ip_are_limited(backend: Backend) {
    let app = spawn_app_with(backend, |f| f.merge(("ws.connect_per_ip", 3))).await;
    let token = app.register_token("eager", PASSWORD).await;
    for _ in 0..3 {
        WsClient::connect(&app, &token).await;
    }
    let refused =
        tokio_tungstenite::connect_async(ws_url(&app, &format!("?access_token={token}"))).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), 429);
            assert!(resp.headers().contains_key("retry-after"));
        }
        other => panic!("expected 429, got {other:?}"),
    }
}
