//! Pinned messages (a room's short list, announced on its timeline) and saved messages (a
//! person's private list across rooms, with a note).

pub mod saved;

use std::collections::HashMap;

use chrono::Utc;
use entity::{message_pins, messages, room_members, rooms, users};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    domain::views::{PinView, UserRef},
    domain::{
        messages::{message_get, message_views},
        rooms::{
            kinds::RoomKind,
            may_moderate,
            moderation::require_writer,
            require_member,
            timeline::{EventKind, RoomEvent, event_record, seq_next},
        },
    },
    error::{AppError, AppResult, ErrorCode},
};

/// The most pins a room may have: the list is something people read, not an archive.
pub const PINS_MAX: u64 = 50;

/// Who may pin in a room: its moderators and owners (and global staff), both people of a
/// direct conversation, and members when the room lets them.
pub fn may_pin(user: &users::Model, room: &rooms::Model, member: &room_members::Model) -> bool {
    may_moderate(user, Some(member))
        || room.members_can_pin
        || RoomKind::of(room) == RoomKind::Direct
}

/// Pins (`pin`) or unpins a message. Pinning a pinned message, or unpinning one that is not,
/// changes nothing and announces nothing.
pub async fn pin_set<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user: &users::Model,
    message_id: Uuid,
    pin: bool,
) -> AppResult<(Option<PinView>, Option<RoomEvent>)> {
    let message = message_get(db, message_id).await?;
    let (room, member) = require_writer(db, message.room_id, user).await?;
    if message.deleted_at.is_some() {
        return Err(AppError::Missing(ErrorCode::MessageNotFound));
    }
    if !may_pin(user, &room, &member) {
        return Err(AppError::Forbidden(ErrorCode::Forbidden));
    }
    let txn = db.begin().await?;
    // The seq first: it locks the room until commit, so two pins at the limit (on any node)
    // are counted one after the other. An answer that changes nothing rolls it back.
    let seq = seq_next(&txn, room.id).await?;
    let existing = message_pins::Entity::find_by_id(message_id)
        .one(&txn)
        .await?;
    if !pin {
        if existing.is_none() {
            return Ok((None, None));
        }
        message_pins::Entity::delete_by_id(message_id)
            .exec(&txn)
            .await?;
        let event = event_record(
            &txn,
            room.id,
            seq,
            EventKind::MessageUnpinned,
            &json!({ "message_id": message_id, "unpinned_by": UserRef::from(user) }),
        )
        .await?;
        txn.commit().await?;
        return Ok((None, Some(event)));
    }
    if let Some(existing) = existing {
        let view = pin_views(&txn, vec![existing]).await?.remove(0);
        return Ok((Some(view), None));
    }
    let count = message_pins::Entity::find()
        .filter(message_pins::Column::RoomId.eq(room.id))
        .count(&txn)
        .await?;
    if count >= PINS_MAX {
        // A limit reached for now, with the number: 409 by its code.
        return Err(AppError::Denied {
            code: ErrorCode::PinLimitReached,
            args: vec![("max", PINS_MAX.to_string())],
        });
    }
    let pinned = message_pins::Entity::insert(message_pins::ActiveModel {
        message_id: Set(message_id),
        room_id: Set(room.id),
        pinned_by: Set(Some(user.id)),
        pinned_at: Set(Utc::now()),
    })
    .exec_with_returning(&txn)
    .await?;
    let view = pin_views(&txn, vec![pinned]).await?.remove(0);
    let event = event_record(&txn, room.id, seq, EventKind::MessagePinned, &view).await?;
    txn.commit().await?;
    Ok((Some(view), Some(event)))
}

/// A room's pins, newest first (members only).
pub async fn pins_of_room(
    db: &impl ConnectionTrait,
    user: &users::Model,
    room_id: Uuid,
) -> AppResult<Vec<PinView>> {
    require_member(db, room_id, user.id).await?;
    let pins = message_pins::Entity::find()
        .filter(message_pins::Column::RoomId.eq(room_id))
        .order_by_desc(message_pins::Column::PinnedAt)
        .order_by_desc(message_pins::Column::MessageId)
        .all(db)
        .await?;
    pin_views(db, pins).await
}

/// Wire views of pins, in the given order.
async fn pin_views(
    db: &impl ConnectionTrait,
    pins: Vec<message_pins::Model>,
) -> AppResult<Vec<PinView>> {
    if pins.is_empty() {
        return Ok(vec![]);
    }
    let list = messages::Entity::find()
        .filter(messages::Column::Id.is_in(pins.iter().map(|p| p.message_id)))
        .all(db)
        .await?;
    let mut views: HashMap<Uuid, _> = message_views(db, list)
        .await?
        .into_iter()
        .map(|view| (view.id, view))
        .collect();
    let pinners: HashMap<Uuid, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(pins.iter().filter_map(|p| p.pinned_by)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(pins
        .into_iter()
        .filter_map(|pin| {
            Some(PinView {
                message: views.remove(&pin.message_id)?,
                pinned_by: pin
                    .pinned_by
                    .and_then(|id| pinners.get(&id))
                    .map(UserRef::from),
                pinned_at: pin.pinned_at,
            })
        })
        .collect())
}
