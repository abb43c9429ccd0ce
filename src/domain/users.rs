//! Accounts.

use chrono::Utc;
use entity::users;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{
    password::{self, PasswordHasher},
    username::Username,
};
use crate::error::{AppError, AppResult};

/// What a user may do beyond chatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// Creates an account after checking the username and password rules.
/// A username whose normalized key is taken is refused with `username.taken`.
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
        return Err(AppError::Conflict("username.taken"));
    }
    let password_hash = hasher.hash(password.to_owned()).await?;
    let now = Utc::now();
    let model = users::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        username: Set(username.as_str().to_owned()),
        username_key: Set(username.key().to_owned()),
        display_name: Set(username.as_str().to_owned()),
        password_hash: Set(password_hash),
        role: Set(role.as_str().to_owned()),
        locale: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    // The unique index is the real guard: a concurrent insert of the same key lands here.
    users::Entity::insert(model)
        .exec_with_returning(db)
        .await
        .map_err(|err| match AppError::from(err) {
            AppError::Conflict(_) => AppError::Conflict("username.taken"),
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
