//! Room moderation on the resource: mute, kick, lock. Room owners and moderators, and
//! global moderators and admins; every action lands in the audit log.

use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{responses::NoContent, rooms::Created, security::Auth, tags::ApiTags};
use crate::{
    actions,
    api::dto::{MemberView, ReportView, RoomView, json},
    domain::{
        moderation::reports,
        rooms::moderation::{self as room_moderation, RoomSetting},
        users as domain_users,
        users::Role,
    },
    error::AppError,
    state::AppState,
};

pub struct ModerationApi;

/// A mute.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct MuteRequest {
    /// How long, in minutes (1 to 525,600, a year).
    pub minutes: i64,
    /// Why (kept in the audit log).
    #[oai(default)]
    pub reason: String,
}

/// A report of a message.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ReportRequest {
    /// Why (1–1,000 characters); moderators read it.
    pub reason: String,
}

/// How a moderator closes a report.
#[derive(Debug, Clone, Copy, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum ReportOutcome {
    Resolved,
    Dismissed,
}

/// What to do about the reported message (resolved reports only).
#[derive(Debug, Clone, Copy, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum ReportAction {
    None,
    DeleteMessage,
    MuteAuthor,
    BanAuthor,
}

/// A moderator's decision on a report; `action` defaults to `none`.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ReportDecision {
    pub status: ReportOutcome,
    // No doc comment here: it would wrap the enum's `$ref` in `allOf`, which client
    // generators (openapi-python-client) cannot take for a non-object.
    pub action: Option<ReportAction>,
    /// For `mute_author`: minutes (default 60).
    pub minutes: Option<i64>,
    /// For `ban_author`: when the ban ends (default: until lifted).
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// Kept with the report; also the reason of a mute or ban (default: the report's).
    #[oai(default)]
    pub note: String,
}

/// A room's message retention.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct RetentionRequest {
    /// Days to keep messages; absent or null: forever.
    pub days: Option<i32>,
}

/// Who may pin messages in a room.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PinningRequest {
    /// Members may pin too (moderators and owners always can).
    pub members_can_pin: bool,
}

/// The reason for an action (kept in the audit log).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct Reason {
    #[oai(default)]
    pub reason: String,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Admin")]
