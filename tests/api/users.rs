use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, problem_code, spawn_app, test_hasher, token_of};
use crate::on_both_backends;

on_both_backends!(
    profiles_can_be_changed_and_every_field_is_checked,
    public_profiles_and_search_by_prefix,
    avatars_are_sniffed_validated_and_re_encoded,
    blocks_can_be_added_listed_and_lifted,
    profiles_carry_a_time_zone_that_must_be_a_real_one,
);

const PASSWORD: &str = "correct horse battery";

async fn profiles_can_be_changed_and_every_field_is_checked(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.register_token("changer", PASSWORD).await;
    let patch = |body: Value| app.api(&token).me_update(body);

    let updated: Value = patch(json!({
        "display_name": "Mina 🌙",
        "bio": "سلام! I like chess.",
        "locale": "fa-IR",
        "theme": "dark",
        "notification_sound": false,
        "email": "mina@example.org"
    }))
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(updated["display_name"], "Mina 🌙");
    assert_eq!(updated["bio"], "سلام! I like chess.");
    assert_eq!(updated["locale"], "fa-IR");
    assert_eq!(updated["theme"], "dark");
    assert_eq!(updated["notification_sound"], false);
    assert_eq!(updated["email"], "mina@example.org");

    // One bad field refuses the whole change.
    for (body, status, code) in [
        (
            json!({"bio": "x".repeat(501), "display_name": "Changed"}),
            422,
            "profile.bio_too_long",
        ),
        (
            json!({"display_name": ""}),
            422,
            "profile.display_name_invalid",
        ),
        (
            json!({"email": "not-an-address"}),
            422,
            "profile.email_invalid",
        ),
        (
            json!({"locale": "xx-YY"}),
            422,
            "profile.locale_unsupported",
        ),
        (json!({"theme": "purple"}), 400, "bad_request"),
    ] {
        let resp = patch(body.clone()).await;
        assert_eq!(problem_code(resp, status).await, code, "{body}");
    }
    let me: Value = app.get_json("/api/v1/users/me", &token).await;
    assert_eq!(
        me["display_name"], "Mina 🌙",
        "unchanged after refused patches"
    );

    // `null` clears the e-mail; omitted fields stay.
    let cleared: Value = patch(json!({"email": null})).await.json().await.unwrap();
    assert!(cleared["email"].is_null());
    assert_eq!(cleared["theme"], "dark");
}

async fn public_profiles_and_search_by_prefix(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.register_token("Alice", PASSWORD).await;
    app.register("alina", PASSWORD).await;
    app.register("bob", PASSWORD).await;
    app.register("al_x", PASSWORD).await;
    app.register("alzz", PASSWORD).await;

    let profile: Value = app.get_json("/api/v1/users/ALICE", &token).await;
    assert_eq!(profile["username"], "Alice");
    assert_eq!(profile["role"], "admin");
    assert_eq!(profile["online"], true);
    assert_eq!(profile["message_count"], 0);
    assert!(profile["joined_at"].is_string());
    assert!(
        profile.get("email").is_none(),
        "private fields stay private"
    );
    assert!(profile.get("theme").is_none());

    let names = |found: Vec<Value>| -> Vec<String> {
        found
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_owned())
            .collect()
    };
    let found: Vec<Value> = app.get_json("/api/v1/users?q=AL", &token).await;
    assert_eq!(names(found), ["al_x", "Alice", "alina", "alzz"]);
    // `_` is a literal, not a wildcard.
    let found: Vec<Value> = app.get_json("/api/v1/users?q=al_", &token).await;
    assert_eq!(names(found), ["al_x"]);

    // Someone who never signed in is not online.
    let hasher = test_hasher();
    anjoman::domain::users::user_create(
        &app.db,
        &hasher,
        "alquiet",
        PASSWORD,
        anjoman::domain::users::Role::Member,
    )
    .await
    .unwrap();
    let online: Vec<Value> = app.get_json("/api/v1/users?q=al&online=true", &token).await;
    assert!(!names(online).contains(&"alquiet".to_owned()));
    let all: Vec<Value> = app.get_json("/api/v1/users?q=al", &token).await;
    assert!(names(all).contains(&"alquiet".to_owned()));

    let missing = app.api(&token).user("nobody_at_all").await;
    assert_eq!(problem_code(missing, 404).await, "user.not_found");
    let anonymous = app.get("/api/v1/users/Alice").await;
    assert_eq!(problem_code(anonymous, 401).await, "unauthorized");
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, Rgb([10, 120, 200])))
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

