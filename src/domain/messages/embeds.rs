//! Link previews under messages: stored per message in link order, shown in the message's
//! view, changed only by a `message.embeds` event (previews fetched after sending, or one
//! removed by the author), and gone with the message.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::{message_embeds, messages, room_events, users};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait, sea_query::Expr,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    domain::{
        rooms::timeline::{EventKind, RoomEvent, event_append},
        views::EmbedView,
    },
    error::{AppError, AppResult, ErrorCode},
};

/// The `data` of `message.embeds`. `message_id` comes first: a deleted message's events
/// are found by that prefix.
#[derive(Debug, Serialize)]
pub struct EmbedsChanged {
    pub message_id: Uuid,
    pub embeds: Vec<EmbedView>,
}

/// What a link's page offered, ready to be stored under a message.
#[derive(Debug, Clone, Default)]
pub struct Preview {
    pub url: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub site_name: Option<String>,
    pub image: Option<PreviewImage>,
}

/// A stored preview picture.
#[derive(Debug, Clone)]
pub struct PreviewImage {
    pub sha256: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
}

/// A link of a message and its preview, if the page gave one.
#[derive(Debug)]
pub struct Link {
    pub url: String,
    pub preview: Option<Preview>,
}

/// The shown previews of these messages, in link order.
pub async fn views_for_messages(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<EmbedView>>> {
    let mut views: HashMap<Uuid, Vec<EmbedView>> = HashMap::new();
    if ids.is_empty() {
        return Ok(views);
    }
    let rows = message_embeds::Entity::find()
        .filter(message_embeds::Column::MessageId.is_in(ids.iter().copied()))
        .filter(message_embeds::Column::Removed.eq(false))
        .order_by_asc(message_embeds::Column::Position)
        .all(db)
        .await?;
    for row in rows {
        views
            .entry(row.message_id)
            .or_default()
            .push(EmbedView::new(&row));
    }
    Ok(views)
}

/// URLs the author took previews away from: never fetched again for this message.
pub async fn removed_urls(
    db: &impl ConnectionTrait,
    message_id: Uuid,
) -> AppResult<HashSet<String>> {
    Ok(message_embeds::Entity::find()
        .filter(message_embeds::Column::MessageId.eq(message_id))
        .filter(message_embeds::Column::Removed.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.url)
        .collect())
}

/// Replaces the message's previews with those of `links` (the links of `body`, in order),
/// keeping the author's removals. The event is appended only when something is or was
/// shown; `None` also when the message was deleted or edited again meanwhile (the fetch
/// for the newer text stores its own).
pub async fn embeds_store<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    message_id: Uuid,
    body: &str,
    links: Vec<Link>,
) -> AppResult<(Vec<EmbedView>, Option<RoomEvent>)> {
    let txn = db.begin().await?;
    let message = message_get(&txn, message_id).await?;
    if message.deleted_at.is_some() || message.body != body {
        return Ok((vec![], None));
    }
    let removed = removed_urls(&txn, message_id).await?;
    let shown_before = views_for_messages(&txn, &[message_id])
        .await?
        .remove(&message_id)
        .unwrap_or_default();
    message_embeds::Entity::delete_many()
        .filter(message_embeds::Column::MessageId.eq(message_id))
        .exec(&txn)
        .await?;
    let now = Utc::now();
    let rows: Vec<message_embeds::ActiveModel> = links
        .into_iter()
        .enumerate()
        .filter_map(|(position, link)| {
            let gone = removed.contains(&link.url);
            let preview = match (gone, link.preview) {
                (true, _) => Preview {
                    url: link.url,
                    ..Preview::default()
                },
                (false, Some(preview)) => preview,
                (false, None) => return None,
            };
            let image = preview.image.as_ref();
            Some(message_embeds::ActiveModel {
                message_id: Set(message_id),
                position: Set(position as i32),
                url: Set(preview.url.clone()),
                title: Set(preview.title.clone()),
                description: Set(preview.description.clone()),
                site_name: Set(preview.site_name.clone()),
                image_sha256: Set(image.map(|i| i.sha256.clone())),
                image_mime: Set(image.map(|i| i.mime.clone())),
                image_width: Set(image.map(|i| i.width)),
                image_height: Set(image.map(|i| i.height)),
                removed: Set(gone),
                created_at: Set(now),
            })
        })
        .collect();
    if !rows.is_empty() {
        message_embeds::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    let embeds = views_for_messages(&txn, &[message_id])
        .await?
        .remove(&message_id)
        .unwrap_or_default();
    if embeds.is_empty() && shown_before.is_empty() {
        txn.commit().await?;
        return Ok((embeds, None));
    }
    let event = embeds_event(&txn, &message, embeds.clone()).await?;
    txn.commit().await?;
    Ok((embeds, Some(event)))
}

/// The author takes the preview at `position` away; the room is told the previews left.
pub async fn embed_remove<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    message_id: Uuid,
    position: i32,
) -> AppResult<(Vec<EmbedView>, RoomEvent)> {
    let message = message_get(db, message_id).await?;
    crate::domain::rooms::require_member(db, message.room_id, actor.id)
        .await
        .map_err(|_| AppError::Missing(ErrorCode::MessageNotFound))?;
    if message.deleted_at.is_some() {
        return Err(AppError::Missing(ErrorCode::MessageNotFound));
    }
    if message.author_id != Some(actor.id) {
        return Err(AppError::Forbidden(ErrorCode::MessageNotAuthor));
    }
    let txn = db.begin().await?;
    let updated = message_embeds::Entity::update_many()
        .col_expr(message_embeds::Column::Removed, Expr::value(true))
        .filter(message_embeds::Column::MessageId.eq(message_id))
        .filter(message_embeds::Column::Position.eq(position))
        .filter(message_embeds::Column::Removed.eq(false))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::Missing(ErrorCode::EmbedNotFound));
    }
    let embeds = views_for_messages(&txn, &[message_id])
        .await?
        .remove(&message_id)
        .unwrap_or_default();
    let event = embeds_event(&txn, &message, embeds.clone()).await?;
    txn.commit().await?;
    Ok((embeds, event))
}

