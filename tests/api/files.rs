use std::{
    io::Cursor,
    path::{Path, PathBuf},
    time::Duration,
};

use futures_util::stream;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, problem_code, spawn_app, spawn_app_with};
use crate::on_both_backends;
use crate::ws_client::WsClient;

on_both_backends!(
    upload_and_download_round_trip_with_range_head_and_etag,
    only_members_of_the_room_can_fetch_a_file,
    dangerous_files_are_refused_with_their_code,
    an_oversize_upload_is_cut_off_and_leaves_nothing,
    identical_files_are_stored_once_and_released_with_their_last_message,
    uploads_are_rate_limited_per_user,
    pictures_get_a_thumbnail,
    files_attach_to_messages_sent_over_the_socket,
    the_storage_quota_is_enforced,
    cleanup_removes_what_a_crash_or_an_abandoned_upload_left,
);

const PASSWORD: &str = "correct horse battery";
pub const BOUNDARY: &str = "anjoman-test-boundary-7d1f";
/// How long the cleanup tests let an unsent upload wait; they move the clock past it.
pub const PENDING_TTL: Duration = Duration::from_secs(60);
pub const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// A multipart body as a browser sends it: the file name in raw UTF-8.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    multipart_typed(
        fields,
        file.map(|(name, bytes)| (name, "application/octet-stream", bytes)),
    )
}

/// [`multipart`] with the file's declared `Content-Type` (`file`: name, type, bytes).
pub fn multipart_typed(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((filename, content_type, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn form_request(app: &TestApp, token: &str) -> reqwest::RequestBuilder {
    app.authed(Method::POST, "/api/v1/files", token).header(
        "content-type",
        format!("multipart/form-data; boundary={BOUNDARY}"),
    )
}

pub async fn upload_with(
    app: &TestApp,
    token: &str,
    fields: &[(&str, &str)],
    name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    form_request(app, token)
        .body(multipart(fields, Some((name, bytes))))
        .send()
        .await
        .unwrap()
}

/// Uploads and posts a file; returns the upload response body (status checked).
pub async fn share(app: &TestApp, token: &str, room: &str, name: &str, bytes: &[u8]) -> Value {
    let resp = upload_with(app, token, &[("room_id", room)], name, bytes).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    resp.json().await.unwrap()
}

/// Regular files under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn stored(app: &TestApp) -> usize {
    files_under(&app.uploads().join("files")).len()
}

fn in_flight(app: &TestApp) -> usize {
    files_under(&app.uploads().join("tmp")).len()
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    }))
    .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
    .unwrap();
    out
}

async fn download(app: &TestApp, token: &str, url: &str) -> reqwest::RequestBuilder {
    app.authed(Method::GET, url, token)
}

async fn upload_and_download_round_trip_with_range_head_and_etag(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let bob = app.register_token("bob", PASSWORD).await;
    let room = app.public_room(&alice, &[&bob]).await;
    let mut content = PDF.to_vec();
    content.extend((0..200_000u32).map(|i| (i % 251) as u8));

    let uploaded = upload_with(
        &app,
        &alice,
        &[("room_id", &room), ("caption", "گزارش امسال")],
        "گزارش سالانه.pdf",
        &content,
    )
    .await;
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let uploaded: Value = uploaded.json().await.unwrap();
    let file = &uploaded["file"];
    assert_eq!(file["name"], "گزارش سالانه.pdf");
    assert_eq!(file["mime"], "application/pdf");
    assert_eq!(file["size"], content.len());
    assert_eq!(uploaded["message"]["body"], "گزارش امسال");
    assert_eq!(uploaded["message"]["attachments"][0]["id"], file["id"]);
    let url = file["url"].as_str().unwrap();

    // Bob, a member, reads it back whole, with the headers a browser needs.
    let resp = app.api(&bob).file(url).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let headers = resp.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["accept-ranges"], "bytes");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("private")
    );
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let encoded: String =
        url::form_urlencoded::byte_serialize("گزارش".as_bytes()).collect::<String>();
    assert!(
        disposition.contains(&format!("filename*=UTF-8''{encoded}")),
        "{disposition}"
    );
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(resp.bytes().await.unwrap().as_ref(), content.as_slice());

    // A range, as a video player or a resumed download asks.
    let resp = download(&app, &bob, url)
        .await
        .header("range", "bytes=100-1099")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        resp.headers()["content-range"],
        format!("bytes 100-1099/{}", content.len()).as_str()
    );
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &content[100..1100]);
    let resp = download(&app, &bob, url)
        .await
        .header("range", format!("bytes={}-", content.len() + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 416).await, "range_not_satisfiable");

    // A cached copy is revalidated without sending the bytes again.
    let resp = download(&app, &bob, url)
        .await
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);

    // HEAD: the headers of GET, no body.
    let resp = app.authed(Method::HEAD, url, &bob).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-length"],
        content.len().to_string().as_str()
    );
    assert!(resp.bytes().await.unwrap().is_empty());

    // The message in the room's history carries the file too.
    let history: Value = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &bob)
        .await;
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["attachments"][0]["name"], "گزارش سالانه.pdf");
    assert_eq!(in_flight(&app), 0, "no temporary file is left behind");
}

