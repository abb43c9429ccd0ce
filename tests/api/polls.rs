use std::time::Duration;

use anjoman::{app::Application, config::Settings};
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, TestApp, problem_code, spawn_app, spawn_app_with, test_figment, token_of,
};
use crate::on_both_backends;
use crate::ws_client::WsClient;

on_both_backends!(
    poll_rules_are_enforced_with_clear_codes,
    anonymous_polls_never_reveal_voters,
    a_burst_of_votes_is_coalesced_and_counted_exactly,
    five_hundred_concurrent_votes_count_exactly,
    closing_time_is_enforced_across_a_restart,
);

const PASSWORD: &str = "correct horse battery";

pub async fn create(app: &TestApp, token: &str, room: &str, body: Value) -> reqwest::Response {
    app.api(token).poll_create(room, &body).await
}

pub async fn vote(app: &TestApp, token: &str, poll: &str, options: &[&Value]) -> reqwest::Response {
    app.api(token)
        .poll_vote(poll, json!({ "option_ids": options }))
        .await
}

async fn poll_rules_are_enforced_with_clear_codes(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.register_token("pollster", PASSWORD).await;
    let voter = app.register_token("voter", PASSWORD).await;
    let outsider = app.register_token("outsider", PASSWORD).await;
    let id = app.public_room(&owner, &[&voter]).await;

    for (body, code) in [
        (
            json!({"question": "", "options": ["a", "b"]}),
            "poll.question_invalid",
        ),
        (
            json!({"question": "q".repeat(301), "options": ["a", "b"]}),
            "poll.question_invalid",
        ),
        (
            json!({"question": "?", "options": ["only one"]}),
            "poll.options_count",
        ),
        (
            json!({"question": "?", "options": (0..11).map(|i| i.to_string()).collect::<Vec<_>>()}),
            "poll.options_count",
        ),
        (
            json!({"question": "?", "options": ["چای", " چای "]}),
            "poll.options_duplicate",
        ),
        (
            json!({"question": "?", "options": ["a", "b"], "max_choices": 2}),
            "poll.max_choices_invalid",
        ),
        (
            json!({"question": "?", "options": ["a", "b"], "multiple": true, "max_choices": 3}),
            "poll.max_choices_invalid",
        ),
        (
            json!({"question": "?", "options": ["a", "b"], "closes_at": "2001-01-01T00:00:00Z"}),
            "poll.closes_at_past",
        ),
    ] {
        assert_eq!(
            problem_code(create(&app, &owner, &id, body.clone()).await, 422).await,
            code,
            "{body}"
        );
    }

    let resp = create(
        &app,
        &owner,
        &id,
        json!({"question": "چای یا قهوه؟", "options": ["چای", "قهوه", "آب"]}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let poll: Value = resp.json().await.unwrap();
    let poll_id = poll["id"].as_str().unwrap().to_owned();
    let (tea, coffee, water) = (
        &poll["options"][0]["id"],
        &poll["options"][1]["id"],
        &poll["options"][2]["id"],
    );
    let history: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{id}/messages"), &voter)
        .await;
    let carrier = history.iter().find(|m| m["kind"] == "poll").unwrap();
    assert_eq!(carrier["poll_id"], poll_id.as_str());
    assert_eq!(carrier["body"], "چای یا قهوه؟");
    let edit = app
        .api(&owner)
        .message_edit(
            carrier["id"].as_str().unwrap(),
            json!({"body": "changed question"}),
        )
        .await;
    assert_eq!(problem_code(edit, 422).await, "message.not_editable");

    let other = create(
        &app,
        &owner,
        &id,
        json!({"question": "other", "options": ["x", "y"], "multiple": true, "max_choices": 2}),
    )
    .await;
    let other: Value = other.json().await.unwrap();
    let foreign = &other["options"][0]["id"];
    assert_eq!(
        problem_code(vote(&app, &voter, &poll_id, &[foreign]).await, 422).await,
        "poll.option_invalid"
    );
    assert_eq!(
        problem_code(vote(&app, &voter, &poll_id, &[tea, coffee]).await, 422).await,
        "poll.too_many_choices"
    );
    assert_eq!(
        problem_code(vote(&app, &voter, &poll_id, &[]).await, 422).await,
        "poll.no_choice"
    );
    assert_eq!(
        problem_code(vote(&app, &outsider, &poll_id, &[tea]).await, 403).await,
        "room.not_member"
    );

    // A vote replaces the previous one; retracting removes it.
    let first: Value = vote(&app, &voter, &poll_id, &[tea])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["options"][0]["votes"], 1);
    let second: Value = vote(&app, &voter, &poll_id, &[coffee])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            second["options"][0]["votes"].as_u64(),
            second["options"][1]["votes"].as_u64()
        ),
        (Some(0), Some(1))
    );
    assert_eq!(second["my_choices"], json!([coffee]));
    assert_eq!(second["total_voters"], 1);
    assert_eq!(
        second["options"][1]["voters"][0]["username"], "voter",
        "public poll shows who"
    );
    let retracted: Value = app
        .api(&voter)
        .poll_unvote(&poll_id)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(retracted["total_voters"], 0);

    // Multiple choice within its limit.
    let other_id = other["id"].as_str().unwrap();
    let both: Value = vote(
        &app,
        &voter,
        other_id,
        &[&other["options"][0]["id"], &other["options"][1]["id"]],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(both["total_voters"], 1);
    assert_eq!(both["my_choices"].as_array().unwrap().len(), 2);

    // Closing: only the creator (or a moderator), once; then no more votes.
    let denied = app.api(&voter).poll_close(&poll_id).await;
    assert_eq!(problem_code(denied, 403).await, "forbidden");
    vote(&app, &voter, &poll_id, &[water]).await;
    let closed: Value = app
        .api(&owner)
        .poll_close(&poll_id)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["closed"], true);
    assert_eq!(closed["options"][2]["votes"], 1, "final results");
    assert_eq!(
        problem_code(vote(&app, &voter, &poll_id, &[tea]).await, 409).await,
        "poll.closed"
    );
    let again = app.api(&owner).poll_close(&poll_id).await;
    assert_eq!(problem_code(again, 409).await, "poll.closed");
    let listed: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{id}/polls"), &voter)
        .await;
    assert_eq!(listed.len(), 2);
}

