//! Threads: replies with their own seq, the root's live summary, the thread page, room
//! history without replies, following and unread, notifications, search, moderation, resume
//! and two nodes.

use std::time::Duration;

use serde_json::{Value, json};

use crate::{
    files::upload_with,
    helpers::{Backend, TestApp, problem_code, spawn_app, spawn_app_with},
    on_both_backends,
    ws_client::WsClient,
};

on_both_backends!(
    a_thread_keeps_its_summary_and_unread_live_over_the_socket,
    resume_in_the_middle_of_a_thread_loses_and_doubles_nothing,
    search_finds_replies_with_their_thread,
    following_by_hand_decides_who_hears_of_replies,
    history_can_leave_replies_out_and_bad_roots_are_refused,
    moderation_reaches_replies_and_a_deleted_root_keeps_its_thread,
    the_room_unread_leaves_out_replies_kept_in_their_thread,
    a_thread_reply_carries_files_and_clears_the_threads_draft_not_the_rooms,
);

/// `token`'s reply in the thread of `root`, over REST; the stored message.
async fn reply(app: &TestApp, token: &str, room: &str, root: &str, body: &str) -> Value {
    reply_with(app, token, room, json!({"body": body, "thread_id": root})).await
}

async fn reply_with(app: &TestApp, token: &str, room: &str, message: Value) -> Value {
    let resp = app.api(token).message_send(room, message.clone()).await;
    assert_eq!(resp.status(), 201, "{message}");
    resp.json().await.unwrap()
}

async fn subscribed(app: &TestApp, token: &str, room: &str) -> WsClient {
    let mut ws = WsClient::connect(app, token).await;
    let ack = ws
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    ws
}

