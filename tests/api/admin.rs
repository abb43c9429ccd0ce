use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, problem_code, spawn_app, spawn_app_with};
use crate::on_both_backends;
use crate::ws_client::WsClient;

on_both_backends!(
    roles_are_granted_by_admins_and_the_last_admin_stays,
    every_admin_action_is_in_the_audit_log,
    stats_match_the_seeded_data,
    a_ban_can_purge_recent_messages_and_a_temporary_ban_ends_by_itself,
    the_users_table_searches_and_filters,
    security_events_are_audited,
    two_admins_demoting_each_other_at_once_leave_one,
);

const PASSWORD: &str = "correct horse battery";

async fn set_role(app: &TestApp, token: &str, user: &str, role: &str) -> reqwest::Response {
    app.api(token)
        .admin_role(user, json!({"role": role, "reason": "team change"}))
        .await
}

async fn roles_are_granted_by_admins_and_the_last_admin_stays(backend: Backend) {
    let app = spawn_app(backend).await;
    let (admin, admin_id) = app.account("root").await;
    let (bob, bob_id) = app.account("bob").await;
    let (_carol, carol_id) = app.account("carol").await;

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
        .api(&bob)
        .admin_ban(&admin_id, json!({"reason": "coup"}))
        .await;
    assert_eq!(problem_code(resp, 403).await, "ban.outranked");
    let resp = app.api(&bob).admin_audit("").await;
    assert_eq!(
        problem_code(resp, 403).await,
        "forbidden",
        "the audit log is for admins only"
    );

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
    let resp = app.api(&admin).admin_audit("").await;
    assert_eq!(problem_code(resp, 403).await, "forbidden", "members do not");
    let resp = set_role(&app, &admin, &bob_id, "overlord").await;
    assert_eq!(resp.status(), 400, "unknown roles are refused");
}

