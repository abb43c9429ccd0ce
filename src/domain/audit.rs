//! The audit log: who did what to whom, why, when and from where. Every moderation and
//! admin action writes one entry in the same transaction as the action itself, so the log
//! cannot miss an action that happened. Entries are never updated or deleted.

use std::net::IpAddr;

use chrono::Utc;
use entity::audit_log;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value;
use uuid::Uuid;

use crate::error::AppResult;

/// Largest page of the log.
pub const PAGE_MAX: u64 = 200;

/// Who acted: a user (or the system when `user` is absent) and their address.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user: Option<Uuid>,
    pub ip: Option<IpAddr>,
}

impl Actor {
    pub fn user(id: Uuid, ip: Option<IpAddr>) -> Self {
        Self { user: Some(id), ip }
    }

    pub fn system() -> Self {
        Self {
            user: None,
            ip: None,
        }
    }
}

/// One entry to write.
#[derive(Debug)]
pub struct Entry<'a> {
    pub action: &'static str,
    /// `(kind, id)` of what was acted on.
    pub target: Option<(&'static str, String)>,
    pub reason: &'a str,
    pub data: Value,
}

/// Appends an entry. Run it on the transaction of the action it records.
pub async fn audit_record(
    db: &impl ConnectionTrait,
    actor: Actor,
    entry: Entry<'_>,
) -> AppResult<()> {
    let (target_type, target_id) = entry
        .target
        .map_or((None, None), |(kind, id)| (Some(kind.to_owned()), Some(id)));
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(actor.user),
        action: Set(entry.action.to_owned()),
        target_type: Set(target_type),
        target_id: Set(target_id),
        reason: Set(entry.reason.chars().take(1000).collect()),
        ip: Set(actor.ip.map(|ip| ip.to_string())),
        data: Set(entry.data.to_string()),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Which entries to list.
#[derive(Debug, Default)]
pub struct AuditFilter {
    pub actor: Option<Uuid>,
    /// An action (`user.ban`) or a prefix ending in a dot (`user.`).
    pub action: Option<String>,
    pub target: Option<String>,
    /// Entries older than this entry id (paging back).
    pub before: Option<Uuid>,
    pub limit: u64,
}

/// Entries, newest first.
pub async fn audit_list(
    db: &impl ConnectionTrait,
    filter: AuditFilter,
) -> AppResult<Vec<audit_log::Model>> {
    let mut query = audit_log::Entity::find();
    if let Some(actor) = filter.actor {
        query = query.filter(audit_log::Column::ActorId.eq(actor));
    }
    if let Some(action) = filter.action {
        query = if action.ends_with('.') {
            query.filter(audit_log::Column::Action.starts_with(&action))
        } else {
            query.filter(audit_log::Column::Action.eq(action))
        };
    }
    if let Some(target) = filter.target {
        query = query.filter(audit_log::Column::TargetId.eq(target));
    }
    if let Some(before) = filter.before {
        query = query.filter(audit_log::Column::Id.lt(before));
    }
    Ok(query
        .order_by_desc(audit_log::Column::Id)
        .limit(filter.limit.clamp(1, PAGE_MAX))
        .all(db)
        .await?)
}