async fn thread(app: &TestApp, token: &str, root: &str) -> Value {
    let resp = app
        .authed(
            reqwest::Method::GET,
            &format!("/api/v1/messages/{root}/thread"),
            token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

async fn my_threads(app: &TestApp, token: &str) -> Vec<Value> {
    app.get_json("/api/v1/threads", token).await
}

fn usernames(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect()
}

fn is_thread_follow(root: &str) -> impl Fn(&Value) -> bool + '_ {
    move |f: &Value| f["type"] == "thread.follow" && f["data"]["root_id"] == root
}

async fn a_thread_keeps_its_summary_and_unread_live_over_the_socket(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, _) = app.account("alice").await;
    let (bob, _) = app.account("bob").await;
    let (carol, _) = app.account("carol").await;
    let room = app.public_room(&alice, &[&bob, &carol]).await;
    let root = app.post_message(&alice, &room, "lunch on Thursday?").await;
    let root_id = root["id"].as_str().unwrap().to_owned();
    assert!(root.get("thread").is_none(), "no summary without replies");
    let mut laptop = subscribed(&app, &alice, &room).await;
    let mut phone = WsClient::connect(&app, &alice).await;
    let mut carol_ws = subscribed(&app, &carol, &room).await;

    // Bob replies over REST: a message of its own seq, naming its thread.
    let first = reply(&app, &bob, &room, &root_id, "yes, at noon").await;
    assert_eq!(first["thread_id"], root_id.as_str());
    assert_eq!(first["also_to_room"], false);
    assert!(first["seq"].as_i64().unwrap() > root["seq"].as_i64().unwrap());
    let created = laptop
        .wait_for(|f| f["type"] == "message.created" && f["data"]["id"] == first["id"])
        .await;
    assert_eq!(created["data"]["thread_id"], root_id.as_str());
    assert_eq!(created["seq"], first["seq"]);
    // The root's author follows from the first reply on, told on every device, unread 1.
    for ws in [&mut laptop, &mut phone] {
        let follow = ws.wait_for(is_thread_follow(&root_id)).await;
        assert_eq!(follow["data"]["following"], true);
        assert_eq!(follow["data"]["unread"], 1);
        let told = ws.expect("notification").await;
        assert_eq!(told["data"]["notification"]["kind"], "thread");
        assert_eq!(
            told["data"]["notification"]["message"]["thread_id"],
            root_id.as_str()
        );
    }

    // Carol replies over the socket.
    let ack = carol_ws
        .request(
            json!({"op": "send", "room_id": room, "body": "count me in", "thread_id": root_id}),
        )
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(ack["data"]["thread_id"], root_id.as_str());
    let follow = carol_ws.wait_for(is_thread_follow(&root_id)).await;
    assert_eq!(follow["data"]["unread"], 0, "her own reply is read");
    let second = laptop
        .wait_for(|f| f["type"] == "message.created" && f["data"]["id"] == ack["data"]["id"])
        .await;
    assert_eq!(second["data"]["thread_id"], root_id.as_str());
    // Bob follows since he replied, so Carol's reply reaches his inbox; not hers.
    let inbox: Value = app.get_json("/api/v1/notifications", &bob).await;
    let kinds: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["thread"]);
    let inbox: Value = app.get_json("/api/v1/notifications", &carol).await;
    assert_eq!(inbox["items"].as_array().unwrap().len(), 0);

    // The root's summary and the thread page.
    let page = thread(&app, &alice, &root_id).await;
    assert_eq!(page["root"]["thread"]["reply_count"], 2);
    let instant = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(
        instant(&page["root"]["thread"]["last_reply_at"]),
        instant(&second["data"]["created_at"])
    );
    assert_eq!(
        usernames(&page["root"]["thread"]["repliers"]),
        ["carol", "bob"]
    );
    let bodies: Vec<&str> = page["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["yes, at noon", "count me in"]);
    let history: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &alice)
        .await;
    let listed = history.iter().find(|m| m["id"] == root["id"]).unwrap();
    assert_eq!(listed["thread"]["reply_count"], 2);

    // Alice's unread, then read on the laptop: the phone hears it.
    let mine = my_threads(&app, &alice).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["unread"], 2);
    assert_eq!(mine[0]["following"], true);
    let resp = app
        .authed(
            reqwest::Method::POST,
            &format!("/api/v1/messages/{root_id}/thread/read"),
            &alice,
        )
        .json(&json!({"seq": second["seq"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let state: Value = resp.json().await.unwrap();
    assert_eq!(state["unread"], 0);
    let follow = phone
        .wait_for(|f| is_thread_follow(&root_id)(f) && f["data"]["unread"] == 0)
        .await;
    assert_eq!(follow["data"]["last_read_seq"], second["seq"]);
    assert_eq!(my_threads(&app, &alice).await[0]["unread"], 0);

    // The room's thread list.
    let threads: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/threads"), &carol)
        .await;
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0]["root"]["id"], root_id.as_str());
    assert_eq!(threads[0]["following"], true);
}

async fn resume_in_the_middle_of_a_thread_loses_and_doubles_nothing(backend: Backend) {
    let app = spawn_app_with(backend, |f| f.merge(("limits.messages_per_minute", 10_000))).await;
    let (alice, _) = app.account("alice").await;
    let (bob, _) = app.account("bob").await;
    let room = app.public_room(&alice, &[&bob]).await;
    let root = app.post_message(&alice, &room, "release plan").await;
    let root_id = root["id"].as_str().unwrap().to_owned();
    let mut ws = subscribed(&app, &alice, &room).await;
    let before = reply(&app, &bob, &room, &root_id, "step one").await;
    ws.wait_for(|f| f["type"] == "message.created" && f["data"]["id"] == before["id"])
        .await;
    let last_seen = before["seq"].as_i64().unwrap();
    drop(ws);

    // While Alice is away: replies and a top-level message, interleaved.
    let mut expected = vec![];
    for i in 0..3 {
        let sent = reply(&app, &bob, &room, &root_id, &format!("step {i}")).await;
        expected.push((sent["seq"].as_i64().unwrap(), true));
    }
    let plain = app.post_message(&bob, &room, "unrelated").await;
    expected.push((plain["seq"].as_i64().unwrap(), false));
    let last = reply(&app, &bob, &room, &root_id, "done").await;
    expected.push((last["seq"].as_i64().unwrap(), true));

    let mut ws = WsClient::connect(&app, &alice).await;
    let ack = ws
        .request(json!({"op": "subscribe", "room_id": room, "after_seq": last_seen}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let mut seen = vec![];
    while seen.len() < expected.len() {
        let frame = ws.expect("message.created").await;
        seen.push((
            frame["seq"].as_i64().unwrap(),
            frame["data"]["thread_id"] == root_id.as_str(),
        ));
    }
    assert_eq!(seen, expected, "each missed reply once, in order");
    ws.assert_silent(
        |f| f["type"] == "message.created",
        Duration::from_millis(300),
    )
    .await;
    // The page after the resume point holds the same replies.
    let resp = app
        .authed(
            reqwest::Method::GET,
            &format!("/api/v1/messages/{root_id}/thread?after_seq={last_seen}"),
            &alice,
        )
        .send()
        .await
        .unwrap();
    let page: Value = resp.json().await.unwrap();
    let seqs: Vec<i64> = page["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    let replies: Vec<i64> = expected
        .iter()
        .filter(|(_, in_thread)| *in_thread)
        .map(|(seq, _)| *seq)
        .collect();
    assert_eq!(seqs, replies);
    // Paged backwards from the end: the latest two, then the rest.
    let latest: Value = app
        .get_json(
            &format!("/api/v1/messages/{root_id}/thread?limit=2"),
            &alice,
        )
        .await;
    assert_eq!(latest["replies"].as_array().unwrap().len(), 2);
    assert_eq!(latest["replies"][1]["body"], "done");
}

async fn search_finds_replies_with_their_thread(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, _) = app.account("alice").await;
    let (bob, _) = app.account("bob").await;
    let room = app.public_room(&alice, &[&bob]).await;
    let root = app.post_message(&alice, &room, "where do we meet").await;
    let root_id = root["id"].as_str().unwrap().to_owned();
    let sent = reply(&app, &bob, &room, &root_id, "at the samovar café").await;
    let resp = app.api(&alice).search("q=samovar").await;
    assert_eq!(resp.status(), 200);
    let results: Value = resp.json().await.unwrap();
    let hits = results["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{results}");
    assert_eq!(hits[0]["message"]["id"], sent["id"]);
    assert_eq!(hits[0]["message"]["thread_id"], root_id.as_str());
}

async fn following_by_hand_decides_who_hears_of_replies(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, _) = app.account("alice").await;
    let (bob, _) = app.account("bob").await;
    let (carol, _) = app.account("carol").await;
    let room = app.public_room(&alice, &[&bob, &carol]).await;
    let root = app.post_message(&alice, &room, "book club").await;
    let root_id = root["id"].as_str().unwrap().to_owned();
    let follow_path = format!("/api/v1/messages/{root_id}/thread/follow");
    let inbox_len = |token: String| {
        let app = &app;
        async move {
            let inbox: Value = app.get_json("/api/v1/notifications", &token).await;
            inbox["items"].as_array().unwrap().len()
        }
    };

    // Marking read needs a follow.
    let resp = app
        .authed(
            reqwest::Method::POST,
            &format!("/api/v1/messages/{root_id}/thread/read"),
            &bob,
        )
        .json(&json!({"seq": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 409).await, "thread.not_following");

    // Bob follows by hand: his other socket hears it, and everything so far is read.
    let mut bob_ws = WsClient::connect(&app, &bob).await;
    let resp = app
        .authed(reqwest::Method::PUT, &follow_path, &bob)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let state: Value = resp.json().await.unwrap();
    assert_eq!(state["following"], true);
    assert_eq!(state["unread"], 0);
    let told = bob_ws.wait_for(is_thread_follow(&root_id)).await;
    assert_eq!(told["data"]["following"], true);

    // Carol replies: Bob (following) and Alice (the root's author) are told, as `thread`.
    reply(&app, &carol, &room, &root_id, "chapter one is great").await;
    let told = bob_ws.expect("notification").await;
    assert_eq!(told["data"]["notification"]["kind"], "thread");
    assert_eq!(told["data"]["alert"], true, "counts like a mention");
    assert_eq!(inbox_len(alice.clone()).await, 1);
    assert_eq!(
        inbox_len(carol.clone()).await,
        0,
        "not to the reply's author"
    );
    assert_eq!(my_threads(&app, &bob).await[0]["unread"], 1);

    // Unfollowed, Bob hears no more and the thread leaves his list.
    let resp = app
        .authed(reqwest::Method::DELETE, &follow_path, &bob)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let state: Value = resp.json().await.unwrap();
    assert_eq!(state["following"], false);
    let told = bob_ws
        .wait_for(|f| is_thread_follow(&root_id)(f) && f["data"]["following"] == false)
        .await;
    assert_eq!(told["data"]["unread"], 0);
    reply(&app, &carol, &room, &root_id, "chapter two too").await;
    assert_eq!(inbox_len(bob.clone()).await, 1, "only the earlier reply");
    assert_eq!(inbox_len(alice.clone()).await, 2);
    assert!(my_threads(&app, &bob).await.is_empty());

    // A mention in a reply makes its person follow.
    reply(&app, &carol, &room, &root_id, "@bob you should read it").await;
    let mine = my_threads(&app, &bob).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["following"], true);
    // A thread with unread replies comes before one without.
    let other = app.post_message(&bob, &room, "quiet thread").await;
    let other_id = other["id"].as_str().unwrap().to_owned();
    reply(&app, &bob, &room, &other_id, "nobody else here").await;
    let mine = my_threads(&app, &bob).await;
    let order: Vec<&Value> = mine.iter().map(|t| &t["root"]["id"]).collect();
    assert_eq!(order, [&root["id"], &other["id"]]);
    assert!(mine[0]["unread"].as_u64().unwrap() > 0);
    assert_eq!(mine[1]["unread"], 0);
}

/// `token`'s view of `room` in their room list.
async fn listed_room(app: &TestApp, token: &str, room: &str) -> Value {
    let rooms: Vec<Value> = app.get_json("/api/v1/rooms", token).await;
    let listed = rooms.into_iter().find(|r| r["id"] == room).unwrap();
    let single: Value = app.get_json(&format!("/api/v1/rooms/{room}"), token).await;
    assert_eq!(single["unread"], listed["unread"], "{single}");
    assert_eq!(single["unread_mentions"], listed["unread_mentions"]);
    listed
}

async fn the_room_unread_leaves_out_replies_kept_in_their_thread(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, _) = app.account("alice").await;
    let (bob, _) = app.account("bob").await;
    let (carol, _) = app.account("carol").await;
    let room = app.public_room(&alice, &[&bob, &carol]).await;
    let root = app.post_message(&alice, &room, "picnic?").await;
    let root_id = root["id"].as_str().unwrap().to_owned();

    // Bob: two replies kept in Alice's thread (one naming her), one also sent to the room.
    reply(&app, &bob, &room, &root_id, "@alice which park?").await;
    reply(&app, &bob, &room, &root_id, "I can bring tea").await;
    let shared = reply_with(
        &app,
        &bob,
        &room,
        json!({"body": "picnic on Sunday, all welcome", "thread_id": root_id, "also_to_room": true}),
    )
    .await;
    assert_eq!(shared["also_to_room"], true);
    let view = listed_room(&app, &alice, &room).await;
    assert_eq!(
        view["unread"], 1,
        "only the reply also sent to the room: {view}"
    );
    assert_eq!(view["unread_mentions"], 0, "the mention is the thread's");
    // The thread keeps its own unread: Alice follows it as its root's author.
    let mine = my_threads(&app, &alice).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["root"]["id"], root_id.as_str());
    assert_eq!(mine[0]["following"], true);
    assert_eq!(mine[0]["unread"], 3);

    // Carol's new root counts for the room; Bob's replies to it, in a thread Alice does
    // not follow, count nowhere for her.
    let other = app
        .post_message(&carol, &room, "who has the frisbee?")
        .await;
    let other_id = other["id"].as_str().unwrap().to_owned();
    reply(&app, &bob, &room, &other_id, "not me").await;
    reply(&app, &bob, &room, &other_id, "ask Dara").await;
    let view = listed_room(&app, &alice, &room).await;
    assert_eq!(view["unread"], 2, "{view}");
    assert_eq!(view["unread_mentions"], 0);
    // The room list's latest message is the room's, not a reply kept in a thread.
    assert_eq!(view["last_message"]["id"], other["id"], "{view}");
    let mine = my_threads(&app, &alice).await;
    assert_eq!(mine.len(), 1, "only the thread she follows");
    let threads: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/threads"), &alice)
        .await;
    let theirs = threads
        .iter()
        .find(|t| t["root"]["id"] == other["id"])
        .unwrap();
    assert_eq!(theirs["following"], false);
    assert_eq!(theirs["unread"], 0);
    let hers = threads
        .iter()
        .find(|t| t["root"]["id"] == root["id"])
        .unwrap();
    assert_eq!(hers["following"], true);
    assert_eq!(hers["unread"], 3);
}

