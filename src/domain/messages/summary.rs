//! A room as one member sees it in their list: unread counts, unread mentions and the
//! last message. It reads messages, so it lives here rather than in `rooms`, which
//! messages build on.

use entity::{mentions, messages, room_members, rooms, users};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, sea_query::Condition,
};

use super::message_views;
use crate::domain::rooms::kinds::{MemberRole, RoomKind};
use crate::{
    domain::rooms::{may_moderate, member_count},
    domain::views::{RoomView, UserRef},
    error::AppResult,
};

/// The user's rooms with unread counts and last message, most recently active first.
pub async fn rooms_for_user(
    db: &impl ConnectionTrait,
    user: &users::Model,
) -> AppResult<Vec<RoomView>> {
    let memberships = room_members::Entity::find()
        .filter(room_members::Column::UserId.eq(user.id))
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(memberships.len());
    for member in memberships {
        let Some(room) = rooms::Entity::find_by_id(member.room_id).one(db).await? else {
            continue;
        };
        views.push((
            room.updated_at,
            room_view_for(db, &room, Some(&member), user).await?,
        ));
    }
    views.sort_by_key(|(updated_at, _)| std::cmp::Reverse(*updated_at));
    Ok(views.into_iter().map(|(_, view)| view).collect())
}

/// Messages of the room's timeline: not thread replies, unless also sent to the room.
fn in_timeline() -> Condition {
    Condition::any()
        .add(messages::Column::ThreadId.is_null())
        .add(messages::Column::AlsoToRoom.eq(true))
}

/// A room as `viewer` sees it (unread counts, invite code for owners, DM peer).
pub async fn room_view_for(
    db: &impl ConnectionTrait,
    room: &rooms::Model,
    member: Option<&room_members::Model>,
    viewer: &users::Model,
) -> AppResult<RoomView> {
    let mut view = RoomView::basic(room, member_count(db, room.id).await?);
    let Some(member) = member else {
        return Ok(view);
    };
    view.last_read_seq = member.last_read_seq;
    // A reply kept in its thread is no message of the room's timeline: its unread state is
    // the thread's (`/threads`), not the room's.
    view.unread = messages::Entity::find()
        .filter(messages::Column::RoomId.eq(room.id))
        .filter(messages::Column::Seq.gt(member.last_read_seq))
        .filter(messages::Column::DeletedAt.is_null())
        .filter(in_timeline())
        .filter(
            messages::Column::AuthorId
                .ne(viewer.id)
                .or(messages::Column::AuthorId.is_null()),
        )
        .count(db)
        .await?;
    view.unread_mentions = mentions::Entity::find()
        .filter(mentions::Column::RoomId.eq(room.id))
        .filter(mentions::Column::UserId.eq(viewer.id))
        .filter(mentions::Column::Seq.gt(member.last_read_seq))
        .filter(
            mentions::Column::MessageId.in_subquery(
                messages::Entity::find()
                    .select_only()
                    .column(messages::Column::Id)
                    .filter(messages::Column::RoomId.eq(room.id))
                    .filter(messages::Column::Seq.gt(member.last_read_seq))
                    .filter(in_timeline())
                    .into_query(),
            ),
        )
        .count(db)
        .await?;
    let last = messages::Entity::find()
        .filter(messages::Column::RoomId.eq(room.id))
        .filter(messages::Column::DeletedAt.is_null())
        .filter(in_timeline())
        .order_by_desc(messages::Column::Seq)
        .one(db)
        .await?;
    if let Some(last) = last {
        view.last_message = message_views(db, vec![last]).await?.pop();
    }
    if may_moderate(viewer, Some(member)) || MemberRole::of(member) == MemberRole::Owner {
        view.invite_code = room.invite_code.clone();
    }
    if RoomKind::of(room) == RoomKind::Direct {
        let peer = room_members::Entity::find()
            .filter(room_members::Column::RoomId.eq(room.id))
            .filter(room_members::Column::UserId.ne(viewer.id))
            .one(db)
            .await?;
        if let Some(peer) = peer {
            view.peer = users::Entity::find_by_id(peer.user_id)
                .one(db)
                .await?
                .as_ref()
                .map(UserRef::from);
        }
    }
    Ok(view)
}
