//! Pinned messages (permissions, the limit, timeline events live and on resume, the list)
//! and saved messages (notes, the list, unavailable entries, privacy), across nodes too.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, problem_code, spawn_app_with};
use crate::on_both_backends;
use crate::ws_client::WsClient;

on_both_backends!(
    pins_follow_the_room_rules_and_stop_at_fifty,
    pins_are_timeline_events_live_and_on_resume,
    saved_messages_are_private_and_show_what_you_can_no_longer_see_as_unavailable,
);

async fn app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |f| {
        f.merge(("limits.messages_per_minute", 100_000))
    })
    .await
}

async fn pin(app: &TestApp, token: &str, message: &str) -> reqwest::Response {
    app.authed(
        Method::PUT,
        &format!("/api/v1/messages/{message}/pin"),
        token,
    )
    .send()
    .await
    .expect("request")
}

async fn unpin(app: &TestApp, token: &str, message: &str) -> reqwest::Response {
    app.authed(
        Method::DELETE,
        &format!("/api/v1/messages/{message}/pin"),
        token,
    )
    .send()
    .await
    .expect("request")
}

async fn pins(app: &TestApp, token: &str, room: &str) -> Vec<Value> {
    app.get_json(&format!("/api/v1/rooms/{room}/pins"), token)
        .await
}

async fn last_seq(app: &TestApp, token: &str, room: &str) -> i64 {
    let room: Value = app.get_json(&format!("/api/v1/rooms/{room}"), token).await;
    room["last_seq"].as_i64().expect("last_seq")
}

async fn save(app: &TestApp, token: &str, message: &str, note: &str) -> reqwest::Response {
    app.authed(
        Method::PUT,
        &format!("/api/v1/messages/{message}/saved"),
        token,
    )
    .json(&json!({ "note": note }))
    .send()
    .await
    .expect("request")
}

async fn saved(app: &TestApp, token: &str) -> Vec<Value> {
    let page: Value = app.get_json("/api/v1/saved", token).await;
    page["items"].as_array().expect("items").clone()
}

fn id(message: &Value) -> String {
    message["id"].as_str().expect("message id").to_owned()
}