async fn anonymous_polls_never_reveal_voters(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.register_token("secret_keeper", PASSWORD).await;
    let voter = app.register_token("shy_voter", PASSWORD).await;
    let id = app.public_room(&owner, &[&voter]).await;
    let mut watcher = WsClient::connect(&app, &owner).await;
    watcher
        .request(json!({"op": "subscribe", "room_id": id}))
        .await;
    let poll: Value = create(
        &app,
        &owner,
        &id,
        json!({"question": "secret?", "options": ["yes", "no"], "anonymous": true}),
    )
    .await
    .json()
    .await
    .unwrap();
    let poll_id = poll["id"].as_str().unwrap().to_owned();

    // Vote over the WebSocket this time.
    let mut ws = WsClient::connect(&app, &voter).await;
    let ack = ws
        .request(
            json!({"op": "vote", "poll_id": poll_id, "option_ids": [poll["options"][0]["id"]]}),
        )
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(
        ack["data"]["my_choices"],
        json!([poll["options"][0]["id"]]),
        "you see your own choice"
    );

    let updated = watcher.expect("poll.updated").await;
    assert_eq!(updated["data"]["options"][0]["votes"], 1);
    app.api(&owner).poll_close(&poll_id).await;
    let closed = watcher.expect("poll.closed").await;
    let seen_by_owner: Value = app
        .get_json(&format!("/api/v1/polls/{poll_id}"), &owner)
        .await;
    for frame in [&updated, &closed] {
        let text = frame.to_string();
        assert!(!text.contains("shy_voter"), "{text}");
        assert!(
            frame["data"]["options"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o["voters"].is_null())
        );
    }
    assert!(!seen_by_owner.to_string().contains("shy_voter"));
    assert!(seen_by_owner["options"][0]["voters"].is_null());
}

async fn register_many(app: &TestApp, prefix: &str, n: usize) -> Vec<String> {
    stream::iter(0..n)
        .map(|i| async move {
            let body = app.register(&format!("{prefix}{i}"), PASSWORD).await;
            token_of(&body)
        })
        .buffer_unordered(25)
        .collect()
        .await
}

