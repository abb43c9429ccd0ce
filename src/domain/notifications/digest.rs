//! The missed-activity mail's side of the inbox: which people have notifications waiting
//! longer than the delay, and claiming them so each row is mailed at most once, by one node.
//!
//! A row is a digest candidate when it alerts and asked for the person (not a plain
//! `message` of a room set to "all"): those get `digested_at` at once when written
//! ([`needs_digest`]). A round claims every waiting row of a person whose oldest waiting
//! row is past the delay, so a burst of mentions makes one mail, not one per message.

use chrono::{DateTime, Utc};
use entity::notifications;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use uuid::Uuid;

use super::Kind;
use crate::error::AppResult;

/// Whether a new row waits for the digest; every other row is written as already digested.
pub fn needs_digest(kind: Kind, alert: bool) -> bool {
    alert && kind != Kind::Message
}

/// Up to `limit` people with a row waiting since `cutoff` or earlier, oldest first.
pub async fn digest_due(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<Uuid>> {
    let rows: Vec<Uuid> = notifications::Entity::find()
        .select_only()
        .column(notifications::Column::UserId)
        .filter(notifications::Column::DigestedAt.is_null())
        .filter(notifications::Column::CreatedAt.lte(cutoff))
        .order_by_asc(notifications::Column::CreatedAt)
        .limit(limit * 8)
        .into_tuple()
        .all(db)
        .await?;
    let mut people = Vec::new();
    for id in rows {
        if !people.contains(&id) {
            people.push(id);
        }
        if people.len() as u64 == limit {
            break;
        }
    }
    Ok(people)
}

/// Takes every waiting row of `user_id` (read or not) at `now`. `None` when another node
/// took some of them first: run inside a transaction, which the caller then rolls back.
/// Returns the rows still unread, oldest first: what the mail tells.
pub async fn digest_claim(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Option<Vec<notifications::Model>>> {
    let waiting = notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::DigestedAt.is_null())
        .order_by_asc(notifications::Column::CreatedAt)
        .all(db)
        .await?;
    if waiting.is_empty() {
        return Ok(Some(vec![]));
    }
    // Conditional: a row another node claimed meanwhile is not counted, and PostgreSQL
    // makes this wait for that node's transaction before judging.
    let taken = notifications::Entity::update_many()
        .col_expr(notifications::Column::DigestedAt, Expr::value(now))
        .filter(notifications::Column::Id.is_in(waiting.iter().map(|row| row.id)))
        .filter(notifications::Column::DigestedAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    if taken != waiting.len() as u64 {
        return Ok(None);
    }
    Ok(Some(
        waiting
            .into_iter()
            .filter(|row| row.read_at.is_none())
            .collect(),
    ))
}