async fn pins_follow_the_room_rules_and_stop_at_fifty(backend: Backend) {
    let app = app(backend).await;
    let (root, _) = app.account("root").await;
    let (owner, _) = app.account("owner").await;
    let (member, _) = app.account("member").await;
    let (staff, staff_id) = app.account("staff").await;
    let (outsider, _) = app.account("outsider").await;
    let promoted = app
        .authed(
            Method::POST,
            &format!("/api/v1/admin/users/{staff_id}/role"),
            &root,
        )
        .json(&json!({"role": "moderator"}))
        .send()
        .await
        .expect("request");
    assert_eq!(promoted.status(), 200);
    let room = app.public_room(&owner, &[&member, &staff]).await;
    let first = id(&app.post_message(&member, &room, "first").await);
    let second = id(&app.post_message(&member, &room, "second").await);

    // A member may not pin while the room does not allow it, nor change that; an outsider
    // not at all.
    let before = last_seq(&app, &owner, &room).await;
    assert_eq!(
        problem_code(pin(&app, &member, &first).await, 403).await,
        "forbidden"
    );
    assert_eq!(
        problem_code(pin(&app, &outsider, &first).await, 403).await,
        "room.not_member"
    );
    let allow = |token: &str, allowed: bool| {
        app.authed(Method::PUT, &format!("/api/v1/rooms/{room}/pinning"), token)
            .json(&json!({ "members_can_pin": allowed }))
            .send()
    };
    assert_eq!(
        problem_code(allow(&member, true).await.unwrap(), 403).await,
        "forbidden"
    );
    assert_eq!(
        last_seq(&app, &owner, &room).await,
        before,
        "a refusal changes nothing"
    );
    assert!(pins(&app, &owner, &room).await.is_empty());

    // The owner and a moderator may.
    let resp = pin(&app, &owner, &first).await;
    assert_eq!(resp.status(), 200);
    let pinned: Value = resp.json().await.unwrap();
    assert_eq!(pinned["message"]["id"], first.as_str());
    assert_eq!(pinned["pinned_by"]["username"], "owner");
    assert_eq!(pin(&app, &staff, &second).await.status(), 200);

    // Pinning again changes nothing and announces nothing.
    let seq = last_seq(&app, &owner, &room).await;
    let again: Value = pin(&app, &staff, &first).await.json().await.unwrap();
    assert_eq!(again["pinned_by"]["username"], "owner");
    assert_eq!(again["pinned_at"], pinned["pinned_at"]);
    assert_eq!(last_seq(&app, &owner, &room).await, seq);

    // Newest pin first, with who pinned it.
    let list = pins(&app, &member, &room).await;
    let listed: Vec<&str> = list
        .iter()
        .map(|p| p["message"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [second.as_str(), first.as_str()]);
    assert_eq!(list[0]["pinned_by"]["username"], "staff");
    assert_eq!(list[0]["message"]["body"], "second");
    assert_eq!(
        problem_code(
            app.authed(
                Method::GET,
                &format!("/api/v1/rooms/{room}/pins"),
                &outsider
            )
            .send()
            .await
            .unwrap(),
            403,
        )
        .await,
        "room.not_member"
    );

    // Once the room allows it, members pin and unpin too.
    let resp = allow(&owner, true).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["members_can_pin"], true);
    let third = id(&app.post_message(&owner, &room, "third").await);
    assert_eq!(pin(&app, &member, &third).await.status(), 200);
    assert_eq!(unpin(&app, &member, &first).await.status(), 204);
    let seq = last_seq(&app, &owner, &room).await;
    assert_eq!(
        unpin(&app, &member, &first).await.status(),
        204,
        "idempotent"
    );
    assert_eq!(last_seq(&app, &owner, &room).await, seq);
    assert_eq!(pins(&app, &owner, &room).await.len(), 2);

    // A deleted message is unpinned with it.
    let resp = app
        .authed(Method::DELETE, &format!("/api/v1/messages/{third}"), &owner)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let left: Vec<Value> = pins(&app, &owner, &room).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["message"]["id"], second.as_str());
    assert_eq!(
        problem_code(pin(&app, &owner, &third).await, 404).await,
        "message.not_found"
    );

    // Fifty pins at most: the 51st is refused with a stable code, and nothing changes.
    for i in 1..50 {
        let message = id(&app.post_message(&owner, &room, &format!("pin {i}")).await);
        assert_eq!(pin(&app, &owner, &message).await.status(), 200, "pin {i}");
    }
    assert_eq!(pins(&app, &owner, &room).await.len(), 50);
    let extra = id(&app.post_message(&owner, &room, "one too many").await);
    let seq = last_seq(&app, &owner, &room).await;
    let resp = app
        .authed(
            Method::PUT,
            &format!("/api/v1/messages/{extra}/pin"),
            &owner,
        )
        .header("Accept-Language", "fa-IR")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "pin.limit_reached");
    assert!(
        problem["detail"].as_str().unwrap().contains("۵۰"),
        "{problem}"
    );
    assert_eq!(last_seq(&app, &owner, &room).await, seq);
    assert_eq!(pins(&app, &owner, &room).await.len(), 50);
    // Unpinning one makes room again.
    assert_eq!(unpin(&app, &owner, &second).await.status(), 204);
    assert_eq!(pin(&app, &owner, &extra).await.status(), 200);
}

