//! Which inbox rows are due a push, and the lease that makes each one decided once across
//! nodes. A row may be pushed while it is unread, not yet pushed, meant to alert (the
//! level and mute decisions were made when it was written), past its quiet hours, and past
//! its back-off. A person is due once one of their rows has stayed unread for the delay;
//! their push then carries every row that may be pushed (the batch).
//!
//! A node takes a person's rows with one conditional `UPDATE` that stamps them with its
//! round's id: of two nodes racing, each row goes to exactly one, and the node reads back
//! the rows that carry its stamp.

use chrono::{DateTime, Duration, Utc};
use entity::{notifications, push_subscriptions};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, Query},
};
use uuid::Uuid;

use crate::error::AppResult;

/// Rows older than this are never pushed (counted from the end of quiet hours for held
/// ones): a device subscribing today is not woken for last month's mentions.
pub const MAX_AGE: Duration = Duration::hours(24);

/// Waits after the 1st, 2nd, … failed attempt.
const BACKOFF_SECS: [i64; 5] = [30, 120, 600, 1800, 3600];

/// Attempts after which a push is given up (the row stays in the inbox).
pub const ATTEMPTS_MAX: i32 = BACKOFF_SECS.len() as i32 + 1;

/// How long to wait after `attempts` failed attempts.
pub fn backoff(attempts: i32) -> Duration {
    let index = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
    Duration::seconds(BACKOFF_SECS[index.min(BACKOFF_SECS.len() - 1)])
}

/// Rows that may be pushed now (held or not).
fn pushable(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(notifications::Column::PushedAt.is_null())
        .add(notifications::Column::ReadAt.is_null())
        .add(notifications::Column::Alert.eq(true))
        .add(
            Condition::any()
                .add(notifications::Column::HeldUntil.is_null())
                .add(notifications::Column::HeldUntil.lte(now)),
        )
        .add(
            Condition::any()
                .add(notifications::Column::PushNextAt.is_null())
                .add(notifications::Column::PushNextAt.lte(now)),
        )
        .add(
            Condition::any()
                .add(notifications::Column::CreatedAt.gte(now - MAX_AGE))
                .add(notifications::Column::HeldUntil.gte(now - MAX_AGE)),
        )
}

/// Rows no node holds.
fn free(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(notifications::Column::PushClaimedUntil.is_null())
        .add(notifications::Column::PushClaimedUntil.lt(now))
}

/// Up to `limit` people with a subscription and a free row unread for `delay`.
pub async fn users_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    delay: Duration,
    limit: u64,
) -> AppResult<Vec<Uuid>> {
    Ok(notifications::Entity::find()
        .select_only()
        .column(notifications::Column::UserId)
        .distinct()
        .filter(pushable(now))
        .filter(free(now))
        .filter(notifications::Column::CreatedAt.lte(now - delay))
        .filter(
            notifications::Column::UserId.in_subquery(
                Query::select()
                    .column(push_subscriptions::Column::UserId)
                    .from(push_subscriptions::Entity)
                    .to_owned(),
            ),
        )
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

/// Takes every free pushable row of the person for `round` until `now + lease`, counting
/// the attempt, and returns them, oldest first. Empty: another node has them.
pub async fn claim(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    round: Uuid,
    now: DateTime<Utc>,
    lease: Duration,
) -> AppResult<Vec<notifications::Model>> {
    notifications::Entity::update_many()
        .col_expr(notifications::Column::PushClaim, Expr::value(Some(round)))
        .col_expr(
            notifications::Column::PushClaimedUntil,
            Expr::value(Some(now + lease)),
        )
        .col_expr(
            notifications::Column::PushAttempts,
            Expr::col(notifications::Column::PushAttempts).add(1),
        )
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(pushable(now))
        .filter(free(now))
        .exec(db)
        .await?;
    Ok(notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::PushClaim.eq(round))
        .order_by_asc(notifications::Column::Id)
        .all(db)
        .await?)
}

fn of_round(round: Uuid) -> Condition {
    Condition::all().add(notifications::Column::PushClaim.eq(round))
}

/// The round's rows were pushed (or given up on, or had nowhere to go): never again.
pub async fn done(db: &impl ConnectionTrait, round: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    notifications::Entity::update_many()
        .col_expr(notifications::Column::PushedAt, Expr::value(Some(now)))
        .col_expr(
            notifications::Column::PushClaim,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            notifications::Column::PushClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(of_round(round))
        .exec(db)
        .await?;
    Ok(())
}

/// The round's push failed on its `attempts`-th try: free the rows until the back-off ends.
pub async fn failed(
    db: &impl ConnectionTrait,
    round: Uuid,
    attempts: i32,
    now: DateTime<Utc>,
) -> AppResult<()> {
    notifications::Entity::update_many()
        .col_expr(
            notifications::Column::PushNextAt,
            Expr::value(Some(now + backoff(attempts))),
        )
        .col_expr(
            notifications::Column::PushClaim,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            notifications::Column::PushClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(of_round(round))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_back_off_grows_and_then_stays_at_its_cap() {
        assert_eq!(backoff(0), Duration::seconds(30));
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(5), Duration::hours(1));
        assert_eq!(backoff(50), Duration::hours(1));
    }
}
