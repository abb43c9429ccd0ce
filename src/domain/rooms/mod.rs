//! Rooms, membership and direct conversations.

pub mod kinds;
pub mod moderation;
pub mod name;
pub mod timeline;

use chrono::Utc;
use entity::{room_members, rooms, users};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::json;
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

use self::kinds::{MemberRole, RoomKind};
pub use self::name::{NAME_MAX, RoomName};
use self::timeline::{EventKind, RoomEvent, event_append};
use crate::{
    domain::views::{RoomView, UserRef},
    domain::{
        audit,
        users::{Role, blocks},
    },
    error::{AppError, AppResult, ErrorCode},
};

pub const TOPIC_MAX: usize = 500;
/// Rooms up to this size show read receipts to their members.
pub const SMALL_ROOM: u64 = 50;
/// The room every install starts with.
pub const GENERAL: &str = "general";
const GENERAL_CLAIM: &str = "room.general";
/// Unambiguous characters (no 0/O, 1/I/l) so codes survive being read aloud.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 6;

/// Room kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Private,
}

fn room_topic(input: &str) -> AppResult<String> {
    let topic: String = input.trim().nfc().collect();
    if topic.chars().count() > TOPIC_MAX {
        return Err(AppError::Invalid {
            code: ErrorCode::RoomTopicTooLong,
            args: vec![("max", TOPIC_MAX.to_string())],
        });
    }
    Ok(topic)
}

fn invite_code() -> AppResult<String> {
    let mut random = [0u8; CODE_LEN];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("randomness: {e}"))?;
    Ok(random
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
        .collect())
}

/// The room, or `room.not_found`.
pub async fn room_get(db: &impl ConnectionTrait, room_id: Uuid) -> AppResult<rooms::Model> {
    rooms::Entity::find_by_id(room_id)
        .one(db)
        .await?
        .ok_or(AppError::Missing(ErrorCode::RoomNotFound))
}

/// The user's membership, if any.
pub async fn membership(
    db: &impl ConnectionTrait,
    room_id: Uuid,
    user_id: Uuid,
) -> AppResult<Option<room_members::Model>> {
    Ok(room_members::Entity::find_by_id((room_id, user_id))
        .one(db)
        .await?)
}

/// The room and the user's membership; non-members get `room.not_member` (or
/// `room.not_found` for rooms they could not know about: private and direct ones).
pub async fn require_member(
    db: &impl ConnectionTrait,
    room_id: Uuid,
    user_id: Uuid,
) -> AppResult<(rooms::Model, room_members::Model)> {
    let room = room_get(db, room_id).await?;
    match membership(db, room_id, user_id).await? {
        Some(member) => Ok((room, member)),
        None if RoomKind::of(&room) == RoomKind::Public => {
            Err(AppError::Forbidden(ErrorCode::RoomNotMember))
        }
        None => Err(AppError::Missing(ErrorCode::RoomNotFound)),
    }
}

/// Whether `user` may moderate `room` (room owner or moderator, or a global moderator).
pub fn may_moderate(user: &users::Model, member: Option<&room_members::Model>) -> bool {
    Role::of(user) >= Role::Moderator
        || member.is_some_and(|m| MemberRole::of(m) >= MemberRole::Moderator)
}

