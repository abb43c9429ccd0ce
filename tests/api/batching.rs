//! Group commit: messages sent while a batch is being written share the next one. These
//! tests make the race happen every time: they hold the room's publishing order (which the
//! writer takes before its transaction), let fifty senders queue behind it, and release it.

use std::collections::{HashMap, HashSet};

use anjoman::{publisher::batch::lane_of, state::AppState};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::{
    binary::{anjoman, serve},
    files::upload_with,
    helpers::{Backend, PATIENCE, TestApp, TestDatabase, spawn_app_with_state},
    on_both_backends,
    ws_client::WsClient,
};

on_both_backends!(
    fifty_senders_at_once_are_stored_once_each_in_order_and_a_bad_one_alone_is_refused,
    a_server_killed_in_a_burst_keeps_every_acked_message_and_no_half_written_one,
);

const SENDERS: usize = 50;

/// Waits (bounded) until `ready` holds of the lane of `room`: (open, queued).
async fn until_lane(state: &AppState, room: uuid::Uuid, ready: impl Fn(bool, usize) -> bool) {
    let lane = lane_of(state, room);
    let look = || {
        (
            state.fanout.sends.is_open(lane),
            state.fanout.sends.queued(lane),
        )
    };
    for _ in 0..PATIENCE.as_millis() / 10 {
        let (open, queued) = look();
        if ready(open, queued) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the lane never got there: (open, queued) = {:?}", look());
}

/// Fifty senders, half over REST and half over the socket, send while a batch is being
/// written: a lead message is taken alone, and all fifty queue behind it for the next
/// batch. Two of them name sender 0's unsent file: the writer refuses sender 1's in the
/// middle of the batch (the file is not theirs) and the others are stored. A muted member and a body over the
/// limit are refused as always. Then every ack matches a stored row, the seqs have no gap,
/// and each listener saw every stored message once, in seq order.
async fn fifty_senders_at_once_are_stored_once_each_in_order_and_a_bad_one_alone_is_refused(
    backend: Backend,
) {
    let (app, state) = spawn_app_with_state(backend, |f| {
        f.merge(("ws.connect_per_ip", 10_000))
            .merge(("limits.messages_per_minute", 100_000))
    })
    .await;
    let (owner, _) = app.account("owner").await;
    let mut senders = Vec::new();
    for i in 0..SENDERS {
        senders.push(app.account(&format!("sender{i}")).await.0);
    }
    let (muted, muted_id) = app.account("muted").await;
    let mut members: Vec<&str> = senders.iter().map(String::as_str).collect();
    members.push(&muted);
    let room = app.public_room(&owner, &members).await;
    let room_id = uuid::Uuid::parse_str(&room).unwrap();
    let resp = app
        .authed(
            reqwest::Method::POST,
            &format!("/api/v1/rooms/{room}/members/{muted_id}/mute"),
            &owner,
        )
        .json(&json!({"minutes": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let first = app.post_message(&owner, &room, "before the burst").await;
    let first_seq = first["seq"].as_i64().unwrap();

    // Two listeners, and the socket senders, connected before the burst.
    let mut listeners = Vec::new();
    for token in [&owner, &muted] {
        let mut ws = WsClient::connect(&app, token).await;
        ws.request(json!({"op": "subscribe", "room_id": room}))
            .await;
        listeners.push(ws);
    }
    let mut sockets = Vec::new();
    for token in &senders[SENDERS / 2..] {
        sockets.push(WsClient::connect(&app, token).await);
    }
    // Sender 0's one file, which senders 0 and 1 both try to attach (1 names it too: the
    // file is not theirs, but the check that refuses it runs inside the batch's write,
    // like the one for a file attached twice).
    let resp = upload_with(
        &app,
        &senders[0],
        &[("room_id", room.as_str()), ("send", "false")],
        "notes.txt",
        b"minutes",
    )
    .await;
    assert_eq!(resp.status(), 201);
    let file = resp.json::<Value>().await.unwrap()["file"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Hold the room's order: a lead message's writer takes it alone and waits for the
    // order, and everyone after queues behind that writer, to be written in one batch.
    let app = std::sync::Arc::new(app);
    let order = state.fanout.order.hold(room_id).await;
    let lead = {
        let (app, owner, room) = (app.clone(), owner.clone(), room.clone());
        tokio::spawn(async move { app.post_message(&owner, &room, "the lead").await })
    };
    until_lane(&state, room_id, |open, queued| open && queued == 0).await;
    let mut rest = Vec::new();
    for (i, token) in senders[..SENDERS / 2].iter().enumerate() {
        let (app, token, room, file) = (app.clone(), token.clone(), room.clone(), file.clone());
        rest.push(tokio::spawn(async move {
            let mut body = json!({"body": format!("rest {i}")});
            if i < 2 {
                body["attachments"] = json!([file]);
            }
            let resp = app.api(&token).message_send(&room, body).await;
            (
                format!("rest {i}"),
                resp.status().as_u16(),
                resp.json::<Value>().await.unwrap(),
            )
        }));
    }
    let mut refs = Vec::new();
    for (i, ws) in sockets.iter_mut().enumerate() {
        let reference = ws
            .op(json!({"op": "send", "room_id": room, "body": format!("ws {i}")}))
            .await;
        refs.push(reference);
    }
    until_lane(&state, room_id, |_, queued| queued == SENDERS).await;
    // Refused before they queue, as always: a muted member, a body over the limit.
    let resp = app
        .api(&muted)
        .message_send(&room, json!({"body": "let me"}))
        .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], "room.muted");
    let too_long = "x".repeat(4_001);
    let ack = listeners[0]
        .request(json!({"op": "send", "room_id": room, "body": too_long}))
        .await;
    assert_eq!(ack["type"], "error", "{ack}");
    drop(order);

    // Acks: REST answers and socket acks.
    let mut acked: HashMap<String, (String, i64)> = HashMap::new();
    let lead = lead.await.unwrap();
    acked.insert(
        lead["id"].as_str().unwrap().to_owned(),
        ("the lead".to_owned(), lead["seq"].as_i64().unwrap()),
    );
    let mut refused = Vec::new();
    for task in rest {
        let (body, status, answer) = task.await.unwrap();
        match status {
            201 => {
                acked.insert(
                    answer["id"].as_str().unwrap().to_owned(),
                    (body, answer["seq"].as_i64().unwrap()),
                );
            }
            _ => refused.push((body, status, answer)),
        }
    }
    for (i, (ws, reference)) in sockets.iter_mut().zip(&refs).enumerate() {
        let ack = ws.wait_for(|f| f["ref"] == reference.as_str()).await;
        assert_eq!(ack["type"], "ack", "{ack}");
        let data = &ack["data"];
        acked.insert(
            data["id"].as_str().unwrap().to_owned(),
            (format!("ws {i}"), data["seq"].as_i64().unwrap()),
        );
    }
    // Exactly one of the two that named the file is refused, with its own error.
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].1, 422, "{refused:?}");
    assert_eq!(
        refused[0].2["code"], "file.attachment_invalid",
        "{refused:?}"
    );
    assert_eq!(acked.len(), SENDERS, "the lead and all but the refused one");

    // Stored: one row per ack, with the acked seq, and the seqs run on without a gap.
    let stored = entity::messages::Entity::find()
        .filter(entity::messages::Column::RoomId.eq(room_id))
        .filter(entity::messages::Column::Seq.gt(first_seq))
        .order_by_asc(entity::messages::Column::Seq)
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), acked.len());
    for (n, row) in stored.iter().enumerate() {
        assert_eq!(row.seq, first_seq + 1 + n as i64, "seqs without a gap");
        let (body, seq) = &acked[&row.id.to_string()];
        assert_eq!((&row.body, row.seq), (body, *seq));
    }
    let events = entity::room_events::Entity::find()
        .filter(entity::room_events::Column::RoomId.eq(room_id))
        .filter(entity::room_events::Column::Seq.gt(first_seq))
        .all(&app.db)
        .await
        .unwrap();
    let event_seqs: HashSet<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(event_seqs.len(), stored.len(), "one event per message");
    let room_row = entity::rooms::Entity::find_by_id(room_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(room_row.last_seq, first_seq + stored.len() as i64);

    // Every listener saw each stored message once, in seq order.
    for ws in &mut listeners {
        let mut seen = Vec::new();
        while seen.len() < stored.len() {
            let frame = ws.wait_for(|f| f["type"] == "message.created").await;
            let seq = frame["seq"]
                .as_i64()
                .or(frame["data"]["seq"].as_i64())
                .unwrap();
            if seq > first_seq {
                seen.push(seq);
            }
        }
        let expected: Vec<i64> = stored.iter().map(|row| row.seq).collect();
        assert_eq!(seen, expected);
    }
}