async fn only_members_of_the_room_can_fetch_a_file(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let mallory = app.register_token("mallory", PASSWORD).await;
    let room = app.public_room(&alice, &[]).await;
    let shared = share(&app, &alice, &room, "notes.txt", b"meeting at five").await;
    let url = shared["file"]["url"].as_str().unwrap().to_owned();

    // Mallory is in other rooms (general), not this one.
    let resp = app.api(&mallory).file(&url).await;
    assert_eq!(problem_code(resp, 403).await, "room.not_member");
    let resp = app.anon().file(&url).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // Nor can she upload into it.
    let resp = upload_with(&app, &mallory, &[("room_id", &room)], "x.txt", b"hi").await;
    assert_eq!(problem_code(resp, 403).await, "room.not_member");
    // Once she joins, she can read it.
    app.api(&mallory).room_join(&room).await;
    let resp = app.api(&mallory).file(&url).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.text().await.unwrap(), "meeting at five");
}

async fn dangerous_files_are_refused_with_their_code(backend: Backend) {
    let app = spawn_app_with(backend, |f| f.merge(("limits.uploads_per_window", 100))).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let room = app.public_room(&alice, &[]).await;
    let fields = [("room_id", room.as_str())];
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0@\0\0\0PE\0\0L\x01";
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(document.cookie)</script></svg>";
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
    let cases: [(&str, &[u8], u16, &str); 7] = [
        // A PDF that calls itself a picture.
        ("cat.png", PDF, 422, "file.type_mismatch"),
        // A Windows program dressed as a picture, and as itself.
        ("cat.png", exe, 415, "file.executable"),
        ("setup.exe", exe, 415, "file.executable"),
        ("logo.svg", svg, 415, "file.active_content"),
        ("logo.png", svg, 415, "file.active_content"),
        ("page.txt", html, 415, "file.active_content"),
        (
            "song.flac",
            b"fLaC\0\0\0\x22\x10\0\x10\0",
            422,
            "file.type_not_allowed",
        ),
    ];
    for (name, bytes, status, code) in cases {
        let resp = upload_with(&app, &alice, &fields, name, bytes).await;
        assert_eq!(problem_code(resp, status).await, code, "{name}");
    }
    // Refusals are explained in the caller's language.
    let resp = form_request(&app, &alice)
        .header("accept-language", "fa-IR")
        .body(multipart(&fields, Some(("setup.exe", exe))))
        .send()
        .await
        .unwrap();
    let problem: Value = resp.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("برنامه"),
        "{problem}"
    );

    // U+202E shows "invoiceexe.pdf" for an .exe: the override is removed, the real
    // extension shows, and it is refused for what it is.
    let resp = upload_with(&app, &alice, &fields, "invoice\u{202E}fdp.exe", PDF).await;
    assert_eq!(problem_code(resp, 422).await, "file.type_not_allowed");
    // On an allowed file the override is just removed.
    let ok = share(&app, &alice, &room, "photo\u{202E}gnp.txt", b"text").await;
    assert_eq!(ok["file"]["name"], "photognp.txt");
    // A path in the name is reduced to its last part; nothing is written outside.
    let ok = share(
        &app,
        &alice,
        &room,
        "../../../etc/passwd.txt",
        b"root:x:0:0",
    )
    .await;
    assert_eq!(ok["file"]["name"], "passwd.txt");
    let outside = app.uploads().parent().unwrap().join("etc/passwd.txt");
    assert!(!outside.exists());

    // Two stored (the two accepted files); no leftovers from the refusals.
    assert_eq!(stored(&app), 2);
    assert_eq!(in_flight(&app), 0);
}

