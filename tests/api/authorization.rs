//! The authorization matrix: every moderation and admin endpoint, called by every kind of
//! caller, is allowed or refused exactly as the role model says.

use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::on_both_backends;

on_both_backends!(every_admin_and_moderation_endpoint_checks_the_callers_role);

const PASSWORD: &str = "correct horse battery";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    Member,
    RoomOwner,
    Moderator,
    Admin,
}

const CALLERS: [Caller; 5] = [
    Caller::Anonymous,
    Caller::Member,
    Caller::RoomOwner,
    Caller::Moderator,
    Caller::Admin,
];

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy)]
enum Allowed {
    Staff,
    AdminOnly,
    RoomModerators,
    /// Nobody but the author: an admin's message is out of every other caller's rank.
    Nobody,
}

impl Allowed {
    fn admits(self, caller: Caller) -> bool {
        match self {
            Self::Staff => matches!(caller, Caller::Moderator | Caller::Admin),
            Self::AdminOnly => caller == Caller::Admin,
            Self::Nobody => false,
            Self::RoomModerators => {
                matches!(
                    caller,
                    Caller::RoomOwner | Caller::Moderator | Caller::Admin
                )
            }
        }
    }
}

struct World {
    room: String,
    member: String,
    admin: String,
    tokens: Vec<(Caller, Option<String>)>,
    fresh: AtomicUsize,
}

impl World {
    /// A new member of the room to act on (so every call has an untouched target).
    async fn victim(&self, app: &TestApp) -> (String, String) {
        let n = self.fresh.fetch_add(1, Ordering::Relaxed);
        let body = app.register(&format!("victim{n}"), PASSWORD).await;
        let token = body["access_token"].as_str().unwrap().to_owned();
        let resp = app.api(&token).room_join(&self.room).await;
        assert_eq!(resp.status(), 200);
        (token, body["user"]["id"].as_str().unwrap().to_owned())
    }

    /// A message in the room by a fresh victim given the global `role`.
    async fn message_by(&self, app: &TestApp, role: &str) -> String {
        let (token, id) = self.victim(app).await;
        let resp = app
            .api(&self.admin)
            .admin_role(&id, json!({ "role": role }))
            .await;
        assert_eq!(resp.status(), 200);
        let sent = app.post_message(&token, &self.room, role).await;
        sent["id"].as_str().unwrap().to_owned()
    }

    /// A message of a fresh victim, and a report of it by the member.
    async fn reported_message(&self, app: &TestApp) -> (String, String) {
        let (token, _) = self.victim(app).await;
        let sent: Value = app
            .api(&token)
            .message_send(&self.room, json!({"body": "reported"}))
            .await
            .json()
            .await
            .unwrap();
        let message = sent["id"].as_str().unwrap().to_owned();
        let report: Value = app
            .api(&self.member)
            .message_report(&message, json!({"reason": "matrix"}))
            .await
            .json()
            .await
            .unwrap();
        (message, report["id"].as_str().unwrap().to_owned())
    }
}