const BURST_SOCKETS: usize = 20;
const BURST_EACH: usize = 100;

/// The binary on `database`, without rate limits in the way of a burst.
fn burst_server(database: &TestDatabase, dir: &std::path::Path) -> crate::binary::Served {
    let mut cmd = anjoman(dir);
    cmd.env("DATABASE_URL", &database.url)
        .env("ANJOMAN_WS__CONNECT_PER_IP", "10000")
        .env("ANJOMAN_LIMITS__MESSAGES_PER_MINUTE", "1000000");
    serve(cmd)
}

/// Twenty sockets each put a hundred sends on the wire without waiting, so batches form;
/// the server is killed with SIGKILL once a third are acked. After a restart on the same
/// database every acked message is there with its acked seq, and what is stored is whole:
/// the room's seqs run from 1 to its last seq without a gap, each with one event, and no
/// message lies beyond the last seq or without its event.
async fn a_server_killed_in_a_burst_keeps_every_acked_message_and_no_half_written_one(
    backend: Backend,
) {
    let database = TestDatabase::create(&backend).await;
    let dir = tempfile::tempdir().unwrap();
    let mut served = burst_server(&database, dir.path());
    let app = TestApp::attach(
        format!("http://127.0.0.1:{}", served.port),
        TestDatabase::shared(&database.url),
    )
    .await;
    let (owner, _) = app.account("owner").await;
    let mut tokens = Vec::new();
    for i in 0..BURST_SOCKETS {
        tokens.push(app.account(&format!("burst{i}")).await.0);
    }
    let members: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let room = app.public_room(&owner, &members).await;
    let room_id = uuid::Uuid::parse_str(&room).unwrap();

    let acked = std::sync::Arc::new(std::sync::Mutex::new(HashMap::<String, i64>::new()));
    let mut sockets = Vec::new();
    for token in &tokens {
        sockets.push(WsClient::connect(&app, token).await);
    }
    let mut tasks = Vec::new();
    for (i, mut ws) in sockets.into_iter().enumerate() {
        let (room, acked) = (room.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0..BURST_EACH {
                let frame = json!({"op": "send", "room_id": room, "body": format!("{i}:{n}")});
                if ws.try_op(frame).await.is_err() {
                    break;
                }
            }
            while let Some(frame) = ws.next_or_end().await {
                if frame["type"] == "ack" {
                    let data = &frame["data"];
                    acked.lock().unwrap().insert(
                        data["id"].as_str().unwrap().to_owned(),
                        data["seq"].as_i64().unwrap(),
                    );
                }
            }
        }));
    }
    let third = BURST_SOCKETS * BURST_EACH / 3;
    for _ in 0..PATIENCE.as_millis() / 10 {
        if acked.lock().unwrap().len() >= third {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    served.child.kill().unwrap();
    served.child.wait().unwrap();
    for task in tasks {
        task.await.unwrap();
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(
        acked.len() >= third,
        "{} acked before the kill",
        acked.len()
    );

    let _restarted = burst_server(&database, dir.path());
    let stored = entity::messages::Entity::find()
        .filter(entity::messages::Column::RoomId.eq(room_id))
        .order_by_asc(entity::messages::Column::Seq)
        .all(&app.db)
        .await
        .unwrap();
    let by_id: HashMap<String, i64> = stored.iter().map(|m| (m.id.to_string(), m.seq)).collect();
    for (id, seq) in &acked {
        assert_eq!(
            by_id.get(id),
            Some(seq),
            "acked message {id} is stored with its seq"
        );
    }
    let last_seq = entity::rooms::Entity::find_by_id(room_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .last_seq;
    let events = entity::room_events::Entity::find()
        .filter(entity::room_events::Column::RoomId.eq(room_id))
        .order_by_asc(entity::room_events::Column::Seq)
        .all(&app.db)
        .await
        .unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=last_seq).collect::<Vec<_>>(),
        "one event per seq, no gap"
    );
    let created: HashSet<i64> = events
        .iter()
        .filter(|e| e.kind == "message.created")
        .map(|e| e.seq)
        .collect();
    for message in &stored {
        assert!(
            message.seq <= last_seq,
            "no message beyond the room's last seq"
        );
        assert!(
            created.contains(&message.seq),
            "message {} has its event",
            message.seq
        );
    }
    assert!(stored.len() >= acked.len());
}
