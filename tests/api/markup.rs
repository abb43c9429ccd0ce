//! Markdown over the API: the server renders at send and edit time, and REST, the socket,
//! history and the preview all carry the same sanitized `html` beside the source; search
//! finds the words, not the markup; every filter-evasion vector comes out inert on every
//! path.

use serde_json::{Value, json};

use crate::{
    helpers::{Backend, TestApp, problem_code, spawn_app, spawn_app_with},
    on_both_backends,
    ws_client::WsClient,
};

on_both_backends!(
    messages_carry_source_and_rendering_on_every_path,
    filter_evasion_vectors_are_inert_over_rest_and_the_socket,
    the_preview_renders_without_storing,
    here_and_room_notify_whom_they_name_and_large_rooms_keep_them_for_moderators,
);

/// The vectors the renderer's unit tests and the browser suite use too.
pub fn xss_vectors() -> Vec<String> {
    serde_json::from_str(include_str!("../fixtures/xss-vectors.json")).unwrap()
}

/// What a rendering must never hold, whatever the input: only the allowed elements, no
/// event handler or style, links only to `http(s)`/`mailto`, pictures only custom emoji.
/// `<` in text is escaped, so every `<` opens a tag.
pub fn assert_inert(source: &str, html: &str) {
    for tag in html.split('<').skip(1) {
        let inside = tag[..tag.find('>').unwrap_or(tag.len())].to_ascii_lowercase();
        let inside = inside.trim_start_matches('/');
        let name = inside.split([' ', '/']).next().unwrap_or_default();
        assert!(
            anjoman::domain::messages::markup::ALLOWED_TAGS.contains(&name),
            "<{name}> from {source:?}: {html}"
        );
        assert!(
            !inside.contains(" on") && !inside.contains("style="),
            "{source:?}: {html}"
        );
        if let Some((_, href)) = inside.split_once("href=\"") {
            assert!(
                ["http://", "https://", "mailto:"]
                    .iter()
                    .any(|s| href.starts_with(s)),
                "{source:?}: {html}"
            );
        }
        if let Some((_, src)) = inside.split_once("src=\"") {
            assert!(src.starts_with("/api/v1/emoji/"), "{source:?}: {html}");
        }
    }
}

async fn subscribed(app: &TestApp, token: &str, room: &str) -> WsClient {
    let mut ws = WsClient::connect(app, token).await;
    let ack = ws
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    ws
}

