//! Several nodes of one installation: the same PostgreSQL database, events fanned out
//! through the machine's Redis (a fresh namespace per test, so parallel tests stay apart).

mod processes;

use figment::Figment;
use serde_json::{Value, json};

use crate::{
    helpers::{Backend, problem_code, redis_or_skip, spawn_app_with},
    polls,
    ws_client::{WsClient, ws_url},
};

fn shared_broker(url: &str, namespace: &str) -> impl Fn(Figment) -> Figment + Clone {
    let (url, namespace) = (url.to_owned(), namespace.to_owned());
    move |figment: Figment| {
        figment
            .merge(("broker.url", url.clone()))
            .merge(("broker.namespace", namespace.clone()))
    }
}

/// A namespace no other test uses.
fn fresh_namespace() -> String {
    format!("anjoman-test-{}", uuid::Uuid::now_v7())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_cross_nodes_and_a_ban_on_one_closes_sockets_on_another() {
    let Some((a, b)) = two_nodes(|f| f).await else {
        return;
    };
    let (admin, _) = a.account("admin").await;
    let (alice, _) = a.account("alice").await;
    let (bob, bob_id) = a.account("bob").await;
    let room = a.public_room(&alice, &[&bob]).await;

    // Bob listens on node A; Alice talks to node B.
    let mut bob_on_a = WsClient::connect(&a, &bob).await;
    let ack = bob_on_a
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let sent = b.post_message(&alice, &room, "from node B").await;
    let created = bob_on_a.expect("message.created").await;
    assert_eq!(created["data"]["body"], "from node B");
    assert_eq!(
        created["seq"], sent["seq"],
        "the database's seq, whatever the node"
    );

    // Over a socket on node B too, and a reaction.
    let mut alice_on_b = WsClient::connect(&b, &alice).await;
    let ack = alice_on_b
        .request(json!({"op": "send", "room_id": room, "body": "also over B's socket"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let second = bob_on_a.expect("message.created").await;
    assert_eq!(second["data"]["body"], "also over B's socket");
    assert_eq!(
        second["seq"].as_i64(),
        created["seq"].as_i64().map(|s| s + 1)
    );
    let message_id = sent["id"].as_str().unwrap();
    let reacted = b.api(&alice).reaction_add(message_id, "%F0%9F%91%8D").await;
    assert!(reacted.status().is_success(), "{}", reacted.status());
    let reaction = bob_on_a.expect("reaction.added").await;
    assert_eq!(reaction["data"]["emoji"], "👍");

    // A ban issued on node B closes Bob's socket on node A.
    let banned = b
        .api(&admin)
        .admin_ban(&bob_id, json!({"reason": "cluster test"}))
        .await;
    assert!(banned.status().is_success(), "{}", banned.status());
    // The connection ends within the wait (`closed` panics otherwise). Under load the
    // close frame can be lost behind a write error on the client side, so its absence is
    // accepted; when it arrives it must say "revoked".
    let code = bob_on_a.closed().await;
    assert!(matches!(code, Some(4003) | None), "closed with {code:?}");
    assert_eq!(
        a.me_status(&bob).await,
        401,
        "Bob's session is gone on node A too"
    );
}

/// With Redis unreachable a node still commits, acknowledges and delivers locally; only
/// cross-node delivery waits (and clients resume once the subscription returns).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_a_node_still_commits_and_delivers_locally() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let app = spawn_app_with(Backend::Sqlite, move |figment| {
        figment.merge(("broker.url", format!("redis://127.0.0.1:{port}")))
    })
    .await;
    let (alice, _) = app.account("alice").await;
    let (bob, _) = app.account("bob").await;
    let room = app.public_room(&alice, &[&bob]).await;
    let mut bob_ws = WsClient::connect(&app, &bob).await;
    bob_ws
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    let mut alice_ws = WsClient::connect(&app, &alice).await;
    let ack = alice_ws
        .request(json!({"op": "send", "room_id": room, "body": "Redis is down"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let created = bob_ws.expect("message.created").await;
    assert_eq!(created["data"]["body"], "Redis is down");
    let history: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &bob)
        .await;
    assert!(history.iter().any(|m| m["body"] == "Redis is down"));
}

/// Two nodes of one installation on PostgreSQL and a fresh Redis namespace, each with
/// `extra` configuration; `None` when the suite is skipped.
pub(crate) async fn two_nodes(
    extra: impl Fn(Figment) -> Figment + Clone,
) -> Option<(crate::helpers::TestApp, crate::helpers::TestApp)> {
    let redis = redis_or_skip().await?;
    let backend = Backend::postgres().await?;
    let namespace = fresh_namespace();
    let shared = shared_broker(&redis, &namespace);
    let (shared_b, extra_b) = (shared.clone(), extra.clone());
    let a = spawn_app_with(backend, move |f| extra(shared(f))).await;
    let b = a.another_node(move |f| extra_b(shared_b(f))).await;
    Some((a, b))
}

/// The status a `presence` batch gives `username`, if it mentions them.
fn status_of(frame: &Value, username: &str) -> Option<String> {
    if frame["type"] != "presence" {
        return None;
    }
    let changes = frame["data"]["changes"].as_array()?;
    let change = changes.iter().find(|c| c["user"]["username"] == username)?;
    change["status"].as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_counts_a_user_once_over_nodes() {
    let Some((a, b)) = two_nodes(|f| f).await else {
        return;
    };
    let (admin, _) = a.account("admin").await;
    let (alice, _) = a.account("alice").await;
    let (bob, _) = a.account("bob").await;
    let room = a.public_room(&bob, &[&alice]).await;
    let mut bob_on_b = WsClient::connect(&b, &bob).await;
    bob_on_b
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    let about_alice = |f: &Value| status_of(f, "alice").is_some();

    // Alice comes online on node A; Bob, on node B, hears it.
    let alice_on_a = WsClient::connect(&a, &alice).await;
    let frame = bob_on_b.wait_for(about_alice).await;
    assert_eq!(status_of(&frame, "alice").as_deref(), Some("online"));

    // A second device on node B changes nothing: she is online once.
    let mut alice_on_b = WsClient::connect(&b, &alice).await;
    bob_on_b
        .assert_silent(about_alice, std::time::Duration::from_millis(1500))
        .await;
    for node in [&a, &b] {
        let stats: Value = node.get_json("/api/v1/admin/stats", &admin).await;
        assert_eq!(stats["users_online"], 2, "Alice and Bob, on any node");
        let members: Vec<Value> = node
            .get_json(&format!("/api/v1/rooms/{room}/members"), &bob)
            .await;
        let listed = members
            .iter()
            .find(|m| m["user"]["username"] == "alice")
            .unwrap();
        assert_eq!(listed["presence"], "online");
    }

    // Away on B while still online on A: still online.
    let ack = alice_on_b
        .request(json!({"op": "presence", "status": "away"}))
        .await;
    assert_eq!(ack["data"]["status"], "online", "her device on A is active");
    // Leaving node A leaves her away (her device on B), told once.
    drop(alice_on_a);
    let frame = bob_on_b.wait_for(about_alice).await;
    assert_eq!(status_of(&frame, "alice").as_deref(), Some("away"));
    drop(alice_on_b);
    let frame = bob_on_b.wait_for(about_alice).await;
    assert_eq!(status_of(&frame, "alice").as_deref(), Some("offline"));
    let stats: Value = a.get_json("/api/v1/admin/stats", &admin).await;
    assert_eq!(stats["users_online"], 1, "Bob alone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_and_poll_updates_cross_nodes() {
    const EXPIRY: std::time::Duration = std::time::Duration::from_secs(5);
    let Some((a, b)) =
        two_nodes(|f| f.merge(("ws.typing_expiry_ms", EXPIRY.as_millis() as u64))).await
    else {
        return;
    };
    let (alice, _) = a.account("alice").await;
    let (bob, _) = a.account("bob").await;
    let room = a.public_room(&alice, &[&bob]).await;
    let mut bob_on_b = WsClient::connect(&b, &bob).await;
    bob_on_b
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;

    let mut alice_on_a = WsClient::connect(&a, &alice).await;
    alice_on_a
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    alice_on_a
        .request(json!({"op": "typing", "room_id": room}))
        .await;
    let typing = |f: &Value| f["type"] == "typing" && f["data"]["user"]["username"] == "alice";
    let on = bob_on_b.wait_for(typing).await;
    assert_eq!(on["data"]["active"], true);
    // Alice types on node A, so A's clock is the one that lets it lapse.
    a.clock.advance(EXPIRY);
    let off = bob_on_b.wait_for(typing).await;
    assert_eq!(off["data"]["active"], false, "lapsed on node A, told on B");

    let poll: Value = polls::create(
        &a,
        &alice,
        &room,
        json!({"question": "چای یا قهوه؟", "options": ["چای", "قهوه"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let poll_id = poll["id"].as_str().unwrap();
    let voted = polls::vote(&b, &bob, poll_id, &[&poll["options"][0]["id"]]).await;
    assert!(voted.status().is_success(), "{}", voted.status());
    let updated = alice_on_a.expect("poll.updated").await;
    assert_eq!(updated["data"]["id"], poll_id);
    assert_eq!(updated["data"]["options"][0]["votes"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_ip_bans_hold_over_every_node() {
    let Some((a, b)) = two_nodes(|f| {
        f.merge(("limits.messages_per_minute", 4))
            .merge(("ws.connect_per_ip", 3))
            .merge(("auth.login_max_failures", 3))
    })
    .await
    else {
        return;
    };
    let (alice, _) = a.account("alice").await;
    let room = a.public_room(&alice, &[]).await;

    // Four messages a minute, however they are spread over the nodes.
    for (i, node) in [&a, &b, &a, &b].into_iter().enumerate() {
        node.post_message(&alice, &room, &format!("message {i}"))
            .await;
    }
    for node in [&a, &b] {
        let refused = node
            .api(&alice)
            .message_send(&room, json!({"body": "one too many"}))
            .await;
        assert_eq!(problem_code(refused, 429).await, "rate_limited");
    }

    // Three connections per IP over both nodes; the fourth starts a ban that both keep.
    let _kept = [
        WsClient::connect(&a, &alice).await,
        WsClient::connect(&b, &alice).await,
        WsClient::connect(&a, &alice).await,
    ];
    for node in [&b, &a] {
        let refused = tokio_tungstenite::connect_async(ws_url(node, "")).await;
        match refused {
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                assert_eq!(resp.status(), 429);
            }
            other => panic!("expected 429, got {other:?}"),
        }
    }

    // Three wrong passwords, spread over the nodes, lock the account on both.
    a.register("target", "correct horse battery").await;
    for node in [&a, &b, &a] {
        let failed = node.login("target", "wrong password", "t").await;
        assert_eq!(failed.status(), 401);
    }
    for node in [&b, &a] {
        let refused = node.login("target", "correct horse battery", "t").await;
        assert_eq!(problem_code(refused, 429).await, "rate_limited");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registration_limit_holds_over_every_node() {
    let Some((a, b)) = two_nodes(|f| f.merge(("limits.registrations_per_window", 2))).await else {
        return;
    };
    // Two accounts from 127.0.0.1, one on each node: the budget is spent on both.
    a.register("first", "correct horse battery").await;
    b.register("second", "correct horse battery").await;
    for (node, name) in [(&a, "third"), (&b, "fourth")] {
        let refused = node
            .anon()
            .auth_register(json!({"username": name, "password": "correct horse battery"}))
            .await;
        assert!(refused.headers().contains_key("retry-after"));
        assert_eq!(problem_code(refused, 429).await, "rate_limited");
    }
}

/// Whether `ws` receives `body` in `room` before the `sentinel` message in another room,
/// sent after it from the same node (so it arrives after it, if at all).
async fn heard_before_sentinel(ws: &mut WsClient, room: &str, body: &str, sentinel: &str) -> bool {
    let mut heard = false;
    loop {
        let frame = ws.expect("message.created").await;
        if frame["data"]["body"] == sentinel {
            return heard;
        }
        heard |= frame["room_id"] == room && frame["data"]["body"] == body;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kick_or_leave_on_one_node_ends_the_room_for_sockets_on_another() {
    let Some((a, b)) = two_nodes(|f| f).await else {
        return;
    };
    let (_admin, _) = a.account("admin").await;
    let (alice, _) = a.account("alice").await;
    let (bob, bob_id) = a.account("bob").await;
    let (carol, _) = a.account("carol").await;
    let room = a.public_room(&alice, &[&bob, &carol]).await;
    let other = a.public_room(&alice, &[&bob, &carol]).await;

    // Bob and Carol listen to both rooms on node B; everything else happens on node A.
    let mut listeners = Vec::new();
    for token in [&bob, &carol] {
        let mut ws = WsClient::connect(&b, token).await;
        for id in [&room, &other] {
            let ack = ws.request(json!({"op": "subscribe", "room_id": id})).await;
            assert_eq!(ack["type"], "ack", "{ack}");
        }
        listeners.push(ws);
    }
    let (mut bob_ws, mut carol_ws) = (listeners.remove(0), listeners.remove(0));

    let kicked = a
        .api(&alice)
        .room_kick(&room, &bob_id, json!({"reason": "spam"}))
        .await;
    assert!(kicked.status().is_success(), "{}", kicked.status());
    let left = a.api(&carol).room_leave(&room).await;
    assert!(left.status().is_success(), "{}", left.status());

    a.post_message(&alice, &room, "after they left").await;
    a.post_message(&alice, &other, "sentinel").await;
    assert!(
        !heard_before_sentinel(&mut bob_ws, &room, "after they left", "sentinel").await,
        "the kicked member's socket on node B still receives the room"
    );
    assert!(
        !heard_before_sentinel(&mut carol_ws, &room, "after they left", "sentinel").await,
        "the socket on node B of a member who left still receives the room"
    );
}