async fn an_oversize_upload_is_cut_off_and_leaves_nothing(backend: Backend) {
    const LIMIT: u64 = 64 * 1024;
    let app = spawn_app_with(backend, |f| f.merge(("uploads.max_file_bytes", LIMIT))).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let room = app.public_room(&alice, &[]).await;
    let fields = [("room_id", room.as_str())];

    // Exactly at the limit is fine.
    let exact = vec![b'a'; LIMIT as usize];
    share(&app, &alice, &room, "exact.txt", &exact).await;
    assert_eq!(stored(&app), 1);

    // One byte more is refused, naming the limit.
    let over = vec![b'b'; LIMIT as usize + 1];
    let resp = upload_with(&app, &alice, &fields, "over.txt", &over).await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "file.too_large");
    assert!(
        problem["detail"].as_str().unwrap().contains("64 KiB"),
        "{problem}"
    );

    // Streamed without a Content-Length, far past the limit: cut off all the same.
    let body = multipart(&fields, Some(("big.txt", &vec![b'c'; 4 * LIMIT as usize])));
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        body.chunks(8 * 1024).map(|c| Ok(c.to_vec())).collect();
    let resp = form_request(&app, &alice)
        .body(reqwest::Body::wrap_stream(stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 413).await, "file.too_large");

    // A declared body far over the limit is refused before it is read.
    let resp = upload_with(
        &app,
        &alice,
        &fields,
        "huge.txt",
        &vec![b'd'; 8 * LIMIT as usize],
    )
    .await;
    assert_eq!(problem_code(resp, 413).await, "payload_too_large");

    assert_eq!(stored(&app), 1, "only the file at the limit is stored");
    assert_eq!(in_flight(&app), 0, "no partial file is left behind");
}

async fn identical_files_are_stored_once_and_released_with_their_last_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let bob = app.register_token("bob", PASSWORD).await;
    let room = app.public_room(&alice, &[&bob]).await;
    let first = share(&app, &alice, &room, "a.txt", b"the same bytes").await;
    let second = share(&app, &bob, &room, "b.txt", b"the same bytes").await;
    assert_ne!(first["file"]["id"], second["file"]["id"]);
    assert_eq!(second["file"]["name"], "b.txt");
    assert_eq!(stored(&app), 1, "identical bytes are stored once");

    let delete = |token: String, message: Value| {
        let app = &app;
        async move {
            let resp = app
                .api(&token)
                .message_delete(message["id"].as_str().unwrap())
                .await;
            assert!(resp.status().is_success());
        }
    };
    delete(alice.clone(), first["message"].clone()).await;
    let history: Value = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &bob)
        .await;
    let deleted = history
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == first["message"]["id"])
        .unwrap();
    assert_eq!(
        deleted["attachments"],
        json!([]),
        "a deleted message shows no files"
    );
    // Alice's file is gone; Bob's still reads the shared bytes.
    let resp = app
        .api(&bob)
        .file(first["file"]["url"].as_str().unwrap())
        .await;
    assert_eq!(problem_code(resp, 404).await, "file.not_found");
    let resp = app
        .api(&alice)
        .file(second["file"]["url"].as_str().unwrap())
        .await;
    assert_eq!(resp.text().await.unwrap(), "the same bytes");
    assert_eq!(stored(&app), 1);

    let listed: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/files"), &alice)
        .await;
    assert_eq!(listed.len(), 1, "a deleted message's file is not listed");
    assert_eq!(listed[0]["name"], "b.txt");

    delete(bob.clone(), second["message"].clone()).await;
    assert_eq!(stored(&app), 0, "the last reference took the bytes with it");
}