async fn messages_carry_source_and_rendering_on_every_path(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let room = app.public_room(&ali, &[&sara]).await;
    let mut watcher = subscribed(&app, &sara, &room).await;

    let source = "**bold** and `code` for @sara\n\n```rust\nfn main() {}\n```";
    let sent = app.post_message(&ali, &room, source).await;
    assert_eq!(sent["body"], source, "the source is kept as typed");
    let html = sent["html"].as_str().unwrap();
    assert!(html.contains("<strong>bold</strong>"), "{html}");
    assert!(html.contains("<code>code</code>"), "{html}");
    assert!(
        html.contains(r#"<span class="mention" data-username="sara">@sara</span>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<pre dir="ltr"><code class="language-rust"><span class="hl-"#),
        "{html}"
    );

    // The socket and history carry the same rendering.
    let event = watcher.expect("message.created").await;
    assert_eq!(event["data"]["html"], sent["html"]);
    let history: Value = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &sara)
        .await;
    assert_eq!(history[0]["html"], sent["html"]);

    // An edit renders again.
    let id = sent["id"].as_str().unwrap();
    let edited: Value = app
        .authed(
            reqwest::Method::PATCH,
            &format!("/api/v1/messages/{id}"),
            &ali,
        )
        .json(&json!({"body": "~~struck~~ [docs](https://example.org/docs)"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let html = edited["html"].as_str().unwrap();
    assert!(html.contains("<del>struck</del>"), "{html}");
    assert!(
        html.contains(r#"<a href="https://example.org/docs" target="_blank" rel="noopener noreferrer nofollow ugc">docs</a> <span class="link-host">(example.org)</span>"#),
        "{html}"
    );
    let event = watcher.expect("message.edited").await;
    assert_eq!(event["data"]["html"], edited["html"]);

    // Search finds the words and not the markup.
    let found: Value = app
        .get_json("/api/v1/search/messages?q=struck", &sara)
        .await;
    assert_eq!(found["hits"].as_array().unwrap().len(), 1, "{found}");
    let found: Value = app.get_json("/api/v1/search/messages?q=href", &sara).await;
    assert_eq!(found["hits"].as_array().unwrap().len(), 0, "{found}");

    // Headings and raw HTML show as typed.
    let sent = app
        .post_message(&ali, &room, "# not a heading <b>x</b>")
        .await;
    assert_eq!(
        sent["html"],
        "<p dir=\"auto\"># not a heading &lt;b&gt;x&lt;/b&gt;</p>\n"
    );

    // Deleted: neither source nor rendering.
    let resp = app
        .authed(
            reqwest::Method::DELETE,
            &format!("/api/v1/messages/{id}"),
            &ali,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let history: Value = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &sara)
        .await;
    assert_eq!(history[0]["html"], "");
    assert_eq!(history[0]["body"], "");
}

async fn filter_evasion_vectors_are_inert_over_rest_and_the_socket(backend: Backend) {
    // Every vector is a message: more than a minute's worth.
    let app = spawn_app_with(backend, |f| f.merge(("limits.messages_per_minute", 1000))).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let room = app.public_room(&ali, &[&sara]).await;
    let mut sender = subscribed(&app, &ali, &room).await;
    let mut watcher = subscribed(&app, &sara, &room).await;
    for (i, vector) in xss_vectors().iter().enumerate() {
        // Half over REST, half over the socket: both paths store the same rendering.
        let html = if i % 2 == 0 {
            let sent = app.post_message(&ali, &room, vector).await;
            sent["html"].as_str().unwrap().to_owned()
        } else {
            let ack = sender
                .request(json!({"op": "send", "room_id": room, "body": vector}))
                .await;
            assert_eq!(ack["type"], "ack", "{ack}");
            ack["data"]["html"].as_str().unwrap().to_owned()
        };
        assert_inert(vector, &html);
        let event = watcher.expect("message.created").await;
        assert_eq!(event["data"]["html"], html.as_str());
        assert_eq!(event["data"]["body"], vector.trim());
    }
}

async fn the_preview_renders_without_storing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let (omid, _) = app.account("omid").await;
    let room = app.public_room(&ali, &[&sara]).await;
    let preview = |token: &str, body: Value| {
        app.authed(reqwest::Method::POST, "/api/v1/messages/preview", token)
            .json(&body)
            .send()
    };

    let resp = preview(&ali, json!({"body": "*hi* @sara", "room_id": room}))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let got: Value = resp.json().await.unwrap();
    assert_eq!(
        got["html"],
        "<p dir=\"auto\"><em>hi</em> <span class=\"mention\" data-username=\"sara\">@sara</span></p>\n"
    );
    // Without a room, no pills.
    let got: Value = preview(&ali, json!({"body": "*hi* @sara"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["html"], "<p dir=\"auto\"><em>hi</em> @sara</p>\n");
    let history: Value = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &ali)
        .await;
    assert_eq!(history.as_array().unwrap().len(), 0, "nothing stored");

    // Bad input: empty, too long, not a member.
    let resp = preview(&ali, json!({"body": "  "})).await.unwrap();
    assert_eq!(problem_code(resp, 422).await, "message.body_empty");
    let resp = preview(&ali, json!({"body": "x".repeat(4001)}))
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 422).await, "message.too_long");
    let resp = preview(&omid, json!({"body": "hi", "room_id": room}))
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 403).await, "room.not_member");
}

