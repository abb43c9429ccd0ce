//! Forwarding (issue 22): a copy in the target room with a snapshot of where it came from,
//! the link only for those who may see the source, and files readable only through the
//! copy's own ids (Zulip CVE-2022-31134).

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::files::{files_under, png, share, upload_with};
use crate::helpers::{Backend, TestApp, problem_code, spawn_app, test_figment};
use crate::on_both_backends;
use crate::polls;
use crate::ws_client::WsClient;

on_both_backends!(
    a_private_message_forwarded_to_a_public_room_shows_outsiders_only_the_copy,
    forwarding_is_refused_where_one_cannot_write_or_what_one_cannot_see,
    the_copy_and_the_original_keep_their_files_when_the_other_is_deleted,
);

const PASSWORD: &str = "correct horse battery";

async fn private_room(app: &TestApp, owner: &str, name: &str, members: &[&str]) -> String {
    let room: Value = app
        .api(owner)
        .room_create(json!({"name": name, "visibility": "private"}))
        .await
        .json()
        .await
        .unwrap();
    for token in members {
        let joined = app
            .api(token)
            .room_join_by_code(json!({"code": room["invite_code"]}))
            .await;
        assert_eq!(joined.status(), StatusCode::OK);
    }
    room["id"].as_str().unwrap().to_owned()
}

