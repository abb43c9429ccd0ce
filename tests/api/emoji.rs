//! Custom emoji: admins upload and delete them, everyone signed in lists them, fetches their
//! pictures and reacts with `:name:`; uploads are judged by their bytes and their size.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use reqwest::{Method, StatusCode, header};
use serde_json::Value;

use crate::files::{BOUNDARY, files_under, multipart_typed, png};
use crate::helpers::{Backend, TestApp, problem_code, spawn_app, spawn_app_with, test_figment};
use crate::on_both_backends;
use crate::ws_client::WsClient;

on_both_backends!(
    admins_add_emoji_that_everyone_lists_sees_and_reacts_with_until_deleted,
    refused_uploads_change_nothing,
    the_cleanup_pass_keeps_pictures_an_emoji_uses,
);

/// Uploads a custom emoji: `file` is its name, declared type and bytes.
async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    file: (&str, &str, &[u8]),
) -> reqwest::Response {
    app.authed(Method::POST, "/api/v1/emoji", token)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart_typed(&[("name", name)], Some(file)))
        .send()
        .await
        .unwrap()
}

fn encoded(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

/// Content rows of the store (files' and emoji pictures alike).
fn stored(app: &TestApp) -> usize {
    files_under(&app.uploads().join("files")).len()
}

async fn list(app: &TestApp, token: &str) -> Vec<Value> {
    app.get_json("/api/v1/emoji", token).await
}

async fn admins_add_emoji_that_everyone_lists_sees_and_reacts_with_until_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let (admin, _) = app.account("root").await;
    let (sara, _) = app.account("sara").await;
    let mut socket = WsClient::connect(&app, &sara).await;

    // 300 × 150 is re-encoded to 128 × 64.
    let wide = png(300, 150);
    let resp = upload(
        &app,
        &admin,
        "party_parrot",
        ("parrot.png", "image/png", &wide),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["name"], "party_parrot");
    assert_eq!(
        (created["width"].as_i64(), created["height"].as_i64()),
        (Some(128), Some(64))
    );
    assert_eq!(created["created_by"]["username"], "root");
    // Every connection hears of it, with the list as it now is.
    let event = socket.expect("emoji.updated").await;
    assert_eq!(event["data"]["emoji"][0]["name"], "party_parrot", "{event}");

    // A small animated-or-not GIF keeps its size; the list is sorted by name.
    let gif = encoded(
        DynamicImage::ImageRgba8(RgbaImage::from_pixel(32, 20, Rgba([200, 10, 10, 255]))),
        ImageFormat::Gif,
    );
    let resp = upload(&app, &admin, "ab_1", ("", "application/octet-stream", &gif)).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let listed = list(&app, &sara).await;
    let names: Vec<&str> = listed.iter().filter_map(|e| e["name"].as_str()).collect();
    assert_eq!(names, ["ab_1", "party_parrot"]);
    assert_eq!(listed[0]["width"], 32);

    // Anyone signed in fetches the picture: a PNG of at most 128 px, cached for good under
    // its listed URL and revalidated by its tag.
    let url = listed[1]["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("/api/v1/emoji/party_parrot?v="), "{url}");
    let resp = app.authed(Method::GET, &url, &sara).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "image/png");
    let cache = resp.headers()[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cache.contains("immutable"), "{cache}");
    let etag = resp.headers()[header::ETAG].clone();
    let picture = image::load_from_memory(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!((picture.width(), picture.height()), (128, 64));
    let resp = app
        .authed(Method::GET, "/api/v1/emoji/party_parrot", &sara)
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    let resp = app.get("/api/v1/emoji/party_parrot").await;
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "signed-in users only"
    );

    // Reactions take `:name:` of an emoji that exists, and nothing else of the kind.
    let room = app.public_room(&admin, &[&sara]).await;
    let message = app.post_message(&admin, &room, "سلام").await;
    let id = message["id"].as_str().unwrap();
    let resp = app.api(&sara).reaction_add(id, ":party_parrot:").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let view: Value = resp.json().await.unwrap();
    assert_eq!(view["reactions"][0]["emoji"], ":party_parrot:", "{view}");
    // In a message, `:name:` of an emoji that exists shows its picture; others stay text.
    let used = app
        .post_message(&sara, &room, "yay :party_parrot: :nope:")
        .await;
    assert_eq!(
        used["html"],
        "<p dir=\"auto\">yay <img class=\"emoji\" src=\"/api/v1/emoji/party_parrot\" alt=\":party_parrot:\" title=\":party_parrot:\"> :nope:</p>\n"
    );
    let resp = app.api(&sara).reaction_add(id, ":nope:").await;
    assert_eq!(problem_code(resp, 422).await, "reaction.invalid");

    // Deleting is for admins, audited, and leaves the reactions as they were.
    let resp = app
        .authed(Method::DELETE, "/api/v1/emoji/party_parrot", &sara)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 403).await, "forbidden");
    let resp = app
        .authed(Method::DELETE, "/api/v1/emoji/party_parrot", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let event = socket
        .wait_for(|f| {
            f["type"] == "emoji.updated"
                && f["data"]["emoji"].as_array().is_some_and(|l| l.len() == 1)
        })
        .await;
    assert_eq!(event["data"]["emoji"][0]["name"], "ab_1");
    let log: Vec<Value> = app
        .get_json("/api/v1/admin/audit?action=emoji.", &admin)
        .await;
    let actions: Vec<(&str, &str)> = log
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["target_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("emoji.delete", "party_parrot"),
            ("emoji.create", "ab_1"),
            ("emoji.create", "party_parrot"),
        ]
    );
    let resp = app.authed(Method::GET, &url, &sara).send().await.unwrap();
    assert_eq!(problem_code(resp, 404).await, "emoji.not_found");
    let resp = app
        .authed(Method::DELETE, "/api/v1/emoji/party_parrot", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 404).await, "emoji.not_found");
    let history: Value = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &sara)
        .await;
    let kept = history
        .as_array()
        .or_else(|| history["messages"].as_array())
        .and_then(|list| list.iter().find(|m| m["id"] == id))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(kept["reactions"][0]["emoji"], ":party_parrot:", "{history}");
    // It can no longer be added, but the one left can be taken back.
    let resp = app.api(&admin).reaction_add(id, ":party_parrot:").await;
    assert_eq!(problem_code(resp, 422).await, "reaction.invalid");
    let resp = app.api(&sara).reaction_remove(id, ":party_parrot:").await;
    assert_eq!(resp.status(), StatusCode::OK);
    // Its picture left the store; the other emoji's stays.
    assert_eq!(stored(&app), 1);
}

