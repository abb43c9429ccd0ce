use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, problem_code, spawn_app};
use crate::on_both_backends;
use crate::ws_client::WsClient;

on_both_backends!(
    mute_and_lock_are_enforced_on_rest_and_websocket,
    kicks_and_ranks_decide_who_may_act_on_whom,
    room_moderation_is_in_the_audit_log,
    reports_form_a_queue_that_moderators_resolve,
    retention_removes_old_messages_by_itself,
);

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.authed(Method::POST, path, token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn send(app: &TestApp, token: &str, room: &str, body: &str) -> reqwest::Response {
    app.api(token)
        .message_send(room, json!({ "body": body }))
        .await
}

async fn subscribed(app: &TestApp, token: &str, room: &str) -> WsClient {
    let mut ws = WsClient::connect(app, token).await;
    let ack = ws
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    ws
}

async fn mute_and_lock_are_enforced_on_rest_and_websocket(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_root, _) = app.account("root").await;
    let (alice, _) = app.account("alice").await;
    let (bob, bob_id) = app.account("bob").await;
    let room = app.public_room(&alice, &[&bob]).await;
    let first: Value = send(&app, &alice, &room, "hello")
        .await
        .json()
        .await
        .unwrap();
    let mut bob_ws = subscribed(&app, &bob, &room).await;

    let muted = post(
        &app,
        &alice,
        &format!("/api/v1/rooms/{room}/members/{bob_id}/mute"),
        json!({"minutes": 10, "reason": "cool down"}),
    )
    .await;
    assert_eq!(muted.status(), 200);
    let muted: Value = muted.json().await.unwrap();
    assert!(muted["muted_until"].is_string());

    // Muted: no writing over REST or the socket, but reading goes on.
    let resp = send(&app, &bob, &room, "but why").await;
    assert_eq!(resp.status(), 403);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "room.muted");
    assert!(
        problem["detail"].as_str().unwrap().contains("UTC"),
        "{problem}"
    );
    let refused = bob_ws
        .request(json!({"op": "send", "room_id": room, "body": "over the socket"}))
        .await;
    assert_eq!(refused["data"]["code"], "room.muted");
    let refused = bob_ws
        .request(json!({"op": "react", "message_id": first["id"], "emoji": "👍"}))
        .await;
    assert_eq!(refused["data"]["code"], "room.muted");
    let history: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &bob)
        .await;
    assert_eq!(history.len(), 1);
    let members: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/members"), &alice)
        .await;
    let bob_row = members
        .iter()
        .find(|m| m["user"]["id"] == bob_id.as_str())
        .unwrap();
    assert!(bob_row["muted_until"].is_string());

    let unmuted = app.api(&alice).room_unmute(&room, &bob_id).await;
    assert_eq!(unmuted.status(), 204);
    assert_eq!(send(&app, &bob, &room, "thanks").await.status(), 201);

    // Locked: read-only for members, writable for the room's moderators.
    let locked = post(
        &app,
        &alice,
        &format!("/api/v1/rooms/{room}/lock"),
        json!({"reason": "raid"}),
    )
    .await;
    assert_eq!(locked.status(), 200);
    assert_eq!(locked.json::<Value>().await.unwrap()["locked"], true);
    let updated = bob_ws.expect("room.updated").await;
    assert_eq!(updated["data"]["locked"], true);
    let resp = send(&app, &bob, &room, "hello?").await;
    assert_eq!(problem_code(resp, 403).await, "room.locked");
    let refused = bob_ws
        .request(json!({"op": "typing", "room_id": room}))
        .await;
    assert_eq!(refused["data"]["code"], "room.locked");
    assert_eq!(
        send(&app, &alice, &room, "announcement").await.status(),
        201
    );
    let resp = post(
        &app,
        &bob,
        &format!("/api/v1/rooms/{room}/lock"),
        json!({"reason": "mine"}),
    )
    .await;
    assert_eq!(problem_code(resp, 403).await, "forbidden");

    let unlocked = app.api(&alice).room_unlock(&room).await;
    assert_eq!(unlocked.json::<Value>().await.unwrap()["locked"], false);
    let ack = bob_ws
        .request(json!({"op": "send", "room_id": room, "body": "back"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
}

async fn kicks_and_ranks_decide_who_may_act_on_whom(backend: Backend) {
    let app = spawn_app(backend).await;
    let (root, root_id) = app.account("root").await;
    let (alice, alice_id) = app.account("alice").await;
    let (bob, bob_id) = app.account("bob").await;
    let (carol, carol_id) = app.account("carol").await;
    let (moderator, moderator_id) = app.account("mod").await;
    let promoted = post(
        &app,
        &root,
        &format!("/api/v1/admin/users/{moderator_id}/role"),
        json!({"role": "moderator"}),
    )
    .await;
    assert_eq!(promoted.status(), 200);
    let room = app.public_room(&alice, &[&bob, &carol, &root]).await;
    let mute = |user: String| format!("/api/v1/rooms/{room}/members/{user}/mute");
    let ten = json!({"minutes": 10});

    // Members moderate no one; nobody acts on themselves.
    let resp = post(&app, &bob, &mute(carol_id.clone()), ten.clone()).await;
    assert_eq!(problem_code(resp, 403).await, "forbidden");
    let resp = post(&app, &alice, &mute(alice_id.clone()), ten.clone()).await;
    assert_eq!(problem_code(resp, 403).await, "moderation.self");
    // The owner cannot act on the instance's staff, a global moderator not on an admin.
    let resp = post(&app, &alice, &mute(root_id.clone()), ten.clone()).await;
    assert_eq!(problem_code(resp, 403).await, "moderation.outranked");
    let resp = post(&app, &moderator, &mute(root_id.clone()), ten.clone()).await;
    assert_eq!(problem_code(resp, 403).await, "moderation.outranked");
    // A global moderator acts in any room, on its owner too, without being a member.
    let resp = post(&app, &moderator, &mute(alice_id.clone()), ten.clone()).await;
    assert_eq!(resp.status(), 200);
    let resp = post(&app, &alice, &mute(bob_id.clone()), json!({"minutes": 0})).await;
    assert_eq!(problem_code(resp, 422).await, "moderation.duration_invalid");
    let resp = post(&app, &moderator, &mute(moderator_id.clone()), ten.clone()).await;
    assert_eq!(problem_code(resp, 403).await, "moderation.self");

    // A kick: everyone sees who did it; the kicked member's socket stops receiving.
    let mut carol_ws = subscribed(&app, &carol, &room).await;
    let mut bob_ws = subscribed(&app, &bob, &room).await;
    let kicked = post(
        &app,
        &root,
        &format!("/api/v1/rooms/{room}/members/{bob_id}/kick"),
        json!({"reason": "spam"}),
    )
    .await;
    assert_eq!(kicked.status(), 204);
    let left = carol_ws.expect("member.left").await;
    assert_eq!(left["data"]["user"]["id"], bob_id.as_str());
    assert_eq!(left["data"]["kicked_by"]["username"], "root");
    assert_eq!(left["data"]["reason"], "spam");
    let resp = app.api(&bob).messages(&room).await;
    assert_eq!(problem_code(resp, 403).await, "room.not_member");
    send(&app, &carol, &room, "after the kick").await;
    bob_ws
        .assert_silent(
            |f| f["type"] == "message.created",
            std::time::Duration::from_millis(300),
        )
        .await;
    let resp = post(
        &app,
        &root,
        &format!("/api/v1/rooms/{room}/members/{bob_id}/kick"),
        json!({}),
    )
    .await;
    assert_eq!(problem_code(resp, 404).await, "room.member_not_found");
}

async fn room_moderation_is_in_the_audit_log(backend: Backend) {
    let app = spawn_app(backend).await;
    let (root, _) = app.account("root").await;
    let (alice, alice_id) = app.account("alice").await;
    let (bob, bob_id) = app.account("bob").await;
    let room = app.public_room(&alice, &[&bob]).await;
    let rude: Value = send(&app, &bob, &room, "something rude")
        .await
        .json()
        .await
        .unwrap();

    let api = app.api(&alice);
    assert_eq!(
        api.room_mute(&room, &bob_id, json!({"minutes": 5, "reason": "rude"}))
            .await
            .status(),
        200
    );
    let resp = api.room_unmute(&room, &bob_id).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(
        api.room_lock(&room, json!({"reason": "night"}))
            .await
            .status(),
        200
    );
    let resp = api.room_unlock(&room).await;
    assert_eq!(resp.status(), 200);
    // A moderator's delete is recorded with what was deleted; an author's own is not.
    let resp = app
        .api(&alice)
        .message_delete(rude["id"].as_str().unwrap())
        .await;
    assert!(resp.status().is_success());
    let own: Value = send(&app, &bob, &room, "oops").await.json().await.unwrap();
    app.api(&bob)
        .message_delete(own["id"].as_str().unwrap())
        .await;
    let kick = format!("/api/v1/rooms/{room}/members/{bob_id}/kick");
    assert_eq!(
        post(&app, &alice, &kick, json!({"reason": "enough"}))
            .await
            .status(),
        204
    );

    let log: Vec<Value> = app.get_json("/api/v1/admin/audit", &root).await;
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "room.kick",
            "message.delete",
            "room.unlock",
            "room.lock",
            "room.unmute",
            "room.mute"
        ]
    );
    assert!(log.iter().all(|e| e["actor_id"] == alice_id.as_str()));
    assert_eq!(log[0]["reason"], "enough");
    assert_eq!(log[1]["data"]["body"], "something rude");
    assert_eq!(log[1]["target_id"], rude["id"]);
    assert_eq!(log[3]["target_type"], "room");
    assert_eq!(log[5]["data"]["room_id"], room.as_str());
    assert!(log[5]["data"]["until"].is_string());
}