async fn a_burst_of_votes_is_coalesced_and_counted_exactly(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.register_token("counter", PASSWORD).await;
    let voters = register_many(&app, "burst", 60).await;
    let refs: Vec<&str> = voters.iter().map(String::as_str).collect();
    let id = app.public_room(&owner, &refs).await;
    let poll: Value = create(
        &app,
        &owner,
        &id,
        json!({"question": "burst?", "options": ["a", "b"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let poll_id = poll["id"].as_str().unwrap().to_owned();
    let mut watcher = WsClient::connect(&app, &owner).await;
    watcher
        .request(json!({"op": "subscribe", "room_id": id}))
        .await;

    let options = [
        poll["options"][0]["id"].clone(),
        poll["options"][1]["id"].clone(),
    ];
    let results: Vec<u16> = stream::iter(voters.iter().enumerate())
        .map(|(i, token)| {
            let option = &options[i % 2];
            let poll_id = &poll_id;
            let app = &app;
            async move { vote(app, token, poll_id, &[option]).await.status().as_u16() }
        })
        .buffer_unordered(60)
        .collect()
        .await;
    assert!(results.iter().all(|s| *s == 200));

    // Count every poll.updated this member receives until the counts are final.
    let mut frames = 0;
    loop {
        let frame = watcher.expect("poll.updated").await;
        frames += 1;
        if frame["data"]["total_voters"] == 60 {
            assert_eq!(frame["data"]["options"][0]["votes"], 30);
            assert_eq!(frame["data"]["options"][1]["votes"], 30);
            break;
        }
    }
    // A vote marked just after a flush may cause one more (identical) batch; never a wrong one.
    let deadline = tokio::time::Instant::now() + Duration::from_millis(800);
    while let Ok(frame) = tokio::time::timeout_at(deadline, watcher.expect("poll.updated")).await {
        frames += 1;
        assert_eq!(frame["data"]["total_voters"], 60);
    }
    assert!(frames <= 20, "60 votes produced {frames} broadcasts");
}

async fn five_hundred_concurrent_votes_count_exactly(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.register_token("host500", PASSWORD).await;
    let voters = register_many(&app, "voter", 500).await;
    let id = app.public_room(&owner, &[]).await;
    stream::iter(voters.iter())
        .map(|token| {
            let api = app.api(token);
            let id = &id;
            async move { assert_eq!(api.room_join(id).await.status(), 200) }
        })
        .buffer_unordered(50)
        .collect::<Vec<_>>()
        .await;
    let poll: Value = create(
        &app,
        &owner,
        &id,
        json!({"question": "500?", "options": ["a", "b", "c"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let poll_id = poll["id"].as_str().unwrap().to_owned();
    let options: Vec<Value> = poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].clone())
        .collect();

    // A hundred in flight at a time: enough to race every vote against others, bounded so
    // a busy machine answers each within the client's patience.
    let statuses: Vec<u16> = stream::iter(voters.iter().enumerate())
        .map(|(i, token)| {
            let option = &options[i % 3];
            let (app, poll_id) = (&app, &poll_id);
            async move { vote(app, token, poll_id, &[option]).await.status().as_u16() }
        })
        .buffer_unordered(100)
        .collect()
        .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let result: Value = app
        .get_json(&format!("/api/v1/polls/{poll_id}"), &owner)
        .await;
    assert_eq!(result["total_voters"], 500);
    let counts: Vec<u64> = result["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["votes"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [167, 167, 166]);
}

/// Moves `poll_id`'s closing time into the past, as time passing would.
async fn closing_time_passes(app: &TestApp, poll_id: &str) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let past = chrono::Utc::now() - chrono::Duration::seconds(1);
    let updated = entity::polls::Entity::update_many()
        .col_expr(entity::polls::Column::ClosesAt, Expr::value(past))
        .filter(entity::polls::Column::Id.eq(uuid::Uuid::parse_str(poll_id).unwrap()))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected, 1);
}

async fn closing_time_is_enforced_across_a_restart(backend: Backend) {
    // The first server never checks closing times (as if it went down right after).
    let first = spawn_app_with(backend, |f| f.merge(("polls.close_check_secs", 3600))).await;
    let owner = first.register_token("timer", PASSWORD).await;
    let id = first.public_room(&owner, &[]).await;
    // Far enough ahead that a slow machine cannot reach it while creating the poll; the
    // test then moves it into the past itself (a clock it controls) instead of sleeping.
    let closes_at = chrono::Utc::now() + chrono::Duration::hours(1);
    let poll: Value = create(
        &first,
        &owner,
        &id,
        json!({"question": "soon?", "options": ["a", "b"], "closes_at": closes_at}),
    )
    .await
    .json()
    .await
    .unwrap();
    let poll_id = poll["id"].as_str().unwrap().to_owned();
    let seq_before = first
        .get_json::<Value>(&format!("/api/v1/rooms/{id}"), &owner)
        .await["last_seq"]
        .as_i64()
        .unwrap();
    closing_time_passes(&first, &poll_id).await;
    let refused = vote(&first, &owner, &poll_id, &[&poll["options"][0]["id"]]).await;
    assert_eq!(
        problem_code(refused, 409).await,
        "poll.closed",
        "the time alone closes voting"
    );

    // A new server on the same database closes it properly and announces it.
    let settings = Settings::from_figment(test_figment(&first.database.url)).unwrap();
    let second = Application::build(settings).await.unwrap();
    let address = format!("http://{}", second.local_addr());
    tokio::spawn(second.run_until(std::future::pending()));
    let deadline = tokio::time::Instant::now() + crate::helpers::PATIENCE;
    loop {
        let view: Value = first
            .client
            .get(format!("{address}/api/v1/polls/{poll_id}"))
            .bearer_auth(&owner)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if view["closed_at"].is_string() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not closed by the restarted server"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut ws = WsClient::connect(&first, &owner).await;
    ws.request(json!({"op": "subscribe", "room_id": id, "after_seq": seq_before}))
        .await;
    let closed = ws.expect("poll.closed").await;
    assert_eq!(closed["data"]["id"], poll_id.as_str());
}
