use anjoman::domain::users::{Role, user_create};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, TestApp, problem_code, spawn_app, spawn_app_with, test_hasher, token_of,
};
use crate::on_both_backends;

on_both_backends!(
    register_login_on_two_devices_then_revoking_one_refuses_only_its_token,
    the_first_account_is_admin_and_later_ones_are_members,
    concurrent_first_registrations_make_exactly_one_admin,
    duplicate_and_confusable_usernames_are_refused,
    every_validation_error_has_its_code,
    a_wrong_username_and_a_wrong_password_look_the_same,
    login_failures_per_account_are_limited_with_retry_after,
    login_failures_per_ip_are_limited_across_accounts,
    banned_users_cannot_log_in_and_are_told_why,
    logout_logout_all_and_password_change_end_sessions,
    tampered_expired_and_revoked_tokens_are_refused,
    closed_and_invite_only_registration,
    persian_usernames_and_display_names_round_trip,
    the_session_cookie_authenticates_browser_requests,
);

const PASSWORD: &str = "correct horse battery";

async fn register_login_on_two_devices_then_revoking_one_refuses_only_its_token(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("sara", PASSWORD).await;

    let phone = app.login("sara", PASSWORD, "Phone/1.0").await;
    assert_eq!(phone.status(), 200);
    let phone: Value = phone.json().await.unwrap();
    assert_eq!(phone["token_type"], "Bearer");
    assert!(phone["expires_in"].as_i64().unwrap() > 0);
    let phone = token_of(&phone);
    let laptop = token_of(
        &app.login("sara", PASSWORD, "Laptop/2.0")
            .await
            .json()
            .await
            .unwrap(),
    );

    let sessions: Vec<Value> = app.get_json("/api/v1/auth/sessions", &laptop).await;
    assert_eq!(sessions.len(), 3, "register + phone + laptop: {sessions:?}");
    let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "Laptop/2.0");
    assert_eq!(current[0]["ip"], "127.0.0.1");
    let phone_session = sessions
        .iter()
        .find(|s| s["user_agent"] == "Phone/1.0")
        .unwrap();

    let revoke = app
        .api(&laptop)
        .session_revoke(phone_session["id"].as_str().unwrap())
        .await;
    assert_eq!(revoke.status(), 204);
    assert_eq!(
        app.me_status(&phone).await,
        401,
        "the revoked device's very next use"
    );
    assert_eq!(
        app.me_status(&laptop).await,
        200,
        "the other device keeps working"
    );

    // Revoking it again, or someone else's session, is "not found".
    let again = app
        .api(&laptop)
        .session_revoke(phone_session["id"].as_str().unwrap())
        .await;
    assert_eq!(problem_code(again, 404).await, "session.not_found");
}

async fn the_first_account_is_admin_and_later_ones_are_members(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.register("founder", PASSWORD).await;
    assert_eq!(first["user"]["role"], "admin");
    let second = app.register("member", PASSWORD).await;
    assert_eq!(second["user"]["role"], "member");
}

async fn concurrent_first_registrations_make_exactly_one_admin(backend: Backend) {
    let app = spawn_app(backend).await;
    let attempts = (0..12).map(|i| {
        app.anon()
            .auth_register(json!({"username": format!("racer{i}"), "password": PASSWORD}))
    });
    let responses = futures_util::future::join_all(attempts).await;
    let mut admins = 0;
    for resp in responses {
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await.unwrap();
        if body["user"]["role"] == "admin" {
            admins += 1;
        }
    }
    assert_eq!(admins, 1);
}

async fn register_status(app: &TestApp, body: Value) -> reqwest::Response {
    app.anon().auth_register(&body).await
}

async fn duplicate_and_confusable_usernames_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    for (first, second) in [
        ("Ali", "ali"),
        ("علي", "علی"),
        ("كريم", "کریم"),
        ("reza۱", "REZA1"),
    ] {
        app.register(first, PASSWORD).await;
        let dup = register_status(&app, json!({"username": second, "password": PASSWORD})).await;
        assert_eq!(
            problem_code(dup, 409).await,
            "username.taken",
            "{first} vs {second}"
        );
    }
}