async fn member_insert(
    db: &impl ConnectionTrait,
    room_id: Uuid,
    user: &users::Model,
    role: MemberRole,
) -> AppResult<RoomEvent> {
    room_members::Entity::insert(room_members::ActiveModel {
        room_id: Set(room_id),
        user_id: Set(user.id),
        role: Set(role.as_str().to_owned()),
        joined_at: Set(Utc::now()),
        last_read_seq: Set(0),
        muted_until: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    event_append(
        db,
        room_id,
        EventKind::MemberJoined,
        &json!({ "user": UserRef::from(user), "role": role.as_str() }),
    )
    .await
}

/// Creates a room owned by `owner`, who joins it.
pub async fn room_create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    owner: &users::Model,
    name: RoomName,
    topic: &str,
    visibility: Visibility,
) -> AppResult<(rooms::Model, RoomEvent)> {
    let topic = room_topic(topic)?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let room = rooms::Entity::insert(rooms::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(match visibility {
            Visibility::Public => RoomKind::Public.as_str(),
            Visibility::Private => RoomKind::Private.as_str(),
        }
        .to_owned()),
        name: Set(name.into_string()),
        topic: Set(topic),
        owner_id: Set(Some(owner.id)),
        invite_code: Set(match visibility {
            Visibility::Private => Some(invite_code()?),
            Visibility::Public => None,
        }),
        direct_key: Set(None),
        locked_at: Set(None),
        retention_days: Set(None),
        members_can_pin: Set(false),
        last_seq: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    let joined = member_insert(&txn, room.id, owner, MemberRole::Owner).await?;
    txn.commit().await?;
    let room = room_get(db, room.id).await?;
    Ok((room, joined))
}

/// Joins a public room. Already a member: nothing happens (`None`).
pub async fn room_join<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user: &users::Model,
    room_id: Uuid,
) -> AppResult<(rooms::Model, Option<RoomEvent>)> {
    let room = room_get(db, room_id).await?;
    if membership(db, room_id, user.id).await?.is_some() {
        return Ok((room, None));
    }
    match RoomKind::of(&room) {
        RoomKind::Public => {}
        RoomKind::Private => return Err(AppError::Forbidden(ErrorCode::RoomInviteRequired)),
        RoomKind::Direct => return Err(AppError::Missing(ErrorCode::RoomNotFound)),
    }
    join_txn(db, user, room).await
}

/// The room an invite code opens, or `room.invite_invalid`.
pub async fn room_by_code(db: &impl ConnectionTrait, code: &str) -> AppResult<rooms::Model> {
    rooms::Entity::find()
        .filter(rooms::Column::InviteCode.eq(code.trim().to_uppercase()))
        .one(db)
        .await?
        .ok_or(AppError::Missing(ErrorCode::RoomInviteInvalid))
}

/// Joins a private (or public) room by its invite code.
pub async fn room_join_by_code<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user: &users::Model,
    code: &str,
) -> AppResult<(rooms::Model, Option<RoomEvent>)> {
    let room = room_by_code(db, code).await?;
    if membership(db, room.id, user.id).await?.is_some() {
        return Ok((room, None));
    }
    join_txn(db, user, room).await
}

async fn join_txn<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user: &users::Model,
    room: rooms::Model,
) -> AppResult<(rooms::Model, Option<RoomEvent>)> {
    let txn = db.begin().await?;
    match member_insert(&txn, room.id, user, MemberRole::Member).await {
        Ok(event) => {
            txn.commit().await?;
            Ok((room, Some(event)))
        }
        // Joined concurrently from another device: already a member, nothing to announce.
        Err(AppError::Conflict(_)) => Ok((room, None)),
        Err(err) => Err(err),
    }
}

/// Leaves a room.
pub async fn room_leave<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user: &users::Model,
    room_id: Uuid,
) -> AppResult<RoomEvent> {
    require_member(db, room_id, user.id).await?;
    let txn = db.begin().await?;
    room_members::Entity::delete_by_id((room_id, user.id))
        .exec(&txn)
        .await?;
    let event = event_append(
        &txn,
        room_id,
        EventKind::MemberLeft,
        &json!({ "user": UserRef::from(user) }),
    )
    .await?;
    txn.commit().await?;
    Ok(event)
}

/// Records `room.updated` with the room as it now is (inside the change's transaction).
pub async fn room_updated(db: &impl ConnectionTrait, room: &rooms::Model) -> AppResult<RoomEvent> {
    let count = member_count(db, room.id).await?;
    event_append(
        db,
        room.id,
        EventKind::RoomUpdated,
        &RoomView::basic(room, count),
    )
    .await
}

/// Whether `user` owns `room` or is global staff: who may change who can enter a room
/// (visibility, invite code) and delete it, which room moderators may not.
fn owns_or_staff(user: &users::Model, member: Option<&room_members::Model>) -> bool {
    Role::of(user) >= Role::Moderator
        || member.is_some_and(|m| MemberRole::of(m) == MemberRole::Owner)
}