async fn uploads_are_rate_limited_per_user(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let bob = app.register_token("bob", PASSWORD).await;
    let room = app.public_room(&alice, &[&bob]).await;
    for i in 0..5 {
        share(
            &app,
            &alice,
            &room,
            &format!("{i}.txt"),
            format!("file {i}").as_bytes(),
        )
        .await;
    }
    let resp = upload_with(&app, &alice, &[("room_id", &room)], "6.txt", b"six").await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(problem_code(resp, 429).await, "rate_limited");
    // Someone else's budget is their own.
    share(&app, &bob, &room, "bob.txt", b"mine").await;
    assert_eq!(stored(&app), 6);
}

async fn pictures_get_a_thumbnail(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let room = app.public_room(&alice, &[]).await;
    let picture = png(1200, 800);
    let shared = share(&app, &alice, &room, "view", &picture).await;
    let file = &shared["file"];
    assert_eq!(
        file["name"], "view.png",
        "a name without extension gets the real one"
    );
    assert_eq!(
        (file["width"].clone(), file["height"].clone()),
        (json!(1200), json!(800))
    );
    let resp = app.api(&alice).file(file["url"].as_str().unwrap()).await;
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline;")
    );

    let resp = app
        .api(&alice)
        .file(file["thumbnail_url"].as_str().unwrap())
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "image/jpeg");
    let thumb = image::load_from_memory(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 213));
    // Made once: the same picture shared again reuses it.
    let again = share(&app, &alice, &room, "again.png", &picture).await;
    assert!(again["file"]["thumbnail_url"].is_string());
    assert_eq!(files_under(&app.uploads().join("thumbs")).len(), 1);

    let text = share(&app, &alice, &room, "a.txt", b"no picture").await;
    assert!(text["file"]["thumbnail_url"].is_null());
    let resp = app
        .api(&alice)
        .thumbnail(text["file"]["id"].as_str().unwrap())
        .await;
    assert_eq!(problem_code(resp, 404).await, "file.no_thumbnail");
}

async fn files_attach_to_messages_sent_over_the_socket(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let bob = app.register_token("bob", PASSWORD).await;
    let room = app.public_room(&alice, &[&bob]).await;
    let mut watcher = WsClient::connect(&app, &bob).await;
    let ack = watcher
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    assert_eq!(ack["type"], "ack");

    // Upload only; nothing is posted yet, and only Alice can see the pending file.
    let pending = upload_with(
        &app,
        &alice,
        &[("room_id", &room), ("send", "false")],
        "plan.pdf",
        PDF,
    )
    .await;
    assert_eq!(pending.status(), StatusCode::CREATED);
    let pending: Value = pending.json().await.unwrap();
    assert!(pending["message"].is_null());
    let file_id = pending["file"]["id"].as_str().unwrap().to_owned();
    let url = pending["file"]["url"].as_str().unwrap().to_owned();
    let resp = app.api(&bob).file(&url).await;
    assert_eq!(problem_code(resp, 404).await, "file.not_found");

    // Bob cannot attach Alice's file.
    let mut bob_socket = WsClient::connect(&app, &bob).await;
    let refused = bob_socket
        .request(
            json!({"op": "send", "room_id": room, "body": "mine now", "attachments": [file_id]}),
        )
        .await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["data"]["code"], "file.attachment_invalid");

    let mut sender = WsClient::connect(&app, &alice).await;
    let ack = sender
        .request(json!({"op": "send", "room_id": room, "body": "", "attachments": [file_id]}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(ack["data"]["body"], "");
    let created = watcher.expect("message.created").await;
    assert_eq!(created["data"]["attachments"][0]["id"], file_id.as_str());
    assert_eq!(created["data"]["attachments"][0]["name"], "plan.pdf");
    let resp = app.api(&bob).file(&url).await;
    assert_eq!(resp.status(), StatusCode::OK);

    // Attached once only.
    let again = sender
        .request(json!({"op": "send", "room_id": room, "body": "again", "attachments": [file_id]}))
        .await;
    assert_eq!(again["data"]["code"], "file.attachment_invalid");
    // A message needs a body or a file.
    let empty = sender
        .request(json!({"op": "send", "room_id": room, "body": " "}))
        .await;
    assert_eq!(empty["data"]["code"], "message.body_empty");

    // A sent file is withdrawn with its message, not on its own.
    let resp = app.api(&alice).file_delete(&url).await;
    assert_eq!(problem_code(resp, 409).await, "file.already_sent");
    // An unsent one can be withdrawn, bytes and all.
    let draft = upload_with(
        &app,
        &alice,
        &[("room_id", &room), ("send", "false")],
        "draft.txt",
        b"second thoughts",
    )
    .await;
    let draft: Value = draft.json().await.unwrap();
    let draft_url = draft["file"]["url"].as_str().unwrap();
    assert_eq!(stored(&app), 2);
    let resp = app.api(&bob).file_delete(draft_url).await;
    assert_eq!(problem_code(resp, 404).await, "file.not_found");
    let resp = app.api(&alice).file_delete(draft_url).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(stored(&app), 1);

    // The room's files: what was sent, not what was withdrawn.
    let listed: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/files"), &bob)
        .await;
    let names: Vec<&str> = listed.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["plan.pdf"]);
}

