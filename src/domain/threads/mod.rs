//! Threads as people read them: a thread's page, a room's threads, the threads one follows
//! with what is unread, and following or marking read by hand. Replies themselves are
//! messages (`messages::thread`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{messages, thread_follows, users};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    domain::{
        messages::{
            HISTORY_LIMIT_MAX, message_get, message_views, seq_page,
            thread::{follow_upsert, unread_of},
        },
        rooms::require_member,
        views::{ThreadPage, ThreadView},
    },
    error::{AppError, AppResult, ErrorCode},
};

/// Thread lists: at most this many per page, this many without `limit`.
pub const LIST_MAX: u64 = 100;
pub const LIST_DEFAULT: u64 = 50;

/// The root of a thread the user may read (a member of its room): a reply is no root
/// (`message.not_found`); others than members get what room history gives them.
async fn readable_root(
    db: &impl ConnectionTrait,
    user: &users::Model,
    root_id: Uuid,
) -> AppResult<messages::Model> {
    let root = message_get(db, root_id).await?;
    if root.thread_id.is_some() {
        return Err(AppError::Missing(ErrorCode::MessageNotFound));
    }
    require_member(db, root.room_id, user.id).await?;
    Ok(root)
}

/// A page of a thread: its root and replies, the latest (or those before `before_seq`), or
/// those after `after_seq`; oldest first, as room history.
pub async fn thread_page(
    db: &impl ConnectionTrait,
    user: &users::Model,
    root_id: Uuid,
    before_seq: Option<i64>,
    after_seq: Option<i64>,
    limit: u64,
) -> AppResult<ThreadPage> {
    let root = readable_root(db, user, root_id).await?;
    let limit = limit.clamp(1, HISTORY_LIMIT_MAX);
    let query = messages::Entity::find().filter(messages::Column::ThreadId.eq(root.id));
    let list = seq_page(db, query, before_seq, after_seq, limit).await?;
    let root = message_views(db, vec![root]).await?.remove(0);
    Ok(ThreadPage {
        root,
        replies: message_views(db, list).await?,
    })
}

