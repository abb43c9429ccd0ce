//! `/api/v1/users/*`: own profile, other people's profiles, avatars and blocks.

use chrono::{DateTime, Utc};
use entity::users;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
    types::MaybeUndefined,
};
use uuid::Uuid;

use super::{responses::NoContent, security::Auth, tags::ApiTags};
use crate::{
    domain::users::{self as domain_users, ProfileChanges, account::Account, avatar, blocks},
    error::AppError,
    mailing,
    state::AppState,
};

pub struct UsersApi;

/// UI colour scheme.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Theme {
    Light,
    Dark,
    Blue,
    Green,
}

impl Theme {
    fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
            Self::Blue => "blue",
            Self::Green => "green",
        }
    }
}

use crate::domain::views::avatar_url;

/// The signed-in user's own account, with private settings.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Me {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// `member`, `moderator` or `admin`.
    pub role: String,
    pub bio: String,
    /// `en-US` or `fa-IR`; absent means "follow the browser".
    pub locale: Option<String>,
    pub theme: String,
    pub notification_sound: bool,
    pub email: Option<String>,
    /// Whether `email` is proven to be yours (by the link mailed to it). Only a verified
    /// address receives mail other than that link.
    pub email_verified: bool,
    /// Whether missed-activity mail may be sent to the verified address.
    pub email_missed: bool,
    /// IANA time zone name (`Asia/Tehran`); absent until set.
    pub timezone: Option<String>,
    pub avatar_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Account> for Me {
    fn from(account: Account) -> Self {
        Self {
            id: account.id,
            username: account.username,
            display_name: account.display_name,
            role: account.role,
            bio: account.bio,
            locale: account.locale,
            theme: account.theme,
            notification_sound: account.notification_sound,
            email: account.email,
            email_verified: account.email_verified,
            email_missed: account.email_missed,
            timezone: account.timezone,
            avatar_url: account.avatar_url,
            created_at: account.created_at,
        }
    }
}

impl From<users::Model> for Me {
    fn from(user: users::Model) -> Self {
        Account::from(user).into()
    }
}

/// What everyone can see of a user.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserProfile {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub bio: String,
    pub avatar_url: Option<String>,
    pub role: String,
    /// IANA time zone name, so clients can show the person's local time; absent if unset.
    pub timezone: Option<String>,
    pub joined_at: DateTime<Utc>,
    pub online: bool,
    pub message_count: i64,
}

impl UserProfile {
    pub fn new(user: users::Model, online: bool) -> Self {
        Self {
            avatar_url: avatar_url(&user),
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            bio: user.bio,
            role: user.role,
            timezone: user.timezone,
            joined_at: user.created_at,
            online,
            message_count: user.message_count,
        }
    }
}

/// Profile changes; omitted fields stay as they are.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ProfilePatch {
    /// 1–64 characters.
    pub display_name: Option<String>,
    /// Up to 500 characters.
    pub bio: Option<String>,
    /// `en-US` or `fa-IR`.
    pub locale: Option<String>,
    pub theme: Option<Theme>,
    pub notification_sound: Option<bool>,
    /// `null` removes it. A new address is unverified: when mail is on, a link to verify it
    /// is mailed to it.
    pub email: MaybeUndefined<String>,
    /// The missed-activity mail switch (what the mails' unsubscribe link turns off).
    pub email_missed: Option<bool>,
    /// IANA time zone name (`Asia/Tehran`, `Europe/Berlin`, `UTC`); `null` or `""` removes
    /// it. Anything else is refused with `profile.timezone_invalid`.
    pub timezone: MaybeUndefined<String>,
}

/// The token of a verification link.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct EmailVerifyRequest {
    /// The `token` parameter of the link.
    pub token: String,
}

