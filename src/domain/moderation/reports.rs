//! The moderation queue: any member reports a message with a reason; moderators resolve
//! or dismiss it, and what they did is kept with the report and in the audit log.

use std::{collections::HashMap, net::IpAddr};

use chrono::Utc;
use entity::{messages, reports, users};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    domain::views::{ReportView, UserRef},
    domain::{
        audit::{self, Actor, Entry},
        messages::message_get,
        rooms::require_member,
    },
    error::{AppError, AppResult, ErrorCode},
};

/// Where a report stands: open until a moderator resolves it (acting on it) or dismisses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    Open,
    Resolved,
    Dismissed,
}

impl ReportStatus {
    /// The stored and listed name (`GET /api/v1/moderation/reports?status=`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Resolved => "resolved",
            Self::Dismissed => "dismissed",
        }
    }
}

pub const REASON_MAX: usize = 1000;
pub const PAGE_MAX: u64 = 200;

fn text(input: &str, code: ErrorCode, required: bool) -> AppResult<String> {
    let text = input.trim();
    let count = text.chars().count();
    if (required && count == 0) || count > REASON_MAX {
        return Err(AppError::Invalid {
            code,
            args: vec![("max", REASON_MAX.to_string())],
        });
    }
    Ok(text.to_owned())
}

/// Reports a message of a room the reporter belongs to (once per message; not one's own).
pub async fn report_create(
    db: &impl ConnectionTrait,
    reporter: &users::Model,
    message_id: Uuid,
    reason: &str,
) -> AppResult<reports::Model> {
    let reason = text(reason, ErrorCode::ReportReasonInvalid, true)?;
    let message = message_get(db, message_id).await?;
    require_member(db, message.room_id, reporter.id).await?;
    if message.deleted_at.is_some() {
        return Err(AppError::Missing(ErrorCode::MessageNotFound));
    }
    if message.author_id == Some(reporter.id) {
        return Err(AppError::Invalid {
            code: ErrorCode::ReportOwnMessage,
            args: vec![],
        });
    }
    let existing = reports::Entity::find()
        .filter(reports::Column::MessageId.eq(message_id))
        .filter(reports::Column::ReporterId.eq(reporter.id))
        .one(db)
        .await?;
    if existing.is_some() {
        return Err(AppError::Conflict(ErrorCode::ReportDuplicate));
    }
    Ok(reports::Entity::insert(reports::ActiveModel {
        id: Set(Uuid::now_v7()),
        message_id: Set(message_id),
        room_id: Set(message.room_id),
        reporter_id: Set(reporter.id),
        reason: Set(reason),
        status: Set(ReportStatus::Open.as_str().to_owned()),
        handled_by: Set(None),
        handled_at: Set(None),
        action: Set(None),
        note: Set(String::new()),
        created_at: Set(Utc::now()),
    })
    .exec_with_returning(db)
    .await?)
}

/// Reports, newest first, optionally of one status; `before` (a report id) pages back.
pub async fn reports_list(
    db: &impl ConnectionTrait,
    status: Option<&str>,
    before: Option<Uuid>,
    limit: u64,
) -> AppResult<Vec<reports::Model>> {
    let mut query = reports::Entity::find();
    if let Some(status) = status {
        query = query.filter(reports::Column::Status.eq(status));
    }
    if let Some(before) = before {
        query = query.filter(reports::Column::Id.lt(before));
    }
    Ok(query
        .order_by_desc(reports::Column::Id)
        .limit(limit.clamp(1, PAGE_MAX))
        .all(db)
        .await?)
}

/// An open report, or `report.not_found` / `report.closed`.
pub async fn report_open(db: &impl ConnectionTrait, id: Uuid) -> AppResult<reports::Model> {
    let report = reports::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::Missing(ErrorCode::ReportNotFound))?;
    if report.status != ReportStatus::Open.as_str() {
        return Err(AppError::Conflict(ErrorCode::ReportClosed));
    }
    Ok(report)
}

/// Closes a report as `resolved` or `dismissed`, recording who, what and why.
pub async fn report_close<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    ip: Option<IpAddr>,
    report: reports::Model,
    resolved: bool,
    action: &str,
    note: &str,
) -> AppResult<reports::Model> {
    let note = text(note, ErrorCode::ReportNoteInvalid, false)?;
    let status = if resolved {
        ReportStatus::Resolved
    } else {
        ReportStatus::Dismissed
    };
    let txn = db.begin().await?;
    audit::audit_record(
        &txn,
        Actor::user(actor.id, ip),
        Entry {
            action: if resolved {
                "report.resolve"
            } else {
                "report.dismiss"
            },
            target: Some(("report", report.id.to_string())),
            reason: &note,
            data: json!({ "message_id": report.message_id, "action": action }),
        },
    )
    .await?;
    let mut active: reports::ActiveModel = report.into();
    active.status = Set(status.as_str().to_owned());
    active.handled_by = Set(Some(actor.id));
    active.handled_at = Set(Some(Utc::now()));
    active.action = Set(Some(action.to_owned()));
    active.note = Set(note);
    let report = active.update(&txn).await?;
    txn.commit().await?;
    Ok(report)
}

/// Wire views of reports, with the message as it is now and the people involved.
pub async fn report_views(
    db: &impl ConnectionTrait,
    list: Vec<reports::Model>,
) -> AppResult<Vec<ReportView>> {
    let message_ids: Vec<Uuid> = list.iter().map(|r| r.message_id).collect();
    let messages: HashMap<Uuid, messages::Model> = messages::Entity::find()
        .filter(messages::Column::Id.is_in(message_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut people: Vec<Uuid> = list
        .iter()
        .flat_map(|r| [Some(r.reporter_id), r.handled_by])
        .flatten()
        .chain(messages.values().filter_map(|m| m.author_id))
        .collect();
    people.sort_unstable();
    people.dedup();
    let people: HashMap<Uuid, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(people))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let person = |id: Option<Uuid>| id.and_then(|id| people.get(&id)).map(UserRef::from);
    Ok(list
        .into_iter()
        .map(|report| {
            let message = messages.get(&report.message_id);
            ReportView {
                id: report.id,
                message_id: report.message_id,
                room_id: report.room_id,
                author: person(message.and_then(|m| m.author_id)),
                body: message.map(|m| m.body.clone()).unwrap_or_default(),
                message_deleted: message.is_none_or(|m| m.deleted_at.is_some()),
                reporter: person(Some(report.reporter_id)),
                reason: report.reason,
                status: report.status,
                handled_by: person(report.handled_by),
                handled_at: report.handled_at,
                action: report.action,
                note: report.note,
                created_at: report.created_at,
            }
        })
        .collect())
}
