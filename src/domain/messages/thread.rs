//! Threads: a reply names its root (`messages.thread_id`), a top-level message of the same
//! room, and is otherwise a message like any other (its own seq and `message.created`
//! event). Who follows a thread, and how far they have read it, is `thread_follows`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{messages, thread_follows, users};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::OnConflict,
};
use uuid::Uuid;

use super::{HISTORY_LIMIT_MAX, message_get, message_views};
use crate::{
    domain::{
        rooms::require_member,
        views::{MessageView, ThreadPage, ThreadSummary, ThreadView, UserRef},
    },
    error::{AppError, AppResult, ErrorCode},
};

/// How many repliers a root's summary names.
pub const REPLIERS_MAX: usize = 5;
/// Thread lists: at most this many per page, this many without `limit`.
pub const LIST_MAX: u64 = 100;
pub const LIST_DEFAULT: u64 = 50;

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
async fn follow_upsert(
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
    let mut query = messages::Entity::find().filter(messages::Column::ThreadId.eq(root.id));
    let list = if let Some(after) = after_seq {
        query = query.filter(messages::Column::Seq.gt(after));
        query
            .order_by_asc(messages::Column::Seq)
            .limit(limit)
            .all(db)
            .await?
    } else {
        if let Some(before) = before_seq {
            query = query.filter(messages::Column::Seq.lt(before));
        }
        let mut page = query
            .order_by_desc(messages::Column::Seq)
            .limit(limit)
            .all(db)
            .await?;
        page.reverse();
        page
    };
    let root = message_views(db, vec![root]).await?.remove(0);
    Ok(ThreadPage {
        root,
        replies: message_views(db, list).await?,
    })
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
    ranked.sort_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)));
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
    Ok((thread_views(db, user.id, vec![root]).await?.remove(0), changed))
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
    Ok((thread_views(db, user.id, vec![root]).await?.remove(0), moved))
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