async fn every_validation_error_has_its_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (
            json!({"username": "ab", "password": PASSWORD}),
            422,
            "username.too_short",
        ),
        (
            json!({"username": "a".repeat(33), "password": PASSWORD}),
            422,
            "username.too_long",
        ),
        (
            json!({"username": "no spaces", "password": PASSWORD}),
            422,
            "username.invalid_char",
        ),
        (
            json!({"username": "valid_name", "password": "short"}),
            422,
            "password.too_short",
        ),
        (
            json!({"username": "valid_name", "password": "x".repeat(129)}),
            422,
            "password.too_long",
        ),
        (
            json!({"username": "valid_name", "password": "VALID_NAME"}),
            422,
            "password.equals_username",
        ),
        (
            json!({"username": "valid_name", "password": PASSWORD, "display_name": "a\u{0007}b"}),
            422,
            "profile.display_name_invalid",
        ),
        (
            json!({"username": "valid_name", "password": PASSWORD, "locale": "de-DE"}),
            422,
            "profile.locale_unsupported",
        ),
        (json!({"username": "valid_name"}), 422, "body.field_missing"),
        (
            json!({"username": ["not", "a", "string"], "password": PASSWORD}),
            422,
            "body.wrong_type",
        ),
    ];
    for (body, status, code) in cases {
        let resp = register_status(&app, body.clone()).await;
        assert_eq!(problem_code(resp, status).await, code, "{body}");
    }
    let malformed = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(malformed, 400).await, "bad_request");
    // None of those created anything: the name is still free.
    app.register("valid_name", PASSWORD).await;
}

async fn a_wrong_username_and_a_wrong_password_look_the_same(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("known", PASSWORD).await;
    let unknown_user = app.login("nobody_here", PASSWORD, "t").await;
    let wrong_password = app.login("known", "not the password", "t").await;
    assert_eq!(unknown_user.status(), 401);
    assert_eq!(wrong_password.status(), 401);
    let a: Value = unknown_user.json().await.unwrap();
    let b: Value = wrong_password.json().await.unwrap();
    assert_eq!(a, b);
    assert_eq!(a["code"], "auth.invalid_credentials");
}

async fn login_failures_per_account_are_limited_with_retry_after(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("target", PASSWORD).await;
    for attempt in 1..=5 {
        let resp = app.login("target", "wrong password", "t").await;
        assert_eq!(resp.status(), 401, "attempt {attempt}");
    }
    // Even the right password is refused now, before it is checked.
    let limited = app.login("TARGET", PASSWORD, "t").await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry), "{retry}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(body["data"]["retry_after"], retry);
}

async fn login_failures_per_ip_are_limited_across_accounts(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("innocent", PASSWORD).await;
    for i in 0..5 {
        assert_eq!(
            app.login(&format!("guess{i}"), "nope nope", "t")
                .await
                .status(),
            401
        );
    }
    let limited = app.login("innocent", PASSWORD, "t").await;
    assert_eq!(limited.status(), 429, "the IP has spent its budget");
    assert!(limited.headers().contains_key("retry-after"));
}

