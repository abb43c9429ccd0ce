//! The spec tells the truth: what `/api/openapi.json` says is what the server does.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app};

crate::on_both_backends!(
    wrong_json_types_are_refused_with_422_naming_the_field,
    null_is_refused_where_the_spec_does_not_allow_it,
    a_missing_required_field_is_422_naming_it,
    nul_characters_are_refused_with_422_not_a_500,
    nul_characters_are_refused_over_the_socket_too,
    a_huge_offset_is_a_page_not_a_500,
);

async fn spec(app: &TestApp) -> Value {
    app.get("/api/openapi.json").await.json().await.unwrap()
}

async fn problem(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

async fn wrong_json_types_are_refused_with_422_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    for username in [json!(false), json!(12345)] {
        let resp = app
            .client
            .post(app.url("/api/v1/auth/register"))
            .header("accept-language", "fa-IR")
            .json(&json!({ "username": username, "password": "correct horse battery" }))
            .send()
            .await
            .unwrap();
        let (status, body) = problem(resp).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["code"], "body.wrong_type");
        assert_eq!(body["data"]["field"], "username");
        assert!(body["detail"].as_str().unwrap().contains("username"));
    }
}

async fn null_is_refused_where_the_spec_does_not_allow_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, _) = app.account("sara").await;
    let resp = app
        .authed(Method::POST, "/api/v1/rooms", &token)
        .json(&json!({ "name": null, "visibility": "public" }))
        .send()
        .await
        .unwrap();
    let (status, body) = problem(resp).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("body.null_not_allowed"))
    );
    assert_eq!(body["data"]["field"], "name");
    // Where the spec says nullable, null is accepted.
    let spec = spec(&app).await;
    let topic = &spec["components"]["schemas"]["RoomCreate"]["properties"]["topic"];
    assert_eq!(topic["nullable"], true);
    let email = &spec["components"]["schemas"]["ProfilePatch"]["properties"]["email"];
    assert_eq!(email["nullable"], true);
    let resp = app
        .authed(Method::POST, "/api/v1/rooms", &token)
        .json(&json!({ "name": "tea", "topic": null, "visibility": "public" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
}

async fn a_missing_required_field_is_422_naming_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "username": "sara" }))
        .send()
        .await
        .unwrap();
    let (status, body) = problem(resp).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("body.field_missing"))
    );
    assert_eq!(body["data"]["field"], "password");
}

async fn nul_characters_are_refused_with_422_not_a_500(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, _) = app.account("sara").await;
    let room = app.public_room(&token, &[]).await;
    let resp = app
        .authed(
            Method::POST,
            &format!("/api/v1/rooms/{room}/messages"),
            &token,
        )
        .json(&json!({ "body": "a\u{0}b" }))
        .send()
        .await
        .unwrap();
    let (status, body) = problem(resp).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("text.nul_character"))
    );
    // A form field of an upload: the caption, posted with send=false so it is only kept.
    let resp = crate::files::upload_with(
        &app,
        &token,
        &[
            ("room_id", room.as_str()),
            ("caption", "x\u{0}y"),
            ("send", "false"),
        ],
        "note.txt",
        b"hello",
    )
    .await;
    let (status, body) = problem(resp).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("text.nul_character"))
    );
    assert_eq!(body["data"]["field"], "caption");
    let resp = app
        .authed(Method::GET, "/api/v1/users/a%00b", &token)
        .send()
        .await
        .unwrap();
    let (status, body) = problem(resp).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("text.nul_character"))
    );
}

async fn nul_characters_are_refused_over_the_socket_too(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, _) = app.account("sara").await;
    let room = app.public_room(&token, &[]).await;
    let mut ws = crate::ws_client::WsClient::connect(&app, &token).await;
    let refused = ws
        .request(json!({"op": "send", "room_id": room, "body": "a\u{0}b"}))
        .await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["data"]["code"], "text.nul_character");
    let sent = ws
        .request(json!({"op": "send", "room_id": room, "body": "fine"}))
        .await;
    let id = sent["data"]["id"].as_str().unwrap().to_owned();
    let refused = ws
        .request(json!({"op": "edit", "message_id": id, "body": "x\u{0}"}))
        .await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["data"]["code"], "text.nul_character");
}

