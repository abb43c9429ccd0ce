//! Accounts and profiles.

pub mod account;
pub mod avatar;
pub mod blocks;
pub mod presence;
pub mod profile;
pub mod username;

use std::collections::HashSet;

use chrono::{Duration, Utc};
use entity::{sessions, users};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
    sea_query::{Expr, LikeExpr},
};
use uuid::Uuid;

use self::{
    profile::{DisplayName, parse_bio, parse_email, parse_locale, parse_theme, parse_timezone},
    username::Username,
};
use crate::{
    error::{AppError, AppResult, ErrorCode},
    infra::password::{self, PasswordHasher},
};

/// A user counts as online if one of their sessions was used this recently. (The WebSocket
/// hub will refine this with live connections.)
pub const ONLINE_WINDOW_SECS: i64 = 300;

/// What a user may do beyond chatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Member,
    Moderator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }

    /// The stored role; unknown values read as the least privileged.
    pub fn of(user: &users::Model) -> Self {
        match user.role.as_str() {
            "admin" => Self::Admin,
            "moderator" => Self::Moderator,
            _ => Self::Member,
        }
    }
}

/// A not-yet-inserted account with defaults for every profile field.
pub fn new_user(
    username: &Username,
    display_name: &str,
    password_hash: String,
    role: Role,
) -> users::ActiveModel {
    let now = Utc::now();
    users::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(username.as_str().to_owned()),
        username_key: Set(username.key().to_owned()),
        display_name: Set(display_name.to_owned()),
        password_hash: Set(password_hash),
        role: Set(role.as_str().to_owned()),
        locale: Set(None),
        bio: Set(String::new()),
        theme: Set("light".to_owned()),
        notification_sound: Set(true),
        email: Set(None),
        email_verified_at: Set(None),
        email_missed: Set(true),
        timezone: Set(None),
        avatar_file: Set(None),
        avatar_type: Set(None),
        message_count: Set(0),
        banned_at: Set(None),
        banned_until: Set(None),
        ban_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Creates an account with a given role (the `create-admin` command's path).
pub async fn user_create(
    db: &impl ConnectionTrait,
    hasher: &PasswordHasher,
    username: &str,
    password: &str,
    role: Role,
) -> AppResult<users::Model> {
    let username = Username::parse(username)?;
    password::check_policy(password, &username)?;
    if user_find_by_name(db, &username).await?.is_some() {
        return Err(AppError::Conflict(ErrorCode::UsernameTaken));
    }
    let password_hash = hasher.hash(password.to_owned()).await?;
    let model = new_user(&username, username.as_str(), password_hash, role);
    // The unique index is the real guard: a concurrent insert of the same key lands here.
    users::Entity::insert(model)
        .exec_with_returning(db)
        .await
        .map_err(|err| match AppError::from(err) {
            AppError::Conflict(_) => AppError::Conflict(ErrorCode::UsernameTaken),
            other => other,
        })
}

/// The account whose normalized username equals `username`'s.
pub async fn user_find_by_name(
    db: &impl ConnectionTrait,
    username: &Username,
) -> AppResult<Option<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::UsernameKey.eq(username.key()))
        .one(db)
        .await?)
}

/// The account named `name` (any spelling that normalizes to it), or `user.not_found`.
pub async fn user_get(db: &impl ConnectionTrait, name: &str) -> AppResult<users::Model> {
    let username = Username::parse(name).map_err(|_| AppError::Missing(ErrorCode::UserNotFound))?;
    user_find_by_name(db, &username)
        .await?
        .ok_or(AppError::Missing(ErrorCode::UserNotFound))
}

/// The account with this id, or `user.not_found`.
pub async fn user_get_by_id(db: &impl ConnectionTrait, id: Uuid) -> AppResult<users::Model> {
    users::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::Missing(ErrorCode::UserNotFound))
}

/// Requested profile changes; `None` leaves a field as it is. `email: Some(None)` clears it.
#[derive(Debug, Default)]
pub struct ProfileChanges {
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub locale: Option<String>,
    pub theme: Option<String>,
    pub notification_sound: Option<bool>,
    pub email: Option<Option<String>>,
    /// `Some(None)` clears it.
    pub timezone: Option<Option<String>>,
    /// The missed-activity mail switch.
    pub email_missed: Option<bool>,
}

/// Applies profile changes after checking every field; nothing changes if one is invalid.
/// A changed e-mail address is unverified until its owner follows the mailed link.
pub async fn user_update_profile(
    db: &impl ConnectionTrait,
    user: users::Model,
    changes: ProfileChanges,
) -> AppResult<users::Model> {
    let old_email = user.email.clone();
    let mut active: users::ActiveModel = user.into();
    if let Some(name) = changes.display_name {
        active.display_name = Set(DisplayName::parse(&name)?.as_str().to_owned());
    }
    if let Some(bio) = changes.bio {
        active.bio = Set(parse_bio(&bio)?);
    }
    if let Some(locale) = changes.locale {
        active.locale = Set(Some(parse_locale(&locale)?));
    }
    if let Some(theme) = changes.theme {
        active.theme = Set(parse_theme(&theme)?);
    }
    if let Some(sound) = changes.notification_sound {
        active.notification_sound = Set(sound);
    }
    if let Some(email) = changes.email {
        let email = email
            .filter(|e| !e.trim().is_empty())
            .map(|e| parse_email(&e))
            .transpose()?;
        if email != old_email {
            active.email_verified_at = Set(None);
        }
        active.email = Set(email);
    }
    if let Some(on) = changes.email_missed {
        active.email_missed = Set(on);
    }
    if let Some(timezone) = changes.timezone {
        let timezone = timezone
            .filter(|tz| !tz.trim().is_empty())
            .map(|tz| parse_timezone(&tz))
            .transpose()?;
        active.timezone = Set(timezone);
    }
    active.updated_at = Set(Utc::now());
    Ok(active.update(db).await?)
}