async fn banned_users_cannot_log_in_and_are_told_why(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.register_token("boss", PASSWORD).await;
    let member = app.register("troll", PASSWORD).await;
    let member_token = token_of(&member);
    let member_id = member["user"]["id"].as_str().unwrap().to_owned();

    // A member cannot ban.
    let denied = app
        .api(&member_token)
        .admin_ban(&member_id, json!({"reason": "x"}))
        .await;
    assert_eq!(problem_code(denied, 403).await, "forbidden");

    let until = "2099-01-01T00:00:00Z";
    let ban = app
        .api(&admin)
        .admin_ban(
            &member_id,
            json!({"reason": "spam in #general", "until": until}),
        )
        .await;
    assert_eq!(ban.status(), 200);
    assert_eq!(
        app.me_status(&member_token).await,
        401,
        "the ban ends live sessions at once"
    );

    let login = app.login("troll", PASSWORD, "t").await;
    assert_eq!(login.status(), 403);
    let problem: Value = login.json().await.unwrap();
    assert_eq!(problem["code"], "auth.banned");
    assert_eq!(problem["data"]["reason"], "spam in #general");
    assert!(
        problem["data"]["until"]
            .as_str()
            .unwrap()
            .starts_with("2099-01-01")
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("spam in #general")
    );
    assert!(problem["detail"].as_str().unwrap().contains("2099-01-01"));

    let persian = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("accept-language", "fa")
        .json(&json!({"username": "troll", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let problem: Value = persian.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("مسدود"),
        "{problem}"
    );

    // A wrong password does not reveal the ban.
    assert_eq!(
        app.login("troll", "wrong password", "t").await.status(),
        401
    );

    let admin_id = app.api(&admin).me().await;
    let admin_id: Value = admin_id.json().await.unwrap();
    let self_ban = app
        .api(&admin)
        .admin_ban(admin_id["id"].as_str().unwrap(), json!({"reason": "oops"}))
        .await;
    assert_eq!(problem_code(self_ban, 403).await, "ban.self");
    let unban = app.api(&admin).admin_unban(&member_id).await;
    assert_eq!(unban.status(), 204);
    assert_eq!(app.login("troll", PASSWORD, "t").await.status(), 200);
}

async fn logout_logout_all_and_password_change_end_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.register_token("leaver", PASSWORD).await;
    let logout = app.api(&first).auth_logout().await;
    assert_eq!(logout.status(), 204);
    assert!(
        logout.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(app.me_status(&first).await, 401);

    let a = app.login_token("leaver", PASSWORD).await;
    let b = app.login_token("leaver", PASSWORD).await;
    let all = app.api(&a).auth_logout_all().await;
    assert_eq!(all.status(), 204);
    assert_eq!(app.me_status(&a).await, 401);
    assert_eq!(app.me_status(&b).await, 401);

    let a = app.login_token("leaver", PASSWORD).await;
    let b = app.login_token("leaver", PASSWORD).await;
    let wrong = app
        .api(&a)
        .auth_password(
            json!({"current_password": "not it at all", "new_password": "a brand new one"}),
        )
        .await;
    assert_eq!(problem_code(wrong, 422).await, "password.current_wrong");
    let weak = app
        .api(&a)
        .auth_password(json!({"current_password": PASSWORD, "new_password": "short"}))
        .await;
    assert_eq!(problem_code(weak, 422).await, "password.too_short");
    let changed = app
        .api(&a)
        .auth_password(json!({"current_password": PASSWORD, "new_password": "a brand new one"}))
        .await;
    assert_eq!(changed.status(), 204);
    assert_eq!(
        app.me_status(&a).await,
        200,
        "the device that changed it stays in"
    );
    assert_eq!(app.me_status(&b).await, 401, "every other device is out");
    assert_eq!(app.login("leaver", PASSWORD, "t").await.status(), 401);
    assert_eq!(
        app.login("leaver", "a brand new one", "t").await.status(),
        200
    );
}

const SECRET: &str = "test-secret-that-is-long-enough-for-hs256!";

fn sign(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn tampered_expired_and_revoked_tokens_are_refused(backend: Backend) {
    let app = spawn_app_with(backend, |f| f.merge(("auth.jwt_secret", SECRET))).await;
    let victim = app.register("victim", PASSWORD).await;
    let token = token_of(&victim);
    assert_eq!(app.me_status(&token).await, 200);
    let parts: Vec<&str> = token.split('.').collect();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();

    // Signature changed.
    let mut signature = parts[2].to_owned();
    let flipped = if signature.ends_with('A') { 'B' } else { 'A' };
    signature.pop();
    signature.push(flipped);
    let bad_signature = format!("{}.{}.{signature}", parts[0], parts[1]);
    // Payload changed (another user id) but the old signature kept.
    let mut forged = claims.clone();
    forged["sub"] = json!(uuid::Uuid::now_v7());
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
    let edited = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    // `alg: none` with no signature.
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{none_header}.{}.", parts[1]);
    // Correctly signed but expired.
    let mut expired = claims.clone();
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 3600);
    let expired = sign(&expired, SECRET);
    // Signed with another key.
    let other_key = sign(&claims, "some-other-secret-also-long-enough-1234");
    // Correctly signed, live session, but claiming to be someone else.
    let mut wrong_sub = claims.clone();
    wrong_sub["sub"] = json!(uuid::Uuid::now_v7());
    let wrong_sub = sign(&wrong_sub, SECRET);

    for (name, bad) in [
        ("bad signature", bad_signature.as_str()),
        ("edited payload", edited.as_str()),
        ("alg none", alg_none.as_str()),
        ("expired", expired.as_str()),
        ("other key", other_key.as_str()),
        ("sub mismatch", wrong_sub.as_str()),
        ("garbage", "not-a-token"),
    ] {
        let resp = app.api(bad).me().await;
        assert_eq!(resp.status(), 401, "{name}");
        assert_eq!(resp.headers()["www-authenticate"], "Bearer", "{name}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized", "{name}");
    }
    let no_token = app.get("/api/v1/users/me").await;
    assert_eq!(problem_code(no_token, 401).await, "unauthorized");

    // Revoked: the genuine token stops working after logout.
    app.api(&token).auth_logout().await;
    assert_eq!(app.me_status(&token).await, 401, "revoked");
}

async fn closed_and_invite_only_registration(backend: Backend) {
    let closed = spawn_app_with(backend.clone(), |f| {
        f.merge(("auth.registration", "closed"))
    })
    .await;
    let refused = register_status(
        &closed,
        json!({"username": "hopeful", "password": PASSWORD}),
    )
    .await;
    assert_eq!(problem_code(refused, 403).await, "auth.registration_closed");

    let app = spawn_app_with(backend, |f| f.merge(("auth.registration", "invite"))).await;
    let hasher = test_hasher();
    user_create(&app.db, &hasher, "root", PASSWORD, Role::Admin)
        .await
        .unwrap();
    let admin = app.login_token("root", PASSWORD).await;

    let no_code = register_status(&app, json!({"username": "guest", "password": PASSWORD})).await;
    assert_eq!(problem_code(no_code, 403).await, "auth.invite_invalid");

    let invite: Value = app
        .api(&admin)
        .admin_invite(json!({"max_uses": 1, "expires_in_hours": 24}))
        .await
        .json()
        .await
        .unwrap();
    let code = invite["code"].as_str().unwrap();
    assert_eq!(code.len(), 10);

    let ok = register_status(
        &app,
        json!({"username": "guest", "password": PASSWORD, "invite_code": code}),
    )
    .await;
    assert_eq!(ok.status(), 201);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(
        body["user"]["role"], "member",
        "root was first; guests are members"
    );
    let used_up = register_status(
        &app,
        json!({"username": "guest2", "password": PASSWORD, "invite_code": code}),
    )
    .await;
    assert_eq!(problem_code(used_up, 403).await, "auth.invite_invalid");

    // Members cannot mint invites.
    let member = token_of(&body);
    let denied = app.api(&member).admin_invite(json!({})).await;
    assert_eq!(problem_code(denied, 403).await, "forbidden");
}

async fn persian_usernames_and_display_names_round_trip(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = register_status(
        &app,
        json!({
            "username": "سارا_۱۳۷۰",
            "password": "گذرواژهٔ بسیار امن",
            "display_name": "سارا کریمی‌نژاد",
            "locale": "fa-IR"
        }),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["user"]["username"], "سارا_۱۳۷۰");
    assert_eq!(body["user"]["display_name"], "سارا کریمی‌نژاد");
    assert_eq!(body["user"]["locale"], "fa-IR");
    let token = token_of(&body);

    let encoded: String = url::form_urlencoded::byte_serialize("سارا_۱۳۷۰".as_bytes()).collect();
    let profile: Value = app
        .get_json(&format!("/api/v1/users/{encoded}"), &token)
        .await;
    assert_eq!(profile["display_name"], "سارا کریمی‌نژاد");

    // ASCII digits find the same account as Persian ones.
    assert_eq!(
        app.login("سارا_1370", "گذرواژهٔ بسیار امن", "t")
            .await
            .status(),
        200
    );
}

async fn the_session_cookie_authenticates_browser_requests(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = register_status(&app, json!({"username": "browser", "password": PASSWORD})).await;
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("anjoman_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    let pair = cookie.split(';').next().unwrap();
    let me = app
        .client
        .get(app.url("/api/v1/users/me"))
        .header("cookie", format!("theme=dark; {pair}"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
}