/// Views of `roots` for `user`, with their follow state, in the given order.
async fn thread_views(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    roots: Vec<messages::Model>,
) -> AppResult<Vec<ThreadView>> {
    let follows: HashMap<Uuid, i64> = thread_follows::Entity::find()
        .filter(thread_follows::Column::UserId.eq(user_id))
        .filter(thread_follows::Column::RootId.is_in(roots.iter().map(|r| r.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.root_id, f.last_read_seq))
        .collect();
    let mut views = Vec::with_capacity(roots.len());
    for root in message_views(db, roots).await? {
        let (following, unread, last_read_seq) = match follows.get(&root.id) {
            Some(&seq) => (true, unread_of(db, root.id, user_id, seq).await?, seq),
            None => (false, 0, 0),
        };
        views.push(ThreadView {
            root,
            following,
            unread,
            last_read_seq,
        });
    }
    Ok(views)
}

/// One thread's state for `user_id` (after a follow or read change).
pub async fn thread_view(
    db: &impl ConnectionTrait,
    user: &users::Model,
    root_id: Uuid,
) -> AppResult<ThreadView> {
    let root = readable_root(db, user, root_id).await?;
    Ok(thread_views(db, user.id, vec![root]).await?.remove(0))
}

/// A room's threads, latest activity first; `before_seq` pages on (the last one's
/// `root.thread`'s latest reply seq, which is what it is ordered by).
pub async fn room_threads(
    db: &impl ConnectionTrait,
    user: &users::Model,
    room_id: Uuid,
    before_seq: Option<i64>,
    limit: u64,
) -> AppResult<Vec<ThreadView>> {
    require_member(db, room_id, user.id).await?;
    let mut query = messages::Entity::find()
        .filter(messages::Column::RoomId.eq(room_id))
        .filter(messages::Column::ThreadLastSeq.is_not_null());
    if let Some(before) = before_seq {
        query = query.filter(messages::Column::ThreadLastSeq.lt(before));
    }
    let roots = query
        .order_by_desc(messages::Column::ThreadLastSeq)
        .limit(limit.clamp(1, LIST_MAX))
        .all(db)
        .await?;
    thread_views(db, user.id, roots).await
}

/// The threads `user` follows in rooms they still belong to: unread ones first, then by
/// latest activity; `offset` pages on.
pub async fn my_threads(
    db: &impl ConnectionTrait,
    user: &users::Model,
    offset: u64,
    limit: u64,
) -> AppResult<Vec<ThreadView>> {
    let follows = thread_follows::Entity::find()
        .filter(thread_follows::Column::UserId.eq(user.id))
        .all(db)
        .await?;
    let rooms: Vec<Uuid> = entity::room_members::Entity::find()
        .select_only()
        .column(entity::room_members::Column::RoomId)
        .filter(entity::room_members::Column::UserId.eq(user.id))
        .into_tuple()
        .all(db)
        .await?;
    let follows: Vec<_> = follows
        .into_iter()
        .filter(|f| rooms.contains(&f.room_id))
        .collect();
    let roots: HashMap<Uuid, messages::Model> = messages::Entity::find()
        .filter(messages::Column::Id.is_in(follows.iter().map(|f| f.root_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut ranked = Vec::with_capacity(follows.len());
    for follow in &follows {
        let Some(root) = roots.get(&follow.root_id) else {
            continue;
        };
        let unread = unread_of(db, root.id, user.id, follow.last_read_seq).await?;
        ranked.push((unread > 0, root.thread_last_seq.unwrap_or(root.seq), root));
    }
    ranked.sort_by_key(|(unread, latest, _)| std::cmp::Reverse((*unread, *latest)));
    let page: Vec<messages::Model> = ranked
        .into_iter()
        .skip(offset as usize)
        .take(limit.clamp(1, LIST_MAX) as usize)
        .map(|(_, _, root)| root.clone())
        .collect();
    thread_views(db, user.id, page).await
}

/// Follows (`true`) or unfollows a thread by hand. A new follow has read everything so far.
/// Returns the thread's state and whether anything changed.
pub async fn follow_set(
    db: &impl ConnectionTrait,
    user: &users::Model,
    root_id: Uuid,
    follow: bool,
    now: DateTime<Utc>,
) -> AppResult<(ThreadView, bool)> {
    let root = readable_root(db, user, root_id).await?;
    let changed = if follow {
        let exists = thread_follows::Entity::find_by_id((user.id, root.id))
            .one(db)
            .await?
            .is_some();
        if !exists {
            let seq = root.thread_last_seq.unwrap_or(root.seq);
            follow_upsert(db, user.id, &root, seq, now, false).await?;
        }
        !exists
    } else {
        thread_follows::Entity::delete_by_id((user.id, root.id))
            .exec(db)
            .await?
            .rows_affected
            > 0
    };
    Ok((
        thread_views(db, user.id, vec![root]).await?.remove(0),
        changed,
    ))
}

/// Moves the user's read position in a followed thread forward to `seq` (never back, never
/// past the room's last seq). Not following: `thread.not_following`.
pub async fn read_mark(
    db: &impl ConnectionTrait,
    user: &users::Model,
    root_id: Uuid,
    seq: i64,
) -> AppResult<(ThreadView, bool)> {
    let root = readable_root(db, user, root_id).await?;
    let follow = thread_follows::Entity::find_by_id((user.id, root.id))
        .one(db)
        .await?
        .ok_or(AppError::Conflict(ErrorCode::ThreadNotFollowing))?;
    let seq = seq.min(root.thread_last_seq.unwrap_or(root.seq));
    let moved = seq > follow.last_read_seq;
    if moved {
        thread_follows::Entity::update_many()
            .col_expr(
                thread_follows::Column::LastReadSeq,
                sea_orm::sea_query::Expr::value(seq),
            )
            .filter(thread_follows::Column::UserId.eq(user.id))
            .filter(thread_follows::Column::RootId.eq(root.id))
            .filter(thread_follows::Column::LastReadSeq.lt(seq))
            .exec(db)
            .await?;
    }
    Ok((
        thread_views(db, user.id, vec![root]).await?.remove(0),
        moved,
    ))
}
