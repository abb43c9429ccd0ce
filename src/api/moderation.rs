//! Room moderation on the resource: mute, kick, lock. Room owners and moderators, and
//! global moderators and admins; every action lands in the audit log.

use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{ApiTags, auth::NoContent, security::Auth};
use crate::{
    actions,
    app::AppState,
    domain::{room_moderation, users as domain_users},
    error::AppError,
    views::{MemberView, RoomView},
};

pub struct ModerationApi;

/// A mute.
#[derive(Debug, Object)]
pub struct MuteRequest {
    /// How long, in minutes (1 to 525,600, a year).
    pub minutes: i64,
    /// Why (kept in the audit log).
    #[oai(default)]
    pub reason: String,
}

/// The reason for an action (kept in the audit log).
#[derive(Debug, Object)]
pub struct Reason {
    #[oai(default)]
    pub reason: String,
}

#[OpenApi(prefix_path = "/api/v1/rooms", tag = "ApiTags::Admin")]
impl ModerationApi {
    /// Mute a member: they keep reading but cannot send, edit, react, vote or upload
    /// until the time is up.
    #[oai(
        path = "/:id/members/:user_id/mute",
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
        let presence = state.hub.presence(target.id);
        Ok(Json(MemberView::new(member, &target, presence.as_str())))
    }

    /// Lift a mute.
    #[oai(
        path = "/:id/members/:user_id/mute",
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
        path = "/:id/members/:user_id/kick",
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
    #[oai(path = "/:id/lock", method = "post", operation_id = "rooms_lock")]
    async fn lock(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<Reason>,
    ) -> Result<Json<RoomView>, AppError> {
        let view =
            actions::room_lock(&state, &auth.user, auth.ip, id.0, true, &body.reason).await?;
        Ok(Json(view))
    }

    /// Unlock the room.
    #[oai(path = "/:id/lock", method = "delete", operation_id = "rooms_unlock")]
    async fn unlock(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<RoomView>, AppError> {
        let view = actions::room_lock(&state, &auth.user, auth.ip, id.0, false, "").await?;
        Ok(Json(view))
    }
}