async fn history_can_leave_replies_out_and_bad_roots_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, _) = app.account("alice").await;
    let (bob, _) = app.account("bob").await;
    let room = app.public_room(&alice, &[&bob]).await;
    let elsewhere = app.public_room(&bob, &[&alice]).await;
    let root = app.post_message(&alice, &room, "topic").await;
    let root_id = root["id"].as_str().unwrap().to_owned();
    let hidden = reply(&app, &bob, &room, &root_id, "in the thread only").await;
    let shown = reply_with(
        &app,
        &bob,
        &room,
        json!({"body": "also in the room", "thread_id": root_id, "also_to_room": true}),
    )
    .await;
    assert_eq!(shown["also_to_room"], true);
    let after = app.post_message(&alice, &room, "next topic").await;

    let ids = |list: &[Value]| -> Vec<Value> { list.iter().map(|m| m["id"].clone()).collect() };
    let all: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &alice)
        .await;
    assert_eq!(
        ids(&all),
        [
            root["id"].clone(),
            hidden["id"].clone(),
            shown["id"].clone(),
            after["id"].clone()
        ],
        "by default, as before threads"
    );
    let main: Vec<Value> = app
        .get_json(
            &format!("/api/v1/rooms/{room}/messages?include_threads=false"),
            &alice,
        )
        .await;
    assert_eq!(
        ids(&main),
        [root["id"].clone(), shown["id"].clone(), after["id"].clone()]
    );

    // One level deep, same room, a live root; the socket says the same.
    let before: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &alice)
        .await;
    let nested = app
        .api(&bob)
        .message_send(&room, json!({"body": "deeper", "thread_id": hidden["id"]}))
        .await;
    assert_eq!(problem_code(nested, 422).await, "thread.nested");
    let foreign = app
        .api(&bob)
        .message_send(
            &elsewhere,
            json!({"body": "wrong room", "thread_id": root_id}),
        )
        .await;
    assert_eq!(problem_code(foreign, 422).await, "thread.root_invalid");
    let mut ws = WsClient::connect(&app, &bob).await;
    let refused = ws
        .request(
            json!({"op": "send", "room_id": room, "body": "deeper", "thread_id": hidden["id"]}),
        )
        .await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["data"]["code"], "thread.nested");
    let resp = app
        .authed(
            reqwest::Method::GET,
            &format!("/api/v1/messages/{}/thread", hidden["id"].as_str().unwrap()),
            &alice,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 404).await, "message.not_found");
    let unchanged: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &alice)
        .await;
    assert_eq!(ids(&unchanged), ids(&before), "refusals store nothing");

    // Outsiders read no thread of a room they are not in.
    let (mallory, _) = app.account("mallory").await;
    let resp = app
        .authed(
            reqwest::Method::GET,
            &format!("/api/v1/messages/{root_id}/thread"),
            &mallory,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 403).await, "room.not_member");
}

