//! Bans and roles, each recorded in the audit log in the same transaction.

pub mod reports;
pub mod stats;

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use entity::users;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, TransactionTrait,
};
use serde_json::json;

use crate::{
    domain::{
        audit::{self, Actor, Entry},
        auth::sessions,
        users::Role,
    },
    error::{AppError, AppResult, ErrorCode},
};

pub const BAN_REASON_MAX: usize = 500;

/// Bans `target` until `until` (or until lifted) and revokes all their sessions in the same
/// transaction, so no token of theirs works after this returns.
pub async fn user_ban<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    ip: Option<IpAddr>,
    target: users::Model,
    reason: &str,
    until: Option<DateTime<Utc>>,
) -> AppResult<users::Model> {
    check_may_act_on(actor, &target, ErrorCode::BanSelf)?;
    let reason: String = reason.trim().chars().take(BAN_REASON_MAX).collect();
    let txn = db.begin().await?;
    audit::audit_record(
        &txn,
        Actor::user(actor.id, ip),
        Entry {
            action: "user.ban",
            target: Some(("user", target.id.to_string())),
            reason: &reason,
            data: json!({ "username": target.username, "until": until }),
        },
    )
    .await?;
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
pub async fn user_unban<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    ip: Option<IpAddr>,
    target: users::Model,
) -> AppResult<users::Model> {
    check_may_act_on(actor, &target, ErrorCode::BanSelf)?;
    let txn = db.begin().await?;
    audit::audit_record(
        &txn,
        Actor::user(actor.id, ip),
        Entry {
            action: "user.unban",
            target: Some(("user", target.id.to_string())),
            reason: "",
            data: json!({ "username": target.username }),
        },
    )
    .await?;
    let mut active: users::ActiveModel = target.into();
    active.banned_at = Set(None);
    active.banned_until = Set(None);
    active.ban_reason = Set(None);
    active.updated_at = Set(Utc::now());
    let user = active.update(&txn).await?;
    txn.commit().await?;
    tracing::info!(actor.id = %actor.id, target.id = %user.id, "user unbanned");
    Ok(user)
}

/// Gives `target` a global role. Admins only; the last admin cannot step down, so the
/// instance always has one.
pub async fn user_role_set<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    ip: Option<IpAddr>,
    target: users::Model,
    role: Role,
    reason: &str,
) -> AppResult<users::Model> {
    if Role::of(actor) < Role::Admin {
        return Err(AppError::Forbidden(ErrorCode::Forbidden));
    }
    let previous = Role::of(&target);
    if previous == role {
        return Ok(target);
    }
    let txn = db.begin().await?;
    // The audit row is written first: a write as the transaction's first statement makes
    // SQLite take its write lock (waiting its turn) before the admins are read. Read first,
    // a concurrent writer's commit left the transaction unable to write ("database is
    // locked", a 500), which schema fuzzing found.
    audit::audit_record(
        &txn,
        Actor::user(actor.id, ip),
        Entry {
            action: "user.role",
            target: Some(("user", target.id.to_string())),
            reason,
            data: json!({
                "username": target.username,
                "from": previous.as_str(),
                "to": role.as_str(),
            }),
        },
    )
    .await?;
    if previous == Role::Admin {
        // Locking the admin rows makes two admins demoting each other at once take turns,
        // so the second sees the first's change and the instance keeps an admin.
        let admins = users::Entity::find()
            .filter(users::Column::Role.eq(Role::Admin.as_str()))
            .lock_exclusive()
            .all(&txn)
            .await?
            .len();
        if admins <= 1 {
            return Err(AppError::Conflict(ErrorCode::RoleLastAdmin));
        }
    }
    let mut active: users::ActiveModel = target.into();
    active.role = Set(role.as_str().to_owned());
    active.updated_at = Set(Utc::now());
    let user = active.update(&txn).await?;
    txn.commit().await?;
    tracing::info!(actor.id = %actor.id, target.id = %user.id, role = role.as_str(), "role changed");
    Ok(user)
}

/// Moderators and admins act on others of a lower rank (admins also on admins); never on
/// themselves.
fn check_may_act_on(
    actor: &users::Model,
    target: &users::Model,
    self_code: ErrorCode,
) -> AppResult<()> {
    let (actor_role, target_role) = (Role::of(actor), Role::of(target));
    if actor_role < Role::Moderator {
        return Err(AppError::Forbidden(ErrorCode::Forbidden));
    }
    if actor.id == target.id {
        return Err(AppError::Forbidden(self_code));
    }
    if target_role > actor_role || (target_role == Role::Moderator && actor_role == Role::Moderator)
    {
        return Err(AppError::Forbidden(ErrorCode::BanOutranked));
    }
    Ok(())
}