/// A shown preview whose picture `user` may see (members of the message's room).
pub async fn embed_readable(
    db: &impl ConnectionTrait,
    user: &users::Model,
    message_id: Uuid,
    position: i32,
) -> AppResult<message_embeds::Model> {
    let message = message_get(db, message_id).await?;
    if crate::domain::rooms::membership(db, message.room_id, user.id)
        .await?
        .is_none()
    {
        return Err(AppError::Missing(ErrorCode::MessageNotFound));
    }
    message_embeds::Entity::find_by_id((message_id, position))
        .one(db)
        .await?
        .filter(|embed| !embed.removed && embed.image_sha256.is_some())
        .ok_or(AppError::Missing(ErrorCode::EmbedNotFound))
}

/// The message (not through `super`, which imports this module: no file cycle).
async fn message_get(db: &impl ConnectionTrait, id: Uuid) -> AppResult<messages::Model> {
    messages::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::Missing(ErrorCode::MessageNotFound))
}

async fn embeds_event(
    db: &impl ConnectionTrait,
    message: &messages::Model,
    embeds: Vec<EmbedView>,
) -> AppResult<RoomEvent> {
    event_append(
        db,
        message.room_id,
        EventKind::MessageEmbeds,
        &EmbedsChanged {
            message_id: message.id,
            embeds,
        },
    )
    .await
}

/// A message is being deleted (inside its transaction): its previews go, and its earlier
/// `message.embeds` events are emptied, so a replay shows none of what it linked to. The
/// events keep their seq: resuming clients must not see a gap.
pub async fn embeds_forget(db: &impl ConnectionTrait, message: &messages::Model) -> AppResult<()> {
    message_embeds::Entity::delete_many()
        .filter(message_embeds::Column::MessageId.eq(message.id))
        .exec(db)
        .await?;
    let emptied = serde_json::to_string(&EmbedsChanged {
        message_id: message.id,
        embeds: vec![],
    })
    .map_err(|e| AppError::Internal(e.into()))?;
    let prefix = format!("{{\"message_id\":\"{}\",", message.id);
    room_events::Entity::update_many()
        .col_expr(room_events::Column::Payload, Expr::value(emptied))
        .filter(room_events::Column::RoomId.eq(message.room_id))
        .filter(room_events::Column::Kind.eq(EventKind::MessageEmbeds.as_str()))
        .filter(room_events::Column::Payload.starts_with(&prefix))
        .exec(db)
        .await?;
    Ok(())
}