/// Lower-cased, folded form of a (possibly partial) username for prefix search.
fn search_key(prefix: &str) -> String {
    // Pad to the minimum length so a short prefix still normalizes; then cut the padding.
    let padded = format!("{}___", prefix.trim());
    Username::parse(&padded)
        .map(|name| {
            name.key()
                .strip_suffix("___")
                .unwrap_or(name.key())
                .to_owned()
        })
        .unwrap_or_else(|_| prefix.trim().to_lowercase())
}

/// Users whose username starts with `prefix` (normalized like usernames), optionally only
/// those online, alphabetically by username.
pub async fn users_search(
    db: &impl ConnectionTrait,
    prefix: Option<&str>,
    online_only: bool,
    limit: u64,
) -> AppResult<Vec<users::Model>> {
    let mut query = users::Entity::find().order_by_asc(users::Column::UsernameKey);
    if let Some(prefix) = prefix.filter(|p| !p.trim().is_empty()) {
        query = query.filter(username_starts_with(prefix));
    }
    if online_only {
        let since = Utc::now() - Duration::seconds(ONLINE_WINDOW_SECS);
        let online = sessions::Entity::find()
            .select_only()
            .column(sessions::Column::UserId)
            .filter(sessions::Column::RevokedAt.is_null())
            .filter(sessions::Column::LastSeenAt.gt(since))
            .into_query();
        query = query.filter(Condition::all().add(users::Column::Id.in_subquery(online)));
    }
    Ok(query.limit(limit).all(db).await?)
}

/// Usernames starting with `prefix` (folded like usernames are).
fn username_starts_with(prefix: &str) -> sea_orm::sea_query::SimpleExpr {
    // `_` is allowed in usernames but is a LIKE wildcard: escape the pattern.
    let escaped = search_key(prefix)
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Expr::col(users::Column::UsernameKey).like(LikeExpr::new(format!("{escaped}%")).escape('\\'))
}

/// The largest `offset` a page query passes on (the databases' signed 64-bit limit).
pub const OFFSET_MAX: u64 = i64::MAX as u64;

/// Accounts for the admin dashboard, newest first: by username prefix, role, and whether
/// currently banned; `offset` pages.
pub async fn users_admin_list(
    db: &impl ConnectionTrait,
    prefix: Option<&str>,
    role: Option<Role>,
    banned: Option<bool>,
    offset: u64,
    limit: u64,
) -> AppResult<Vec<users::Model>> {
    let mut query = users::Entity::find().order_by_desc(users::Column::CreatedAt);
    if let Some(prefix) = prefix.filter(|p| !p.trim().is_empty()) {
        query = query.filter(username_starts_with(prefix));
    }
    if let Some(role) = role {
        query = query.filter(users::Column::Role.eq(role.as_str()));
    }
    if let Some(banned) = banned {
        let now = Utc::now();
        let active_ban = Condition::all()
            .add(users::Column::BannedAt.is_not_null())
            .add(
                Condition::any()
                    .add(users::Column::BannedUntil.is_null())
                    .add(users::Column::BannedUntil.gt(now)),
            );
        query = query.filter(if banned { active_ban } else { active_ban.not() });
    }
    Ok(query
        // Databases read OFFSET as a signed 64-bit number; past that there is nothing anyway.
        .offset(offset.min(OFFSET_MAX))
        .limit(limit.clamp(1, 200))
        .all(db)
        .await?)
}

/// Usernames of the given accounts.
pub async fn usernames(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, String>> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(users::Entity::find()
        .filter(users::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect())
}

/// Which of `user_ids` are online now.
pub async fn users_online(
    db: &impl ConnectionTrait,
    user_ids: &[Uuid],
) -> AppResult<HashSet<Uuid>> {
    if user_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let since = Utc::now() - Duration::seconds(ONLINE_WINDOW_SECS);
    let rows: Vec<Uuid> = sessions::Entity::find()
        .select_only()
        .column(sessions::Column::UserId)
        .distinct()
        .filter(sessions::Column::UserId.is_in(user_ids.iter().copied()))
        .filter(sessions::Column::RevokedAt.is_null())
        .filter(sessions::Column::LastSeenAt.gt(since))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::search_key;

    #[test]
    fn search_prefixes_are_normalized_like_usernames() {
        assert_eq!(search_key("Al"), "al");
        assert_eq!(search_key("علي"), "علی");
        assert_eq!(search_key("a"), "a");
    }
}
