use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, problem_code, spawn_app};
use crate::on_both_backends;

on_both_backends!(
    roles_are_granted_by_admins_and_the_last_admin_stays,
    every_admin_action_is_in_the_audit_log,
);

const PASSWORD: &str = "correct horse battery";

/// Registers `name`; returns (token, user id).
async fn account(app: &TestApp, name: &str) -> (String, String) {
    let body = app.register(name, PASSWORD).await;
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["user"]["id"].as_str().unwrap().to_owned(),
    )
}

async fn set_role(app: &TestApp, token: &str, user: &str, role: &str) -> reqwest::Response {
    app.authed(
        Method::POST,
        &format!("/api/v1/admin/users/{user}/role"),
        token,
    )
    .json(&json!({"role": role, "reason": "team change"}))
    .send()
    .await
    .unwrap()
}

async fn roles_are_granted_by_admins_and_the_last_admin_stays(backend: Backend) {
    let app = spawn_app(backend).await;
    let (admin, admin_id) = account(&app, "root").await;
    let (bob, bob_id) = account(&app, "bob").await;
    let (_carol, carol_id) = account(&app, "carol").await;

    // The only admin cannot step down.
    let resp = set_role(&app, &admin, &admin_id, "member").await;
    assert_eq!(problem_code(resp, 409).await, "role.last_admin");

    let resp = set_role(&app, &admin, &bob_id, "moderator").await;
    assert_eq!(resp.status(), 200);
    let profile: Value = resp.json().await.unwrap();
    assert_eq!(profile["role"], "moderator");
    // The new role applies to Bob's very next request, on his existing token.
    let resp = set_role(&app, &bob, &carol_id, "moderator").await;
    assert_eq!(
        problem_code(resp, 403).await,
        "forbidden",
        "moderators cannot grant roles"
    );
    let resp = app
        .authed(
            Method::POST,
            &format!("/api/v1/admin/users/{admin_id}/ban"),
            &bob,
        )
        .json(&json!({"reason": "coup"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 403).await, "ban.outranked");
    let resp = app
        .authed(Method::GET, "/api/v1/admin/audit", &bob)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "moderators read the audit log");

    // With a second admin, the first may step down.
    assert_eq!(
        set_role(&app, &admin, &carol_id, "admin").await.status(),
        200
    );
    assert_eq!(
        set_role(&app, &admin, &admin_id, "member").await.status(),
        200
    );
    let me: Value = app.get_json("/api/v1/users/me", &admin).await;
    assert_eq!(me["role"], "member");
    let resp = set_role(&app, &admin, &bob_id, "admin").await;
    assert_eq!(problem_code(resp, 403).await, "forbidden");
    let resp = app
        .authed(Method::GET, "/api/v1/admin/audit", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 403).await, "forbidden", "members do not");
    let resp = set_role(&app, &admin, &bob_id, "overlord").await;
    assert_eq!(resp.status(), 400, "unknown roles are refused");
}

async fn every_admin_action_is_in_the_audit_log(backend: Backend) {
    let app = spawn_app(backend).await;
    let (admin, admin_id) = account(&app, "root").await;
    let (_bob, bob_id) = account(&app, "bob").await;

    let ban = app
        .authed(
            Method::POST,
            &format!("/api/v1/admin/users/{bob_id}/ban"),
            &admin,
        )
        .json(&json!({"reason": "spam in #general"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ban.status(), 200);
    let unban = app
        .authed(
            Method::DELETE,
            &format!("/api/v1/admin/users/{bob_id}/ban"),
            &admin,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(unban.status(), 204);
    assert_eq!(
        set_role(&app, &admin, &bob_id, "moderator").await.status(),
        200
    );
    let invite = app
        .authed(Method::POST, "/api/v1/admin/invites", &admin)
        .json(&json!({"max_uses": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(invite.status(), 201);
    // A refused action changes nothing and records nothing.
    let resp = set_role(&app, &admin, &admin_id, "member").await;
    assert_eq!(resp.status(), 409);

    let log: Vec<Value> = app.get_json("/api/v1/admin/audit", &admin).await;
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["invite.create", "user.role", "user.unban", "user.ban"]
    );
    for entry in &log {
        assert_eq!(entry["actor_id"], admin_id.as_str());
        assert_eq!(entry["ip"], "127.0.0.1");
        assert!(entry["created_at"].is_string());
    }
    let banned = &log[3];
    assert_eq!(banned["target_type"], "user");
    assert_eq!(banned["target_id"], bob_id.as_str());
    assert_eq!(banned["reason"], "spam in #general");
    assert_eq!(banned["data"]["username"], "bob");
    assert_eq!(
        log[1]["data"],
        json!({"username": "bob", "from": "member", "to": "moderator"})
    );
    assert_eq!(log[2]["target_id"], bob_id.as_str());
    assert_eq!(log[0]["data"]["max_uses"], 3);

    // Filters and paging.
    let bans: Vec<Value> = app
        .get_json("/api/v1/admin/audit?action=user.ban", &admin)
        .await;
    assert_eq!(bans.len(), 1);
    let on_users: Vec<Value> = app
        .get_json("/api/v1/admin/audit?action=user.", &admin)
        .await;
    assert_eq!(on_users.len(), 3);
    let about_bob: Vec<Value> = app
        .get_json(&format!("/api/v1/admin/audit?target={bob_id}"), &admin)
        .await;
    assert_eq!(about_bob.len(), 3);
    let first_page: Vec<Value> = app.get_json("/api/v1/admin/audit?limit=2", &admin).await;
    assert_eq!(first_page.len(), 2);
    let next: Vec<Value> = app
        .get_json(
            &format!(
                "/api/v1/admin/audit?limit=2&before={}",
                first_page[1]["id"].as_str().unwrap()
            ),
            &admin,
        )
        .await;
    let next_actions: Vec<&str> = next.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(next_actions, ["user.unban", "user.ban"]);
    let by_nobody: Vec<Value> = app
        .get_json(&format!("/api/v1/admin/audit?actor={bob_id}"), &admin)
        .await;
    assert!(by_nobody.is_empty());
}