impl ModerationApi {
    /// Mute a member: they keep reading but cannot send, edit, react, vote or upload
    /// until the time is up.
    #[oai(
        path = "/rooms/:id/members/:user_id/mute",
        method = "post",
        operation_id = "rooms_member_mute"
    )]
    async fn mute(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        user_id: Path<Uuid>,
        body: Json<MuteRequest>,
    ) -> Result<Json<MemberView>, AppError> {
        let target = domain_users::user_get_by_id(&state.db, user_id.0).await?;
        let member = room_moderation::member_mute(
            &state.db,
            &auth.user,
            auth.ip,
            id.0,
            &target,
            Some(body.minutes),
            &body.reason,
        )
        .await?;
        let presence = state.presence.status(target.id).await;
        Ok(json(crate::domain::views::MemberView::new(
            member,
            &target,
            presence.as_str(),
        )))
    }

    /// Lift a mute.
    #[oai(
        path = "/rooms/:id/members/:user_id/mute",
        method = "delete",
        operation_id = "rooms_member_unmute"
    )]
    async fn unmute(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        user_id: Path<Uuid>,
    ) -> Result<NoContent, AppError> {
        let target = domain_users::user_get_by_id(&state.db, user_id.0).await?;
        room_moderation::member_mute(&state.db, &auth.user, auth.ip, id.0, &target, None, "")
            .await?;
        Ok(NoContent::Done)
    }

    /// Remove a member from the room (`member.left` carries `kicked_by`). They may join
    /// again the way anyone can; to keep someone out, ban them.
    #[oai(
        path = "/rooms/:id/members/:user_id/kick",
        method = "post",
        operation_id = "rooms_member_kick"
    )]
    async fn kick(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        user_id: Path<Uuid>,
        body: Json<Reason>,
    ) -> Result<NoContent, AppError> {
        let target = domain_users::user_get_by_id(&state.db, user_id.0).await?;
        actions::member_kick(&state, &auth.user, auth.ip, id.0, &target, &body.reason).await?;
        Ok(NoContent::Done)
    }

    /// Lock the room: members can read but not write (moderators still can).
    #[oai(path = "/rooms/:id/lock", method = "post", operation_id = "rooms_lock")]
    async fn lock(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<Reason>,
    ) -> Result<Json<RoomView>, AppError> {
        let view = actions::room_setting(
            &state,
            &auth.user,
            auth.ip,
            id.0,
            RoomSetting::Locked(true),
            &body.reason,
        )
        .await?;
        Ok(json(view))
    }

    /// Unlock the room.
    #[oai(
        path = "/rooms/:id/lock",
        method = "delete",
        operation_id = "rooms_unlock"
    )]
    async fn unlock(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<RoomView>, AppError> {
        let view = actions::room_setting(
            &state,
            &auth.user,
            auth.ip,
            id.0,
            RoomSetting::Locked(false),
            "",
        )
        .await?;
        Ok(json(view))
    }

    /// Keep the room's messages for `days` (1–3,650), or forever (`null`). Older messages
    /// are removed for good by an hourly pass.
    #[oai(
        path = "/rooms/:id/retention",
        method = "put",
        operation_id = "rooms_retention"
    )]
    async fn retention(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<RetentionRequest>,
    ) -> Result<Json<RoomView>, AppError> {
        let view = actions::room_setting(
            &state,
            &auth.user,
            auth.ip,
            id.0,
            RoomSetting::RetentionDays(body.days),
            "",
        )
        .await?;
        Ok(json(view))
    }

    /// Let members pin messages, or only moderators and owners (the default).
    #[oai(
        path = "/rooms/:id/pinning",
        method = "put",
        operation_id = "rooms_pinning"
    )]
    async fn pinning(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<PinningRequest>,
    ) -> Result<Json<RoomView>, AppError> {
        let view = actions::room_setting(
            &state,
            &auth.user,
            auth.ip,
            id.0,
            RoomSetting::MembersCanPin(body.members_can_pin),
            "",
        )
        .await?;
        Ok(json(view))
    }

    /// Report a message to the moderators (members of its room; once per message).
    #[oai(
        path = "/messages/:id/report",
        method = "post",
        operation_id = "messages_report"
    )]
    async fn report(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ReportRequest>,
    ) -> Result<Created<ReportView>, AppError> {
        let report = reports::report_create(&state.db, &auth.user, id.0, &body.reason).await?;
        let view = reports::report_views(&state.db, vec![report])
            .await?
            .remove(0);
        Ok(Created::Created(json(view)))
    }

    /// The moderation queue, newest first: `status` `open`, `resolved` or `dismissed`
    /// (default: all); `before` (a report id) pages back; `limit` ≤ 200 (default 50).
    #[oai(
        path = "/admin/reports",
        method = "get",
        operation_id = "admin_reports"
    )]
    async fn reports(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        status: Query<Option<String>>,
        before: Query<Option<Uuid>>,
        limit: Query<Option<u64>>,
    ) -> Result<Json<Vec<ReportView>>, AppError> {
        auth.require(Role::Moderator)?;
        let list = reports::reports_list(
            &state.db,
            status.0.as_deref(),
            before.0,
            limit.0.unwrap_or(50),
        )
        .await?;
        Ok(json(reports::report_views(&state.db, list).await?))
    }

    /// Handle a report: resolve it (optionally deleting the message, muting or banning its
    /// author, each recorded in the audit log) or dismiss it.
    #[oai(
        path = "/admin/reports/:id",
        method = "post",
        operation_id = "admin_report_handle"
    )]
    async fn handle(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ReportDecision>,
    ) -> Result<Json<ReportView>, AppError> {
        auth.require(Role::Moderator)?;
        let remedy = match body.action.unwrap_or(ReportAction::None) {
            ReportAction::None => actions::ReportRemedy::Nothing,
            ReportAction::DeleteMessage => actions::ReportRemedy::DeleteMessage,
            ReportAction::MuteAuthor => {
                actions::ReportRemedy::MuteAuthor(body.minutes.unwrap_or(60))
            }
            ReportAction::BanAuthor => actions::ReportRemedy::BanAuthor(body.until),
        };
        let view = actions::report_handle(
            &state,
            &auth.user,
            auth.ip,
            id.0,
            matches!(body.status, ReportOutcome::Resolved),
            remedy,
            &body.note,
        )
        .await?;
        Ok(json(view))
    }
}
