//! Single-use links sent by mail: a random token whose SHA-256 alone is stored. The link is
//! the proof, so a copy of the database cannot be used to verify an address or reset a
//! password; using it marks it used in one conditional update, so two clicks on two nodes
//! cannot both succeed.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use entity::mail_tokens;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{AppError, AppResult, ErrorCode};

/// What a token is good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    PasswordReset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// Random bytes in a token: 256 bits, beyond guessing.
const TOKEN_BYTES: usize = 32;
/// Longest token accepted before hashing (a real one is 43 characters).
const TOKEN_MAX_CHARS: usize = 128;

fn hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.trim().as_bytes()))
}

fn invalid() -> AppError {
    AppError::Invalid {
        code: ErrorCode::MailTokenInvalid,
        args: vec![],
    }
}

/// Makes a token for `user_id` valid until `now + ttl`; returns the token for the link.
pub async fn token_issue(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    user_id: Uuid,
    email: Option<&str>,
    now: DateTime<Utc>,
    ttl: Duration,
) -> AppResult<String> {
    let mut random = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
    let token = URL_SAFE_NO_PAD.encode(random);
    mail_tokens::Entity::insert(mail_tokens::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(hash(&token)),
        purpose: Set(purpose.as_str().to_owned()),
        user_id: Set(user_id),
        email: Set(email.map(str::to_owned)),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        used_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(token)
}

/// The unused, unexpired token, without using it (to check what it is for first), or
/// `mail.token_invalid`: unknown, used and expired look the same.
pub async fn token_peek(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<mail_tokens::Model> {
    if token.trim().is_empty() || token.chars().count() > TOKEN_MAX_CHARS {
        return Err(invalid());
    }
    mail_tokens::Entity::find()
        .filter(mail_tokens::Column::TokenHash.eq(hash(token)))
        .filter(mail_tokens::Column::Purpose.eq(purpose.as_str()))
        .filter(mail_tokens::Column::UsedAt.is_null())
        .filter(mail_tokens::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .ok_or_else(invalid)
}

/// Uses the token: only one caller ever gets it, however many try at once.
pub async fn token_consume(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<mail_tokens::Model> {
    let found = token_peek(db, purpose, token, now).await?;
    let taken = mail_tokens::Entity::update_many()
        .col_expr(mail_tokens::Column::UsedAt, Expr::value(now))
        .filter(mail_tokens::Column::Id.eq(found.id))
        .filter(mail_tokens::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if taken.rows_affected != 1 {
        return Err(invalid());
    }
    Ok(found)
}

/// Retires every unused token of the user for `purpose` (a newer address, a new password).
pub async fn tokens_retire(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(mail_tokens::Entity::update_many()
        .col_expr(mail_tokens::Column::UsedAt, Expr::value(now))
        .filter(mail_tokens::Column::UserId.eq(user_id))
        .filter(mail_tokens::Column::Purpose.eq(purpose.as_str()))
        .filter(mail_tokens::Column::UsedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Forgets tokens that expired before `before` (used or not, they can never work again).
pub async fn tokens_prune(db: &impl ConnectionTrait, before: DateTime<Utc>) -> AppResult<u64> {
    Ok(mail_tokens::Entity::delete_many()
        .filter(mail_tokens::Column::ExpiresAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