async fn moderation_reaches_replies_and_a_deleted_root_keeps_its_thread(backend: Backend) {
    let app = spawn_app(backend).await;
    let (admin, _) = app.account("admin").await;
    let (alice, _) = app.account("alice").await;
    let (bob, _) = app.account("bob").await;
    let (spammer, spammer_id) = app.account("spammer").await;
    let room = app.public_room(&alice, &[&bob, &spammer]).await;
    let root = app.post_message(&alice, &room, "announcements").await;
    let root_id = root["id"].as_str().unwrap().to_owned();
    let kept = reply(&app, &bob, &room, &root_id, "thanks").await;
    let spam = reply(&app, &spammer, &room, &root_id, "cheap watches").await;
    let rude = reply(&app, &spammer, &room, &root_id, "you are all idiots").await;

    // A reply can be reported like any message.
    let resp = app
        .authed(
            reqwest::Method::POST,
            &format!("/api/v1/messages/{}/report", rude["id"].as_str().unwrap()),
            &bob,
        )
        .json(&json!({"reason": "insults"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["message_id"], rude["id"]);

    // The room's owner deletes one reply.
    let resp = app
        .api(&alice)
        .message_delete(spam["id"].as_str().unwrap())
        .await;
    assert_eq!(resp.status(), 204);

    // Deleting the root leaves a placeholder; the replies stay readable.
    let resp = app.api(&alice).message_delete(&root_id).await;
    assert_eq!(resp.status(), 204);
    let page = thread(&app, &bob, &root_id).await;
    assert_eq!(page["root"]["deleted"], true);
    assert_eq!(page["root"]["body"], "");
    assert_eq!(page["root"]["thread"]["reply_count"], 3);
    let replies = page["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 3);
    assert_eq!(replies[0]["body"], "thanks");
    assert_eq!(replies[0]["id"], kept["id"]);
    assert_eq!(replies[1]["deleted"], true);
    assert_eq!(replies[2]["body"], "you are all idiots");
    // No new reply goes under a deleted root.
    let resp = app
        .api(&bob)
        .message_send(&room, json!({"body": "late", "thread_id": root_id}))
        .await;
    assert_eq!(problem_code(resp, 422).await, "thread.root_invalid");

    // A ban that purges the last hour takes the spammer's replies too.
    let resp = app
        .api(&admin)
        .admin_ban(&spammer_id, json!({"reason": "spam", "purge_hours": 1}))
        .await;
    assert_eq!(resp.status(), 200);
    let page = thread(&app, &bob, &root_id).await;
    let replies = page["replies"].as_array().unwrap();
    assert_eq!(replies[0]["body"], "thanks");
    assert!(
        replies[1..]
            .iter()
            .all(|m| m["deleted"] == true && m["body"] == ""),
        "{replies:?}"
    );
}

/// `token`'s upload into `room`, not sent yet; its file id.
async fn unsent_file(app: &TestApp, token: &str, room: &str, name: &str) -> String {
    let resp = upload_with(
        app,
        token,
        &[("room_id", room), ("send", "false")],
        name,
        b"minutes of the meeting",
    )
    .await;
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.unwrap();
    body["file"]["id"].as_str().unwrap().to_owned()
}

/// A thread reply carries files uploaded with `send=false`, over REST and the socket, and
/// stays out of the room; sending it clears the author's draft of that thread and leaves
/// their room draft alone.
async fn a_thread_reply_carries_files_and_clears_the_threads_draft_not_the_rooms(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, _) = app.account("alice").await;
    let (bob, _) = app.account("bob").await;
    let room = app.public_room(&alice, &[&bob]).await;
    let root = app.post_message(&alice, &room, "the minutes?").await;
    let root_id = root["id"].as_str().unwrap().to_owned();
    for draft in [
        json!({"body": "for the room"}),
        json!({"body": "for the thread", "thread_id": root_id}),
    ] {
        let saved = app
            .authed(
                reqwest::Method::PUT,
                &format!("/api/v1/rooms/{room}/draft"),
                &bob,
            )
            .json(&draft)
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), 200);
    }

    // Over REST.
    let file = unsent_file(&app, &bob, &room, "minutes.txt").await;
    let sent = reply_with(
        &app,
        &bob,
        &room,
        json!({"body": "here", "thread_id": root_id, "attachments": [file]}),
    )
    .await;
    assert_eq!(sent["thread_id"], root_id.as_str());
    assert_eq!(sent["attachments"][0]["id"], file.as_str());
    assert_eq!(sent["attachments"][0]["name"], "minutes.txt");
    let drafts: Vec<Value> = app.get_json("/api/v1/drafts", &bob).await;
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert_eq!(drafts[0]["body"], "for the room");
    assert!(drafts[0].get("thread_id").is_none(), "{drafts:?}");

    // Over the socket, with no text at all.
    let mut ws = subscribed(&app, &bob, &room).await;
    let file = unsent_file(&app, &bob, &room, "agenda.txt").await;
    let ack = ws
        .request(json!({
            "op": "send", "room_id": room, "body": "", "thread_id": root_id,
            "attachments": [file],
        }))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let created = ws
        .wait_for(|f| f["type"] == "message.created" && f["data"]["body"] == "")
        .await;
    assert_eq!(created["data"]["thread_id"], root_id.as_str());
    assert_eq!(created["data"]["attachments"][0]["name"], "agenda.txt");

    let page = thread(&app, &alice, &root_id).await;
    let replies = page["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 2, "{page}");
    assert_eq!(page["root"]["thread"]["reply_count"], 2);
    for (reply, name) in replies.iter().zip(["minutes.txt", "agenda.txt"]) {
        assert_eq!(reply["attachments"][0]["name"], name, "{page}");
    }
    let drafts: Vec<Value> = app.get_json("/api/v1/drafts", &bob).await;
    assert_eq!(
        drafts.len(),
        1,
        "the room's draft is still there: {drafts:?}"
    );
}

/// A reply sent to one node reaches a follower's socket on another, with its summary data
/// and the follower's new unread count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_replies_and_follow_state_cross_nodes() {
    let Some((a, b)) = crate::cluster::two_nodes(|f| f).await else {
        return;
    };
    let (alice, _) = a.account("alice").await;
    let (bob, _) = a.account("bob").await;
    let room = a.public_room(&alice, &[&bob]).await;
    let root = a.post_message(&alice, &room, "deploy window").await;
    let root_id = root["id"].as_str().unwrap().to_owned();
    let mut alice_on_a = subscribed(&a, &alice, &room).await;
    let mut bob_on_b = WsClient::connect(&b, &bob).await;
    let ack = bob_on_b
        .request(
            json!({"op": "send", "room_id": room, "body": "Friday works", "thread_id": root_id}),
        )
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let created = alice_on_a
        .wait_for(|f| f["type"] == "message.created" && f["data"]["id"] == ack["data"]["id"])
        .await;
    assert_eq!(created["data"]["thread_id"], root_id.as_str());
    let follow = alice_on_a.wait_for(is_thread_follow(&root_id)).await;
    assert_eq!(follow["data"]["unread"], 1);
    let told = alice_on_a.expect("notification").await;
    assert_eq!(told["data"]["notification"]["kind"], "thread");
    // Either node gives the same summary.
    for node in [&a, &b] {
        let page = thread(node, &alice, &root_id).await;
        assert_eq!(page["root"]["thread"]["reply_count"], 1);
        assert_eq!(usernames(&page["root"]["thread"]["repliers"]), ["bob"]);
    }
}
