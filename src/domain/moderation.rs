//! Bans. (Mutes, kicks, reports and the audit log arrive with the moderation issue.)

use chrono::{DateTime, Utc};
use entity::users;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, TransactionTrait};

use super::{sessions, users::Role};
use crate::error::{AppError, AppResult};

pub const BAN_REASON_MAX: usize = 500;

/// Bans `target` until `until` (or until lifted) and revokes all their sessions in the same
/// transaction, so no token of theirs works after this returns.
pub async fn user_ban<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    target: users::Model,
    reason: &str,
    until: Option<DateTime<Utc>>,
) -> AppResult<users::Model> {
    check_may_act_on(actor, &target, "ban.self")?;
    let reason: String = reason.trim().chars().take(BAN_REASON_MAX).collect();
    let txn = db.begin().await?;
    let mut active: users::ActiveModel = target.into();
    active.banned_at = Set(Some(Utc::now()));
    active.banned_until = Set(until);
    active.ban_reason = Set(Some(reason));
    active.updated_at = Set(Utc::now());
    let banned = active.update(&txn).await?;
    let revoked = sessions::sessions_revoke_all(&txn, banned.id, None).await?;
    txn.commit().await?;
    tracing::info!(actor.id = %actor.id, target.id = %banned.id, sessions.revoked = revoked, "user banned");
    Ok(banned)
}

/// Lifts a ban.
pub async fn user_unban(
    db: &impl ConnectionTrait,
    actor: &users::Model,
    target: users::Model,
) -> AppResult<users::Model> {
    check_may_act_on(actor, &target, "ban.self")?;
    let mut active: users::ActiveModel = target.into();
    active.banned_at = Set(None);
    active.banned_until = Set(None);
    active.ban_reason = Set(None);
    active.updated_at = Set(Utc::now());
    let user = active.update(db).await?;
    tracing::info!(actor.id = %actor.id, target.id = %user.id, "user unbanned");
    Ok(user)
}

/// Moderators and admins act on others of a lower rank (admins also on admins); never on
/// themselves.
fn check_may_act_on(
    actor: &users::Model,
    target: &users::Model,
    self_code: &'static str,
) -> AppResult<()> {
    let (actor_role, target_role) = (Role::of(actor), Role::of(target));
    if actor_role < Role::Moderator {
        return Err(AppError::Forbidden("forbidden"));
    }
    if actor.id == target.id {
        return Err(AppError::Forbidden(self_code));
    }
    if target_role > actor_role || (target_role == Role::Moderator && actor_role == Role::Moderator)
    {
        return Err(AppError::Forbidden("ban.outranked"));
    }
    Ok(())
}
