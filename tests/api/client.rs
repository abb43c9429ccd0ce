//! A typed client for the REST API: one method per endpoint, so a test says what it does
//! (`app.api(&token).room_join(&id)`) instead of building the request. Each method returns
//! the raw response: tests check statuses and problem codes as often as bodies. Requests
//! that are malformed on purpose (bad JSON, wrong headers) still build their own.

use reqwest::{Method, RequestBuilder, Response};
use serde::Serialize;

use crate::helpers::TestApp;

/// The API as one user (or no one) sees it. `Copy`, so a method's future owns what it needs
/// and a closure can return one.
#[derive(Clone, Copy)]
pub struct Api<'a> {
    app: &'a TestApp,
    token: Option<&'a str>,
}

impl TestApp {
    /// The API with `Authorization: Bearer <token>`.
    pub fn api<'a>(&'a self, token: &'a str) -> Api<'a> {
        Api {
            app: self,
            token: Some(token),
        }
    }

    /// The API without credentials.
    pub fn anon(&self) -> Api<'_> {
        Api {
            app: self,
            token: None,
        }
    }
}

impl Api<'_> {
    /// The request a method sends, for a test that adds a header or a body of its own.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        // An endpoint whose query a test leaves empty is asked without one.
        let path = path.strip_suffix('?').unwrap_or(path);
        let request = self.app.client.request(method, self.app.url(path));
        match self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }
}

impl Api<'_> {
    /// PUT /users/me/avatar: the picture's bytes, declared as `content_type`.
    pub async fn avatar_put(self, bytes: Vec<u8>, content_type: &str) -> Response {
        self.request(Method::PUT, "/api/v1/users/me/avatar")
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("request")
    }
}

