//! Scheduled messages: text its author wants sent later. A row goes from `pending` to
//! `sent` or `failed` once, by a conditional `UPDATE` in the very transaction that sends
//! its message, so two nodes, or a crash between claiming and sending, can neither lose
//! nor double it.

use chrono::{DateTime, Duration, Utc};
use entity::{scheduled_messages, users};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    domain::{
        messages::MessageBody, rooms::moderation::require_writer, views::ScheduledMessageView,
    },
    error::{AppError, AppResult, ErrorCode},
};

pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

/// How far ahead a message may be scheduled.
pub const AHEAD_MAX_DAYS: i64 = 365;

pub fn view(row: &scheduled_messages::Model) -> ScheduledMessageView {
    ScheduledMessageView::from(row)
}

fn check_send_at(send_at: DateTime<Utc>, now: DateTime<Utc>) -> AppResult<()> {
    if send_at <= now || send_at > now + Duration::days(AHEAD_MAX_DAYS) {
        return Err(AppError::Invalid {
            code: ErrorCode::ScheduledSendAtInvalid,
            args: vec![("max_days", AHEAD_MAX_DAYS.to_string())],
        });
    }
    Ok(())
}

/// Schedules `body` for `room_id`, where the author must be able to write now.
pub async fn scheduled_create(
    db: &impl ConnectionTrait,
    author: &users::Model,
    room_id: Uuid,
    body: MessageBody,
    send_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<ScheduledMessageView> {
    check_send_at(send_at, now)?;
    require_writer(db, room_id, author).await?;
    let row = scheduled_messages::Entity::insert(scheduled_messages::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(author.id),
        room_id: Set(room_id),
        body: Set(body.into_string()),
        send_at: Set(send_at),
        state: Set(PENDING.to_owned()),
        error_code: Set(None),
        message_id: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    })
    .exec_with_returning(db)
    .await?;
    Ok(view(&row))
}

/// `user_id`'s scheduled messages not sent yet (pending or failed), soonest first.
pub async fn scheduled_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> AppResult<Vec<ScheduledMessageView>> {
    let rows = scheduled_messages::Entity::find()
        .filter(scheduled_messages::Column::UserId.eq(user_id))
        .filter(scheduled_messages::Column::State.ne(SENT))
        .order_by_asc(scheduled_messages::Column::SendAt)
        .order_by_asc(scheduled_messages::Column::Id)
        .all(db)
        .await?;
    Ok(rows.iter().map(view).collect())
}

