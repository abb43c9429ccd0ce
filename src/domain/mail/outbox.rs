//! The outbox: every mail is a row until an SMTP server has taken it. Rows survive a
//! restart; a node takes a due row with a conditional update (a lease until
//! `claimed_until`) that only one node can win, sends it, and marks it sent. A failed send
//! keeps the row and tries again later, waiting longer each time.

use chrono::{DateTime, Duration, Utc};
use entity::mail_outbox;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::MailKind;
use crate::error::AppResult;

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub user_id: Option<Uuid>,
    pub to: String,
    pub kind: MailKind,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub headers: Vec<(String, String)>,
}

/// Waits after the 1st, 2nd, … failed attempt; the last one repeats.
const BACKOFF_MINUTES: [i64; 6] = [1, 5, 30, 120, 360, 720];

/// How long to wait after `attempts` failed attempts.
pub fn backoff(attempts: i32) -> Duration {
    let index = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
    let minutes = BACKOFF_MINUTES[index.min(BACKOFF_MINUTES.len() - 1)];
    Duration::minutes(minutes)
}

/// Queues a mail, due at once.
pub async fn outbox_enqueue(
    db: &impl ConnectionTrait,
    mail: NewMail,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    let headers: serde_json::Map<String, serde_json::Value> = mail
        .headers
        .into_iter()
        .map(|(name, value)| (name, serde_json::Value::String(value)))
        .collect();
    mail_outbox::Entity::insert(mail_outbox::ActiveModel {
        id: Set(id),
        user_id: Set(mail.user_id),
        to_address: Set(mail.to),
        kind: Set(mail.kind.as_str().to_owned()),
        subject: Set(mail.subject),
        body_text: Set(mail.text),
        body_html: Set(mail.html),
        headers: Set(serde_json::Value::Object(headers).to_string()),
        created_at: Set(now),
        next_attempt_at: Set(now),
        attempts: Set(0),
        claimed_until: Set(None),
        sent_at: Set(None),
        last_error: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// The headers of a queued mail, as they were given.
pub fn headers_of(mail: &mail_outbox::Model) -> Vec<(String, String)> {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&mail.headers)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(name, value)| value.as_str().map(|v| (name, v.to_owned())))
        .collect()
}

/// Unsent mail that is due and not held by a node, oldest first.
fn due(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(mail_outbox::Column::SentAt.is_null())
        .add(mail_outbox::Column::NextAttemptAt.lte(now))
        .add(
            Condition::any()
                .add(mail_outbox::Column::ClaimedUntil.is_null())
                .add(mail_outbox::Column::ClaimedUntil.lt(now)),
        )
}

/// Up to `limit` mails that look due; each must still be claimed.
pub async fn outbox_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<mail_outbox::Model>> {
    Ok(mail_outbox::Entity::find()
        .filter(due(now))
        .order_by_asc(mail_outbox::Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Takes mail `id` until `now + lease`, counting the attempt. `false`: another node has it,
/// or it was sent meanwhile. The condition is re-checked by the database in the update
/// itself, so of two nodes racing for a row exactly one sees a changed row.
pub async fn outbox_claim(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
    lease: Duration,
) -> AppResult<bool> {
    let result = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::ClaimedUntil, Expr::value(now + lease))
        .col_expr(
            mail_outbox::Column::Attempts,
            Expr::col(mail_outbox::Column::Attempts).add(1),
        )
        .filter(mail_outbox::Column::Id.eq(id))
        .filter(due(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The SMTP server took mail `id`.
pub async fn outbox_sent(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::SentAt, Expr::value(now))
        .col_expr(
            mail_outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            mail_outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(mail_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Sending mail `id` failed on its `attempts`-th try: free it, and try again after the
/// back-off.
pub async fn outbox_failed(
    db: &impl ConnectionTrait,
    id: Uuid,
    attempts: i32,
    error: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let error: String = error.chars().take(1000).collect();
    mail_outbox::Entity::update_many()
        .col_expr(
            mail_outbox::Column::NextAttemptAt,
            Expr::value(now + backoff(attempts)),
        )
        .col_expr(
            mail_outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(mail_outbox::Column::LastError, Expr::value(Some(error)))
        .filter(mail_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets mail sent before `before`: once the server has it, the row is only a record.
pub async fn outbox_prune(db: &impl ConnectionTrait, before: DateTime<Utc>) -> AppResult<u64> {
    Ok(mail_outbox::Entity::delete_many()
        .filter(mail_outbox::Column::SentAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_back_off_grows_and_then_stays_at_its_cap() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(5));
        assert_eq!(backoff(3), Duration::minutes(30));
        assert_eq!(backoff(6), Duration::hours(12));
        assert_eq!(backoff(60), Duration::hours(12));
        assert_eq!(backoff(0), Duration::minutes(1));
    }
}