async fn refused_uploads_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (admin, _) = app.account("root").await;
    let (sara, _) = app.account("sara").await;
    let small = png(16, 16);

    let resp = upload(&app, &sara, "mine", ("mine.png", "image/png", &small)).await;
    assert_eq!(problem_code(resp, 403).await, "forbidden");
    for bad in ["Party", "a", "party-parrot", &"x".repeat(33), "شاد"] {
        let resp = upload(&app, &admin, bad, ("p.png", "image/png", &small)).await;
        assert_eq!(problem_code(resp, 422).await, "emoji.name_invalid", "{bad}");
    }
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    let resp = upload(&app, &admin, "logo", ("logo.svg", "image/svg+xml", svg)).await;
    assert_eq!(problem_code(resp, 415).await, "file.active_content");
    let resp = upload(&app, &admin, "logo", ("logo.png", "image/png", svg)).await;
    assert_eq!(problem_code(resp, 415).await, "file.active_content");
    // A PNG named .gif is refused: the name lies about the bytes.
    let resp = upload(&app, &admin, "fake", ("fake.gif", "image/gif", &small)).await;
    assert_eq!(problem_code(resp, 422).await, "file.type_mismatch");
    let jpeg = encoded(DynamicImage::new_rgb8(8, 8), ImageFormat::Jpeg);
    let resp = upload(&app, &admin, "photo", ("photo.jpg", "image/jpeg", &jpeg)).await;
    assert_eq!(problem_code(resp, 422).await, "file.type_not_allowed");
    let mut broken = small.clone();
    broken.truncate(40);
    let resp = upload(&app, &admin, "broken", ("broken.png", "image/png", &broken)).await;
    assert_eq!(problem_code(resp, 422).await, "emoji.invalid_image");
    // Over 256 KiB: cut off while it streams in.
    let mut big = png(4, 4);
    big.resize(256 * 1024 + 1, 0);
    let resp = upload(&app, &admin, "big", ("big.png", "image/png", &big)).await;
    assert_eq!(problem_code(resp, 413).await, "file.too_large");
    assert!(list(&app, &sara).await.is_empty(), "nothing was added");
    assert_eq!(stored(&app), 0, "nothing was stored");
    assert!(
        files_under(&app.uploads().join("tmp")).is_empty(),
        "nor left half-written"
    );

    // The declared type means nothing: a PNG sent as image/gif is taken for what it is.
    let resp = upload(&app, &admin, "honest", ("honest.png", "image/gif", &small)).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let resp = app
        .authed(Method::GET, "/api/v1/emoji/honest", &sara)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        resp.headers()[header::CACHE_CONTROL],
        "private, no-cache",
        "the bare name may change picture"
    );
    // A name is taken once.
    let resp = upload(
        &app,
        &admin,
        "honest",
        ("other.png", "image/png", &png(20, 20)),
    )
    .await;
    assert_eq!(problem_code(resp, 409).await, "emoji.name_taken");
    assert_eq!(list(&app, &sara).await.len(), 1);
    assert_eq!(stored(&app), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spec_declares_the_emoji_rules() {
    let app = spawn_app(Backend::Sqlite).await;
    let spec: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let upload = &spec["paths"]["/api/v1/emoji"]["post"];
    let form = &upload["requestBody"]["content"]["multipart/form-data"]["schema"];
    assert_eq!(form["required"], serde_json::json!(["name", "file"]));
    assert_eq!(form["properties"]["name"]["pattern"], "^[a-z0-9_]{2,32}$");
    assert_eq!(form["properties"]["name"]["maxLength"], 32);
    assert_eq!(form["properties"]["file"]["maxLength"], 256 * 1024);
    let documents = |operation: &Value, status: &str, code: &str| {
        let text = operation["responses"][status]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            text.contains(&format!("`{code}`")),
            "{status} {code}: {text}"
        );
    };
    for (status, code) in [
        ("403", "forbidden"),
        ("409", "emoji.name_taken"),
        ("413", "file.too_large"),
        ("415", "file.active_content"),
        ("422", "emoji.name_invalid"),
        ("422", "file.type_mismatch"),
        ("422", "emoji.invalid_image"),
    ] {
        documents(upload, status, code);
    }
    assert!(upload["responses"]["201"].is_object());
    let image = &spec["paths"]["/api/v1/emoji/{name}"]["get"];
    assert!(image["responses"]["200"]["content"]["image/png"].is_object());
    assert!(image["responses"]["304"].is_object());
    documents(image, "404", "emoji.not_found");
    let delete = &spec["paths"]["/api/v1/emoji/{name}"]["delete"];
    documents(delete, "403", "forbidden");
    documents(delete, "404", "emoji.not_found");
    assert!(delete["responses"]["204"].is_object());
}

