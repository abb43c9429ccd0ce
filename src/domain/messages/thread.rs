//! Threads, as sending and showing a message needs them: a reply names its root
//! (`messages.thread_id`), a top-level message of the same room, and is otherwise a message
//! like any other (its own seq and `message.created` event). Who follows a thread, and how
//! far they have read it, is `thread_follows`; reading and following threads is the
//! `threads` noun's.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{messages, thread_follows, users};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    domain::views::{MessageView, ThreadSummary, UserRef},
    error::{AppError, AppResult, ErrorCode},
};

/// The chat page's address of a message, as mail and push links open it: its room at the
/// message, and for a reply kept in its thread (the room's timeline does not show it) that
/// thread too.
pub fn page_address(
    room_id: Uuid,
    message_id: Uuid,
    seq: i64,
    thread_id: Option<Uuid>,
    also_to_room: bool,
) -> String {
    match thread_id.filter(|_| !also_to_room) {
        Some(thread_id) => {
            format!("/#room={room_id}&message={message_id}&seq={seq}&thread={thread_id}")
        }
        None => format!("/#room={room_id}&message={message_id}&seq={seq}"),
    }
}

/// How many repliers a root's summary names.
pub const REPLIERS_MAX: usize = 5;
/// Where a message being sent goes in a thread.
#[derive(Debug, Clone, Copy)]
pub struct Thread {
    /// The root's id.
    pub root: Uuid,
    /// Also show the reply in the room's main timeline.
    pub also_to_room: bool,
}

/// The root a reply may go under: a live top-level message of `room_id`.
pub async fn root_for_reply(
    db: &impl ConnectionTrait,
    room_id: Uuid,
    root_id: Uuid,
) -> AppResult<messages::Model> {
    let invalid = || AppError::Invalid {
        code: ErrorCode::ThreadRootInvalid,
        args: vec![],
    };
    let root = messages::Entity::find_by_id(root_id)
        .one(db)
        .await?
        .filter(|root| root.room_id == room_id && root.deleted_at.is_none())
        .ok_or_else(invalid)?;
    if root.thread_id.is_some() {
        return Err(AppError::Invalid {
            code: ErrorCode::ThreadNested,
            args: vec![],
        });
    }
    Ok(root)
}