async fn reports_form_a_queue_that_moderators_resolve(backend: Backend) {
    let app = spawn_app(backend).await;
    let (root, _) = app.account("root").await;
    let (moderator, moderator_id) = app.account("mod").await;
    let (alice, _) = app.account("alice").await;
    let (bob, bob_id) = app.account("bob").await;
    let (carol, _) = app.account("carol").await;
    post(
        &app,
        &root,
        &format!("/api/v1/admin/users/{moderator_id}/role"),
        json!({"role": "moderator"}),
    )
    .await;
    let room = app.public_room(&alice, &[&bob]).await;
    let message = |body: &'static str| {
        let (app, bob, room) = (&app, bob.clone(), room.clone());
        async move {
            let sent: Value = send(app, &bob, &room, body).await.json().await.unwrap();
            sent["id"].as_str().unwrap().to_owned()
        }
    };
    let report = |token: String, id: String, reason: &'static str| {
        let app = &app;
        async move {
            post(
                app,
                &token,
                &format!("/api/v1/messages/{id}/report"),
                json!({ "reason": reason }),
            )
            .await
        }
    };
    let rude = message("you are all idiots").await;

    let resp = report(alice.clone(), rude.clone(), "insults").await;
    assert_eq!(resp.status(), 201);
    let first: Value = resp.json().await.unwrap();
    assert_eq!(first["status"], "open");
    assert_eq!(first["author"]["username"], "bob");
    assert_eq!(first["reporter"]["username"], "alice");
    assert_eq!(first["body"], "you are all idiots");
    let resp = report(alice.clone(), rude.clone(), "again").await;
    assert_eq!(problem_code(resp, 409).await, "report.duplicate");
    let resp = report(bob.clone(), rude.clone(), "me?").await;
    assert_eq!(problem_code(resp, 422).await, "report.own_message");
    let resp = report(alice.clone(), rude.clone(), "").await;
    assert_eq!(problem_code(resp, 422).await, "report.reason_invalid");
    let resp = report(carol.clone(), rude.clone(), "I can't even see it").await;
    assert_eq!(problem_code(resp, 403).await, "room.not_member");

    // The queue is for moderators.
    let resp = app.api(&alice).admin_reports("").await;
    assert_eq!(problem_code(resp, 403).await, "forbidden");
    let open: Vec<Value> = app
        .get_json("/api/v1/admin/reports?status=open", &moderator)
        .await;
    assert_eq!(open.len(), 1);
    let handle = |id: String, decision: Value| {
        let (app, moderator) = (&app, moderator.clone());
        async move {
            post(
                app,
                &moderator,
                &format!("/api/v1/admin/reports/{id}"),
                decision,
            )
            .await
        }
    };
    let id = first["id"].as_str().unwrap().to_owned();
    let resp = handle(
        id.clone(),
        json!({"status": "dismissed", "action": "delete_message"}),
    )
    .await;
    assert_eq!(problem_code(resp, 422).await, "report.action_invalid");

    // Resolve by deleting the message: one click, everything recorded.
    let mut watcher = subscribed(&app, &alice, &room).await;
    let resp = handle(
        id.clone(),
        json!({"status": "resolved", "action": "delete_message", "note": "clear insult"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let resolved: Value = resp.json().await.unwrap();
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["action"], "message_deleted");
    assert_eq!(resolved["handled_by"]["username"], "mod");
    assert_eq!(resolved["note"], "clear insult");
    assert_eq!(resolved["message_deleted"], true);
    assert!(resolved["handled_at"].is_string());
    let deleted = watcher.expect("message.deleted").await;
    assert_eq!(deleted["data"]["id"], rude.as_str());
    let resp = handle(id.clone(), json!({"status": "dismissed"})).await;
    assert_eq!(problem_code(resp, 409).await, "report.closed");

    // Mute the author through a report.
    let spam = message("buy cheap watches").await;
    let second: Value = report(alice.clone(), spam, "spam")
        .await
        .json()
        .await
        .unwrap();
    let resp = handle(
        second["id"].as_str().unwrap().to_owned(),
        json!({"status": "resolved", "action": "mute_author", "minutes": 30}),
    )
    .await;
    assert_eq!(
        resp.json::<Value>().await.unwrap()["action"],
        "author_muted"
    );
    let resp = send(&app, &bob, &room, "more watches").await;
    assert_eq!(problem_code(resp, 403).await, "room.muted");

    // Dismissed reports keep the message; a ban through a report ends the author's sessions.
    let third_message = {
        let unmute = app.api(&alice).room_unmute(&room, &bob_id).await;
        assert_eq!(unmute.status(), 204);
        message("a matter of taste").await
    };
    let third: Value = report(alice.clone(), third_message, "I disagree")
        .await
        .json()
        .await
        .unwrap();
    let resp = handle(
        third["id"].as_str().unwrap().to_owned(),
        json!({"status": "dismissed"}),
    )
    .await;
    let dismissed: Value = resp.json().await.unwrap();
    assert_eq!(
        (dismissed["status"].as_str(), dismissed["action"].as_str()),
        (Some("dismissed"), Some("none"))
    );
    assert_eq!(dismissed["message_deleted"], false);
    let worst = message("threats").await;
    let fourth: Value = report(alice.clone(), worst, "threats")
        .await
        .json()
        .await
        .unwrap();
    let resp = handle(
        fourth["id"].as_str().unwrap().to_owned(),
        json!({"status": "resolved", "action": "ban_author", "note": "threats against members"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        app.me_status(&bob).await,
        401,
        "the ban ended Bob's session"
    );

    let resolved: Vec<Value> = app
        .get_json("/api/v1/admin/reports?status=resolved", &moderator)
        .await;
    assert_eq!(resolved.len(), 3);
    let all: Vec<Value> = app.get_json("/api/v1/admin/reports", &moderator).await;
    assert_eq!(all.len(), 4);
    let log: Vec<Value> = app
        .get_json("/api/v1/admin/audit?action=report.", &root)
        .await;
    assert_eq!(log.len(), 4);
    let bans: Vec<Value> = app
        .get_json("/api/v1/admin/audit?action=user.ban", &root)
        .await;
    assert_eq!(bans[0]["reason"], "threats against members");
}

async fn retention_removes_old_messages_by_itself(backend: Backend) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

    // The pass runs hourly (the default); moving the clock wakes it when the test is ready.
    let app = spawn_app(backend).await;
    let (root, _) = app.account("root").await;
    let (alice, _) = app.account("alice").await;
    let (bob, _) = app.account("bob").await;
    let room = app.public_room(&alice, &[&bob]).await;
    let resp = app
        .api(&bob)
        .room_retention(&room, json!({"days": 7}))
        .await;
    assert_eq!(problem_code(resp, 403).await, "forbidden");
    let resp = app
        .api(&alice)
        .room_retention(&room, json!({"days": 0}))
        .await;
    assert_eq!(problem_code(resp, 422).await, "room.retention_invalid");

    let mut ids = Vec::new();
    for body in ["old news", "older news", "today"] {
        let sent: Value = send(&app, &bob, &room, body).await.json().await.unwrap();
        ids.push(sent["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap());
    }
    // Two messages from ten days ago.
    for id in &ids[..2] {
        let message = entity::messages::Entity::find_by_id(*id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut active: entity::messages::ActiveModel = message.into();
        active.created_at = Set(chrono::Utc::now() - chrono::Duration::days(10));
        active.update(&app.db).await.unwrap();
    }
    let resp = app
        .api(&alice)
        .room_retention(&room, json!({"days": 7}))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["retention_days"], 7);

    app.clock.advance(std::time::Duration::from_secs(1));
    let deadline = std::time::Instant::now() + crate::helpers::PATIENCE;
    loop {
        let history: Vec<Value> = app
            .get_json(&format!("/api/v1/rooms/{room}/messages"), &bob)
            .await;
        let bodies: Vec<&str> = history
            .iter()
            .map(|m| m["body"].as_str().unwrap())
            .collect();
        if bodies == ["today"] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "retention did not run: {bodies:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let log: Vec<Value> = app
        .get_json("/api/v1/admin/audit?action=room.retention", &root)
        .await;
    assert_eq!(log.len(), 1);
    assert!(log[0]["actor_id"].is_null(), "the system did it");
    assert_eq!(log[0]["data"]["messages"], 2);
    let set: Vec<Value> = app
        .get_json("/api/v1/admin/audit?action=room.retention_set", &root)
        .await;
    assert_eq!(set[0]["data"]["to"], 7);
}