/// Someone you blocked.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BlockedUser {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub blocked_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum AvatarImage {
    /// The picture.
    #[oai(status = 200, content_type = "image/png")]
    Png(Binary<Vec<u8>>, #[oai(header = "Cache-Control")] String),
    /// The picture.
    #[oai(status = 200, content_type = "image/jpeg")]
    Jpeg(Binary<Vec<u8>>, #[oai(header = "Cache-Control")] String),
    /// The picture (animated GIFs stay animated).
    #[oai(status = 200, content_type = "image/gif")]
    Gif(Binary<Vec<u8>>, #[oai(header = "Cache-Control")] String),
}

/// Which of `ids` are connected right now (a live socket on any node), whatever the
/// sessions table says.
async fn live(state: &AppState, ids: &[Uuid]) -> std::collections::HashSet<Uuid> {
    state
        .presence
        .statuses(ids)
        .await
        .into_iter()
        .filter(|(_, presence)| *presence != crate::domain::users::presence::Presence::Offline)
        .map(|(id, _)| id)
        .collect()
}

const AVATAR_CACHE: &str = "private, max-age=86400";
const SEARCH_LIMIT_MAX: u32 = 100;

#[OpenApi(prefix_path = "/api/v1/users", tag = "ApiTags::Users")]
impl UsersApi {
    /// Your own account and settings.
    #[oai(path = "/me", method = "get", operation_id = "users_me")]
    async fn me(&self, auth: Auth) -> Result<Json<Me>, AppError> {
        // A `Result` although it cannot fail here: that documents the 401 a missing or
        // revoked token gets from the `Auth` extractor.
        Ok(Json(Me::from(auth.user)))
    }

    /// Change your profile and settings. Every field is checked before anything is saved.
    #[oai(path = "/me", method = "patch", operation_id = "users_me_update")]
    async fn update_me(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<ProfilePatch>,
    ) -> Result<Json<Me>, AppError> {
        let body = body.0;
        let old_email = auth.user.email.clone();
        let changes = ProfileChanges {
            display_name: body.display_name,
            bio: body.bio,
            locale: body.locale,
            theme: body.theme.map(|t| t.as_str().to_owned()),
            notification_sound: body.notification_sound,
            email: match body.email {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(email) => Some(Some(email)),
            },
            timezone: match body.timezone {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(zone) => Some(Some(zone)),
            },
            email_missed: body.email_missed,
        };
        let user = domain_users::user_update_profile(&state.db, auth.user, changes).await?;
        mailing::email_changed(&state, old_email.as_deref(), &user).await?;
        Ok(Json(Me::from(user)))
    }

    /// Verify your e-mail address with the token of the link mailed to it (the link's page,
    /// `/verify-email`, does the same without signing in). The token works once, until it
    /// expires (`mail.verify_ttl_secs`), and only while the address is still the account's.
    #[oai(
        path = "/me/email/verify",
        method = "post",
        operation_id = "users_me_email_verify"
    )]
    async fn email_verify(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<EmailVerifyRequest>,
    ) -> Result<Json<Me>, AppError> {
        let user = mailing::email_verify(&state, &body.token, Some(&auth.user)).await?;
        Ok(Json(Me::from(user)))
    }

    /// Mail a new verification link to your (unverified) address; earlier links stop
    /// working. An address gets at most `mail.resets_per_window` links per window, then
    /// 429 with `Retry-After`.
    #[oai(
        path = "/me/email/resend",
        method = "post",
        operation_id = "users_me_email_resend"
    )]
    async fn email_resend(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<NoContent, AppError> {
        mailing::email_verification_resend(&state, &auth.user).await?;
        Ok(NoContent::Done)
    }

    /// Find people by the start of their username (case and Arabic/Persian letter variants
    /// do not matter); `online=true` lists only those online.
    #[oai(path = "/", method = "get", operation_id = "users_search")]
    async fn search(
        &self,
        state: Data<&AppState>,
        _auth: Auth,
        q: Query<Option<String>>,
        online: Query<Option<bool>>,
        limit: Query<Option<u32>>,
    ) -> Result<Json<Vec<UserProfile>>, AppError> {
        let limit = limit.0.unwrap_or(20).clamp(1, SEARCH_LIMIT_MAX);
        let found = domain_users::users_search(
            &state.db,
            q.0.as_deref(),
            online.0.unwrap_or(false),
            u64::from(limit),
        )
        .await?;
        let ids: Vec<Uuid> = found.iter().map(|u| u.id).collect();
        let online_now = domain_users::users_online(&state.db, &ids).await?;
        let live_now = live(&state, &ids).await;
        Ok(Json(
            found
                .into_iter()
                .map(|u| {
                    let online = online_now.contains(&u.id) || live_now.contains(&u.id);
                    UserProfile::new(u, online)
                })
                .collect(),
        ))
    }

    /// Someone's public profile.
    #[oai(path = "/:username", method = "get", operation_id = "users_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        _auth: Auth,
        username: Path<String>,
    ) -> Result<Json<UserProfile>, AppError> {
        let user = domain_users::user_get(&state.db, &username.0).await?;
        let online = live(&state, &[user.id]).await.contains(&user.id)
            || domain_users::users_online(&state.db, &[user.id])
                .await?
                .contains(&user.id);
        Ok(Json(UserProfile::new(user, online)))
    }

    /// Upload your avatar: PNG, JPEG, WebP or GIF (recognized by content, not by the
    /// declared type), at most 2 MiB and 4096×4096. Stored re-encoded, at most 512×512.
    #[oai(path = "/me/avatar", method = "put", operation_id = "users_avatar_set")]
    async fn set_avatar(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Binary<Vec<u8>>,
    ) -> Result<Json<Me>, AppError> {
        let processed = avatar::avatar_prepare(state.files.decode_budget(), body.0).await?;
        let user =
            avatar::avatar_set(&state.db, state.files.storage(), auth.user, processed).await?;
        Ok(Json(Me::from(user)))
    }

    /// Remove your avatar.
    #[oai(
        path = "/me/avatar",
        method = "delete",
        operation_id = "users_avatar_remove"
    )]
    async fn remove_avatar(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<NoContent, AppError> {
        avatar::avatar_remove(&state.db, state.files.storage(), auth.user).await?;
        Ok(NoContent::Done)
    }

    /// Someone's avatar image.
    #[oai(
        path = "/:username/avatar",
        method = "get",
        operation_id = "users_avatar_get"
    )]
    async fn avatar(
        &self,
        state: Data<&AppState>,
        _auth: Auth,
        username: Path<String>,
    ) -> Result<AvatarImage, AppError> {
        let user = domain_users::user_get(&state.db, &username.0).await?;
        let (bytes, mime) = avatar::avatar_read(state.files.storage(), &user).await?;
        let cache = AVATAR_CACHE.to_owned();
        Ok(match mime.as_str() {
            "image/jpeg" => AvatarImage::Jpeg(Binary(bytes), cache),
            "image/gif" => AvatarImage::Gif(Binary(bytes), cache),
            _ => AvatarImage::Png(Binary(bytes), cache),
        })
    }

    /// People you blocked, newest first.
    #[oai(
        path = "/me/blocks",
        method = "get",
        operation_id = "users_blocks_list"
    )]
    async fn blocks(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<BlockedUser>>, AppError> {
        let list = blocks::blocks_list(&state.db, auth.user.id).await?;
        Ok(Json(
            list.into_iter()
                .map(|(user, blocked_at)| BlockedUser {
                    id: user.id,
                    username: user.username,
                    display_name: user.display_name,
                    blocked_at,
                })
                .collect(),
        ))
    }

    /// Block someone: they can no longer open or write a direct conversation with you.
    #[oai(
        path = "/me/blocks/:username",
        method = "put",
        operation_id = "users_block"
    )]
    async fn block(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        username: Path<String>,
    ) -> Result<NoContent, AppError> {
        let target = domain_users::user_get(&state.db, &username.0).await?;
        blocks::block_add(&state.db, auth.user.id, target.id).await?;
        Ok(NoContent::Done)
    }

    /// Unblock someone.
    #[oai(
        path = "/me/blocks/:username",
        method = "delete",
        operation_id = "users_unblock"
    )]
    async fn unblock(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        username: Path<String>,
    ) -> Result<NoContent, AppError> {
        let target = domain_users::user_get(&state.db, &username.0).await?;
        blocks::block_remove(&state.db, auth.user.id, target.id).await?;
        Ok(NoContent::Done)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use poem_openapi::types::ToJSON;

    use super::*;

    fn user(optional: Option<&str>) -> users::Model {
        let at = Utc.with_ymd_and_hms(2024, 3, 20, 12, 30, 5).single();
        let at = at.unwrap_or_default();
        users::Model {
            id: Uuid::nil(),
            username: "sara".to_owned(),
            username_key: "sara".to_owned(),
            display_name: "Sara".to_owned(),
            password_hash: String::new(),
            role: "member".to_owned(),
            locale: optional.map(str::to_owned),
            bio: "hi".to_owned(),
            theme: "dark".to_owned(),
            notification_sound: true,
            email: optional.map(|s| format!("{s}@example.org")),
            email_verified_at: optional.map(|_| at),
            email_missed: true,
            timezone: optional.map(|_| "Asia/Tehran".to_owned()),
            avatar_file: optional.map(|_| "x-1234".to_owned()),
            avatar_type: None,
            message_count: 3,
            banned_at: None,
            banned_until: None,
            ban_reason: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn the_chat_page_boots_with_the_same_account_json_as_the_rest_answer() {
        for optional in [None, Some("fa-IR")] {
            let rest = Me::from(user(optional)).to_json();
            let page = serde_json::to_value(Account::from(user(optional))).ok();
            assert_eq!(page, rest);
        }
    }
}
