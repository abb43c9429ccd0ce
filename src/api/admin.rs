//! `/api/v1/admin/*`: bans, roles, invites and the audit log. Moderators and admins only.

use chrono::{DateTime, Duration, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{responses::NoContent, security::Auth, tags::ApiTags, users::UserProfile};
use crate::{
    domain::{
        audit::{self, Actor, AuditFilter, Entry},
        auth::invites,
        moderation, users as domain_users,
        users::Role,
    },
    error::AppError,
    state::AppState,
};

pub struct AdminApi;

/// A ban.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct BanRequest {
    /// Shown to the user when they try to log in (up to 500 characters).
    pub reason: String,
    /// When the ban ends by itself; absent means until lifted.
    pub until: Option<DateTime<Utc>>,
    /// Also delete the user's messages of the last this many hours (1–720).
    #[oai(validator(minimum(value = "1"), maximum(value = "720")))]
    pub purge_hours: Option<i64>,
}

/// An invite to create.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct InviteRequest {
    /// How many accounts it may create (1–1000, default 1).
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub max_uses: Option<i32>,
    /// Hours until it expires (default: never).
    #[oai(validator(minimum(value = "1"), maximum(value = "8760")))]
    pub expires_in_hours: Option<i64>,
}

/// A registration code.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Invite {
    pub code: String,
    pub max_uses: i32,
    pub uses: i32,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A global role.
#[derive(Debug, Clone, Copy, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum GlobalRole {
    Member,
    Moderator,
    Admin,
}

impl From<GlobalRole> for Role {
    fn from(role: GlobalRole) -> Self {
        match role {
            GlobalRole::Member => Role::Member,
            GlobalRole::Moderator => Role::Moderator,
            GlobalRole::Admin => Role::Admin,
        }
    }
}

/// A role change.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct RoleRequest {
    pub role: GlobalRole,
    /// Why (kept in the audit log).
    #[oai(default)]
    pub reason: String,
}

/// One audit log entry.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEntry {
    pub id: Uuid,
    /// Absent for the system.
    pub actor_id: Option<Uuid>,
    /// `user.ban`, `user.unban`, `user.role`, `invite.create`, …
    pub action: String,
    /// `user`, `message`, `room`, `ip`, …
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub reason: String,
    pub ip: Option<String>,
    /// Details of the action.
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<entity::audit_log::Model> for AuditEntry {
    fn from(entry: entity::audit_log::Model) -> Self {
        Self {
            id: entry.id,
            actor_id: entry.actor_id,
            action: entry.action,
            target_type: entry.target_type,
            target_id: entry.target_id,
            reason: entry.reason,
            ip: entry.ip,
            data: serde_json::from_str(&entry.data).unwrap_or(serde_json::Value::Null),
            created_at: entry.created_at,
        }
    }
}

/// An account as the admin dashboard shows it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AdminUser {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// `member`, `moderator` or `admin`.
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub message_count: i64,
    /// Banned now (a temporary ban that has ended no longer counts).
    pub banned: bool,
    pub banned_until: Option<DateTime<Utc>>,
    pub ban_reason: Option<String>,
}

impl From<entity::users::Model> for AdminUser {
    fn from(user: entity::users::Model) -> Self {
        let banned = crate::domain::auth::sessions::is_banned(&user, Utc::now());
        Self {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            role: user.role,
            created_at: user.created_at,
            message_count: user.message_count,
            banned,
            banned_until: user.banned_until.filter(|_| banned),
            ban_reason: user.ban_reason.filter(|_| banned),
        }
    }
}

/// Messages on one day (UTC).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DayCount {
    pub date: chrono::NaiveDate,
    pub messages: u64,
}

/// A busy room.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RoomCount {
    pub id: Uuid,
    pub name: String,
    /// Messages in the last 7 days.
    pub messages: u64,
}

/// The instance at a glance.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct InstanceStats {
    pub users_total: u64,
    /// Signed-in users seen in the last 24 hours.
    pub users_active_today: u64,
    /// People with a live connection (to this node).
    pub users_online: u64,
    /// Rooms other than direct conversations.
    pub rooms_total: u64,
    pub direct_rooms: u64,
    /// Messages not deleted.
    pub messages_total: u64,
    /// The last 30 days, oldest first.
    pub messages_per_day: Vec<DayCount>,
    pub files_total: u64,
    /// Bytes of stored files (identical files count once).
    pub storage_bytes: i64,
    pub open_reports: u64,
    /// The busiest rooms of the last 7 days.
    pub top_rooms: Vec<RoomCount>,
}

