//! Forwarding: a message copied into another room the forwarder can write in, sent like any
//! message (its own seq, mentions, previews, search, the inbox) and carrying a snapshot of
//! where it came from.
//!
//! What the snapshot shows and to whom:
//! - the source room's name and kind, the author's names and the original time are what was
//!   forwarded: everyone in the target room sees them;
//! - a direct conversation is never named (its name would be the other person's): it reads
//!   "a direct conversation". The author of the forwarded message is shown, as the
//!   forwarder chose to pass their words on;
//! - the source room and message ids (the link) are added per viewer, only for one who is a
//!   member of the source room now, and only to REST answers: the `message.created` frame
//!   and the stored event log carry the snapshot without the link, and a viewer who may see
//!   the source fetches the message (or the room's history) to get it;
//! - attachments are copied as new file rows of the target room sharing the stored
//!   contents, so the target room's members read them only through the copies' ids: the
//!   source's file ids stay closed to anyone outside the source room.

use std::collections::{HashMap, HashSet};

use entity::{files as file_rows, message_forwards, messages, users};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    domain::{
        files,
        messages::{body::MessageBody, kind::MessageKind},
        rooms::{kinds::RoomKind, membership, room_get},
        views::{ForwardedFrom, MessageView},
    },
    error::{AppError, AppResult, ErrorCode},
};

/// What a forwarded copy takes from its source, read before the copy is sent.
pub struct Source {
    /// The snapshot to store with the copy (its `message_id` is set when stored).
    pub(super) snapshot: message_forwards::Model,
    pub(super) body: Option<MessageBody>,
    pub(super) files: Vec<file_rows::Model>,
}

impl Source {
    /// The bytes the copies of the source's files add to the forwarder's stored files.
    pub fn files_size(&self) -> u64 {
        self.files.iter().map(|f| f.size.max(0) as u64).sum()
    }

    /// The body the copy carries (none when the source was only files).
    pub fn body_ref(&self) -> Option<&MessageBody> {
        self.body.as_ref()
    }

    pub(super) fn file_names(&self) -> Vec<String> {
        self.files.iter().map(|f| f.name.clone()).collect()
    }

    /// Stores the snapshot for `copy` and copies the source's files onto it, inside the
    /// copy's transaction.
    pub(super) async fn record(
        &self,
        txn: &impl ConnectionTrait,
        forwarder: &users::Model,
        copy: &messages::Model,
    ) -> AppResult<()> {
        let s = &self.snapshot;
        message_forwards::Entity::insert(message_forwards::ActiveModel {
            message_id: Set(copy.id),
            source_room_id: Set(s.source_room_id),
            source_message_id: Set(s.source_message_id),
            room_name: Set(s.room_name.clone()),
            room_kind: Set(s.room_kind.clone()),
            author_username: Set(s.author_username.clone()),
            author_display_name: Set(s.author_display_name.clone()),
            original_created_at: Set(s.original_created_at),
        })
        .exec_without_returning(txn)
        .await?;
        files::attachments::copy_to_message(
            txn,
            &self.files,
            forwarder.id,
            copy.room_id,
            copy.id,
            copy.created_at,
        )
        .await
    }
}

/// The message `user` asks to forward, if they may see it: a member of its room, the
/// message not deleted. Anything else is `message.not_found`, so forwarding tells nobody
/// that a message exists. Polls and system messages are not forwarded.
pub async fn forward_source(
    db: &impl ConnectionTrait,
    user: &users::Model,
    message_id: Uuid,
) -> AppResult<Source> {
    let missing = || AppError::Missing(ErrorCode::MessageNotFound);
    let message = messages::Entity::find_by_id(message_id)
        .one(db)
        .await?
        .filter(|m| m.deleted_at.is_none())
        .ok_or_else(missing)?;
    if membership(db, message.room_id, user.id).await?.is_none() {
        return Err(missing());
    }
    if MessageKind::of(&message) != Some(MessageKind::Text) {
        return Err(AppError::Invalid {
            code: ErrorCode::MessageNotForwardable,
            args: vec![],
        });
    }
    let room = room_get(db, message.room_id).await?;
    let kind = RoomKind::of(&room);
    let author = match message.author_id {
        Some(id) => users::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let files = file_rows::Entity::find()
        .filter(file_rows::Column::MessageId.eq(message.id))
        .all(db)
        .await?;
    let body = MessageBody::parse_optional(&message.body)?;
    Ok(Source {
        snapshot: message_forwards::Model {
            message_id: Uuid::nil(),
            source_room_id: room.id,
            source_message_id: message.id,
            room_name: if kind == RoomKind::Direct {
                String::new()
            } else {
                room.name
            },
            room_kind: kind.as_str().to_owned(),
            author_username: author.as_ref().map(|a| a.username.clone()),
            author_display_name: author.map(|a| a.display_name),
            original_created_at: message.created_at,
        },
        body,
        files,
    })
}

/// Whether `message_id` is a forwarded copy.
pub(super) async fn is_forwarded(db: &impl ConnectionTrait, message_id: Uuid) -> AppResult<bool> {
    Ok(message_forwards::Entity::find_by_id(message_id)
        .one(db)
        .await?
        .is_some())
}

/// Snapshots of the forwarded copies among `message_ids`, without links.
pub(super) async fn snapshots(
    db: &impl ConnectionTrait,
    message_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, ForwardedFrom>> {
    if message_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(message_forwards::Entity::find()
        .filter(message_forwards::Column::MessageId.is_in(message_ids.iter().copied()))
        .all(db)
        .await?
        .iter()
        .map(|f| (f.message_id, ForwardedFrom::new(f)))
        .collect())
}

/// Adds the link (source room and message ids) to the forwarded copies among `views` whose
/// source room `viewer_id` is a member of now.
pub async fn links_for(
    db: &impl ConnectionTrait,
    viewer_id: Uuid,
    views: &mut [MessageView],
) -> AppResult<()> {
    let ids: Vec<Uuid> = views
        .iter()
        .filter(|v| v.forwarded_from.is_some())
        .map(|v| v.id)
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let rows: HashMap<Uuid, message_forwards::Model> = message_forwards::Entity::find()
        .filter(message_forwards::Column::MessageId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.message_id, f))
        .collect();
    let source_rooms: HashSet<Uuid> = rows.values().map(|f| f.source_room_id).collect();
    let mut visible = HashSet::new();
    for room_id in source_rooms {
        if membership(db, room_id, viewer_id).await?.is_some() {
            visible.insert(room_id);
        }
    }
    for view in views {
        let (Some(from), Some(row)) = (view.forwarded_from.as_mut(), rows.get(&view.id)) else {
            continue;
        };
        if visible.contains(&row.source_room_id) {
            from.room_id = Some(row.source_room_id);
            from.message_id = Some(row.source_message_id);
        }
    }
    Ok(())
}

/// One message as `viewer` sees it over REST, link included when they may follow it.
pub async fn view_for(
    db: &impl ConnectionTrait,
    viewer_id: Uuid,
    view: MessageView,
) -> AppResult<MessageView> {
    let mut views = [view];
    links_for(db, viewer_id, &mut views).await?;
    let [view] = views;
    Ok(view)
}