/// Renames a room or changes its topic (owner, room moderators, global moderators), or its
/// visibility (owner and global moderators only). A room made private gets an invite code;
/// a room made public drops it (anyone may join a public room).
pub async fn room_update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    room_id: Uuid,
    name: Option<RoomName>,
    topic: Option<&str>,
    visibility: Option<Visibility>,
) -> AppResult<(rooms::Model, RoomEvent)> {
    let room = room_get(db, room_id).await?;
    let member = membership(db, room_id, actor.id).await?;
    if RoomKind::of(&room) == RoomKind::Direct || !may_moderate(actor, member.as_ref()) {
        return Err(AppError::Forbidden(ErrorCode::Forbidden));
    }
    if visibility.is_some() && !owns_or_staff(actor, member.as_ref()) {
        return Err(AppError::Forbidden(ErrorCode::Forbidden));
    }
    let topic = topic.map(room_topic).transpose()?;
    let txn = db.begin().await?;
    let had_code = room.invite_code.is_some();
    let mut active: rooms::ActiveModel = room.into();
    if let Some(name) = name {
        active.name = Set(name.into_string());
    }
    if let Some(topic) = topic {
        active.topic = Set(topic);
    }
    match visibility {
        Some(Visibility::Private) => {
            active.kind = Set(RoomKind::Private.as_str().to_owned());
            if !had_code {
                active.invite_code = Set(Some(invite_code()?));
            }
        }
        Some(Visibility::Public) => {
            active.kind = Set(RoomKind::Public.as_str().to_owned());
            active.invite_code = Set(None);
        }
        None => {}
    }
    let room = active.update(&txn).await?;
    let event = room_updated(&txn, &room).await?;
    txn.commit().await?;
    let room = room_get(db, room_id).await?;
    Ok((room, event))
}

/// Gives a private room a new invite code; the old one stops working.
pub async fn room_rotate_code(
    db: &impl ConnectionTrait,
    actor: &users::Model,
    room_id: Uuid,
) -> AppResult<rooms::Model> {
    let room = room_get(db, room_id).await?;
    let member = membership(db, room_id, actor.id).await?;
    if RoomKind::of(&room) != RoomKind::Private || !owns_or_staff(actor, member.as_ref()) {
        return Err(AppError::Forbidden(ErrorCode::Forbidden));
    }
    let mut active: rooms::ActiveModel = room.into();
    active.invite_code = Set(Some(invite_code()?));
    Ok(active.update(db).await?)
}

/// Deletes a room with its messages, files, polls and events (the database cascades), for
/// its owner or a global admin, recorded in the audit log. Returns the ids of those who were
/// members, to tell them.
pub async fn room_delete<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    ip: Option<std::net::IpAddr>,
    room_id: Uuid,
) -> AppResult<(rooms::Model, Vec<Uuid>)> {
    let room = room_get(db, room_id).await?;
    let member = membership(db, room_id, actor.id).await?;
    let is_owner = member
        .as_ref()
        .is_some_and(|m| MemberRole::of(m) == MemberRole::Owner);
    if member.is_none() && RoomKind::of(&room) != RoomKind::Public && Role::of(actor) < Role::Admin
    {
        // A private room is not there for those outside it.
        return Err(AppError::Missing(ErrorCode::RoomNotFound));
    }
    if RoomKind::of(&room) == RoomKind::Direct || !(is_owner || Role::of(actor) >= Role::Admin) {
        return Err(AppError::Forbidden(ErrorCode::Forbidden));
    }
    let members = member_ids(db, room_id).await?;
    let txn = db.begin().await?;
    audit::audit_record(
        &txn,
        audit::Actor::user(actor.id, ip),
        audit::Entry {
            action: "room.delete",
            target: Some(("room", room_id.to_string())),
            reason: "",
            data: json!({ "name": room.name, "kind": room.kind, "members": members.len() }),
        },
    )
    .await?;
    rooms::Entity::delete_by_id(room_id).exec(&txn).await?;
    txn.commit().await?;
    Ok((room, members))
}

pub async fn member_count(db: &impl ConnectionTrait, room_id: Uuid) -> AppResult<u64> {
    Ok(room_members::Entity::find()
        .filter(room_members::Column::RoomId.eq(room_id))
        .count(db)
        .await?)
}

/// Members with their accounts, owners first, then by username.
pub async fn room_members(
    db: &impl ConnectionTrait,
    room_id: Uuid,
) -> AppResult<Vec<(room_members::Model, users::Model)>> {
    let members = room_members::Entity::find()
        .filter(room_members::Column::RoomId.eq(room_id))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = members.iter().map(|m| m.user_id).collect();
    let users = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let mut pairs: Vec<_> = members
        .into_iter()
        .filter_map(|m| {
            let user = users.iter().find(|u| u.id == m.user_id)?.clone();
            Some((m, user))
        })
        .collect();
    pairs.sort_by(|(a, ua), (b, ub)| {
        (MemberRole::of(a) != MemberRole::Owner, &ua.username_key)
            .cmp(&(MemberRole::of(b) != MemberRole::Owner, &ub.username_key))
    });
    Ok(pairs)
}