/// One of `user_id`'s rows (`scheduled.not_found` for anyone else's).
pub async fn scheduled_own(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    id: Uuid,
) -> AppResult<scheduled_messages::Model> {
    scheduled_messages::Entity::find_by_id(id)
        .filter(scheduled_messages::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(AppError::Missing(ErrorCode::ScheduledNotFound))
}

/// Why a row that is no longer changeable cannot be: it was sent, or it is gone.
async fn unchangeable(db: &impl ConnectionTrait, user_id: Uuid, id: Uuid) -> AppError {
    match scheduled_own(db, user_id, id).await {
        // Not sent when it was read, changed by nothing since: a send won the race.
        Ok(_) => AppError::Conflict(ErrorCode::ScheduledAlreadySent),
        Err(err) => err,
    }
}

/// Changes the text and/or time of a row not sent yet; a failed one is pending again.
/// Conditional on its state, so a send racing with it either happens first (and the
/// edit is refused) or sends the edited text.
pub async fn scheduled_update(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    id: Uuid,
    body: Option<MessageBody>,
    send_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AppResult<ScheduledMessageView> {
    let row = scheduled_own(db, user_id, id).await?;
    if row.state == SENT {
        return Err(AppError::Conflict(ErrorCode::ScheduledAlreadySent));
    }
    if let Some(send_at) = send_at {
        check_send_at(send_at, now)?;
    }
    let mut update = scheduled_messages::Entity::update_many()
        .col_expr(scheduled_messages::Column::State, Expr::value(PENDING))
        .col_expr(
            scheduled_messages::Column::ErrorCode,
            Expr::value(Option::<String>::None),
        );
    if let Some(body) = body {
        update = update.col_expr(
            scheduled_messages::Column::Body,
            Expr::value(body.into_string()),
        );
    }
    if let Some(send_at) = send_at {
        update = update.col_expr(scheduled_messages::Column::SendAt, Expr::value(send_at));
    }
    let changed = update
        .filter(scheduled_messages::Column::Id.eq(id))
        .filter(scheduled_messages::Column::State.ne(SENT))
        .exec(db)
        .await?;
    if changed.rows_affected == 0 {
        return Err(unchangeable(db, user_id, id).await);
    }
    Ok(view(&scheduled_own(db, user_id, id).await?))
}

/// Cancels a row not sent yet.
pub async fn scheduled_cancel(db: &impl ConnectionTrait, user_id: Uuid, id: Uuid) -> AppResult<()> {
    let deleted = scheduled_messages::Entity::delete_many()
        .filter(scheduled_messages::Column::Id.eq(id))
        .filter(scheduled_messages::Column::UserId.eq(user_id))
        .filter(scheduled_messages::Column::State.ne(SENT))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(unchangeable(db, user_id, id).await);
    }
    Ok(())
}

/// Ids of pending rows whose time has come, oldest first, at most `limit`.
pub async fn scheduled_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<Uuid>> {
    Ok(scheduled_messages::Entity::find()
        .select_only()
        .column(scheduled_messages::Column::Id)
        .filter(scheduled_messages::Column::State.eq(PENDING))
        .filter(scheduled_messages::Column::SendAt.lte(now))
        .order_by_asc(scheduled_messages::Column::SendAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

/// A row by id, whoever's it is (for the background pass).
pub async fn scheduled_row(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<scheduled_messages::Model>> {
    Ok(scheduled_messages::Entity::find_by_id(id).one(db).await?)
}

/// Which rows a claim may take.
#[derive(Debug, Clone, Copy)]
pub enum Claim {
    /// The background pass: a pending row whose time has come.
    Due(DateTime<Utc>),
    /// "Send now" by its author: any row of theirs not sent yet.
    Now { user_id: Uuid },
}

/// Claims row `id` for sending (marks it sent) if it is still to be sent: the conditional
/// `UPDATE` only one caller wins (the others' changes 0 rows). Run it in the transaction
/// that sends the message: then the claim and the message commit together or not at all.
pub async fn scheduled_claim(
    txn: &impl ConnectionTrait,
    id: Uuid,
    claim: Claim,
    now: DateTime<Utc>,
) -> AppResult<Option<scheduled_messages::Model>> {
    let update = scheduled_messages::Entity::update_many()
        .col_expr(scheduled_messages::Column::State, Expr::value(SENT))
        .col_expr(scheduled_messages::Column::SentAt, Expr::value(now))
        .col_expr(
            scheduled_messages::Column::ErrorCode,
            Expr::value(Option::<String>::None),
        )
        .filter(scheduled_messages::Column::Id.eq(id));
    let update = match claim {
        Claim::Due(at) => update
            .filter(scheduled_messages::Column::State.eq(PENDING))
            .filter(scheduled_messages::Column::SendAt.lte(at)),
        Claim::Now { user_id } => update
            .filter(scheduled_messages::Column::UserId.eq(user_id))
            .filter(scheduled_messages::Column::State.ne(SENT)),
    };
    if update.exec(txn).await?.rows_affected == 0 {
        return Ok(None);
    }
    Ok(scheduled_messages::Entity::find_by_id(id).one(txn).await?)
}

/// Records the message a claimed row became.
pub async fn scheduled_sent(
    txn: &impl ConnectionTrait,
    id: Uuid,
    message_id: Uuid,
) -> AppResult<()> {
    scheduled_messages::Entity::update_many()
        .col_expr(
            scheduled_messages::Column::MessageId,
            Expr::value(message_id),
        )
        .filter(scheduled_messages::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Marks a claimed row failed with the code sending it met.
pub async fn scheduled_failed(
    txn: &impl ConnectionTrait,
    id: Uuid,
    code: ErrorCode,
) -> AppResult<scheduled_messages::Model> {
    scheduled_messages::Entity::update_many()
        .col_expr(scheduled_messages::Column::State, Expr::value(FAILED))
        .col_expr(
            scheduled_messages::Column::ErrorCode,
            Expr::value(code.as_str()),
        )
        .col_expr(
            scheduled_messages::Column::SentAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(scheduled_messages::Column::Id.eq(id))
        .exec(txn)
        .await?;
    scheduled_messages::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(AppError::Missing(ErrorCode::ScheduledNotFound))
}
