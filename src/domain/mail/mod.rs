//! E-mail: what is sent to whom and when. Mail waits in the outbox (`outbox`) until a node
//! hands it to the SMTP server; single-use links live in `tokens`; `compose` writes the
//! bodies in the recipient's language. Mail is never sent from a request: handlers only
//! insert rows, so a slow or absent SMTP server never holds anyone up.

pub mod compose;
pub mod outbox;
pub mod tokens;

/// What a mail is for. Essential mail (a link the person asked for) is sent to any address
/// it concerns; everything else only to a verified address whose owner did not unsubscribe,
/// and carries a one-click unsubscribe link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// "Is this your address?", sent when an address is set.
    VerifyEmail,
    /// A password-reset link.
    PasswordReset,
    /// What someone missed while away (the digest).
    Missed,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
            Self::Missed => "missed",
        }
    }

    /// Whether the person needs it to use their account (so it carries no unsubscribe).
    pub fn is_essential(self) -> bool {
        matches!(self, Self::VerifyEmail | Self::PasswordReset)
    }
}

use chrono::{DateTime, Utc};
use entity::users;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, Func},
};
use uuid::Uuid;

use crate::error::AppResult;

/// Marks `email` verified for the user if it is still their address (a link mailed to an
/// address they have since replaced proves nothing about the new one).
pub async fn email_mark_verified(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    email: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let result = users::Entity::update_many()
        .col_expr(users::Column::EmailVerifiedAt, Expr::value(now))
        .filter(users::Column::Id.eq(user_id))
        .filter(users::Column::Email.eq(email))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Accounts whose verified address is `address` (compared without regard to case).
pub async fn users_by_verified_email(
    db: &impl ConnectionTrait,
    address: &str,
) -> AppResult<Vec<users::Model>> {
    Ok(users::Entity::find()
        .filter(Expr::expr(Func::lower(Expr::col(users::Column::Email))).eq(address.to_lowercase()))
        .filter(users::Column::EmailVerifiedAt.is_not_null())
        .all(db)
        .await?)
}

/// Turns the user's missed-activity mail on or off.
pub async fn email_missed_set(db: &impl ConnectionTrait, user_id: Uuid, on: bool) -> AppResult<()> {
    users::Entity::update_many()
        .col_expr(users::Column::EmailMissed, Expr::value(on))
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Whether non-essential mail may go to the user: a verified address, and the switch on.
pub fn may_receive_missed(user: &users::Model) -> bool {
    user.email.is_some() && user.email_verified_at.is_some() && user.email_missed
}