/// What a reply changes for followers, inside its transaction: the replier follows (and has
/// read up to their reply), those it names follow, and the root's author follows when this
/// is the first reply. Returns who follows now apart from the replier, and whose follow
/// state changed (with their read position).
pub async fn on_reply(
    txn: &impl ConnectionTrait,
    root: &messages::Model,
    replier: Uuid,
    seq: i64,
    named: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<(Vec<Uuid>, Vec<(Uuid, i64)>)> {
    let before: Vec<Uuid> = follower_ids(txn, root.id).await?;
    let mut changed = vec![(replier, seq)];
    follow_upsert(txn, replier, root, seq, now, true).await?;
    let mut newcomers: Vec<Uuid> = named.to_vec();
    if root.thread_last_seq.is_none() {
        newcomers.extend(root.author_id);
    }
    newcomers.sort_unstable();
    newcomers.dedup();
    for user_id in newcomers {
        if user_id == replier || before.contains(&user_id) {
            continue;
        }
        // Unread from the start: everything after the root.
        follow_upsert(txn, user_id, root, root.seq, now, false).await?;
        changed.push((user_id, root.seq));
    }
    let mut followers = follower_ids(txn, root.id).await?;
    followers.retain(|id| *id != replier);
    Ok((followers, changed))
}

async fn follower_ids(db: &impl ConnectionTrait, root_id: Uuid) -> AppResult<Vec<Uuid>> {
    Ok(thread_follows::Entity::find()
        .select_only()
        .column(thread_follows::Column::UserId)
        .filter(thread_follows::Column::RootId.eq(root_id))
        .into_tuple()
        .all(db)
        .await?)
}

/// Follows `root` as `user_id`, read up to `seq`; with `move_read`, an existing follow's read
/// position moves there too.
pub async fn follow_upsert(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    root: &messages::Model,
    seq: i64,
    now: DateTime<Utc>,
    move_read: bool,
) -> AppResult<()> {
    let mut conflict = OnConflict::columns([
        thread_follows::Column::UserId,
        thread_follows::Column::RootId,
    ]);
    if move_read {
        conflict.update_column(thread_follows::Column::LastReadSeq);
    } else {
        conflict.do_nothing();
    }
    thread_follows::Entity::insert(thread_follows::ActiveModel {
        user_id: Set(user_id),
        root_id: Set(root.id),
        room_id: Set(root.room_id),
        last_read_seq: Set(seq),
        created_at: Set(now),
    })
    .on_conflict(conflict.to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Summaries of the roots among `ids` that have replies.
pub async fn summaries(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, ThreadSummary>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    // Every reply's (thread, author, seq, time): a root's replies are read once per page of
    // roots, newest first, which gives the count, the last time and the latest repliers.
    let replies: Vec<(Option<Uuid>, Option<Uuid>, DateTime<Utc>)> = messages::Entity::find()
        .select_only()
        .column(messages::Column::ThreadId)
        .column(messages::Column::AuthorId)
        .column(messages::Column::CreatedAt)
        .filter(messages::Column::ThreadId.is_in(ids.iter().copied()))
        .order_by_desc(messages::Column::Seq)
        .into_tuple()
        .all(db)
        .await?;
    if replies.is_empty() {
        return Ok(HashMap::new());
    }
    let mut partial: HashMap<Uuid, (u64, DateTime<Utc>, Vec<Uuid>)> = HashMap::new();
    for (thread_id, author_id, created_at) in replies {
        let Some(thread_id) = thread_id else { continue };
        let entry = partial
            .entry(thread_id)
            .or_insert_with(|| (0, created_at, vec![]));
        entry.0 += 1;
        if let Some(author) = author_id {
            if entry.2.len() < REPLIERS_MAX && !entry.2.contains(&author) {
                entry.2.push(author);
            }
        }
    }
    let people: HashMap<Uuid, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(partial.values().flat_map(|(_, _, ids)| ids.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(partial
        .into_iter()
        .map(|(root, (reply_count, last_reply_at, repliers))| {
            let repliers = repliers
                .iter()
                .filter_map(|id| people.get(id))
                .map(UserRef::from)
                .collect();
            (
                root,
                ThreadSummary {
                    reply_count,
                    last_reply_at,
                    repliers,
                },
            )
        })
        .collect())
}

/// Replies by others than `user_id` after `after_seq`.
pub async fn unread_of(
    db: &impl ConnectionTrait,
    root_id: Uuid,
    user_id: Uuid,
    after_seq: i64,
) -> AppResult<u64> {
    Ok(messages::Entity::find()
        .filter(messages::Column::ThreadId.eq(root_id))
        .filter(messages::Column::Seq.gt(after_seq))
        .filter(
            messages::Column::AuthorId
                .ne(user_id)
                .or(messages::Column::AuthorId.is_null()),
        )
        .count(db)
        .await?)
}

/// Puts each root's summary on its view.
pub async fn summaries_attach(
    db: &impl ConnectionTrait,
    views: &mut [MessageView],
) -> AppResult<()> {
    let roots: Vec<Uuid> = views
        .iter()
        .filter(|v| v.thread_id.is_none())
        .map(|v| v.id)
        .collect();
    let mut found = summaries(db, &roots).await?;
    for view in views {
        view.thread = found.remove(&view.id);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::page_address;

    #[test]
    fn a_reply_kept_in_its_thread_is_addressed_in_its_thread() {
        let (room, message, root) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let plain = format!("/#room={room}&message={message}&seq=7");
        assert_eq!(page_address(room, message, 7, None, false), plain);
        assert_eq!(page_address(room, message, 7, Some(root), true), plain);
        assert_eq!(
            page_address(room, message, 7, Some(root), false),
            format!("{plain}&thread={root}")
        );
    }
}
