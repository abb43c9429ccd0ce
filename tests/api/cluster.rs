//! Several nodes of one installation: the same PostgreSQL database, events fanned out
//! through the machine's Redis (a fresh namespace per test, so parallel tests stay apart).

use figment::Figment;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{
    helpers::{Backend, redis_or_skip, spawn_app_with},
    ws_client::WsClient,
};

fn shared_broker(url: &str, namespace: &str) -> impl Fn(Figment) -> Figment {
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
    let Some(redis) = redis_or_skip().await else {
        return;
    };
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    let namespace = fresh_namespace();
    let a = spawn_app_with(backend, shared_broker(&redis, &namespace)).await;
    let b = a.another_node(shared_broker(&redis, &namespace)).await;
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
    let reacted = b
        .authed(
            Method::PUT,
            &format!("/api/v1/messages/{message_id}/reactions/%F0%9F%91%8D"),
            &alice,
        )
        .send()
        .await
        .unwrap();
    assert!(reacted.status().is_success(), "{}", reacted.status());
    let reaction = bob_on_a.expect("reaction.added").await;
    assert_eq!(reaction["data"]["emoji"], "👍");

    // A ban issued on node B closes Bob's socket on node A.
    let banned = b
        .authed(
            Method::POST,
            &format!("/api/v1/admin/users/{bob_id}/ban"),
            &admin,
        )
        .json(&json!({"reason": "cluster test"}))
        .send()
        .await
        .unwrap();
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
