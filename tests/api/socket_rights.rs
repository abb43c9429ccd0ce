//! Rights that change while a socket is open apply to its very next op: a socket opened
//! before a demotion, a mute, a lock or a ban acts with the rights of now, not of then.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::on_both_backends;
use crate::ws_client::WsClient;

on_both_backends!(
    a_demoted_moderator_loses_moderator_powers_on_a_socket_opened_before,
    a_mute_and_a_lock_apply_to_a_socket_opened_before,
    a_ban_refuses_the_next_op_of_a_socket_opened_before,
);

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> u16 {
    app.authed(Method::POST, path, token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn set_role(app: &TestApp, admin: &str, user_id: &str, role: &str) {
    let status = post(
        app,
        admin,
        &format!("/api/v1/admin/users/{user_id}/role"),
        json!({ "role": role }),
    )
    .await;
    assert_eq!(status, 200, "role {role}");
}

/// The error code of an op's reply, or `None` for an ack.
fn refused(reply: &Value) -> Option<&str> {
    (reply["type"] == "error").then(|| reply["data"]["code"].as_str().unwrap_or("?"))
}

async fn message_deleted(app: &TestApp, token: &str, room: &str, id: &str) -> bool {
    let history: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), token)
        .await;
    let message = history
        .iter()
        .find(|m| m["id"] == id)
        .expect("message in history");
    message["deleted"] == true
}

async fn a_demoted_moderator_loses_moderator_powers_on_a_socket_opened_before(backend: Backend) {
    let app = spawn_app(backend).await;
    let (root, _) = app.account("root").await;
    let (owner, _) = app.account("owner").await;
    let (member, _) = app.account("member").await;
    let (moderator, moderator_id) = app.account("moderator").await;
    set_role(&app, &root, &moderator_id, "moderator").await;
    let room = app.public_room(&owner, &[&member, &moderator]).await;
    let first = app.post_message(&member, &room, "first").await;
    let second = app.post_message(&member, &room, "second").await;

    // While a moderator, the socket may delete others' messages.
    let mut ws = WsClient::connect(&app, &moderator).await;
    let reply = ws
        .request(json!({"op": "delete", "message_id": first["id"]}))
        .await;
    assert_eq!(refused(&reply), None, "{reply}");
    // Audited like a deletion over REST, with the socket's address.
    let audit: Vec<Value> = app
        .get_json("/api/v1/admin/audit?action=message.delete", &root)
        .await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["target_id"], first["id"]);
    assert_eq!(audit[0]["ip"], "127.0.0.1");

    // Demoted to member by an admin: the same socket can no longer delete others' messages.
    set_role(&app, &root, &moderator_id, "member").await;
    let reply = ws
        .request(json!({"op": "delete", "message_id": second["id"]}))
        .await;
    assert_eq!(refused(&reply), Some("forbidden"), "{reply}");
    assert!(
        !message_deleted(&app, &owner, &room, second["id"].as_str().unwrap()).await,
        "the message is still there"
    );

    // Nor write into a locked room, which only moderators may.
    let status = post(
        &app,
        &owner,
        &format!("/api/v1/rooms/{room}/lock"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let reply = ws
        .request(json!({"op": "send", "room_id": room, "body": "still a moderator?"}))
        .await;
    assert_eq!(refused(&reply), Some("room.locked"), "{reply}");

    // A socket opened as a member and promoted since gets the powers at once as well.
    set_role(&app, &root, &moderator_id, "moderator").await;
    let reply = ws
        .request(json!({"op": "send", "room_id": room, "body": "moderating"}))
        .await;
    assert_eq!(refused(&reply), None, "{reply}");
}

async fn a_mute_and_a_lock_apply_to_a_socket_opened_before(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_root, _) = app.account("root").await;
    let (owner, _) = app.account("owner").await;
    let (member, member_id) = app.account("member").await;
    let room = app.public_room(&owner, &[&member]).await;
    let mut ws = WsClient::connect(&app, &member).await;
    let reply = ws
        .request(json!({"op": "send", "room_id": room, "body": "before"}))
        .await;
    assert_eq!(refused(&reply), None, "{reply}");

    let muted = post(
        &app,
        &owner,
        &format!("/api/v1/rooms/{room}/members/{member_id}/mute"),
        json!({"minutes": 10}),
    )
    .await;
    assert_eq!(muted, 200);
    for op in [
        json!({"op": "send", "room_id": room, "body": "muted"}),
        json!({"op": "typing", "room_id": room}),
    ] {
        let reply = ws.request(op).await;
        assert_eq!(refused(&reply), Some("room.muted"), "{reply}");
    }
    let unmuted = app.api(&owner).room_unmute(&room, &member_id).await;
    assert!(unmuted.status().is_success());

    let status = post(
        &app,
        &owner,
        &format!("/api/v1/rooms/{room}/lock"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let reply = ws
        .request(json!({"op": "send", "room_id": room, "body": "locked"}))
        .await;
    assert_eq!(refused(&reply), Some("room.locked"), "{reply}");
}

async fn a_ban_refuses_the_next_op_of_a_socket_opened_before(backend: Backend) {
    let app = spawn_app(backend).await;
    let (root, _) = app.account("root").await;
    let (member, member_id) = app.account("member").await;
    let room = app.public_room(&root, &[&member]).await;
    let mut ws = WsClient::connect(&app, &member).await;
    let reply = ws
        .request(json!({"op": "send", "room_id": room, "body": "before"}))
        .await;
    assert_eq!(refused(&reply), None, "{reply}");

    let status = post(
        &app,
        &root,
        &format!("/api/v1/admin/users/{member_id}/ban"),
        json!({"reason": "spam"}),
    )
    .await;
    assert_eq!(status, 200);
    // Whatever reaches the server first, the ban's close or this op, nothing is acked.
    if let Ok(reference) = ws
        .try_op(json!({"op": "send", "room_id": room, "body": "after the ban"}))
        .await
    {
        while let Some(frame) = ws.next_or_end().await {
            assert!(
                !(frame["ref"] == reference.as_str() && frame["type"] == "ack"),
                "acked after the ban: {frame}"
            );
        }
    }
    let history: Value = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &root)
        .await;
    assert!(
        !history.to_string().contains("after the ban"),
        "nothing sent after the ban is stored"
    );
}