async fn history(app: &TestApp, token: &str, room: &str) -> Vec<Value> {
    let resp = app.api(token).messages(room).await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

async fn forward(app: &TestApp, token: &str, message: &str, body: Value) -> reqwest::Response {
    app.api(token).message_forward(message, body).await
}

fn stored(app: &TestApp) -> usize {
    files_under(&app.uploads().join("files")).len()
}

/// Runs the cleanup pass as of a day from now: whatever it would ever take for unused,
/// it takes now.
async fn sweep(app: &TestApp) {
    let settings =
        anjoman::config::Settings::from_figment(test_figment(&app.database.url)).unwrap();
    anjoman::domain::files::sweep::sweep(
        &app.db,
        &app.files,
        &settings.uploads,
        SystemTime::now() + Duration::from_secs(86_400),
    )
    .await
    .unwrap();
}

async fn a_private_message_forwarded_to_a_public_room_shows_outsiders_only_the_copy(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let dave = app.register_token("dave", PASSWORD).await;
    let carol = app.register_token("carol", PASSWORD).await;
    let back = private_room(&app, &alice, "Back office", &[&dave]).await;
    let hall = app.public_room(&alice, &[&dave, &carol]).await;
    let picture = png(64, 48);
    let shared = upload_with(
        &app,
        &alice,
        &[("room_id", &back), ("caption", "the **plan**")],
        "plan.png",
        &picture,
    )
    .await;
    assert_eq!(shared.status(), StatusCode::CREATED);
    let shared: Value = shared.json().await.unwrap();
    let original = &shared["message"];
    let original_file = &shared["file"];
    let mut carol_ws = WsClient::connect(&app, &carol).await;
    let ack = carol_ws
        .request(json!({"op": "subscribe", "room_id": hall}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");

    let resp = forward(
        &app,
        &alice,
        original["id"].as_str().unwrap(),
        json!({"room_id": hall, "comment": "FYI @carol"}),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let copy: Value = resp.json().await.unwrap();
    assert_ne!(copy["id"], original["id"]);
    assert_eq!(copy["room_id"], hall.as_str());
    assert_eq!(copy["body"], "the **plan**");
    assert_eq!(copy["html"], original["html"]);
    let from = &copy["forwarded_from"];
    assert_eq!(from["room_name"], "Back office");
    assert_eq!(from["room_kind"], "private");
    assert_eq!(from["author_username"], "alice");
    assert_eq!(from["created_at"], original["created_at"]);
    assert_eq!(
        from["room_id"],
        back.as_str(),
        "the forwarder sees the link"
    );
    assert_eq!(from["message_id"], original["id"]);
    let copy_file = &copy["attachments"][0];
    assert_eq!(copy["attachments"].as_array().unwrap().len(), 1);
    assert_ne!(
        copy_file["id"], original_file["id"],
        "the copy has its own file"
    );
    assert_eq!(copy_file["room_id"], hall.as_str());
    assert_eq!(copy_file["name"], "plan.png");
    assert_eq!(stored(&app), 1, "the bytes are shared, not stored twice");

    // The broadcast never carries the link; the comment follows as a message of its own.
    let created = carol_ws
        .wait_for(|f| f["type"] == "message.created" && f["data"]["id"] == copy["id"])
        .await;
    let broadcast = &created["data"]["forwarded_from"];
    assert_eq!(broadcast["room_name"], "Back office");
    assert!(broadcast.get("room_id").is_none(), "{broadcast}");
    assert!(broadcast.get("message_id").is_none(), "{broadcast}");
    let comment = carol_ws
        .wait_for(|f| f["type"] == "message.created" && f["data"]["body"] == "FYI @carol")
        .await;
    assert!(comment["data"]["seq"].as_i64() > created["data"]["seq"].as_i64());
    assert!(comment["data"].get("forwarded_from").is_none());
    carol_ws.expect("mention").await;

    // The copy is someone else's words: not the forwarder's to edit.
    let resp = app
        .api(&alice)
        .message_edit(copy["id"].as_str().unwrap(), json!({"body": "changed"}))
        .await;
    assert_eq!(problem_code(resp, 422).await, "message.not_editable");

    // Carol, in the public room only: the copy and its snapshot, no link.
    let seen = history(&app, &carol, &hall).await;
    let seen_copy = seen.iter().find(|m| m["id"] == copy["id"]).unwrap();
    let from = &seen_copy["forwarded_from"];
    assert_eq!(from["room_name"], "Back office");
    assert_eq!(from["author_username"], "alice");
    assert!(from.get("room_id").is_none(), "{from}");
    assert!(from.get("message_id").is_none(), "{from}");
    let resp = app
        .api(&carol)
        .file(copy_file["url"].as_str().unwrap())
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), picture.as_slice());
    let thumb = app
        .api(&carol)
        .file(copy_file["thumbnail_url"].as_str().unwrap())
        .await;
    assert_eq!(thumb.status(), StatusCode::OK);
    // The original stays closed: its file, its thumbnail and its room's history.
    let resp = app
        .api(&carol)
        .file(original_file["url"].as_str().unwrap())
        .await;
    assert_eq!(problem_code(resp, 404).await, "room.not_found");
    let resp = app
        .api(&carol)
        .file(original_file["thumbnail_url"].as_str().unwrap())
        .await;
    assert_eq!(problem_code(resp, 404).await, "room.not_found");
    let resp = app.api(&carol).messages(&back).await;
    assert_eq!(problem_code(resp, 404).await, "room.not_found");

    // Dave, in both rooms, gets the link.
    let seen = history(&app, &dave, &hall).await;
    let seen_copy = seen.iter().find(|m| m["id"] == copy["id"]).unwrap();
    assert_eq!(seen_copy["forwarded_from"]["room_id"], back.as_str());
    assert_eq!(seen_copy["forwarded_from"]["message_id"], original["id"]);
    // ... until he leaves the source room.
    assert!(app.api(&dave).room_leave(&back).await.status().is_success());
    let seen = history(&app, &dave, &hall).await;
    let seen_copy = seen.iter().find(|m| m["id"] == copy["id"]).unwrap();
    assert!(seen_copy["forwarded_from"].get("room_id").is_none());
    assert_eq!(seen_copy["forwarded_from"]["room_name"], "Back office");
}

async fn forwarding_is_refused_where_one_cannot_write_or_what_one_cannot_see(backend: Backend) {
    let app = spawn_app(backend).await;
    // The first account is the administrator, whom a lock does not stop.
    app.register_token("root", PASSWORD).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let carol = app.register_token("carol", PASSWORD).await;
    let back = private_room(&app, &alice, "Back office", &[]).await;
    let secret = app.post_message(&alice, &back, "the secret").await;
    let secret_id = secret["id"].as_str().unwrap();
    // Carol's room, where Alice is a member that Carol can lock.
    let hall = app.public_room(&carol, &[&alice]).await;
    let elsewhere = app.public_room(&carol, &[]).await;
    let dm: Value = app.api(&alice).dm("carol").await.json().await.unwrap();
    let dm_id = dm["id"].as_str().unwrap().to_owned();

    // A direct conversation is never named; its participants get the link.
    let psst = app.post_message(&carol, &dm_id, "psst").await;
    let resp = forward(
        &app,
        &alice,
        psst["id"].as_str().unwrap(),
        json!({"room_id": hall}),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let copy: Value = resp.json().await.unwrap();
    assert_eq!(copy["forwarded_from"]["room_kind"], "direct");
    assert!(copy["forwarded_from"].get("room_name").is_none(), "{copy}");
    assert_eq!(copy["forwarded_from"]["author_username"], "carol");
    assert_eq!(copy["forwarded_from"]["room_id"], dm_id.as_str());
    let dm_msgs = history(&app, &carol, &dm_id).await.len();
    let before = history(&app, &carol, &hall).await.len();

    // What Carol cannot see answers as if it did not exist.
    let resp = forward(&app, &carol, secret_id, json!({"room_id": hall})).await;
    assert_eq!(problem_code(resp, 404).await, "message.not_found");
    let resp = forward(
        &app,
        &carol,
        "019a4f2c-7e00-7000-8000-000000000000",
        json!({"room_id": hall}),
    )
    .await;
    assert_eq!(problem_code(resp, 404).await, "message.not_found");

    // Rooms Alice cannot write in.
    let resp = forward(&app, &alice, secret_id, json!({"room_id": elsewhere})).await;
    assert_eq!(problem_code(resp, 403).await, "room.not_member");
    let locked = app
        .api(&carol)
        .room_lock(&hall, json!({"reason": "quiet"}))
        .await;
    assert!(locked.status().is_success());
    let resp = forward(
        &app,
        &alice,
        secret_id,
        json!({"room_id": hall, "comment": "look"}),
    )
    .await;
    assert_eq!(problem_code(resp, 403).await, "room.locked");
    assert_eq!(app.api(&carol).block("alice").await.status(), 204);
    let resp = forward(&app, &alice, secret_id, json!({"room_id": dm_id})).await;
    assert_eq!(problem_code(resp, 403).await, "dm.blocked");
    // A poll is not forwarded.
    let poll: Value = polls::create(
        &app,
        &alice,
        &back,
        json!({"question": "Tea?", "options": ["yes", "no"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let resp = forward(
        &app,
        &alice,
        poll["message_id"].as_str().unwrap(),
        json!({"room_id": back}),
    )
    .await;
    assert_eq!(problem_code(resp, 422).await, "message.not_forwardable");
    // A comment that could not be sent refuses the forward before anything is sent.
    let unlocked = app.api(&carol).room_unlock(&hall).await;
    assert!(unlocked.status().is_success());
    let resp = forward(
        &app,
        &alice,
        secret_id,
        json!({"room_id": hall, "comment": "x".repeat(4001)}),
    )
    .await;
    assert_eq!(problem_code(resp, 422).await, "message.too_long");

    assert_eq!(
        history(&app, &carol, &hall).await.len(),
        before,
        "nothing was sent"
    );
    assert_eq!(
        history(&app, &carol, &dm_id).await.len(),
        dm_msgs,
        "nothing reached the direct conversation"
    );
}

async fn the_copy_and_the_original_keep_their_files_when_the_other_is_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let carol = app.register_token("carol", PASSWORD).await;
    let back = private_room(&app, &alice, "Back office", &[]).await;
    let hall = app.public_room(&alice, &[&carol]).await;

    // The original goes first: the copy keeps the bytes, through a cleanup pass too.
    let shared = share(&app, &alice, &back, "notes.txt", b"minutes of the meeting").await;
    let copy: Value = forward(
        &app,
        &alice,
        shared["message"]["id"].as_str().unwrap(),
        json!({"room_id": hall}),
    )
    .await
    .json()
    .await
    .unwrap();
    let copy_url = copy["attachments"][0]["url"].as_str().unwrap().to_owned();
    let deleted = app
        .api(&alice)
        .message_delete(shared["message"]["id"].as_str().unwrap())
        .await;
    assert!(deleted.status().is_success());
    sweep(&app).await;
    let resp = app
        .api(&alice)
        .file(shared["file"]["url"].as_str().unwrap())
        .await;
    assert_eq!(problem_code(resp, 404).await, "file.not_found");
    let resp = app.api(&carol).file(&copy_url).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.text().await.unwrap(), "minutes of the meeting");
    assert_eq!(stored(&app), 1);
    let seen = history(&app, &carol, &hall).await;
    let seen_copy = seen.iter().find(|m| m["id"] == copy["id"]).unwrap();
    assert_eq!(seen_copy["forwarded_from"]["room_name"], "Back office");
    // The copy was the last to show them: the bytes go with it.
    assert!(
        app.api(&alice)
            .message_delete(copy["id"].as_str().unwrap())
            .await
            .status()
            .is_success()
    );
    sweep(&app).await;
    assert_eq!(stored(&app), 0);

    // The copy goes first: the original keeps its file.
    let shared = share(&app, &alice, &back, "agenda.txt", b"the agenda").await;
    let copy: Value = forward(
        &app,
        &alice,
        shared["message"]["id"].as_str().unwrap(),
        json!({"room_id": hall}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        app.api(&carol)
            .message_delete(copy["id"].as_str().unwrap())
            .await
            .status()
            .is_client_error(),
        "Carol may not delete Alice's copy"
    );
    assert!(
        app.api(&alice)
            .message_delete(copy["id"].as_str().unwrap())
            .await
            .status()
            .is_success()
    );
    sweep(&app).await;
    let resp = app
        .api(&carol)
        .file(copy["attachments"][0]["url"].as_str().unwrap())
        .await;
    assert_eq!(problem_code(resp, 404).await, "file.not_found");
    let resp = app
        .api(&alice)
        .file(shared["file"]["url"].as_str().unwrap())
        .await;
    assert_eq!(resp.text().await.unwrap(), "the agenda");
    assert_eq!(stored(&app), 1);
}

/// Two nodes (PostgreSQL, Redis, one uploads directory): a message forwarded through node
/// A reaches a member of the target room listening on node B live, with where it came
/// from; on node B that member reads the forwarded file through the copy, and the
/// original's file id stays closed to them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_through_one_node_reaches_a_listener_on_another_with_its_file() {
    let uploads = tempfile::tempdir().expect("shared uploads dir");
    let shared_dir = uploads.path().to_owned();
    let Some((a, b)) =
        crate::cluster::two_nodes(move |f| f.merge(("uploads.dir", shared_dir.clone()))).await
    else {
        return;
    };
    let alice = a.register_token("alice", PASSWORD).await;
    let dave = a.register_token("dave", PASSWORD).await;
    let carol = a.register_token("carol", PASSWORD).await;
    let back = private_room(&a, &alice, "Back office", &[&dave]).await;
    let hall = a.public_room(&alice, &[&carol]).await;
    let picture = png(40, 30);
    let shared = upload_with(
        &a,
        &alice,
        &[("room_id", &back), ("caption", "floor plan")],
        "floor.png",
        &picture,
    )
    .await;
    assert_eq!(shared.status(), StatusCode::CREATED);
    let shared: Value = shared.json().await.unwrap();
    let original = &shared["message"];
    let original_file = &shared["file"];
    let mut carol_on_b = WsClient::connect(&b, &carol).await;
    let ack = carol_on_b
        .request(json!({"op": "subscribe", "room_id": hall}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");

    let resp = forward(
        &a,
        &alice,
        original["id"].as_str().unwrap(),
        json!({"room_id": hall}),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let copy: Value = resp.json().await.unwrap();
    let created = carol_on_b
        .wait_for(|f| f["type"] == "message.created" && f["data"]["id"] == copy["id"])
        .await;
    assert_eq!(created["room_id"], hall.as_str());
    assert_eq!(created["seq"], copy["seq"]);
    assert_eq!(created["data"]["body"], "floor plan");
    let from = &created["data"]["forwarded_from"];
    assert_eq!(from["room_name"], "Back office");
    assert_eq!(from["room_kind"], "private");
    assert_eq!(from["author_username"], "alice");
    let instant = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(
        instant(&from["created_at"]),
        instant(&original["created_at"])
    );
    assert!(
        from.get("room_id").is_none(),
        "no link in a broadcast: {from}"
    );
    assert!(from.get("message_id").is_none(), "{from}");
    let copy_file = &created["data"]["attachments"][0];
    assert_eq!(copy_file["id"], copy["attachments"][0]["id"]);
    assert_ne!(copy_file["id"], original_file["id"]);

    // On node B: the copy's file opens for Carol, the original's does not.
    let resp = b.api(&carol).file(copy_file["url"].as_str().unwrap()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), picture.as_slice());
    let resp = b
        .api(&carol)
        .file(original_file["url"].as_str().unwrap())
        .await;
    assert_eq!(problem_code(resp, 404).await, "room.not_found");
    let resp = b
        .api(&carol)
        .file(original_file["thumbnail_url"].as_str().unwrap())
        .await;
    assert_eq!(problem_code(resp, 404).await, "room.not_found");
    // Dave, a member of the source room, still opens the original on node B.
    let resp = b
        .api(&dave)
        .file(original_file["url"].as_str().unwrap())
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    drop(uploads);
}