async fn pins_are_timeline_events_live_and_on_resume(backend: Backend) {
    let app = app(backend).await;
    let (owner, _) = app.account("owner").await;
    let (reader, _) = app.account("reader").await;
    let room = app.public_room(&owner, &[&reader]).await;
    let message = id(&app.post_message(&reader, &room, "pin me").await);

    let mut live = WsClient::connect(&app, &reader).await;
    let ack = live
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let seen = last_seq(&app, &reader, &room).await;

    assert_eq!(pin(&app, &owner, &message).await.status(), 200);
    let pinned = live.expect("message.pinned").await;
    assert_eq!(pinned["room_id"], room.as_str());
    assert_eq!(pinned["seq"], seen + 1);
    assert_eq!(pinned["data"]["message"]["id"], message.as_str());
    assert_eq!(pinned["data"]["pinned_by"]["username"], "owner");
    assert_eq!(unpin(&app, &owner, &message).await.status(), 204);
    let unpinned = live.expect("message.unpinned").await;
    assert_eq!(unpinned["seq"], seen + 2);
    assert_eq!(unpinned["data"]["message_id"], message.as_str());
    assert_eq!(unpinned["data"]["unpinned_by"]["username"], "owner");
    drop(live);

    // A socket that was away replays both, in order.
    let mut back = WsClient::connect(&app, &reader).await;
    let ack = back
        .request(json!({"op": "subscribe", "room_id": room, "after_seq": seen}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let replayed = back.expect("message.pinned").await;
    assert_eq!(replayed["seq"], seen + 1);
    assert_eq!(replayed["data"], pinned["data"]);
    let replayed = back.expect("message.unpinned").await;
    assert_eq!(replayed["seq"], seen + 2);
}

async fn saved_messages_are_private_and_show_what_you_can_no_longer_see_as_unavailable(
    backend: Backend,
) {
    let app = app(backend).await;
    let (owner, _) = app.account("owner").await;
    let (saver, _) = app.account("saver").await;
    let (other, _) = app.account("other").await;
    let stays = app.public_room(&owner, &[&saver, &other]).await;
    let left = app.public_room(&owner, &[&saver]).await;
    let gone = app.public_room(&owner, &[&saver]).await;
    let kept = app.post_message(&owner, &stays, "kept **safe**").await;
    let deleted = app.post_message(&owner, &stays, "soon deleted").await;
    let in_left = app.post_message(&owner, &left, "in a room I leave").await;
    let in_gone = app.post_message(&owner, &gone, "in a room that goes").await;

    // Another device of the saver hears each save.
    let mut device = WsClient::connect(&app, &saver).await;

    // A note has a limit, and a refused save stores nothing.
    let resp = save(&app, &saver, &id(&kept), &"ن".repeat(501)).await;
    assert_eq!(problem_code(resp, 422).await, "saved.note_too_long");
    assert!(saved(&app, &saver).await.is_empty());
    // Only messages you can see.
    assert_eq!(
        problem_code(save(&app, &other, &id(&in_left), "").await, 403).await,
        "room.not_member"
    );

    for (message, note) in [
        (&in_gone, ""),
        (&in_left, ""),
        (&deleted, ""),
        (&kept, "برای بعد"),
    ] {
        let resp = save(&app, &saver, &id(message), note).await;
        assert_eq!(resp.status(), 200);
        let entry: Value = resp.json().await.unwrap();
        assert_eq!(entry["note"], note);
        assert_eq!(entry["unavailable"], false);
        let heard = device.expect("saved.changed").await;
        assert_eq!(heard["data"]["message_id"], id(message).as_str());
        assert_eq!(heard["data"]["saved"], true);
    }
    // Saving again replaces the note and keeps one entry.
    let entry: Value = save(&app, &saver, &id(&kept), " tea notes ")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(entry["note"], "tea notes");

    let list = saved(&app, &saver).await;
    assert_eq!(list.len(), 4);
    assert_eq!(list[0]["message_id"], id(&kept).as_str(), "newest first");
    assert_eq!(list[0]["message"]["body"], "kept **safe**");
    assert_eq!(list[0]["room_name"], "چای‌خانه");
    assert!(list.iter().all(|e| e["unavailable"] == false));
    // Nobody else sees it.
    assert!(saved(&app, &other).await.is_empty());

    // Paged: two at a time, then the rest.
    let page: Value = app.get_json("/api/v1/saved?limit=2", &saver).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["next_before"].as_str().expect("a next page");
    let rest: Value = app
        .get_json(&format!("/api/v1/saved?limit=2&before={next}"), &saver)
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert!(rest.get("next_before").is_none(), "{rest}");
    assert_eq!(rest["items"][1]["message_id"], id(&in_gone).as_str());

    // Deleted, left, room deleted: unavailable, with no content.
    let ok = |resp: reqwest::Response| assert!(resp.status().is_success(), "{}", resp.status());
    ok(app
        .authed(
            Method::DELETE,
            &format!("/api/v1/messages/{}", id(&deleted)),
            &owner,
        )
        .send()
        .await
        .unwrap());
    ok(app
        .authed(Method::POST, &format!("/api/v1/rooms/{left}/leave"), &saver)
        .send()
        .await
        .unwrap());
    ok(app
        .authed(Method::DELETE, &format!("/api/v1/rooms/{gone}"), &owner)
        .send()
        .await
        .unwrap());
    let list = saved(&app, &saver).await;
    assert_eq!(list.len(), 4);
    assert_eq!(list[0]["unavailable"], false);
    for entry in &list[1..] {
        assert_eq!(entry["unavailable"], true, "{entry}");
        assert!(entry.get("message").is_none(), "{entry}");
        assert!(entry.get("room_name").is_none(), "{entry}");
        let text = entry.to_string();
        for secret in [
            "soon deleted",
            "in a room I leave",
            "in a room that goes",
            "owner",
        ] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    // Unsaving is heard too, and is idempotent.
    let unsave = || {
        app.authed(
            Method::DELETE,
            &format!("/api/v1/messages/{}/saved", id(&in_left)),
            &saver,
        )
        .send()
    };
    assert_eq!(unsave().await.unwrap().status(), 204);
    let heard = device
        .wait_for(|f| f["type"] == "saved.changed" && f["data"]["saved"] == false)
        .await;
    assert_eq!(heard["data"]["message_id"], id(&in_left).as_str());
    assert_eq!(unsave().await.unwrap().status(), 204);
    assert_eq!(saved(&app, &saver).await.len(), 3);
    // Someone else's unsave touches nothing of mine.
    let resp = app
        .authed(
            Method::DELETE,
            &format!("/api/v1/messages/{}/saved", id(&kept)),
            &other,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(saved(&app, &saver).await.len(), 3);
}

/// What one node does reaches sockets on another: a pin made through node A is a timeline
/// event for a member listening on node B, and a save and a draft made through A reach the
/// same person's other device on B.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pins_saves_and_drafts_reach_sockets_on_another_node() {
    let Some((a, b)) = crate::cluster::two_nodes(|f| f).await else {
        return;
    };
    let (alice, _) = a.account("alice").await;
    let (bob, _) = a.account("bob").await;
    let room = a.public_room(&alice, &[&bob]).await;
    let message = a.post_message(&bob, &room, "the agenda, final").await;
    let message_id = message["id"].as_str().unwrap().to_owned();
    let mut bob_on_b = WsClient::connect(&b, &bob).await;
    let ack = bob_on_b
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let mut alice_on_b = WsClient::connect(&b, &alice).await;

    assert_eq!(pin(&a, &alice, &message_id).await.status(), 200);
    let pinned = bob_on_b.expect("message.pinned").await;
    assert_eq!(pinned["room_id"], room.as_str(), "{pinned}");

    assert_eq!(
        save(&a, &alice, &message_id, "for Monday").await.status(),
        200
    );
    let heard = alice_on_b.expect("saved.changed").await;
    assert_eq!(heard["data"]["message_id"], message_id.as_str());
    assert_eq!(heard["data"]["saved"], true);

    let draft = a
        .authed(Method::PUT, &format!("/api/v1/rooms/{room}/draft"), &alice)
        .json(&json!({"body": "half a thought"}))
        .send()
        .await
        .unwrap();
    assert_eq!(draft.status(), 200);
    let live = alice_on_b.expect("draft").await;
    assert_eq!(live["data"]["draft"]["body"], "half a thought", "{live}");
    // Either node lists the pin.
    for node in [&a, &b] {
        let listed = pins(node, &alice, &room).await;
        assert_eq!(listed.len(), 1);
    }
}