async fn a_huge_offset_is_a_page_not_a_500(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, _) = app.account("sara").await;
    let resp = app
        .authed(
            Method::GET,
            "/api/v1/admin/users?offset=18446744073709551614",
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let negative = app
        .authed(Method::GET, "/api/v1/admin/users?offset=-1", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(negative.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spec_declares_the_rules_the_server_enforces() {
    let app = spawn_app(Backend::Sqlite).await;
    let spec = spec(&app).await;
    let schemas = &spec["components"]["schemas"];
    assert_eq!(
        schemas["RegisterRequest"]["properties"]["password"]["minLength"],
        anjoman::domain::password::MIN_CHARS
    );
    assert_eq!(
        schemas["RegisterRequest"]["properties"]["locale"]["enum"],
        json!(["en-US", "fa-IR", null])
    );
    assert_eq!(
        schemas["VoteRequest"]["properties"]["option_ids"]["minItems"],
        1
    );
    assert_eq!(schemas["MessageEdit"]["properties"]["body"]["minLength"], 1);
    let keywords = &schemas["NotificationPreferencesPut"]["properties"]["keywords"];
    assert_eq!(
        keywords["maxItems"],
        anjoman::domain::notifications::keywords::KEYWORDS_MAX
    );
    assert_eq!(
        keywords["items"]["maxLength"],
        anjoman::domain::notifications::keywords::KEYWORD_CHARS_MAX
    );
    assert!(
        schemas["QuietHoursInput"]["properties"]["start"]["pattern"]
            .as_str()
            .is_some_and(|p| p.contains("2[0-3]"))
    );
    let inbox = spec["paths"]["/api/v1/notifications"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap()
        .clone();
    assert_eq!(
        (&inbox["schema"]["minimum"], &inbox["schema"]["maximum"]),
        (&json!(1), &json!(100))
    );
    let params = spec["paths"]["/api/v1/admin/users"]["get"]["parameters"]
        .as_array()
        .unwrap();
    for name in ["limit", "offset"] {
        let param = params.iter().find(|p| p["name"] == name).unwrap();
        assert_eq!(param["schema"]["minimum"], 0, "{name}");
    }
    let cursor = spec["paths"]["/api/v1/search/messages"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "cursor")
        .unwrap()
        .clone();
    assert_eq!(cursor["schema"]["minLength"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_4xx_an_operation_can_answer_is_documented() {
    let app = spawn_app(Backend::Sqlite).await;
    let spec = spec(&app).await;
    let responses = |path: &str, method: &str| spec["paths"][path][method]["responses"].clone();
    let has = |path: &str, method: &str, status: &str, code: &str| {
        let response = &responses(path, method)[status];
        assert!(
            response["description"]
                .as_str()
                .is_some_and(|d| d.contains(&format!("`{code}`"))),
            "{method} {path} documents {status} {code}: {response}"
        );
    };
    has("/api/v1/auth/register", "post", "422", "password.too_short");
    has("/api/v1/auth/register", "post", "429", "rate_limited");
    has(
        "/api/v1/rooms/{id}/messages",
        "post",
        "422",
        "message.body_empty",
    );
    has("/api/v1/dm/{username}", "post", "422", "dm.self");
    has(
        "/api/v1/users/me/blocks/{username}",
        "put",
        "422",
        "block.self",
    );
    has("/api/v1/polls/{id}/votes", "post", "422", "poll.no_choice");
    has(
        "/api/v1/users/me",
        "patch",
        "422",
        "profile.locale_unsupported",
    );
    has(
        "/api/v1/search/messages",
        "get",
        "422",
        "search.cursor_invalid",
    );
    has(
        "/api/v1/users/me/avatar",
        "put",
        "415",
        "avatar.type_not_allowed",
    );
    has("/api/v1/admin/users", "get", "400", "bad_request");
    has(
        "/api/v1/notifications/preferences",
        "put",
        "422",
        "notification.keywords_invalid",
    );
    has(
        "/api/v1/notifications/preferences",
        "put",
        "422",
        "notification.quiet_hours_invalid",
    );
    has(
        "/api/v1/notifications/{id}/read",
        "post",
        "404",
        "notification.not_found",
    );
    has(
        "/api/v1/notifications/rooms/{room_id}",
        "put",
        "403",
        "room.not_member",
    );
    assert!(
        responses("/api/v1/rooms", "get").get("4XX").is_none(),
        "no catch-all 4XX"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_poll_example_stays_valid() {
    let app = spawn_app(Backend::Sqlite).await;
    let spec = spec(&app).await;
    let closes_at = spec["components"]["schemas"]["PollCreate"]["example"]["closes_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let closes_at = chrono::DateTime::parse_from_rfc3339(&closes_at).unwrap();
    assert!(closes_at.year_ce().1 >= 2099, "{closes_at}");
}

use chrono::Datelike;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsupported_method_gets_405_with_allow_and_options_gets_204() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in [
        "/api/v1/auth/register",
        "/login",
        "/api/v1/rooms/0196f0a0-0000-7000-8000-000000000000",
    ] {
        let resp = app
            .client
            .request(Method::TRACE, app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405, "TRACE {path}");
        let allow = resp.headers()["allow"].to_str().unwrap().to_owned();
        assert!(allow.contains("OPTIONS"), "{path}: {allow}");
        let resp = app
            .client
            .request(Method::OPTIONS, app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204, "OPTIONS {path}");
        assert!(resp.headers().contains_key("allow"));
    }
    let resp = app
        .client
        .request(
            Method::TRACE,
            app.url("/api/v1/rooms/0196f0a0-0000-7000-8000-000000000000"),
        )
        .send()
        .await
        .unwrap();
    let allow = resp.headers()["allow"].to_str().unwrap().to_owned();
    for method in ["GET", "PATCH", "HEAD"] {
        assert!(allow.contains(method), "{allow}");
    }
}