/// A picture no file refers to is still in use while an emoji shows it, and one file of the
/// same bytes going does not take it either.
async fn the_cleanup_pass_keeps_pictures_an_emoji_uses(backend: Backend) {
    let app = spawn_app(backend).await;
    let (admin, _) = app.account("root").await;
    let resp = upload(
        &app,
        &admin,
        "kept",
        ("kept.png", "image/png", &png(20, 20)),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let settings = anjoman::config::Settings::from_figment(
        test_figment(&app.database.url).merge(("uploads.orphan_grace_secs", 0)),
    )
    .unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(30 * 86_400);
    let swept = anjoman::domain::files::sweep::sweep(&app.db, &app.files, &settings.uploads, later)
        .await
        .unwrap();
    assert_eq!((swept.files, swept.blobs, swept.stray), (0, 0, 0));
    let resp = app
        .authed(Method::GET, "/api/v1/emoji/kept", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(stored(&app), 1);
}

/// The admin dashboard lists the emoji with their pictures and a form to add more, in both
/// languages; moderators, who may not manage emoji, do not get the section.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_manages_emoji_for_admins_in_both_languages() {
    let app = spawn_app(Backend::Sqlite).await;
    let (admin, _) = app.account("root").await;
    let (moderator, moderator_id) = app.account("mod").await;
    let resp = app
        .api(&admin)
        .admin_role(&moderator_id, serde_json::json!({"role": "moderator"}))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = upload(
        &app,
        &admin,
        "chai",
        ("chai.png", "image/png", &png(40, 40)),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let url: String = list(&app, &admin).await[0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = |token: String, lang: &'static str| {
        let request = app
            .client
            .get(app.url("/admin"))
            .header("accept-language", lang)
            .header("cookie", format!("anjoman_session={token}"));
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let english = page(admin.clone(), "en-US").await;
    assert!(english.contains("Custom emoji"), "{english}");
    // Tera escapes `/` in attributes too.
    let escaped = url.replace('/', "&#x2F;");
    assert!(english.contains(&format!("src=\"{escaped}\"")), "{english}");
    assert!(english.contains(":chai:"));
    assert!(english.contains("id=\"emoji-form\""));
    let persian = page(admin, "fa-IR").await;
    assert!(persian.contains("شکلک‌های سفارشی"), "{persian}");
    let staff = page(moderator, "en-US").await;
    assert!(!staff.contains("emoji-form"), "admins only");
}

/// A picture small on the wire but large decoded waits for nothing and decodes nothing: it
/// is refused against the shared decode budget before any pixel is decoded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picture_over_the_decode_budget_is_refused() {
    let app = spawn_app_with(Backend::Sqlite, |f| {
        f.merge(("uploads.decode_budget_bytes", 1024 * 1024))
    })
    .await;
    let (admin, _) = app.account("root").await;
    // 1000 × 1000 of one colour: a few KiB as PNG, 4 MB decoded.
    let flat = encoded(
        DynamicImage::ImageRgba8(RgbaImage::from_pixel(1000, 1000, Rgba([1, 2, 3, 255]))),
        ImageFormat::Png,
    );
    assert!(flat.len() < 256 * 1024);
    let resp = upload(&app, &admin, "flat", ("flat.png", "image/png", &flat)).await;
    assert_eq!(problem_code(resp, 422).await, "emoji.too_large_to_decode");
    assert!(list(&app, &admin).await.is_empty());
    assert_eq!(stored(&app), 0);
}

/// With `uploads.store = "memory"` nothing goes to disk: the picture lives in the store the
/// server was given, is served from it and leaves it with its emoji.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emoji_pictures_live_in_whichever_store_is_configured() {
    let app = spawn_app_with(Backend::Sqlite, |f| f.merge(("uploads.store", "memory"))).await;
    let (admin, _) = app.account("root").await;
    let resp = upload(
        &app,
        &admin,
        "moon",
        ("moon.webp", "image/png", &png(200, 200)),
    )
    .await;
    assert_eq!(
        problem_code(resp, 422).await,
        "file.type_mismatch",
        "a PNG named .webp"
    );
    let resp = upload(
        &app,
        &admin,
        "moon",
        ("moon.png", "image/png", &png(200, 200)),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(stored(&app), 0, "nothing on disk");
    let resp = app
        .authed(Method::GET, "/api/v1/emoji/moon", &admin)
        .send()
        .await
        .unwrap();
    let picture = image::load_from_memory(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!((picture.width(), picture.height()), (128, 128));
    use sea_orm::EntityTrait;
    let sha: String = {
        let row = entity::custom_emoji::Entity::find_by_id("moon".to_owned())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        row.sha256
    };
    let key = anjoman::infra::storage::Key::from_iter(["files", &sha[..2], &sha]);
    assert!(app.files.storage().size(&key).await.unwrap().is_some());
    let resp = app
        .authed(Method::DELETE, "/api/v1/emoji/moon", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(app.files.storage().size(&key).await.unwrap().is_none());
}
