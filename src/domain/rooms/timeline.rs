//! The room event log. Every event that changes a room takes the room's next `seq` and is
//! stored in the same transaction as the change itself, so what was acknowledged can always
//! be replayed, in order, without gaps.

use chrono::Utc;
use entity::{room_events, rooms};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use serde::Serialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::error::{AppError, AppResult, ErrorCode};

/// What happened in a room: the `type` of its timeline frames, stored with each event.
/// These are the events that take a seq (replayed on resume); transient frames (typing,
/// presence, read marks, poll counts, mentions) are not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    MessageCreated,
    MessageEdited,
    MessageDeleted,
    ReactionAdded,
    ReactionRemoved,
    MemberJoined,
    MemberLeft,
    RoomUpdated,
    PollClosed,
    MessageEmbeds,
    MessagePinned,
    MessageUnpinned,
}

impl EventKind {
    pub const ALL: [Self; 12] = [
        Self::MessageCreated,
        Self::MessageEdited,
        Self::MessageDeleted,
        Self::ReactionAdded,
        Self::ReactionRemoved,
        Self::MemberJoined,
        Self::MemberLeft,
        Self::RoomUpdated,
        Self::PollClosed,
        Self::MessageEmbeds,
        Self::MessagePinned,
        Self::MessageUnpinned,
    ];

    /// The name on the wire and in the event log; clients and stored events depend on it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MessageCreated => "message.created",
            Self::MessageEdited => "message.edited",
            Self::MessageDeleted => "message.deleted",
            Self::ReactionAdded => "reaction.added",
            Self::ReactionRemoved => "reaction.removed",
            Self::MemberJoined => "member.joined",
            Self::MemberLeft => "member.left",
            Self::RoomUpdated => "room.updated",
            Self::PollClosed => "poll.closed",
            Self::MessageEmbeds => "message.embeds",
            Self::MessagePinned => "message.pinned",
            Self::MessageUnpinned => "message.unpinned",
        }
    }

    /// The kind stored under `name`, if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// An event with its place in the room's timeline.
#[derive(Debug, Clone)]
pub struct RoomEvent {
    pub room_id: Uuid,
    pub seq: i64,
    pub kind: EventKind,
    /// The event's `data`, as stored: live and replayed frames carry these same bytes.
    pub data: Box<RawValue>,
}

/// Takes the room's next seq. Call inside the transaction that makes the change, then
/// [`event_record`] the event under it.
pub async fn seq_next(db: &impl ConnectionTrait, room_id: Uuid) -> AppResult<i64> {
    // The UPDATE … RETURNING takes the room row's write lock until commit (PostgreSQL) or the
    // database write lock (SQLite), so two events can never get the same seq.
    let room = rooms::Entity::update_many()
        .col_expr(
            rooms::Column::LastSeq,
            Expr::col(rooms::Column::LastSeq).add(1),
        )
        .col_expr(rooms::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(rooms::Column::Id.eq(room_id))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::Missing(ErrorCode::RoomNotFound))?;
    Ok(room.last_seq)
}

/// Stores an event under a seq from [`seq_next`].
pub async fn event_record(
    db: &impl ConnectionTrait,
    room_id: Uuid,
    seq: i64,
    kind: EventKind,
    data: &impl Serialize,
) -> AppResult<RoomEvent> {
    let data = serde_json::value::to_raw_value(data).map_err(|e| AppError::Internal(e.into()))?;
    room_events::Entity::insert(room_events::ActiveModel {
        room_id: Set(room_id),
        seq: Set(seq),
        kind: Set(kind.as_str().to_owned()),
        payload: Set(data.get().to_owned()),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(RoomEvent {
        room_id,
        seq,
        kind,
        data,
    })
}

/// [`seq_next`] and [`event_record`] in one, for events whose data does not contain the seq.
pub async fn event_append(
    db: &impl ConnectionTrait,
    room_id: Uuid,
    kind: EventKind,
    data: &impl Serialize,
) -> AppResult<RoomEvent> {
    let seq = seq_next(db, room_id).await?;
    event_record(db, room_id, seq, kind, data).await
}

/// Stored events after `after_seq`, oldest first, at most `limit`.
pub async fn events_after(
    db: &impl ConnectionTrait,
    room_id: Uuid,
    after_seq: i64,
    limit: u64,
) -> AppResult<Vec<room_events::Model>> {
    Ok(room_events::Entity::find()
        .filter(room_events::Column::RoomId.eq(room_id))
        .filter(room_events::Column::Seq.gt(after_seq))
        .order_by_asc(room_events::Column::Seq)
        .limit(limit)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_dotted_name() {
        let names: std::collections::BTreeSet<&str> =
            EventKind::ALL.iter().map(|kind| kind.as_str()).collect();
        assert_eq!(names.len(), EventKind::ALL.len());
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        for name in names {
            let (noun, verb) = name.split_once('.').expect("noun.verb");
            assert!(
                !noun.is_empty() && !verb.is_empty() && !verb.contains('.'),
                "{name}"
            );
        }
    }
}
