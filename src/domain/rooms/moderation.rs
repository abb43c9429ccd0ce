//! Keeping a room civil: mute (read, not write), kick, lock (read-only), and the rule that
//! decides who may write. Every action is checked by [`check_may_act_on`] and recorded in
//! the audit log in its own transaction.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use entity::{room_members, rooms, users};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use super::{
    may_moderate, membership, require_member, room_get, room_updated,
    timeline::{EventKind, RoomEvent, event_append},
};
use crate::domain::rooms::kinds::{MemberRole, RoomKind};
use crate::{
    domain::views::UserRef,
    domain::{
        audit::{self, Actor, Entry},
        users::Role,
    },
    error::{AppError, AppResult, ErrorCode},
};

/// Longest mute: a year.
pub const MUTE_MINUTES_MAX: i64 = 525_600;
/// Longest retention that can be set: ten years.
pub const DAYS_MAX: i32 = 3650;

/// How much say someone has in a room: global staff above the room's own.
fn rank(user: &users::Model, member: Option<&room_members::Model>) -> u8 {
    let global = match Role::of(user) {
        Role::Admin => 4,
        Role::Moderator => 3,
        Role::Member => 0,
    };
    let local = match member.map(MemberRole::of) {
        Some(MemberRole::Owner) => 2,
        Some(MemberRole::Moderator) => 1,
        Some(MemberRole::Member) | None => 0,
    };
    global.max(local)
}

/// The one check for acting on a member of a room: the actor moderates the room and
/// outranks the target (never themselves).
pub fn check_may_act_on(
    room: &rooms::Model,
    actor: &users::Model,
    actor_member: Option<&room_members::Model>,
    target: &users::Model,
    target_member: Option<&room_members::Model>,
) -> AppResult<()> {
    if RoomKind::of(room) == RoomKind::Direct {
        return Err(AppError::Forbidden(ErrorCode::Forbidden));
    }
    check_outranks(actor, actor_member, target, target_member)
}

/// The rank rule alone, for acting on someone's content as well as on the person: the actor
/// moderates (globally or in the room) and ranks above the target, never themselves. A
/// moderator may not delete an admin's message any more than kick the admin.
pub fn check_outranks(
    actor: &users::Model,
    actor_member: Option<&room_members::Model>,
    target: &users::Model,
    target_member: Option<&room_members::Model>,
) -> AppResult<()> {
    if !may_moderate(actor, actor_member) {
        return Err(AppError::Forbidden(ErrorCode::Forbidden));
    }
    if actor.id == target.id {
        return Err(AppError::Forbidden(ErrorCode::ModerationSelf));
    }
    if rank(actor, actor_member) <= rank(target, target_member) {
        return Err(AppError::Forbidden(ErrorCode::ModerationOutranked));
    }
    Ok(())
}

/// The room and membership of someone about to write (send, edit, react, vote, type,
/// upload): a member, not muted, and the room not locked (its moderators may still write).
pub async fn require_writer(
    db: &impl ConnectionTrait,
    room_id: Uuid,
    user: &users::Model,
) -> AppResult<(rooms::Model, room_members::Model)> {
    let (room, member) = require_member(db, room_id, user.id).await?;
    if room.locked_at.is_some() && !may_moderate(user, Some(&member)) {
        return Err(AppError::Forbidden(ErrorCode::RoomLocked));
    }
    if let Some(until) = member.muted_until.filter(|until| *until > Utc::now()) {
        return Err(AppError::Denied {
            code: ErrorCode::RoomMuted,
            args: vec![("until", until.format("%Y-%m-%d %H:%M UTC").to_string())],
        });
    }
    Ok((room, member))
}

/// Loads what a member action needs and checks it.
async fn member_action(
    db: &impl ConnectionTrait,
    actor: &users::Model,
    room_id: Uuid,
    target: &users::Model,
) -> AppResult<(rooms::Model, room_members::Model)> {
    let room = room_get(db, room_id).await?;
    let actor_member = membership(db, room_id, actor.id).await?;
    let target_member = membership(db, room_id, target.id).await?;
    check_may_act_on(
        &room,
        actor,
        actor_member.as_ref(),
        target,
        target_member.as_ref(),
    )?;
    let target_member = target_member.ok_or(AppError::Missing(ErrorCode::RoomMemberNotFound))?;
    Ok((room, target_member))
}

