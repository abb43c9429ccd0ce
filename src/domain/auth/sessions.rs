//! Sessions: one row per signed-in device, checked on every authenticated request.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use entity::{sessions, users};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult, ErrorCode},
    infra::tokens::Claims,
};

/// Idle time after which a session's `last_seen_at` is written again. Keeps one write per
/// minute per device instead of one per request.
const TOUCH_EVERY_SECS: i64 = 60;

/// How long sessions live.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub max_age: Duration,
}

impl SessionPolicy {
    fn expiry(&self, created_at: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        (now + self.idle).min(created_at + self.max_age)
    }
}

/// Whether `user` is banned at `now` (temporary bans end by themselves).
pub fn is_banned(user: &users::Model, now: DateTime<Utc>) -> bool {
    user.banned_at.is_some() && user.banned_until.is_none_or(|until| until > now)
}

/// Opens a session for `user_id` on a device.
pub async fn session_create(
    db: &impl ConnectionTrait,
    policy: &SessionPolicy,
    user_id: Uuid,
    user_agent: &str,
    ip: Option<IpAddr>,
) -> AppResult<sessions::Model> {
    let now = Utc::now();
    let user_agent: String = user_agent.chars().take(256).collect();
    let session = sessions::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        user_agent: Set(user_agent),
        ip: Set(ip.map(|ip| ip.to_string())),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(policy.expiry(now, now)),
        revoked_at: Set(None),
    };
    Ok(sessions::Entity::insert(session)
        .exec_with_returning(db)
        .await?)
}

/// The user and session behind verified token claims, if the session is still live and
/// the user not banned. Slides the idle expiry forward.
pub async fn session_authenticate(
    db: &impl ConnectionTrait,
    policy: &SessionPolicy,
    claims: &Claims,
) -> AppResult<(users::Model, sessions::Model)> {
    session_current(db, policy, claims.sid, claims.sub).await
}

/// Session `session_id` of `user_id` and its user as they are now, if the session is still
/// live and the user not banned. An open socket asks this before every op, so a role, ban
/// or revocation changed on any node applies to its very next op, as it does to REST.
pub async fn session_current(
    db: &impl ConnectionTrait,
    policy: &SessionPolicy,
    session_id: Uuid,
    user_id: Uuid,
) -> AppResult<(users::Model, sessions::Model)> {
    let now = Utc::now();
    let (session, user) = sessions::Entity::find_by_id(session_id)
        .find_also_related(users::Entity)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let user = user.ok_or(AppError::Unauthorized)?;
    let live = session.user_id == user_id
        && session.revoked_at.is_none()
        && session.expires_at > now
        && !is_banned(&user, now);
    if !live {
        return Err(AppError::Unauthorized);
    }
    if (now - session.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
        let mut active: sessions::ActiveModel = session.clone().into();
        active.last_seen_at = Set(now);
        active.expires_at = Set(policy.expiry(session.created_at, now));
        return Ok((user, active.update(db).await?));
    }
    Ok((user, session))
}

/// The user's live sessions, most recently used first.
pub async fn sessions_list(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> AppResult<Vec<sessions::Model>> {
    Ok(sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .filter(sessions::Column::ExpiresAt.gt(Utc::now()))
        .order_by_desc(sessions::Column::LastSeenAt)
        .all(db)
        .await?)
}

/// Ids of the user's sessions that still work (none if the user is banned).
pub async fn sessions_live_ids(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Vec<Uuid>> {
    let now = Utc::now();
    let Some(user) = users::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(vec![]);
    };
    if is_banned(&user, now) {
        return Ok(vec![]);
    }
    Ok(sessions_list(db, user_id)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect())
}

/// Revokes one of the user's own sessions; someone else's is reported as not found.
pub async fn session_revoke(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    session_id: Uuid,
) -> AppResult<()> {
    let result = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(sessions::Column::Id.eq(session_id))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::Missing(ErrorCode::SessionNotFound));
    }
    Ok(())
}

/// Revokes every live session of the user, except `keep` if given. Returns how many.
pub async fn sessions_revoke_all(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    keep: Option<Uuid>,
) -> AppResult<u64> {
    let mut update = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null());
    if let Some(keep) = keep {
        update = update.filter(sessions::Column::Id.ne(keep));
    }
    Ok(update.exec(db).await?.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_slides_with_use_but_never_past_the_maximum_age() {
        let policy = SessionPolicy {
            idle: Duration::days(7),
            max_age: Duration::days(30),
        };
        let created = Utc::now();
        assert_eq!(policy.expiry(created, created), created + Duration::days(7));
        let later = created + Duration::days(10);
        assert_eq!(policy.expiry(created, later), later + Duration::days(7));
        let near_end = created + Duration::days(28);
        assert_eq!(
            policy.expiry(created, near_end),
            created + Duration::days(30)
        );
    }
}