async fn every_admin_and_moderation_endpoint_checks_the_callers_role(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.register_token("root", PASSWORD).await;
    let owner = app.register_token("owner", PASSWORD).await;
    let member = app.register_token("member", PASSWORD).await;
    let moderator_body = app.register("moderator", PASSWORD).await;
    let moderator = moderator_body["access_token"].as_str().unwrap().to_owned();
    let resp = app
        .api(&admin)
        .admin_role(
            moderator_body["user"]["id"].as_str().unwrap(),
            json!({"role": "moderator"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let room = app.public_room(&owner, &[&member]).await;
    let world = World {
        room: room.clone(),
        member: member.clone(),
        admin: admin.clone(),
        tokens: vec![
            (Caller::Anonymous, None),
            (Caller::Member, Some(member.clone())),
            (Caller::RoomOwner, Some(owner.clone())),
            (Caller::Moderator, Some(moderator.clone())),
            (Caller::Admin, Some(admin.clone())),
        ],
        fresh: AtomicUsize::new(0),
    };

    let cases = [
        "audit",
        "stats",
        "users",
        "reports",
        "invite",
        "role",
        "ban",
        "unban",
        "mute",
        "unmute",
        "kick",
        "lock",
        "unlock",
        "retention",
        "delete message",
        "delete moderator's message",
        "delete admin's message",
        "handle report",
    ];
    let mut failures = Vec::new();
    for case in cases {
        for caller in CALLERS {
            let (method, path, body, allowed) = match case {
                // The audit log holds addresses and moderators' own actions: admins only.
                "audit" => (
                    Method::GET,
                    "/api/v1/admin/audit".to_owned(),
                    None,
                    Allowed::AdminOnly,
                ),
                "stats" => (
                    Method::GET,
                    "/api/v1/admin/stats".to_owned(),
                    None,
                    Allowed::Staff,
                ),
                "users" => (
                    Method::GET,
                    "/api/v1/admin/users".to_owned(),
                    None,
                    Allowed::Staff,
                ),
                "reports" => (
                    Method::GET,
                    "/api/v1/admin/reports".to_owned(),
                    None,
                    Allowed::Staff,
                ),
                "invite" => (
                    Method::POST,
                    "/api/v1/admin/invites".to_owned(),
                    Some(json!({})),
                    Allowed::AdminOnly,
                ),
                "role" => {
                    let (_, id) = world.victim(&app).await;
                    (
                        Method::POST,
                        format!("/api/v1/admin/users/{id}/role"),
                        Some(json!({"role": "moderator"})),
                        Allowed::AdminOnly,
                    )
                }
                "ban" | "unban" => {
                    let (_, id) = world.victim(&app).await;
                    let method = if case == "ban" {
                        Method::POST
                    } else {
                        Method::DELETE
                    };
                    let body = (case == "ban").then(|| json!({"reason": "matrix"}));
                    (
                        method,
                        format!("/api/v1/admin/users/{id}/ban"),
                        body,
                        Allowed::Staff,
                    )
                }
                "mute" | "unmute" | "kick" => {
                    let (_, id) = world.victim(&app).await;
                    let (method, tail, body) = match case {
                        "mute" => (Method::POST, "mute", Some(json!({"minutes": 5}))),
                        "unmute" => (Method::DELETE, "mute", None),
                        _ => (Method::POST, "kick", Some(json!({"reason": "matrix"}))),
                    };
                    (
                        method,
                        format!("/api/v1/rooms/{room}/members/{id}/{tail}"),
                        body,
                        Allowed::RoomModerators,
                    )
                }
                "lock" => (
                    Method::POST,
                    format!("/api/v1/rooms/{room}/lock"),
                    Some(json!({})),
                    Allowed::RoomModerators,
                ),
                "unlock" => (
                    Method::DELETE,
                    format!("/api/v1/rooms/{room}/lock"),
                    None,
                    Allowed::RoomModerators,
                ),
                "retention" => (
                    Method::PUT,
                    format!("/api/v1/rooms/{room}/retention"),
                    Some(json!({"days": 365})),
                    Allowed::RoomModerators,
                ),
                "delete message" => {
                    let (message, _) = world.reported_message(&app).await;
                    (
                        Method::DELETE,
                        format!("/api/v1/messages/{message}"),
                        None,
                        Allowed::RoomModerators,
                    )
                }
                // The rank rule for kicks and bans holds for deleting messages too.
                "delete moderator's message" | "delete admin's message" => {
                    let (role, allowed) = if case == "delete admin's message" {
                        ("admin", Allowed::Nobody)
                    } else {
                        ("moderator", Allowed::AdminOnly)
                    };
                    let message = world.message_by(&app, role).await;
                    (
                        Method::DELETE,
                        format!("/api/v1/messages/{message}"),
                        None,
                        allowed,
                    )
                }
                _ => {
                    let (_, report) = world.reported_message(&app).await;
                    (
                        Method::POST,
                        format!("/api/v1/admin/reports/{report}"),
                        Some(json!({"status": "dismissed"})),
                        Allowed::Staff,
                    )
                }
            };
            let token = world
                .tokens
                .iter()
                .find(|(c, _)| *c == caller)
                .and_then(|(_, t)| t.clone());
            let mut request = app.client.request(method, app.url(&path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = body {
                request = request.json(&body);
            }
            let status = request.send().await.unwrap().status().as_u16();
            let expected = if caller == Caller::Anonymous {
                401
            } else if allowed.admits(caller) {
                0
            } else {
                403
            };
            let ok = match expected {
                0 => (200..300).contains(&status),
                code => status == code,
            };
            if !ok {
                failures.push(format!(
                    "{case} by {caller:?}: got {status}, expected {expected}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
