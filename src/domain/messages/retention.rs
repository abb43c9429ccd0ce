//! Per-room message retention: a room may keep messages for a number of days; older ones
//! are removed for good (with their reactions, files, polls and event-log entries) by a
//! background pass, which records what it removed in the audit log.

use chrono::{DateTime, Duration, Utc};
use entity::{files, messages, polls, room_events, rooms};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    domain::{
        audit::{self, Actor, Entry},
        files::{FileStore, attachments::release},
    },
    error::AppResult,
};

/// Messages removed per statement, so one pass never holds a huge transaction.
const BATCH: u64 = 500;

/// Removes what every room with a retention keeps past it as of `now`. Returns the
/// messages removed.
pub async fn retention_apply<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let rooms = rooms::Entity::find()
        .filter(rooms::Column::RetentionDays.is_not_null())
        .all(db)
        .await?;
    let mut total = 0;
    for room in rooms {
        let Some(days) = room.retention_days else {
            continue;
        };
        let cutoff = now - Duration::days(i64::from(days));
        let mut removed = 0;
        loop {
            let ids: Vec<Uuid> = messages::Entity::find()
                .select_only()
                .column(messages::Column::Id)
                .filter(messages::Column::RoomId.eq(room.id))
                .filter(messages::Column::CreatedAt.lt(cutoff))
                .limit(BATCH)
                .into_tuple()
                .all(db)
                .await?;
            if ids.is_empty() {
                break;
            }
            let attached = files::Entity::find()
                .filter(files::Column::MessageId.is_in(ids.iter().copied()))
                .all(db)
                .await?;
            release(db, store, attached).await?;
            polls::Entity::delete_many()
                .filter(polls::Column::MessageId.is_in(ids.iter().copied()))
                .exec(db)
                .await?;
            removed += messages::Entity::delete_many()
                .filter(messages::Column::Id.is_in(ids))
                .exec(db)
                .await?
                .rows_affected;
        }
        room_events::Entity::delete_many()
            .filter(room_events::Column::RoomId.eq(room.id))
            .filter(room_events::Column::CreatedAt.lt(cutoff))
            .exec(db)
            .await?;
        if removed > 0 {
            audit::audit_record(
                db,
                Actor::system(),
                Entry {
                    action: "room.retention",
                    target: Some(("room", room.id.to_string())),
                    reason: "",
                    data: json!({ "days": days, "messages": removed }),
                },
            )
            .await?;
        }
        total += removed;
    }
    Ok(total)
}