async fn the_storage_quota_is_enforced(backend: Backend) {
    let app = spawn_app_with(backend, |f| f.merge(("uploads.user_quota_bytes", 1000))).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let room = app.public_room(&alice, &[]).await;
    share(&app, &alice, &room, "a.txt", &[b'a'; 600]).await;
    let resp = upload_with(&app, &alice, &[("room_id", &room)], "b.txt", &[b'b'; 600]).await;
    assert_eq!(problem_code(resp, 413).await, "file.quota_exceeded");
    share(&app, &alice, &room, "c.txt", &[b'c'; 400]).await;
    // Full now: refused before the upload is even read.
    let resp = upload_with(&app, &alice, &[("room_id", &room)], "d.txt", b"d").await;
    assert_eq!(problem_code(resp, 413).await, "file.quota_exceeded");
    assert_eq!(stored(&app), 2);
    assert_eq!(in_flight(&app), 0);
}

async fn cleanup_removes_what_a_crash_or_an_abandoned_upload_left(backend: Backend) {
    let app = spawn_app_with(backend, |f| {
        f.merge(("uploads.orphan_grace_secs", 0))
            .merge(("uploads.pending_ttl_secs", PENDING_TTL.as_secs()))
    })
    .await;
    let alice = app.register_token("alice", PASSWORD).await;
    let room = app.public_room(&alice, &[]).await;
    let kept = share(&app, &alice, &room, "kept.txt", b"posted, so kept").await;
    let abandoned = upload_with(
        &app,
        &alice,
        &[("room_id", &room), ("send", "false")],
        "never-sent.txt",
        b"uploaded, never attached",
    )
    .await;
    assert_eq!(abandoned.status(), StatusCode::CREATED);
    let abandoned: Value = abandoned.json().await.unwrap();
    // What a crash mid-upload leaves: a temporary file and bytes no row knows.
    let uploads = app.uploads();
    std::fs::write(uploads.join("tmp/.upload-crashed"), b"half").unwrap();
    let stray = uploads.join("files/ab").join("ab".repeat(32));
    std::fs::create_dir_all(stray.parent().unwrap()).unwrap();
    std::fs::write(&stray, b"orphan").unwrap();

    // Past the pending upload's time: the cleanup pass wakes and finds it expired.
    app.clock.advance(PENDING_TTL + Duration::from_secs(1));
    let deadline = std::time::Instant::now() + crate::helpers::PATIENCE;
    loop {
        let pending_gone = app
            .api(&alice)
            .file(abandoned["file"]["url"].as_str().unwrap())
            .await
            .status()
            == StatusCode::NOT_FOUND;
        // The row goes a moment before its bytes: wait for both.
        if pending_gone && !stray.exists() && in_flight(&app) == 0 && stored(&app) == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "cleanup did not run: {} contents stored, only the posted one should remain",
            stored(&app)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let resp = app
        .api(&alice)
        .file(kept["file"]["url"].as_str().unwrap())
        .await;
    assert_eq!(resp.text().await.unwrap(), "posted, so kept");
}
