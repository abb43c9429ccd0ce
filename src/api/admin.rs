//! `/api/v1/admin/*` (first part): bans and invites. Moderators and admins only.

use chrono::{DateTime, Duration, Utc};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{ApiTags, auth::NoContent, security::Auth, users::UserProfile};
use crate::{
    app::AppState,
    domain::{invites, moderation, users as domain_users, users::Role},
    error::AppError,
};

pub struct AdminApi;

/// A ban.
#[derive(Debug, Object)]
pub struct BanRequest {
    /// Shown to the user when they try to log in (up to 500 characters).
    pub reason: String,
    /// When the ban ends by itself; absent means until lifted.
    pub until: Option<DateTime<Utc>>,
}

/// An invite to create.
#[derive(Debug, Object)]
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
pub struct Invite {
    pub code: String,
    pub max_uses: i32,
    pub uses: i32,
    pub expires_at: Option<DateTime<Utc>>,
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
        let banned =
            moderation::user_ban(&state.db, &auth.user, target, &body.reason, body.until).await?;
        crate::actions::sessions_changed(&state, banned.id);
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
        moderation::user_unban(&state.db, &auth.user, target).await?;
        Ok(NoContent::Done)
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
        Ok(InviteCreated::Created(Json(Invite {
            code: invite.code,
            max_uses: invite.max_uses,
            uses: invite.uses,
            expires_at: invite.expires_at,
        })))
    }
}