#[derive(ApiResponse)]
pub enum InviteCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Invite>),
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Admin")]
impl AdminApi {
    /// Ban a user: every session ends at once and login is refused with the reason.
    /// Moderators may ban members; admins anyone but themselves.
    #[oai(
        path = "/users/:id/ban",
        method = "post",
        operation_id = "admin_user_ban"
    )]
    async fn ban(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<BanRequest>,
    ) -> Result<Json<UserProfile>, AppError> {
        auth.require(Role::Moderator)?;
        let target = domain_users::user_get_by_id(&state.db, id.0).await?;
        let banned = moderation::user_ban(
            &state.db,
            &auth.user,
            auth.ip,
            target,
            &body.reason,
            body.until,
        )
        .await?;
        crate::actions::sessions_changed(&state, banned.id);
        if let Some(hours) = body.purge_hours {
            crate::actions::user_purge(&state, &auth.user, auth.ip, banned.id, hours).await?;
        }
        Ok(Json(UserProfile::new(banned, false)))
    }

    /// Lift a ban.
    #[oai(
        path = "/users/:id/ban",
        method = "delete",
        operation_id = "admin_user_unban"
    )]
    async fn unban(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<NoContent, AppError> {
        auth.require(Role::Moderator)?;
        let target = domain_users::user_get_by_id(&state.db, id.0).await?;
        moderation::user_unban(&state.db, &auth.user, auth.ip, target).await?;
        Ok(NoContent::Done)
    }

    /// Make a user a member, moderator or admin. Admins only; the last admin cannot step
    /// down. The user's sockets pick the new role up at once.
    #[oai(
        path = "/users/:id/role",
        method = "post",
        operation_id = "admin_user_role"
    )]
    async fn role(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<RoleRequest>,
    ) -> Result<Json<UserProfile>, AppError> {
        auth.require(Role::Admin)?;
        let target = domain_users::user_get_by_id(&state.db, id.0).await?;
        let user = moderation::user_role_set(
            &state.db,
            &auth.user,
            auth.ip,
            target,
            body.role.into(),
            &body.reason,
        )
        .await?;
        crate::actions::sessions_changed(&state, user.id);
        Ok(Json(UserProfile::new(user, false)))
    }

    /// The audit log, newest first: every moderation and admin action (admins only: it
    /// holds addresses and moderators' own actions). Filter by `actor`
    /// (user id), `action` (`user.ban`, or a prefix like `user.`) and `target` (id); page
    /// back with `before` (an entry id). `limit` ≤ 200 (default 50).
    #[oai(path = "/audit", method = "get", operation_id = "admin_audit")]
    #[expect(
        clippy::too_many_arguments,
        reason = "poem-openapi takes one parameter per query filter"
    )]
    async fn audit(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        actor: Query<Option<Uuid>>,
        action: Query<Option<String>>,
        target: Query<Option<String>>,
        before: Query<Option<Uuid>>,
        limit: Query<Option<u64>>,
    ) -> Result<Json<Vec<AuditEntry>>, AppError> {
        auth.require(Role::Admin)?;
        let entries = audit::audit_list(
            &state.db,
            AuditFilter {
                actor: actor.0,
                action: action.0,
                target: target.0,
                before: before.0,
                limit: limit.0.unwrap_or(50),
            },
        )
        .await?;
        Ok(Json(entries.into_iter().map(AuditEntry::from).collect()))
    }

    /// Accounts, newest first: `q` (username prefix), `role`, `banned`; `offset` and
    /// `limit` (≤ 200, default 50) page.
    #[oai(path = "/users", method = "get", operation_id = "admin_users")]
    #[expect(
        clippy::too_many_arguments,
        reason = "poem-openapi takes one parameter per query filter"
    )]
    async fn users(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        q: Query<Option<String>>,
        role: Query<Option<GlobalRole>>,
        banned: Query<Option<bool>>,
        offset: Query<Option<u64>>,
        limit: Query<Option<u64>>,
    ) -> Result<Json<Vec<AdminUser>>, AppError> {
        auth.require(Role::Moderator)?;
        let list = domain_users::users_admin_list(
            &state.db,
            q.0.as_deref(),
            role.0.map(Role::from),
            banned.0,
            offset.0.unwrap_or(0),
            limit.0.unwrap_or(50),
        )
        .await?;
        Ok(Json(list.into_iter().map(AdminUser::from).collect()))
    }

    /// Users, rooms, messages per day, files, storage, open reports and the busiest rooms.
    #[oai(path = "/stats", method = "get", operation_id = "admin_stats")]
    async fn stats(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<InstanceStats>, AppError> {
        auth.require(Role::Moderator)?;
        let stats = crate::domain::moderation::stats::stats(&state.db).await?;
        Ok(Json(InstanceStats {
            users_total: stats.users_total,
            users_active_today: stats.users_active_today,
            users_online: state.presence.online_count().await,
            rooms_total: stats.rooms_total,
            direct_rooms: stats.direct_rooms,
            messages_total: stats.messages_total,
            messages_per_day: stats
                .messages_per_day
                .into_iter()
                .map(|(date, messages)| DayCount { date, messages })
                .collect(),
            files_total: stats.files_total,
            storage_bytes: stats.storage_bytes,
            open_reports: stats.open_reports,
            top_rooms: stats
                .top_rooms
                .into_iter()
                .map(|(id, name, messages)| RoomCount { id, name, messages })
                .collect(),
        }))
    }

    /// Create an invite code (for `registration = "invite"`). Admins only.
    #[oai(
        path = "/invites",
        method = "post",
        operation_id = "admin_invite_create"
    )]
    async fn invite(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<InviteRequest>,
    ) -> Result<InviteCreated, AppError> {
        auth.require(Role::Admin)?;
        let expires_at = body
            .expires_in_hours
            .map(|h| Utc::now() + Duration::hours(h));
        let invite = invites::invite_create(
            &state.db,
            auth.user.id,
            body.max_uses.unwrap_or(1),
            expires_at,
        )
        .await?;
        audit::audit_record(
            &state.db,
            Actor::user(auth.user.id, auth.ip),
            Entry {
                action: "invite.create",
                target: None,
                reason: "",
                data: serde_json::json!({
                    "max_uses": invite.max_uses,
                    "expires_at": invite.expires_at,
                }),
            },
        )
        .await?;
        Ok(InviteCreated::Created(Json(Invite {
            code: invite.code,
            max_uses: invite.max_uses,
            uses: invite.uses,
            expires_at: invite.expires_at,
        })))
    }
}
