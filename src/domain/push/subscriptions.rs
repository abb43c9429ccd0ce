//! A device's subscription: registered by a signed-in session, one per push endpoint (the
//! same endpoint registered again replaces the row, whoever had it), gone when its session
//! ends or the push service says it is gone.

use chrono::{DateTime, Utc};
use entity::{push_subscriptions, sessions};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use crate::error::AppResult;

/// A subscription as the browser gives it (already checked by the caller).
pub struct NewSubscription<'a> {
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
}

/// Registers `new` for the user's session, replacing any row with the same endpoint, and
/// keeps at most `max_per_user` of theirs (the oldest go).
pub async fn subscription_put(
    db: &(impl ConnectionTrait + TransactionTrait),
    user_id: Uuid,
    session_id: Uuid,
    new: &NewSubscription<'_>,
    max_per_user: u64,
    now: DateTime<Utc>,
) -> AppResult<push_subscriptions::Model> {
    let txn = db.begin().await?;
    push_subscriptions::Entity::delete_many()
        .filter(push_subscriptions::Column::Endpoint.eq(new.endpoint))
        .exec(&txn)
        .await?;
    let row = push_subscriptions::Model {
        id: Uuid::now_v7(),
        user_id,
        session_id,
        endpoint: new.endpoint.to_owned(),
        p256dh: new.p256dh.to_owned(),
        auth: new.auth.to_owned(),
        created_at: now,
    };
    push_subscriptions::Entity::insert(push_subscriptions::ActiveModel {
        id: Set(row.id),
        user_id: Set(row.user_id),
        session_id: Set(row.session_id),
        endpoint: Set(row.endpoint.clone()),
        p256dh: Set(row.p256dh.clone()),
        auth: Set(row.auth.clone()),
        created_at: Set(row.created_at),
    })
    .exec_without_returning(&txn)
    .await?;
    let surplus: Vec<Uuid> = push_subscriptions::Entity::find()
        .select_only()
        .column(push_subscriptions::Column::Id)
        .filter(push_subscriptions::Column::UserId.eq(user_id))
        .order_by_desc(push_subscriptions::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;
    // Newest first: what is past the limit goes (SQLite has no OFFSET without LIMIT).
    let surplus: Vec<Uuid> = surplus
        .into_iter()
        .skip(usize::try_from(max_per_user).unwrap_or(usize::MAX))
        .collect();
    if !surplus.is_empty() {
        push_subscriptions::Entity::delete_many()
            .filter(push_subscriptions::Column::Id.is_in(surplus))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// Removes the user's subscription at `endpoint`. `false`: they have none there.
pub async fn subscription_delete(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    endpoint: &str,
) -> AppResult<bool> {
    let result = push_subscriptions::Entity::delete_many()
        .filter(push_subscriptions::Column::UserId.eq(user_id))
        .filter(push_subscriptions::Column::Endpoint.eq(endpoint))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Removes one subscription (the push service said it is gone).
pub async fn subscription_remove(db: &impl ConnectionTrait, id: Uuid) -> AppResult<()> {
    push_subscriptions::Entity::delete_by_id(id)
        .exec(db)
        .await?;
    Ok(())
}

/// The user's subscriptions whose session is still live. Those of ended sessions (signed
/// out, revoked, expired) are removed on the way: signing out ends a device's pushes.
pub async fn subscriptions_live(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Vec<push_subscriptions::Model>> {
    let all = push_subscriptions::Entity::find()
        .filter(push_subscriptions::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    if all.is_empty() {
        return Ok(all);
    }
    let live: Vec<Uuid> = sessions::Entity::find()
        .select_only()
        .column(sessions::Column::Id)
        .filter(sessions::Column::Id.is_in(all.iter().map(|row| row.session_id)))
        .filter(sessions::Column::RevokedAt.is_null())
        .filter(sessions::Column::ExpiresAt.gt(now))
        .into_tuple()
        .all(db)
        .await?;
    let (keep, ended): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|row| live.contains(&row.session_id));
    if !ended.is_empty() {
        push_subscriptions::Entity::delete_many()
            .filter(push_subscriptions::Column::Id.is_in(ended.iter().map(|row| row.id)))
            .exec(db)
            .await?;
    }
    Ok(keep)
}

/// Removes every subscription of a session (it signed out).
pub async fn subscriptions_of_session_delete(
    db: &impl ConnectionTrait,
    session_id: Uuid,
) -> AppResult<()> {
    push_subscriptions::Entity::delete_many()
        .filter(push_subscriptions::Column::SessionId.eq(session_id))
        .exec(db)
        .await?;
    Ok(())
}