/// The ids of the rooms a user is a member of.
pub async fn room_ids_of(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Vec<Uuid>> {
    Ok(room_members::Entity::find()
        .filter(room_members::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.room_id)
        .collect())
}

/// The ids of a room's members.
pub async fn member_ids(db: &impl ConnectionTrait, room_id: Uuid) -> AppResult<Vec<Uuid>> {
    Ok(room_members::Entity::find()
        .filter(room_members::Column::RoomId.eq(room_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}

/// Public rooms anyone can join, by name.
pub async fn rooms_public(db: &impl ConnectionTrait) -> AppResult<Vec<RoomView>> {
    let rooms = rooms::Entity::find()
        .filter(rooms::Column::Kind.eq("public"))
        .order_by_asc(rooms::Column::Name)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(rooms.len());
    for room in rooms {
        let count = member_count(db, room.id).await?;
        views.push(RoomView::basic(&room, count));
    }
    Ok(views)
}

/// The direct room of two users, created on first use. Refused if either blocked the other.
pub async fn dm_get_or_create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    me: &users::Model,
    other: &users::Model,
) -> AppResult<(rooms::Model, Vec<RoomEvent>)> {
    if me.id == other.id {
        return Err(AppError::Invalid {
            code: ErrorCode::DmSelf,
            args: vec![],
        });
    }
    if blocks::blocked_between(db, me.id, other.id).await? {
        return Err(AppError::Forbidden(ErrorCode::DmBlocked));
    }
    let (a, b) = if me.id < other.id {
        (me, other)
    } else {
        (other, me)
    };
    let key = format!("{}:{}", a.id, b.id);
    if let Some(room) = rooms::Entity::find()
        .filter(rooms::Column::DirectKey.eq(key.clone()))
        .one(db)
        .await?
    {
        return Ok((room, vec![]));
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let inserted = rooms::Entity::insert(rooms::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(RoomKind::Direct.as_str().to_owned()),
        name: Set(String::new()),
        topic: Set(String::new()),
        owner_id: Set(None),
        invite_code: Set(None),
        direct_key: Set(Some(key.clone())),
        last_seq: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        locked_at: Set(None),
        retention_days: Set(None),
        members_can_pin: Set(false),
    })
    .exec_with_returning(&txn)
    .await;
    let room = match inserted {
        Ok(room) => room,
        // Both opened it at the same moment: use the one that won.
        Err(err)
            if matches!(
                err.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            drop(txn);
            let room = rooms::Entity::find()
                .filter(rooms::Column::DirectKey.eq(key))
                .one(db)
                .await?
                .ok_or(AppError::Missing(ErrorCode::RoomNotFound))?;
            return Ok((room, vec![]));
        }
        Err(err) => return Err(err.into()),
    };
    let events = vec![
        member_insert(&txn, room.id, me, MemberRole::Member).await?,
        member_insert(&txn, room.id, other, MemberRole::Member).await?,
    ];
    txn.commit().await?;
    let room = room_get(db, room.id).await?;
    Ok((room, events))
}

/// Creates the `general` room once per install (a claim row makes it once even if renamed
/// or deleted later, and across nodes starting together).
pub async fn ensure_general_room(db: &impl ConnectionTrait) -> AppResult<()> {
    use entity::instance_state;
    use sea_orm::sea_query::OnConflict;
    let id = Uuid::now_v7();
    let claimed = instance_state::Entity::insert(instance_state::ActiveModel {
        name: Set(GENERAL_CLAIM.to_owned()),
        value: Set(id.to_string()),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(instance_state::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if claimed == 1 {
        let now = Utc::now();
        rooms::Entity::insert(rooms::ActiveModel {
            id: Set(id),
            kind: Set(RoomKind::Public.as_str().to_owned()),
            name: Set(GENERAL.to_owned()),
            topic: Set(String::new()),
            owner_id: Set(None),
            invite_code: Set(None),
            direct_key: Set(None),
            last_seq: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            locked_at: Set(None),
            retention_days: Set(None),
            members_can_pin: Set(false),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The id of the install's `general` room, if it still exists.
pub async fn general_room_id(db: &impl ConnectionTrait) -> AppResult<Option<Uuid>> {
    let claim = entity::instance_state::Entity::find_by_id(GENERAL_CLAIM)
        .one(db)
        .await?;
    let Some(id) = claim.and_then(|c| c.value.parse::<Uuid>().ok()) else {
        return Ok(None);
    };
    Ok(rooms::Entity::find_by_id(id).one(db).await?.map(|r| r.id))
}
