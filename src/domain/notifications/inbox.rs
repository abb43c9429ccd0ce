//! The inbox: one row per (person, message) that asked for them, written with the message
//! ([`Writer`]), read and paged by its owner, marked read one by one, all at once, or by
//! reading the room.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::{
    blocks, messages, notification_rooms, notifications, room_members, rooms, scheduled_messages,
    users,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    Kind,
    decide::decide,
    digest::needs_digest,
    keywords::matches_any,
    prefs::{preferences_of, room_preferences_of},
};
use crate::{
    domain::{
        messages::{Asked, Inbox, message_views},
        rooms::kinds::RoomKind,
        text,
        views::{MessageView, NotificationRoom, NotificationView, ScheduledMessageView},
    },
    error::{AppError, AppResult, ErrorCode},
};

/// A page holds at most this many rows.
pub const PAGE_MAX: u64 = 100;
pub const PAGE_DEFAULT: u64 = 50;

/// Writes the inbox rows of a message being sent, at `now` (the server's clock).
pub struct Writer {
    pub now: DateTime<Utc>,
}

impl Inbox for Writer {
    type Written = Vec<notifications::Model>;

    async fn write(
        &self,
        txn: &DatabaseTransaction,
        asked: Asked<'_>,
    ) -> AppResult<Vec<notifications::Model>> {
        let author = asked.author.id;
        let mut members: Vec<Uuid> = room_members::Entity::find()
            .select_only()
            .column(room_members::Column::UserId)
            .filter(room_members::Column::RoomId.eq(asked.room.id))
            .filter(room_members::Column::UserId.ne(author))
            .into_tuple()
            .all(txn)
            .await?;
        if let Some(only) = asked.only {
            members.retain(|id| only.contains(id));
            if members.is_empty() {
                return Ok(vec![]);
            }
            // Already told of this message (their level is "all"): one row per message.
            let told: Vec<Uuid> = notifications::Entity::find()
                .select_only()
                .column(notifications::Column::UserId)
                .filter(notifications::Column::MessageId.eq(asked.message.id))
                .filter(notifications::Column::UserId.is_in(members.iter().copied()))
                .into_tuple()
                .all(txn)
                .await?;
            members.retain(|id| !told.contains(id));
        }
        if members.is_empty() {
            return Ok(vec![]);
        }
        // Whoever blocked the author hears nothing of them.
        let blocking: Vec<Uuid> = blocks::Entity::find()
            .select_only()
            .column(blocks::Column::BlockerId)
            .filter(blocks::Column::BlockedId.eq(author))
            .filter(blocks::Column::BlockerId.is_in(members.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        members.retain(|id| !blocking.contains(id));
        let defaults = preferences_of(txn, &members).await?;
        let overrides = room_preferences_of(txn, asked.room.id, &members).await?;
        let quiet: Vec<Uuid> = defaults
            .iter()
            .filter(|(_, prefs)| prefs.quiet_hours.is_some())
            .map(|(id, _)| *id)
            .collect();
        let zones = time_zones(txn, &quiet).await?;
        let words = text::tokens(asked.prose);
        let direct = RoomKind::of(asked.room) == RoomKind::Direct;
        let in_timeline = asked.message.thread_id.is_none() || asked.message.also_to_room;
        let mut rows = Vec::new();
        for member in members {
            let prefs = defaults.get(&member).cloned().unwrap_or_default();
            // A reply kept in its thread is no message of the main timeline: level `all`
            // does not ask for it, following the thread does.
            let mut reasons = if in_timeline {
                vec![Kind::Message]
            } else {
                vec![]
            };
            if asked.thread_followers.contains(&member) {
                reasons.push(Kind::Thread);
            }
            if asked.named.contains(&member) {
                reasons.push(Kind::Mention);
            }
            if asked.replied_to == Some(member) {
                reasons.push(Kind::Reply);
            }
            if direct {
                reasons.push(Kind::Direct);
            }
            match asked.special {
                Some(("room", reached)) if reached.contains(&member) => reasons.push(Kind::Room),
                Some((_, reached)) if reached.contains(&member) => reasons.push(Kind::Here),
                _ => {}
            }
            if matches_any(&prefs.keywords, &words) {
                reasons.push(Kind::Keyword);
            }
            let room = overrides.get(&member).copied().unwrap_or_default();
            let tz = zones.get(&member).copied().unwrap_or(Tz::UTC);
            let Some(decision) = decide(&reasons, &prefs, &room, tz, self.now) else {
                continue;
            };
            rows.push(notifications::Model {
                id: Uuid::now_v7(),
                user_id: member,
                kind: decision.kind.as_str().to_owned(),
                room_id: asked.room.id,
                message_id: Some(asked.message.id),
                seq: Some(asked.message.seq),
                created_at: self.now,
                read_at: None,
                alert: decision.alert,
                held_until: decision.held_until,
                digested_at: (!needs_digest(decision.kind, decision.alert)).then_some(self.now),
                pushed_at: None,
                push_claim: None,
                push_claimed_until: None,
                push_attempts: 0,
                push_next_at: None,
                scheduled_id: None,
                error_code: None,
            });
        }
        insert(txn, &rows).await?;
        Ok(rows)
    }
}

async fn insert(db: &impl ConnectionTrait, rows: &[notifications::Model]) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    notifications::Entity::insert_many(rows.iter().map(|row| notifications::ActiveModel {
        id: Set(row.id),
        user_id: Set(row.user_id),
        kind: Set(row.kind.clone()),
        room_id: Set(row.room_id),
        message_id: Set(row.message_id),
        seq: Set(row.seq),
        created_at: Set(row.created_at),
        read_at: Set(None),
        alert: Set(row.alert),
        held_until: Set(row.held_until),
        digested_at: Set(row.digested_at),
        pushed_at: Set(None),
        push_claim: Set(None),
        push_claimed_until: Set(None),
        push_attempts: Set(0),
        push_next_at: Set(None),
        scheduled_id: Set(row.scheduled_id),
        error_code: Set(row.error_code.clone()),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Tells `user_id` that their scheduled message `scheduled_id` to `room_id` was refused
/// with `code`: a `scheduled_failed` row, decided like a mention (it reaches the inbox even
/// in a muted room, silently there; quiet hours hold its alert). Run it in the transaction
/// that marks the scheduled message failed. `None` when the room is gone: there is nothing
/// for the row to hang off, and the scheduled list still shows the failure.
pub async fn scheduled_failed_write(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    room_id: Uuid,
    scheduled_id: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<notifications::Model>> {
    if rooms::Entity::find_by_id(room_id).one(db).await?.is_none() {
        return Ok(None);
    }
    let prefs = preferences_of(db, &[user_id])
        .await?
        .remove(&user_id)
        .unwrap_or_default();
    let room = room_preferences_of(db, room_id, &[user_id])
        .await?
        .remove(&user_id)
        .unwrap_or_default();
    let tz = time_zones(db, &[user_id])
        .await?
        .remove(&user_id)
        .unwrap_or(Tz::UTC);
    let Some(decision) = decide(&[Kind::ScheduledFailed], &prefs, &room, tz, now) else {
        return Ok(None);
    };
    let row = notifications::Model {
        id: Uuid::now_v7(),
        user_id,
        kind: decision.kind.as_str().to_owned(),
        room_id,
        message_id: None,
        seq: None,
        created_at: now,
        read_at: None,
        alert: decision.alert,
        held_until: decision.held_until,
        digested_at: (!needs_digest(decision.kind, decision.alert)).then_some(now),
        pushed_at: None,
        push_claim: None,
        push_claimed_until: None,
        push_attempts: 0,
        push_next_at: None,
        scheduled_id: Some(scheduled_id),
        error_code: Some(code.to_owned()),
    };
    insert(db, std::slice::from_ref(&row)).await?;
    Ok(Some(row))
}

/// The time zones of those who set one (others are taken as UTC).
async fn time_zones(db: &impl ConnectionTrait, user_ids: &[Uuid]) -> AppResult<HashMap<Uuid, Tz>> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let zones: Vec<(Uuid, Option<String>)> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Timezone)
        .filter(users::Column::Id.is_in(user_ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(zones
        .into_iter()
        .filter_map(|(id, zone)| Some((id, zone?.parse::<Tz>().ok()?)))
        .collect())
}

/// A row as its owner sees it, with the room and the message (or, for
/// `scheduled_failed`, the scheduled message) as they are now.
pub fn view(
    row: &notifications::Model,
    room: &rooms::Model,
    message: Option<MessageView>,
    scheduled: Option<ScheduledMessageView>,
) -> NotificationView {
    NotificationView {
        id: row.id,
        kind: row.kind.clone(),
        room: NotificationRoom {
            id: room.id,
            name: room.name.clone(),
            kind: room.kind.clone(),
        },
        message,
        scheduled,
        error_code: row.error_code.clone(),
        created_at: row.created_at,
        read: row.read_at.is_some(),
    }
}

/// The rows as their owner sees them (rows whose message is gone are left out).
pub async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<notifications::Model>,
) -> AppResult<Vec<NotificationView>> {
    let list = messages::Entity::find()
        .filter(messages::Column::Id.is_in(rows.iter().filter_map(|r| r.message_id)))
        .all(db)
        .await?;
    let mut by_id: HashMap<Uuid, MessageView> = message_views(db, list)
        .await?
        .into_iter()
        .map(|view| (view.id, view))
        .collect();
    let scheduled: HashMap<Uuid, ScheduledMessageView> = scheduled_messages::Entity::find()
        .filter(scheduled_messages::Column::Id.is_in(rows.iter().filter_map(|r| r.scheduled_id)))
        .all(db)
        .await?
        .iter()
        .map(|row| (row.id, ScheduledMessageView::from(row)))
        .collect();
    let rooms: HashMap<Uuid, rooms::Model> = rooms::Entity::find()
        .filter(rooms::Column::Id.is_in(rows.iter().map(|r| r.room_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|room| (room.id, room))
        .collect();
    Ok(rows
        .iter()
        .filter_map(|row| {
            let room = rooms.get(&row.room_id)?;
            match row.message_id {
                Some(message_id) => {
                    let message = by_id.remove(&message_id)?;
                    Some(view(row, room, Some(message), None))
                }
                None => {
                    let found = row.scheduled_id.and_then(|id| scheduled.get(&id)).cloned();
                    Some(view(row, room, None, found))
                }
            }
        })
        .collect())
}

/// One page of the inbox, newest first.
pub struct Page {
    pub items: Vec<NotificationView>,
    pub unread_count: u64,
    /// Pass as `before` for the next page; absent on the last.
    pub next_before: Option<Uuid>,
}

/// The person's notifications older than `before` (all, or only unread ones).
pub async fn inbox_page(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    before: Option<Uuid>,
    limit: u64,
    unread_only: bool,
) -> AppResult<Page> {
    let limit = limit.clamp(1, PAGE_MAX);
    let mut query = notifications::Entity::find().filter(notifications::Column::UserId.eq(user_id));
    if let Some(before) = before {
        query = query.filter(notifications::Column::Id.lt(before));
    }
    if unread_only {
        query = query.filter(notifications::Column::ReadAt.is_null());
    }
    let mut rows = query
        .order_by_desc(notifications::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_before = more.then(|| rows.last().map(|row| row.id)).flatten();
    Ok(Page {
        items: views(db, rows).await?,
        unread_count: unread_count(db, user_id).await?,
        next_before,
    })
}

/// How many of the person's notifications are unread.
pub async fn unread_count(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<u64> {
    Ok(notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Unread counts of several people at once (those with none are left out).
pub async fn unread_counts(
    db: &impl ConnectionTrait,
    user_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    let counts: Vec<(Uuid, i64)> = notifications::Entity::find()
        .select_only()
        .column(notifications::Column::UserId)
        .column_as(notifications::Column::Id.count(), "unread")
        .filter(notifications::Column::UserId.is_in(user_ids.iter().copied()))
        .filter(notifications::Column::ReadAt.is_null())
        .group_by(notifications::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(id, count)| (id, count.max(0) as u64))
        .collect())
}

/// Marks the ids among `ids` read at `now`. Returns those that were unread.
async fn mark(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    ids: Vec<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(ids);
    }
    notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(now))
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::Id.is_in(ids.iter().copied()))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(ids)
}

fn unread_of(user_id: Uuid) -> sea_orm::Select<notifications::Entity> {
    notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::ReadAt.is_null())
}

async fn ids_of(
    db: &impl ConnectionTrait,
    query: sea_orm::Select<notifications::Entity>,
) -> AppResult<Vec<Uuid>> {
    Ok(query
        .select_only()
        .column(notifications::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// Marks one of the person's notifications read; `notification.not_found` if it is not
/// theirs. Returns its room, and whether it was unread.
pub async fn read_one(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<(Uuid, bool)> {
    let row = notifications::Entity::find_by_id(id)
        .filter(notifications::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(AppError::Missing(ErrorCode::NotificationNotFound))?;
    let was_unread = row.read_at.is_none();
    if was_unread {
        mark(db, user_id, vec![id], now).await?;
    }
    Ok((row.room_id, was_unread))
}

/// Marks every unread notification of the person read (in one room, with `room_id`).
/// Returns the ids it marked.
pub async fn read_all(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    room_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Uuid>> {
    let mut query = unread_of(user_id);
    if let Some(room_id) = room_id {
        query = query.filter(notifications::Column::RoomId.eq(room_id));
    }
    let ids = ids_of(db, query).await?;
    mark(db, user_id, ids, now).await
}

/// The person read the room up to `seq`: their notifications there up to it are read.
/// Returns the ids it marked.
pub async fn read_room_upto(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    room_id: Uuid,
    seq: i64,
    now: DateTime<Utc>,
) -> AppResult<Vec<Uuid>> {
    let query = unread_of(user_id)
        .filter(notifications::Column::RoomId.eq(room_id))
        .filter(notifications::Column::Seq.lte(seq));
    let ids = ids_of(db, query).await?;
    mark(db, user_id, ids, now).await
}

/// The person is no longer in the room (left, or kicked): its notifications and their
/// override for it go, since they point at messages they can no longer read. Returns the
/// ids removed.
pub async fn room_forget(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    room_id: Uuid,
) -> AppResult<Vec<Uuid>> {
    let ids = ids_of(
        db,
        notifications::Entity::find()
            .filter(notifications::Column::UserId.eq(user_id))
            .filter(notifications::Column::RoomId.eq(room_id)),
    )
    .await?;
    notifications::Entity::delete_many()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::RoomId.eq(room_id))
        .exec(db)
        .await?;
    notification_rooms::Entity::delete_many()
        .filter(notification_rooms::Column::UserId.eq(user_id))
        .filter(notification_rooms::Column::RoomId.eq(room_id))
        .exec(db)
        .await?;
    Ok(ids)
}