/// `name(args) => METHOD "path with {args}"`, and `, body` for a JSON body. An empty
/// `query` asks without one.
macro_rules! endpoints {
    ($($(#[$doc:meta])* $name:ident($($arg:ident),*) => $method:ident $path:literal $(, $body:ident)?;)*) => {
        #[allow(dead_code, reason = "one method per endpoint, whether a test calls it yet or not")]
        impl Api<'_> {
            $(
                $(#[$doc])*
                pub async fn $name(self, $($arg: &str,)* $($body: impl Serialize)?) -> Response {
                    let request = self.request(Method::$method, &format!($path));
                    $(let request = request.json(&$body);)?
                    request.send().await.expect("request")
                }
            )*
        }
    };
}

endpoints! {
    /// POST /auth/register.
    auth_register() => POST "/api/v1/auth/register", body;
    /// POST /auth/login.
    auth_login() => POST "/api/v1/auth/login", body;
    /// POST /auth/logout: ends this session.
    auth_logout() => POST "/api/v1/auth/logout";
    /// POST /auth/logout-all: ends every session of the user.
    auth_logout_all() => POST "/api/v1/auth/logout-all";
    /// POST /auth/password.
    auth_password() => POST "/api/v1/auth/password", body;
    /// GET /auth/sessions.
    sessions() => GET "/api/v1/auth/sessions";
    /// DELETE /auth/sessions/{id}.
    session_revoke(id) => DELETE "/api/v1/auth/sessions/{id}";

    /// GET /users/me.
    me() => GET "/api/v1/users/me";
    /// PATCH /users/me.
    me_update() => PATCH "/api/v1/users/me", body;
    /// DELETE /users/me/avatar.
    avatar_delete() => DELETE "/api/v1/users/me/avatar";
    /// GET /users/{name}.
    user(name) => GET "/api/v1/users/{name}";
    /// GET /users/{name}/avatar.
    user_avatar(name) => GET "/api/v1/users/{name}/avatar";
    /// GET /users?{query}.
    users(query) => GET "/api/v1/users?{query}";
    /// GET /users/me/blocks.
    blocks() => GET "/api/v1/users/me/blocks";
    /// PUT /users/me/blocks/{name}.
    block(name) => PUT "/api/v1/users/me/blocks/{name}";
    /// DELETE /users/me/blocks/{name}.
    unblock(name) => DELETE "/api/v1/users/me/blocks/{name}";

    /// GET /rooms: the rooms the user is in.
    rooms() => GET "/api/v1/rooms";
    /// GET /rooms/public.
    rooms_public() => GET "/api/v1/rooms/public";
    /// POST /rooms.
    room_create() => POST "/api/v1/rooms", body;
    /// GET /rooms/{id}.
    room(id) => GET "/api/v1/rooms/{id}";
    /// PATCH /rooms/{id}.
    room_update(id) => PATCH "/api/v1/rooms/{id}", body;
    /// DELETE /rooms/{id}.
    room_delete(id) => DELETE "/api/v1/rooms/{id}";
    /// POST /rooms/{id}/join.
    room_join(id) => POST "/api/v1/rooms/{id}/join";
    /// POST /rooms/join: by invite code.
    room_join_by_code() => POST "/api/v1/rooms/join", body;
    /// POST /rooms/{id}/leave.
    room_leave(id) => POST "/api/v1/rooms/{id}/leave";
    /// POST /rooms/{id}/invite-code: a new code.
    room_invite_code(id) => POST "/api/v1/rooms/{id}/invite-code";
    /// GET /rooms/{id}/members.
    room_members(id) => GET "/api/v1/rooms/{id}/members";
    /// POST /rooms/{id}/members/{user}/kick.
    room_kick(id, user) => POST "/api/v1/rooms/{id}/members/{user}/kick", body;
    /// POST /rooms/{id}/members/{user}/mute.
    room_mute(id, user) => POST "/api/v1/rooms/{id}/members/{user}/mute", body;
    /// DELETE /rooms/{id}/members/{user}/mute.
    room_unmute(id, user) => DELETE "/api/v1/rooms/{id}/members/{user}/mute";
    /// POST /rooms/{id}/lock.
    room_lock(id) => POST "/api/v1/rooms/{id}/lock", body;
    /// DELETE /rooms/{id}/lock.
    room_unlock(id) => DELETE "/api/v1/rooms/{id}/lock";
    /// PUT /rooms/{id}/retention.
    room_retention(id) => PUT "/api/v1/rooms/{id}/retention", body;
    /// POST /rooms/{id}/read.
    room_read(id) => POST "/api/v1/rooms/{id}/read", body;
    /// GET /rooms/{id}/files.
    room_files(id) => GET "/api/v1/rooms/{id}/files";
    /// POST /dm/{name}: the direct room with `name`.
    dm(name) => POST "/api/v1/dm/{name}";

    /// GET /rooms/{id}/messages (history).
    messages(room) => GET "/api/v1/rooms/{room}/messages";
    /// POST /rooms/{id}/messages.
    message_send(room) => POST "/api/v1/rooms/{room}/messages", body;
    /// PATCH /messages/{id}.
    message_edit(id) => PATCH "/api/v1/messages/{id}", body;
    /// DELETE /messages/{id}.
    message_delete(id) => DELETE "/api/v1/messages/{id}";
    /// PUT /messages/{id}/reactions/{emoji}.
    reaction_add(id, emoji) => PUT "/api/v1/messages/{id}/reactions/{emoji}";
    /// DELETE /messages/{id}/reactions/{emoji}.
    reaction_remove(id, emoji) => DELETE "/api/v1/messages/{id}/reactions/{emoji}";
    /// POST /messages/{id}/report.
    message_report(id) => POST "/api/v1/messages/{id}/report", body;
    /// POST /messages/{id}/forward.
    message_forward(id) => POST "/api/v1/messages/{id}/forward", body;

    /// POST /rooms/{id}/polls.
    poll_create(room) => POST "/api/v1/rooms/{room}/polls", body;
    /// GET /rooms/{id}/polls.
    polls(room) => GET "/api/v1/rooms/{room}/polls";
    /// GET /polls/{id}.
    poll(id) => GET "/api/v1/polls/{id}";
    /// POST /polls/{id}/votes.
    poll_vote(id) => POST "/api/v1/polls/{id}/votes", body;
    /// DELETE /polls/{id}/votes.
    poll_unvote(id) => DELETE "/api/v1/polls/{id}/votes";
    /// POST /polls/{id}/close.
    poll_close(id) => POST "/api/v1/polls/{id}/close";

    /// GET a `url` the API handed out: a file, a thumbnail, an avatar.
    file(url) => GET "{url}";
    /// GET /files/{id}/thumbnail.
    thumbnail(id) => GET "/api/v1/files/{id}/thumbnail";
    /// DELETE a file at its `url` (/files/{id}).
    file_delete(url) => DELETE "{url}";

    /// GET /search/messages?{query}.
    search(query) => GET "/api/v1/search/messages?{query}";

    /// GET /notifications/preferences.
    notification_prefs() => GET "/api/v1/notifications/preferences";
    /// PUT /notifications/preferences.
    notification_prefs_put() => PUT "/api/v1/notifications/preferences", body;
    /// GET /notifications/rooms: the user's room overrides.
    notification_rooms() => GET "/api/v1/notifications/rooms";
    /// PUT /notifications/rooms/{room}.
    notification_room_put(room) => PUT "/api/v1/notifications/rooms/{room}", body;
    /// DELETE /notifications/rooms/{room}.
    notification_room_delete(room) => DELETE "/api/v1/notifications/rooms/{room}";
    /// GET /notifications?{query}: the inbox.
    notifications(query) => GET "/api/v1/notifications?{query}";
    /// POST /notifications/{id}/read.
    notification_read(id) => POST "/api/v1/notifications/{id}/read";
    /// POST /notifications/read-all.
    notifications_read_all() => POST "/api/v1/notifications/read-all", body;
    /// GET /push/config: the VAPID public key.
    push_config() => GET "/api/v1/push/config";
    /// POST /push/subscriptions.
    push_subscribe() => POST "/api/v1/push/subscriptions", body;
    /// DELETE /push/subscriptions.
    push_unsubscribe() => DELETE "/api/v1/push/subscriptions", body;

    /// GET /admin/stats.
    admin_stats() => GET "/api/v1/admin/stats";
    /// GET /admin/users?{query}.
    admin_users(query) => GET "/api/v1/admin/users?{query}";
    /// POST /admin/users/{id}/ban.
    admin_ban(id) => POST "/api/v1/admin/users/{id}/ban", body;
    /// DELETE /admin/users/{id}/ban.
    admin_unban(id) => DELETE "/api/v1/admin/users/{id}/ban";
    /// POST /admin/users/{id}/role.
    admin_role(id) => POST "/api/v1/admin/users/{id}/role", body;
    /// GET /admin/audit?{query}.
    admin_audit(query) => GET "/api/v1/admin/audit?{query}";
    /// POST /admin/invites.
    admin_invite() => POST "/api/v1/admin/invites", body;
    /// GET /admin/reports?{query}.
    admin_reports(query) => GET "/api/v1/admin/reports?{query}";
    /// POST /admin/reports/{id}: handles the report.
    admin_report_handle(id) => POST "/api/v1/admin/reports/{id}", body;
}
