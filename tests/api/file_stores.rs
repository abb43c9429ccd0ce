//! The store behind uploads: the upload, download, range, dedup, delete and cleanup flows
//! over `uploads.store = "memory"` and `"s3"` (a bucket in moto, a real S3-compatible server
//! on loopback; nothing on disk but the scratch directory either way), a row whose bytes
//! went missing, and two nodes sharing one PostgreSQL database and one directory.

use std::time::Duration;

use entity::blobs;
use figment::Figment;
use futures_util::{StreamExt, TryStreamExt};
use reqwest::{Method, StatusCode};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::Value;

use crate::files::{PDF, PENDING_TTL, files_under, png, share, upload_with};
use crate::helpers::{Backend, TestApp, problem_code, spawn_app_with};
use crate::moto::Moto;

const PASSWORD: &str = "correct horse battery";

fn memory(figment: Figment) -> Figment {
    figment.merge(("uploads.store", "memory"))
}

/// Names of the objects the server's store holds under `prefix`.
async fn objects(app: &TestApp, prefix: &str) -> Vec<String> {
    app.files
        .storage()
        .list_older(prefix, Duration::ZERO, std::time::SystemTime::now())
        .map_ok(|(_, name)| name)
        .try_collect()
        .await
        .unwrap()
}

async fn get(app: &TestApp, token: &str, url: &str) -> reqwest::Response {
    app.api(token).file(url).await
}