/// Mutes `target` in the room for `minutes` (they keep reading), or lifts it (`None`).
pub async fn member_mute<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    ip: Option<IpAddr>,
    room_id: Uuid,
    target: &users::Model,
    minutes: Option<i64>,
    reason: &str,
) -> AppResult<room_members::Model> {
    let (_, member) = member_action(db, actor, room_id, target).await?;
    let until: Option<DateTime<Utc>> = match minutes {
        Some(m) if (1..=MUTE_MINUTES_MAX).contains(&m) => Some(Utc::now() + Duration::minutes(m)),
        Some(_) => {
            return Err(AppError::Invalid {
                code: ErrorCode::ModerationDurationInvalid,
                args: vec![("max", MUTE_MINUTES_MAX.to_string())],
            });
        }
        None => None,
    };
    let txn = db.begin().await?;
    audit::audit_record(
        &txn,
        Actor::user(actor.id, ip),
        Entry {
            action: if until.is_some() {
                "room.mute"
            } else {
                "room.unmute"
            },
            target: Some(("user", target.id.to_string())),
            reason,
            data: json!({ "room_id": room_id, "username": target.username, "until": until }),
        },
    )
    .await?;
    let mut active: room_members::ActiveModel = member.into();
    active.muted_until = Set(until);
    let member = active.update(&txn).await?;
    txn.commit().await?;
    Ok(member)
}

/// Removes `target` from the room. They may come back the way anyone joins (an invite code
/// for a private room); keeping someone out for good is a ban.
pub async fn member_kick<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    ip: Option<IpAddr>,
    room_id: Uuid,
    target: &users::Model,
    reason: &str,
) -> AppResult<RoomEvent> {
    member_action(db, actor, room_id, target).await?;
    let txn = db.begin().await?;
    audit::audit_record(
        &txn,
        Actor::user(actor.id, ip),
        Entry {
            action: "room.kick",
            target: Some(("user", target.id.to_string())),
            reason,
            data: json!({ "room_id": room_id, "username": target.username }),
        },
    )
    .await?;
    room_members::Entity::delete_by_id((room_id, target.id))
        .exec(&txn)
        .await?;
    let event = event_append(
        &txn,
        room_id,
        EventKind::MemberLeft,
        &json!({
            "user": UserRef::from(target),
            "kicked_by": UserRef::from(actor),
            "reason": reason,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(event)
}

/// A change to a room's moderation settings.
#[derive(Debug, Clone, Copy)]
pub enum RoomSetting {
    /// Read-only for members (`true`), or writable again.
    Locked(bool),
    /// Keep messages this many days (`None`: forever).
    RetentionDays(Option<i32>),
    /// Members, not only moderators and owners, may pin messages.
    MembersCanPin(bool),
}

/// Changes a room's moderation settings (room owners and moderators, global staff) and
/// announces the room as `room.updated`.
pub async fn room_setting<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    ip: Option<IpAddr>,
    room_id: Uuid,
    setting: RoomSetting,
    reason: &str,
) -> AppResult<(rooms::Model, RoomEvent)> {
    let room = room_get(db, room_id).await?;
    let member = membership(db, room_id, actor.id).await?;
    if RoomKind::of(&room) == RoomKind::Direct || !may_moderate(actor, member.as_ref()) {
        return Err(AppError::Forbidden(ErrorCode::Forbidden));
    }
    if let RoomSetting::RetentionDays(Some(days)) = setting {
        if !(1..=DAYS_MAX).contains(&days) {
            return Err(AppError::Invalid {
                code: ErrorCode::RoomRetentionInvalid,
                args: vec![("max", DAYS_MAX.to_string())],
            });
        }
    }
    let (action, data) = match setting {
        RoomSetting::Locked(true) => ("room.lock", json!({ "name": room.name })),
        RoomSetting::Locked(false) => ("room.unlock", json!({ "name": room.name })),
        RoomSetting::RetentionDays(days) => (
            "room.retention_set",
            json!({ "name": room.name, "from": room.retention_days, "to": days }),
        ),
        RoomSetting::MembersCanPin(allowed) => (
            "room.members_can_pin",
            json!({ "name": room.name, "to": allowed }),
        ),
    };
    let txn = db.begin().await?;
    audit::audit_record(
        &txn,
        Actor::user(actor.id, ip),
        Entry {
            action,
            target: Some(("room", room_id.to_string())),
            reason,
            data,
        },
    )
    .await?;
    let mut active: rooms::ActiveModel = room.into();
    match setting {
        RoomSetting::Locked(locked) => active.locked_at = Set(locked.then(Utc::now)),
        RoomSetting::RetentionDays(days) => active.retention_days = Set(days),
        RoomSetting::MembersCanPin(allowed) => active.members_can_pin = Set(allowed),
    }
    active.updated_at = Set(Utc::now());
    let room = active.update(&txn).await?;
    let event = room_updated(&txn, &room).await?;
    txn.commit().await?;
    Ok((room, event))
}