async fn every_admin_action_is_in_the_audit_log(backend: Backend) {
    let app = spawn_app(backend).await;
    let (admin, admin_id) = app.account("root").await;
    let (_bob, bob_id) = app.account("bob").await;

    let ban = app
        .api(&admin)
        .admin_ban(&bob_id, json!({"reason": "spam in #general"}))
        .await;
    assert_eq!(ban.status(), 200);
    let unban = app.api(&admin).admin_unban(&bob_id).await;
    assert_eq!(unban.status(), 204);
    assert_eq!(
        set_role(&app, &admin, &bob_id, "moderator").await.status(),
        200
    );
    let invite = app.api(&admin).admin_invite(json!({"max_uses": 3})).await;
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

async fn stats_match_the_seeded_data(backend: Backend) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

    let app = spawn_app(backend).await;
    let (root, _) = app.account("root").await;
    let (alice, _) = app.account("alice").await;
    let (bob, _) = app.account("bob").await;
    let room = app.public_room(&alice, &[&bob]).await;
    let send = |token: String, room: String, body: &'static str| {
        let app = &app;
        async move {
            let resp = app
                .api(&token)
                .message_send(&room, json!({ "body": body }))
                .await;
            assert_eq!(resp.status(), 201);
            resp.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    for body in ["one", "two", "three"] {
        send(alice.clone(), room.clone(), body).await;
    }
    let old = send(alice.clone(), room.clone(), "from last week").await;
    let deleted = send(bob.clone(), room.clone(), "regretted").await;
    app.api(&bob).message_delete(&deleted).await;
    let rooms: Vec<Value> = app.get_json("/api/v1/rooms", &bob).await;
    let general = rooms.iter().find(|r| r["name"] != "چای‌خانه").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    send(bob.clone(), general.clone(), "hi all").await;
    let reported = send(bob.clone(), general, "rude").await;
    app.api(&alice)
        .message_report(&reported, json!({"reason": "rude"}))
        .await;
    app.api(&alice).dm("bob").await;
    // Backdate one message three days.
    let id: uuid::Uuid = old.parse().unwrap();
    let message = entity::messages::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: entity::messages::ActiveModel = message.into();
    active.created_at = Set(chrono::Utc::now() - chrono::Duration::days(3));
    active.update(&app.db).await.unwrap();
    let _online = WsClient::connect(&app, &alice).await;
    // Two uploads of the same 11 bytes: two files, stored once.
    for _ in 0..2 {
        let body = format!(
            "--b\r\nContent-Disposition: form-data; name=\"room_id\"\r\n\r\n{room}\r\n\
             --b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n\
             hello world\r\n--b--\r\n"
        );
        let resp = app
            .authed(Method::POST, "/api/v1/files", &bob)
            .header("content-type", "multipart/form-data; boundary=b")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
    }

    let resp = app.api(&alice).admin_stats().await;
    assert_eq!(problem_code(resp, 403).await, "forbidden");
    let stats: Value = app.get_json("/api/v1/admin/stats", &root).await;
    assert_eq!(stats["users_total"], 3);
    assert_eq!(stats["users_active_today"], 3);
    assert_eq!(stats["users_online"], 1);
    assert_eq!(stats["rooms_total"], 2, "general and the tea house");
    assert_eq!(stats["direct_rooms"], 1);
    assert_eq!(stats["messages_total"], 8, "the deleted one does not count");
    assert_eq!(stats["open_reports"], 1);
    let days = stats["messages_per_day"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(
        days[29]["date"],
        chrono::Utc::now().date_naive().to_string()
    );
    assert_eq!(days[29]["messages"], 7);
    assert_eq!(days[26]["messages"], 1);
    let total: u64 = days.iter().map(|d| d["messages"].as_u64().unwrap()).sum();
    assert_eq!(total, 8);
    let top = stats["top_rooms"].as_array().unwrap();
    assert_eq!(top[0]["name"], "چای‌خانه");
    assert_eq!(top[0]["messages"], 6);
    assert_eq!(top[1]["messages"], 2);
    assert_eq!(stats["files_total"], 2);
    assert_eq!(stats["storage_bytes"], 11);
}

async fn a_ban_can_purge_recent_messages_and_a_temporary_ban_ends_by_itself(backend: Backend) {
    let app = spawn_app(backend).await;
    let (root, _) = app.account("root").await;
    let (alice, _) = app.account("alice").await;
    let (spammer, spammer_id) = app.account("spammer").await;
    let room = app.public_room(&alice, &[&spammer]).await;
    let mut watcher = WsClient::connect(&app, &alice).await;
    watcher
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    let mut spammer_ws = WsClient::connect(&app, &spammer).await;
    for i in 0..3 {
        let resp = app
            .api(&spammer)
            .message_send(&room, json!({ "body": format!("cheap watches {i}") }))
            .await;
        assert_eq!(resp.status(), 201);
    }
    // An hour: long enough that a slow machine never sees it end early; the test then
    // moves its end into the past itself (a clock it controls) instead of sleeping.
    let until = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let resp = app
        .api(&root)
        .admin_ban(
            &spammer_id,
            json!({"reason": "spam", "until": until, "purge_hours": 1}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    // Their live socket is closed at once.
    assert_eq!(spammer_ws.closed().await, Some(4003));
    // Everything they wrote in the last hour is gone, live and in history.
    for _ in 0..3 {
        watcher.expect("message.deleted").await;
    }
    let history: Vec<Value> = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &alice)
        .await;
    let spam: Vec<&Value> = history
        .iter()
        .filter(|m| m["author"]["username"] == "spammer")
        .collect();
    assert_eq!(spam.len(), 3);
    assert!(spam.iter().all(|m| m["deleted"] == true && m["body"] == ""));
    let purged: Vec<Value> = app
        .get_json("/api/v1/admin/audit?action=message.delete", &root)
        .await;
    assert_eq!(purged.len(), 3);

    let login = app.login("spammer", PASSWORD, "laptop").await;
    assert_eq!(problem_code(login, 403).await, "auth.banned");
    // The ban ends by itself once its time has passed.
    ban_end_now(&app, &spammer_id).await;
    let login = app.login("spammer", PASSWORD, "laptop").await;
    assert_eq!(login.status(), 200);
}

/// Moves the end of `user_id`'s temporary ban into the past, as time passing would.
async fn ban_end_now(app: &TestApp, user_id: &str) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let past = chrono::Utc::now() - chrono::Duration::seconds(1);
    let updated = entity::users::Entity::update_many()
        .col_expr(entity::users::Column::BannedUntil, Expr::value(past))
        .filter(entity::users::Column::Id.eq(uuid::Uuid::parse_str(user_id).unwrap()))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected, 1);
}

async fn the_users_table_searches_and_filters(backend: Backend) {
    let app = spawn_app(backend).await;
    let (root, _) = app.account("root").await;
    let (alice, _) = app.account("alice").await;
    let (_, ali_id) = app.account("ali_reza").await;
    let (_, bob_id) = app.account("bob").await;
    assert_eq!(
        set_role(&app, &root, &bob_id, "moderator").await.status(),
        200
    );
    app.api(&root)
        .admin_ban(&ali_id, json!({"reason": "spam"}))
        .await;

    let names = |list: Vec<Value>| -> Vec<String> {
        list.iter()
            .map(|u| u["username"].as_str().unwrap().to_owned())
            .collect()
    };
    let all: Vec<Value> = app.get_json("/api/v1/admin/users", &root).await;
    assert_eq!(names(all), ["bob", "ali_reza", "alice", "root"]);
    let prefix: Vec<Value> = app.get_json("/api/v1/admin/users?q=ali", &root).await;
    assert_eq!(names(prefix), ["ali_reza", "alice"]);
    let literal: Vec<Value> = app.get_json("/api/v1/admin/users?q=ali_", &root).await;
    assert_eq!(names(literal), ["ali_reza"], "`_` is a literal");
    let banned: Vec<Value> = app.get_json("/api/v1/admin/users?banned=true", &root).await;
    assert_eq!(banned[0]["ban_reason"], "spam");
    assert_eq!(names(banned), ["ali_reza"]);
    let staff: Vec<Value> = app
        .get_json("/api/v1/admin/users?role=moderator", &root)
        .await;
    assert_eq!(names(staff), ["bob"]);
    let page: Vec<Value> = app
        .get_json("/api/v1/admin/users?offset=1&limit=2", &root)
        .await;
    assert_eq!(names(page), ["ali_reza", "alice"]);
    let resp = app.api(&alice).admin_users("").await;
    assert_eq!(problem_code(resp, 403).await, "forbidden");
}

async fn security_events_are_audited(backend: Backend) {
    let app = spawn_app_with(backend, |f| f.merge(("ws.connect_per_ip", 3))).await;
    let (root, _) = app.account("root").await;
    app.account("alice").await;
    for _ in 0..6 {
        let resp = app.login("alice", "not her password", "laptop").await;
        assert!(matches!(resp.status().as_u16(), 401 | 429));
    }
    let url = crate::ws_client::ws_url(&app, "");
    for _ in 0..6 {
        let _ = tokio_tungstenite::connect_async(url.as_str()).await;
    }

    let bursts: Vec<Value> = app
        .get_json("/api/v1/admin/audit?action=security.login_burst", &root)
        .await;
    assert_eq!(bursts.len(), 1, "one event per burst, not per attempt");
    assert_eq!(bursts[0]["target_type"], "user");
    assert_eq!(bursts[0]["target_id"], "alice");
    assert_eq!(bursts[0]["ip"], "127.0.0.1");
    assert!(bursts[0]["actor_id"].is_null());
    let bans: Vec<Value> = app
        .get_json("/api/v1/admin/audit?action=security.ip_banned", &root)
        .await;
    assert_eq!(bans.len(), 1);
    assert_eq!(bans[0]["target_id"], "127.0.0.1");
    assert_eq!(bans[0]["data"]["ban_secs"], 300);
}

async fn two_admins_demoting_each_other_at_once_leave_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let (root, root_id) = app.account("root").await;
    let (carol, carol_id) = app.account("carol").await;
    for _ in 0..5 {
        assert_eq!(
            set_role(&app, &root, &carol_id, "admin").await.status(),
            200
        );
        let (a, b) = tokio::join!(
            set_role(&app, &root, &carol_id, "member"),
            set_role(&app, &carol, &root_id, "member"),
        );
        let statuses = [a.status().as_u16(), b.status().as_u16()];
        assert!(statuses.contains(&200), "{statuses:?}");
        let admins: Vec<Value> = app
            .get_json(
                "/api/v1/admin/users?role=admin",
                if statuses[0] == 200 { &root } else { &carol },
            )
            .await;
        assert_eq!(admins.len(), 1, "{statuses:?}");
        // Whoever is left restores the starting point: root admin, carol member.
        if admins[0]["username"] == "carol" {
            assert_eq!(
                set_role(&app, &carol, &root_id, "admin").await.status(),
                200
            );
            assert_eq!(
                set_role(&app, &root, &carol_id, "member").await.status(),
                200
            );
        }
    }
}
