//! Drafts: a person's unsent composer text per room (and per thread), kept on the server
//! so their other devices have it. Private to its owner, never indexed, gone once sent.

pub mod scheduled;

use chrono::{DateTime, Utc};
use entity::{drafts, room_members};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    domain::{
        messages::{Asked, BODY_MAX, Inbox},
        rooms::require_member,
        views::DraftView,
    },
    error::{AppError, AppResult, ErrorCode},
};

/// The key of a room-level draft's thread column: a key column cannot be null.
fn thread_key(thread_id: Option<Uuid>) -> Uuid {
    thread_id.unwrap_or(Uuid::nil())
}

fn view(row: &drafts::Model) -> DraftView {
    DraftView {
        room_id: row.room_id,
        thread_id: (!row.thread_key.is_nil()).then_some(row.thread_key),
        body: row.body.clone(),
        updated_at: row.updated_at,
    }
}

/// What a cleared draft looks like to the owner's devices: an empty body.
pub fn cleared(room_id: Uuid, thread_id: Option<Uuid>, now: DateTime<Utc>) -> DraftView {
    DraftView {
        room_id,
        thread_id,
        body: String::new(),
        updated_at: now,
    }
}

/// Checks a draft's text like a message body's (NUL, then length), except that it may be
/// empty (which deletes it) and is kept as typed, spaces and all.
fn check_body(body: &str) -> AppResult<()> {
    if body.contains('\0') {
        return Err(AppError::Invalid {
            code: ErrorCode::TextNulCharacter,
            args: vec![("field", "body".to_owned())],
        });
    }
    if body.chars().count() > BODY_MAX {
        return Err(AppError::Invalid {
            code: ErrorCode::MessageTooLong,
            args: vec![("max", BODY_MAX.to_string())],
        });
    }
    Ok(())
}

/// Saves `user_id`'s draft in a room they belong to; blank text deletes it.
pub async fn draft_save(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    room_id: Uuid,
    thread_id: Option<Uuid>,
    body: &str,
    now: DateTime<Utc>,
) -> AppResult<DraftView> {
    check_body(body)?;
    require_member(db, room_id, user_id).await?;
    if body.trim().is_empty() {
        draft_forget(db, user_id, room_id, thread_id).await?;
        return Ok(cleared(room_id, thread_id, now));
    }
    let row = drafts::Model {
        user_id,
        room_id,
        thread_key: thread_key(thread_id),
        body: body.to_owned(),
        updated_at: now,
    };
    drafts::Entity::insert(drafts::ActiveModel {
        user_id: Set(row.user_id),
        room_id: Set(row.room_id),
        thread_key: Set(row.thread_key),
        body: Set(row.body.clone()),
        updated_at: Set(row.updated_at),
    })
    .on_conflict(
        OnConflict::columns([
            drafts::Column::UserId,
            drafts::Column::RoomId,
            drafts::Column::ThreadKey,
        ])
        .update_columns([drafts::Column::Body, drafts::Column::UpdatedAt])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(view(&row))
}

/// Deletes `user_id`'s draft in a room they belong to (none is fine).
pub async fn draft_delete(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    room_id: Uuid,
    thread_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<(DraftView, bool)> {
    require_member(db, room_id, user_id).await?;
    let existed = draft_forget(db, user_id, room_id, thread_id).await?;
    Ok((cleared(room_id, thread_id, now), existed))
}

/// Removes the draft if there is one; whether there was.
async fn draft_forget(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    room_id: Uuid,
    thread_id: Option<Uuid>,
) -> AppResult<bool> {
    let deleted = drafts::Entity::delete_many()
        .filter(drafts::Column::UserId.eq(user_id))
        .filter(drafts::Column::RoomId.eq(room_id))
        .filter(drafts::Column::ThreadKey.eq(thread_key(thread_id)))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected > 0)
}

/// Every draft of `user_id` in the rooms they still belong to, newest first.
pub async fn drafts_of(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Vec<DraftView>> {
    let rooms: Vec<Uuid> = room_members::Entity::find()
        .select_only()
        .column(room_members::Column::RoomId)
        .filter(room_members::Column::UserId.eq(user_id))
        .into_tuple()
        .all(db)
        .await?;
    let rows = drafts::Entity::find()
        .filter(drafts::Column::UserId.eq(user_id))
        .order_by_desc(drafts::Column::UpdatedAt)
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .filter(|row| rooms.contains(&row.room_id))
        .map(view)
        .collect())
}

/// An [`Inbox`] that also clears the author's draft in the sending transaction (the room's,
/// or for a thread reply the thread's), so a sent message never leaves its text behind as a
/// draft (nor a draft without its message).
pub struct ClearingDraft<I> {
    pub inner: I,
}

impl<I: Inbox> Inbox for ClearingDraft<I> {
    /// The inner writer's rows, and whether a draft was cleared.
    type Written = (I::Written, bool);

    async fn write(
        &self,
        txn: &DatabaseTransaction,
        asked: Asked<'_>,
    ) -> AppResult<(I::Written, bool)> {
        let (author, room, thread) = (asked.author.id, asked.room.id, asked.message.thread_id);
        let written = self.inner.write(txn, asked).await?;
        let cleared = draft_forget(txn, author, room, thread).await?;
        Ok((written, cleared))
    }
}