#[test]
#[should_panic(expected = "from")]
fn the_inertness_check_catches_a_foreign_element() {
    assert_inert("x", "<p><svg></svg></p>");
}

#[test]
#[should_panic(expected = "javascript")]
fn the_inertness_check_catches_a_script_link() {
    assert_inert("x", r#"<a href="javascript:alert(1)">javascript</a>"#);
}

/// Unread mentions of `token`'s reader in `room`.
async fn unread_mentions(app: &TestApp, token: &str, room: &str) -> i64 {
    let rooms: Vec<Value> = app.get_json("/api/v1/rooms", token).await;
    let listed = rooms.iter().find(|r| r["id"] == room).unwrap();
    listed["unread_mentions"].as_i64().unwrap()
}

async fn here_and_room_notify_whom_they_name_and_large_rooms_keep_them_for_moderators(
    backend: Backend,
) {
    let app = spawn_app_with(backend, |f| {
        f.merge(("limits.special_mentions_max_members", 4))
    })
    .await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let (omid, _) = app.account("omid").await;
    let (reza, _) = app.account("reza").await;
    let room = app.public_room(&ali, &[&sara, &omid, &reza]).await;
    // Omid is online (his socket is open); Reza is not.
    let mut omid_socket = subscribed(&app, &omid, &room).await;

    // @here reaches those online now, as a mention; in code it is only text.
    let sent = app
        .post_message(&sara, &room, "`@here` is code; @here tea is ready")
        .await;
    assert!(
        sent["html"]
            .as_str()
            .unwrap()
            .contains(r#"<span class="mention mention-special">@here</span>"#)
    );
    let mention = omid_socket.expect("mention").await;
    assert_eq!(mention["data"]["message"]["id"], sent["id"]);
    assert_eq!(unread_mentions(&app, &omid, &room).await, 1);
    assert_eq!(
        unread_mentions(&app, &reza, &room).await,
        0,
        "offline: not @here"
    );
    assert_eq!(
        unread_mentions(&app, &sara, &room).await,
        0,
        "not the author"
    );
    let sent = app
        .post_message(&sara, &room, "`@here` and `@room` in code notify nobody")
        .await;
    assert!(!sent["html"].as_str().unwrap().contains("mention-special"));
    assert_eq!(unread_mentions(&app, &omid, &room).await, 1);

    // @room reaches every member, online or not.
    app.post_message(&sara, &room, "@room the meeting moved")
        .await;
    assert_eq!(unread_mentions(&app, &reza, &room).await, 1);
    assert_eq!(unread_mentions(&app, &omid, &room).await, 2);
    assert_eq!(
        unread_mentions(&app, &ali, &room).await,
        1,
        "offline for @here, reached by @room"
    );

    // Past the size limit only the room's moderators and owner may use them.
    let (nima, _) = app.account("nima").await;
    let join = app
        .authed(
            reqwest::Method::POST,
            &format!("/api/v1/rooms/{room}/join"),
            &nima,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(join.status(), 200);
    let resp = app
        .authed(
            reqwest::Method::POST,
            &format!("/api/v1/rooms/{room}/messages"),
            &sara,
        )
        .header("accept-language", "fa")
        .json(&json!({"body": "@room hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "mention.special_forbidden");
    assert!(
        problem["detail"].as_str().unwrap().contains("۴"),
        "localized: {problem}"
    );
    let reply = omid_socket
        .request(json!({"op": "send", "room_id": room, "body": "@here anyone?"}))
        .await;
    assert_eq!(reply["type"], "error", "{reply}");
    assert_eq!(reply["data"]["code"], "mention.special_forbidden");
    assert_eq!(
        unread_mentions(&app, &reza, &room).await,
        1,
        "a refusal changes nothing"
    );
    let history: Value = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &ali)
        .await;
    assert_eq!(history.as_array().unwrap().len(), 3, "nothing stored");
    app.post_message(&ali, &room, "@room from the owner").await;
    assert_eq!(unread_mentions(&app, &reza, &room).await, 2);
}