async fn message_delete(app: &TestApp, token: &str, uploaded: &Value) {
    let id = uploaded["message"]["id"].as_str().unwrap();
    let resp = app.api(token).message_delete(id).await;
    assert!(resp.status().is_success(), "{}", resp.status());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_store_serves_whole_files_ranges_revalidations_and_thumbnails() {
    serves_whole_files_ranges_revalidations_and_thumbnails(memory).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_s3_store_serves_whole_files_ranges_revalidations_and_thumbnails() {
    let Some(moto) = Moto::start().await else {
        return;
    };
    serves_whole_files_ranges_revalidations_and_thumbnails(moto.configure()).await;
}

async fn serves_whole_files_ranges_revalidations_and_thumbnails(
    store: impl FnOnce(Figment) -> Figment,
) {
    let app = spawn_app_with(Backend::Sqlite, store).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let bob = app.register_token("bob", PASSWORD).await;
    let room = app.public_room(&alice, &[&bob]).await;
    // Over 5 MiB, so it goes into the store as a multipart upload.
    let mut content = PDF.to_vec();
    content.extend((0..6_000_000u32).map(|i| (i % 251) as u8));
    let shared = share(&app, &alice, &room, "report.pdf", &content).await;
    let url = shared["file"]["url"].as_str().unwrap();

    let resp = get(&app, &bob, url).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let headers = resp.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["accept-ranges"], "bytes");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(resp.bytes().await.unwrap().as_ref(), content.as_slice());

    // Ranges, one across the boundary of the first 5 MiB part.
    let boundary = 5 * 1024 * 1024;
    for (start, end) in [(100, 1099), (boundary - 10, boundary + 10)] {
        let resp = app
            .authed(Method::GET, url, &bob)
            .header("range", format!("bytes={start}-{end}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(
            resp.headers()["content-range"],
            format!("bytes {start}-{end}/{}", content.len()).as_str()
        );
        assert_eq!(resp.bytes().await.unwrap().as_ref(), &content[start..=end]);
    }
    let resp = app
        .authed(Method::GET, url, &bob)
        .header("range", format!("bytes={}-", content.len() + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 416).await, "range_not_satisfiable");
    let resp = app
        .authed(Method::GET, url, &bob)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    let resp = app.authed(Method::HEAD, url, &bob).send().await.unwrap();
    assert_eq!(
        resp.headers()["content-length"],
        content.len().to_string().as_str()
    );
    assert!(resp.bytes().await.unwrap().is_empty());

    let picture = share(&app, &alice, &room, "view.png", &png(1200, 800)).await;
    let resp = get(
        &app,
        &bob,
        picture["file"]["thumbnail_url"].as_str().unwrap(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "image/jpeg");
    let thumb = image::load_from_memory(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 213));

    assert_eq!(objects(&app, "files").await.len(), 2);
    assert_eq!(objects(&app, "thumbs").await.len(), 1);
    // Only the scratch directory is on disk, and it is empty again.
    assert!(files_under(app.uploads()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_store_keeps_identical_bytes_once_and_cleanup_empties_it() {
    keeps_identical_bytes_once_and_cleanup_empties_it(memory).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_s3_store_keeps_identical_bytes_once_and_cleanup_empties_it() {
    let Some(moto) = Moto::start().await else {
        return;
    };
    keeps_identical_bytes_once_and_cleanup_empties_it(moto.configure()).await;
}

async fn keeps_identical_bytes_once_and_cleanup_empties_it(store: impl FnOnce(Figment) -> Figment) {
    let app = spawn_app_with(Backend::Sqlite, |f| {
        store(f)
            .merge(("uploads.orphan_grace_secs", 0))
            .merge(("uploads.pending_ttl_secs", PENDING_TTL.as_secs()))
    })
    .await;
    let alice = app.register_token("alice", PASSWORD).await;
    let bob = app.register_token("bob", PASSWORD).await;
    let room = app.public_room(&alice, &[&bob]).await;
    let first = share(&app, &alice, &room, "a.txt", b"the same bytes").await;
    let second = share(&app, &bob, &room, "b.txt", b"the same bytes").await;
    assert_eq!(objects(&app, "files").await.len(), 1, "stored once");

    message_delete(&app, &alice, &first).await;
    let resp = get(&app, &alice, second["file"]["url"].as_str().unwrap()).await;
    assert_eq!(resp.text().await.unwrap(), "the same bytes");
    message_delete(&app, &bob, &second).await;
    assert!(
        objects(&app, "files").await.is_empty(),
        "the last one took them"
    );

    // An upload never sent, and bytes no row knows (a crash between store and record).
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
    let stray = format!("files/ab/{}", "ab".repeat(32));
    app.files
        .storage()
        .put_bytes(&stray.as_str().into(), "orphan".into())
        .await
        .unwrap();
    assert_eq!(objects(&app, "files").await.len(), 3);

    // Past the pending upload's time: the cleanup pass wakes and finds it expired.
    app.clock.advance(PENDING_TTL + Duration::from_secs(1));
    let deadline = std::time::Instant::now() + crate::helpers::PATIENCE;
    while objects(&app, "files").await.len() > 1 {
        assert!(std::time::Instant::now() < deadline, "cleanup did not run");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let resp = get(&app, &alice, kept["file"]["url"].as_str().unwrap()).await;
    assert_eq!(resp.text().await.unwrap(), "posted, so kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avatars_are_kept_in_the_configured_store() {
    avatars_are_kept_in(memory).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avatars_are_kept_in_an_s3_bucket() {
    let Some(moto) = Moto::start().await else {
        return;
    };
    avatars_are_kept_in(moto.configure()).await;
}

async fn avatars_are_kept_in(store: impl FnOnce(Figment) -> Figment) {
    let app = spawn_app_with(Backend::Sqlite, store).await;
    let token = app.register_token("pictured", PASSWORD).await;
    let me: Value = app
        .api(&token)
        .avatar_put(png(64, 64), "image/png")
        .await
        .json()
        .await
        .unwrap();
    let image = get(&app, &token, me["avatar_url"].as_str().unwrap()).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(objects(&app, "avatars").await.len(), 1);
    assert!(files_under(app.uploads()).is_empty(), "nothing on disk");

    let removed = app.api(&token).avatar_delete().await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert!(objects(&app, "avatars").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_whose_bytes_went_missing_gets_them_back_from_the_next_identical_upload() {
    let app = spawn_app_with(Backend::Sqlite, |f| f).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let room = app.public_room(&alice, &[]).await;
    let first = share(&app, &alice, &room, "a.txt", b"precious bytes").await;
    for path in files_under(&app.uploads().join("files")) {
        std::fs::remove_file(path).unwrap();
    }
    let url = first["file"]["url"].as_str().unwrap();
    assert_eq!(
        problem_code(get(&app, &alice, url).await, 404).await,
        "file.not_found"
    );

    let second = share(&app, &alice, &room, "b.txt", b"precious bytes").await;
    for uploaded in [&first, &second] {
        let resp = get(&app, &alice, uploaded["file"]["url"].as_str().unwrap()).await;
        assert_eq!(resp.text().await.unwrap(), "precious bytes");
    }
}

/// Two nodes on one PostgreSQL database and one uploads directory: in each round both
/// store the same new content at once, then both delete while both store it again, then
/// the rest goes. Every file stays readable on both nodes while a message shows it, and
/// once none does, neither bytes nor row are left.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_sharing_database_and_directory_neither_lose_nor_orphan_shared_bytes() {
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    let generous = |f: Figment| {
        f.merge(("limits.uploads_per_window", 10_000))
            .merge(("limits.messages_per_minute", 10_000))
    };
    let a = spawn_app_with(backend, generous).await;
    let shared_dir = a.uploads().to_owned();
    let b = a
        .another_node(move |f| generous(f).merge(("uploads.dir", shared_dir)))
        .await;
    let alice = a.register_token("alice", PASSWORD).await;
    let bob = a.register_token("bob", PASSWORD).await;
    let room = a.public_room(&alice, &[&bob]).await;
    let stored = || files_under(&a.uploads().join("files")).len();
    let blob_rows = || blobs::Entity::find().count(&a.db);

    for round in 0..12 {
        let bytes = format!("round {round}: the same bytes through two nodes").into_bytes();
        let (x, y) = tokio::join!(
            share(&a, &alice, &room, "a.txt", &bytes),
            share(&b, &bob, &room, "b.txt", &bytes),
        );
        assert_eq!(stored(), 1, "round {round}: stored once");

        let ((), (), z, w) = tokio::join!(
            message_delete(&a, &alice, &x),
            message_delete(&b, &bob, &y),
            share(&b, &bob, &room, "c.txt", &bytes),
            share(&a, &alice, &room, "d.txt", &bytes),
        );
        for node in [&a, &b] {
            for uploaded in [&z, &w] {
                let resp = get(node, &alice, uploaded["file"]["url"].as_str().unwrap()).await;
                assert_eq!(resp.status(), StatusCode::OK, "round {round}: bytes lost");
                assert_eq!(resp.bytes().await.unwrap().as_ref(), bytes.as_slice());
            }
        }

        tokio::join!(message_delete(&a, &bob, &z), message_delete(&b, &alice, &w),);
        assert_eq!(stored(), 0, "round {round}: bytes orphaned");
        assert_eq!(blob_rows().await.unwrap(), 0, "round {round}: row orphaned");
    }
}

/// A bucket lists in pages of 1,000: cleanup sees every object of a longer listing, the
/// later pages fetched with their continuation tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_s3_listing_reads_every_page() {
    let Some(moto) = Moto::start().await else {
        return;
    };
    let app = spawn_app_with(Backend::Sqlite, moto.configure()).await;
    let storage = app.files.storage();
    futures_util::stream::iter(0..1005)
        .map(|i| async move {
            let key = format!("thumbs/{:02x}/{i:064x}", i % 256);
            storage.put_bytes(&key.as_str().into(), "x".into()).await
        })
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await
        .unwrap();
    let mut names = objects(&app, "thumbs").await;
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 1005);
    assert!(objects(&app, "files").await.is_empty());
}
