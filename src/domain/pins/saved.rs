//! Saved messages: a person's own list, across rooms, each with an optional note. An entry
//! outlives what it points at; one whose message its owner can no longer see shows as
//! unavailable, never with the message's content.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::{messages, room_members, rooms, saved_messages, users};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    domain::views::SavedView,
    domain::{
        messages::{message_get, message_views},
        rooms::require_member,
    },
    error::{AppError, AppResult, ErrorCode},
};

/// The longest note, in characters.
pub const NOTE_MAX: usize = 500;
/// The longest page of the saved list.
pub const PAGE_MAX: u64 = 100;

/// A note: trimmed, at most [`NOTE_MAX`] characters.
pub fn parse_note(note: &str) -> AppResult<String> {
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        return Err(AppError::Invalid {
            code: ErrorCode::SavedNoteTooLong,
            args: vec![("max", NOTE_MAX.to_string())],
        });
    }
    Ok(note.to_owned())
}

/// Saves a message the user can see (again: its note is replaced).
pub async fn save(
    db: &impl ConnectionTrait,
    user: &users::Model,
    message_id: Uuid,
    note: &str,
) -> AppResult<SavedView> {
    let note = parse_note(note)?;
    let message = message_get(db, message_id).await?;
    require_member(db, message.room_id, user.id).await?;
    if message.deleted_at.is_some() {
        return Err(AppError::Missing(ErrorCode::MessageNotFound));
    }
    saved_messages::Entity::insert(saved_messages::ActiveModel {
        user_id: Set(user.id),
        message_id: Set(message_id),
        room_id: Set(message.room_id),
        note: Set(note),
        saved_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([
            saved_messages::Column::UserId,
            saved_messages::Column::MessageId,
        ])
        .update_column(saved_messages::Column::Note)
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let entry = saved_messages::Entity::find_by_id((user.id, message_id))
        .one(db)
        .await?
        .ok_or(AppError::Missing(ErrorCode::MessageNotFound))?;
    Ok(saved_views(db, user.id, vec![entry]).await?.remove(0))
}

/// Takes a message off the user's list; whether it was on it.
pub async fn unsave(db: &impl ConnectionTrait, user_id: Uuid, message_id: Uuid) -> AppResult<bool> {
    let deleted = saved_messages::Entity::delete_by_id((user_id, message_id))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected > 0)
}

/// The default page of the saved list.
pub const PAGE_DEFAULT: u64 = 50;

/// A page of the saved list, and where the next one starts.
pub struct Page {
    pub items: Vec<SavedView>,
    /// The `before` of the next page; `None` on the last.
    pub next_before: Option<Uuid>,
}

/// A page of the user's saved list, newest first: the entries saved before the entry of
/// message `before` (an entry no longer on the list has nothing before it).
pub async fn saved_list(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    before: Option<Uuid>,
    limit: u64,
) -> AppResult<Page> {
    let limit = limit.clamp(1, PAGE_MAX);
    let mut query =
        saved_messages::Entity::find().filter(saved_messages::Column::UserId.eq(user_id));
    if let Some(before) = before {
        let Some(from) = saved_messages::Entity::find_by_id((user_id, before))
            .one(db)
            .await?
        else {
            return Ok(Page {
                items: vec![],
                next_before: None,
            });
        };
        query = query.filter(
            Condition::any()
                .add(saved_messages::Column::SavedAt.lt(from.saved_at))
                .add(
                    Condition::all()
                        .add(saved_messages::Column::SavedAt.eq(from.saved_at))
                        .add(saved_messages::Column::MessageId.lt(from.message_id)),
                ),
        );
    }
    let mut entries = query
        .order_by_desc(saved_messages::Column::SavedAt)
        .order_by_desc(saved_messages::Column::MessageId)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = entries.len() as u64 > limit;
    entries.truncate(limit as usize);
    let next_before = more.then(|| entries.last().map(|e| e.message_id)).flatten();
    Ok(Page {
        items: saved_views(db, user_id, entries).await?,
        next_before,
    })
}

/// Wire views of a user's entries, in the given order. An entry is available while its
/// message is there and not deleted and the user is a member of its room; otherwise it
/// carries no message and no room name.
pub async fn saved_views(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    entries: Vec<saved_messages::Model>,
) -> AppResult<Vec<SavedView>> {
    if entries.is_empty() {
        return Ok(vec![]);
    }
    let room_ids: Vec<Uuid> = entries.iter().map(|e| e.room_id).collect();
    let member_of: HashSet<Uuid> = room_members::Entity::find()
        .select_only()
        .column(room_members::Column::RoomId)
        .filter(room_members::Column::UserId.eq(user_id))
        .filter(room_members::Column::RoomId.is_in(room_ids.clone()))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let names: HashMap<Uuid, String> = rooms::Entity::find()
        .filter(rooms::Column::Id.is_in(member_of.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|room| (room.id, room.name))
        .collect();
    let visible = messages::Entity::find()
        .filter(
            messages::Column::Id.is_in(
                entries
                    .iter()
                    .filter(|e| member_of.contains(&e.room_id))
                    .map(|e| e.message_id),
            ),
        )
        .filter(messages::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let mut views: HashMap<Uuid, _> = message_views(db, visible)
        .await?
        .into_iter()
        .map(|view| (view.id, view))
        .collect();
    Ok(entries
        .into_iter()
        .map(|entry| {
            // Membership was decided by the entry's room id, so the message must be there.
            let message = views
                .remove(&entry.message_id)
                .filter(|m| m.room_id == entry.room_id);
            let room_name = message
                .as_ref()
                .and_then(|_| names.get(&entry.room_id).cloned());
            SavedView {
                message_id: entry.message_id,
                room_id: entry.room_id,
                note: entry.note,
                saved_at: entry.saved_at,
                unavailable: message.is_none(),
                message,
                room_name,
            }
        })
        .collect())
}