async fn avatars_are_sniffed_validated_and_re_encoded(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.register_token("pictured", PASSWORD).await;
    let other = app.register_token("viewer", PASSWORD).await;
    let put = |bytes: Vec<u8>, content_type: &'static str| {
        app.api(&token).avatar_put(bytes, content_type)
    };

    // Declared as JPEG, actually PNG: the content decides.
    let me: Value = put(png(1024, 600), "image/jpeg")
        .await
        .json()
        .await
        .unwrap();
    let url = me["avatar_url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("/api/v1/users/pictured/avatar?v="), "{url}");
    let image = app.api(&other).file(&url).await;
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(image.headers()["x-content-type-options"], "nosniff");
    let decoded = image::load_from_memory(&image.bytes().await.unwrap()).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (512, 300));

    let html = put(
        b"<html><script>alert(1)</script></html>".to_vec(),
        "image/png",
    )
    .await;
    assert_eq!(problem_code(html, 415).await, "avatar.type_not_allowed");
    let mut broken = png(64, 64);
    broken.truncate(60);
    assert_eq!(
        problem_code(put(broken, "image/png").await, 422).await,
        "avatar.invalid_image"
    );
    let huge = vec![0u8; 2 * 1024 * 1024 + 1];
    assert_eq!(
        problem_code(put(huge, "image/png").await, 413).await,
        "payload_too_large"
    );

    // The refused uploads left the first avatar in place.
    let me: Value = app.get_json("/api/v1/users/me", &token).await;
    assert_eq!(me["avatar_url"], url.as_str());

    let removed = app.api(&token).avatar_delete().await;
    assert_eq!(removed.status(), 204);
    let gone = app.api(&other).user_avatar("pictured").await;
    assert_eq!(gone.status(), 404);
}

async fn blocks_can_be_added_listed_and_lifted(backend: Backend) {
    let app = spawn_app(backend).await;
    let me = app.register("blocker", PASSWORD).await;
    let token = token_of(&me);
    let pest = app.register("pest", PASSWORD).await;
    let me_id: uuid::Uuid = me["user"]["id"].as_str().unwrap().parse().unwrap();
    let pest_id: uuid::Uuid = pest["user"]["id"].as_str().unwrap().parse().unwrap();

    for _ in 0..2 {
        let resp = app.api(&token).block("PEST").await;
        assert_eq!(resp.status(), 204, "blocking is idempotent");
    }
    let list: Vec<Value> = app.get_json("/api/v1/users/me/blocks", &token).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["username"], "pest");
    assert!(
        anjoman::domain::blocks::blocked_between(&app.db, pest_id, me_id)
            .await
            .unwrap()
    );
    assert!(
        anjoman::domain::blocks::blocked_between(&app.db, me_id, pest_id)
            .await
            .unwrap()
    );

    let own = app.api(&token).block("blocker").await;
    assert_eq!(problem_code(own, 422).await, "block.self");
    let ghost = app.api(&token).block("ghost_user").await;
    assert_eq!(problem_code(ghost, 404).await, "user.not_found");

    let lifted = app.api(&token).unblock("pest").await;
    assert_eq!(lifted.status(), 204);
    let list: Vec<Value> = app.get_json("/api/v1/users/me/blocks", &token).await;
    assert!(list.is_empty());
    assert!(
        !anjoman::domain::blocks::blocked_between(&app.db, me_id, pest_id)
            .await
            .unwrap()
    );
}

async fn profiles_carry_a_time_zone_that_must_be_a_real_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.register_token("traveller", PASSWORD).await;
    let viewer = app.register_token("watcher", PASSWORD).await;
    let patch = |body: Value, lang: &'static str| {
        app.authed(Method::PATCH, "/api/v1/users/me", &token)
            .header("Accept-Language", lang)
            .json(&body)
            .send()
    };
    let me: Value = app.get_json("/api/v1/users/me", &token).await;
    assert!(
        me.get("timezone").is_none(),
        "no zone until one is set: {me}"
    );

    let updated: Value = patch(json!({"timezone": "Asia/Tehran"}), "en-US")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(updated["timezone"], "Asia/Tehran");
    // Others see it on the public profile, to show the person's local time.
    let profile: Value = app.get_json("/api/v1/users/traveller", &viewer).await;
    assert_eq!(profile["timezone"], "Asia/Tehran");

    // Not a zone: a problem with a stable code, localized, and nothing changes.
    for (bad, lang, word) in [
        ("Mars/Olympus_Mons", "en-US", "time zone"),
        ("+03:30", "fa-IR", "منطقهٔ زمانی"),
        ("asia/tehran", "en-US", "Asia/Tehran"),
    ] {
        let resp = patch(json!({"timezone": bad, "bio": "changed"}), lang)
            .await
            .unwrap();
        assert_eq!(resp.status(), 422, "{bad}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json")
        );
        let problem: Value = resp.json().await.unwrap();
        assert_eq!(problem["code"], "profile.timezone_invalid", "{bad}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(word), "{lang}: {detail}");
    }
    let me: Value = app.get_json("/api/v1/users/me", &token).await;
    assert_eq!(me["timezone"], "Asia/Tehran", "unchanged after refusals");
    assert_eq!(me["bio"], "", "the whole patch was refused");

    // null (or an empty string) removes it.
    let cleared: Value = patch(json!({"timezone": null}), "en-US")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(cleared.get("timezone").is_none(), "{cleared}");
    patch(json!({"timezone": "America/New_York"}), "en-US")
        .await
        .unwrap();
    let cleared: Value = patch(json!({"timezone": ""}), "en-US")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(cleared.get("timezone").is_none(), "{cleared}");
}
