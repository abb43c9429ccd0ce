//! Files as the room sees them: attached to a message, listed, read by members, and
//! released with the message that showed them.

use std::collections::{HashMap, HashSet};

use entity::{blobs, files, messages, users};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    FileStore, ROOM_FILES_MAX,
    blobs::{Readable, blob_remove},
    types::{self, FileType},
};
use crate::{
    domain::rooms::require_member,
    domain::views::FileView,
    error::{AppError, AppResult, ErrorCode},
};

/// Attaches the author's unattached files of `room_id` to a new message. Run inside the
/// message's transaction, so a refused attachment sends nothing.
pub async fn attach(
    db: &impl ConnectionTrait,
    author_id: Uuid,
    room_id: Uuid,
    message_id: Uuid,
    file_ids: &[Uuid],
) -> AppResult<()> {
    let ids: HashSet<Uuid> = file_ids.iter().copied().collect();
    if ids.is_empty() {
        return Ok(());
    }
    let attached = files::Entity::update_many()
        .col_expr(files::Column::MessageId, Expr::value(message_id))
        .filter(files::Column::Id.is_in(ids.iter().copied()))
        .filter(files::Column::UploaderId.eq(author_id))
        .filter(files::Column::RoomId.eq(room_id))
        .filter(files::Column::MessageId.is_null())
        .exec(db)
        .await?
        .rows_affected;
    if attached != ids.len() as u64 {
        return Err(AppError::Invalid {
            code: ErrorCode::FileAttachmentInvalid,
            args: vec![],
        });
    }
    Ok(())
}

/// Gives a message (a forwarded copy) its own file rows for `sources`, in `room_id`, owned
/// by `uploader_id`, sharing the stored contents. Readers of the copy's room reach the bytes
/// only through these ids, and a content stays stored while any row refers to it, so
/// deleting either message leaves the other's files readable.
pub async fn copy_to_message(
    db: &impl ConnectionTrait,
    sources: &[files::Model],
    uploader_id: Uuid,
    room_id: Uuid,
    message_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let mut sources: Vec<&files::Model> = sources.iter().collect();
    // Copies keep the sources' order (views sort files by id).
    sources.sort_by_key(|f| f.id);
    for source in sources {
        files::Entity::insert(files::ActiveModel {
            id: Set(Uuid::now_v7()),
            sha256: Set(source.sha256.clone()),
            room_id: Set(room_id),
            uploader_id: Set(uploader_id),
            message_id: Set(Some(message_id)),
            name: Set(source.name.clone()),
            size: Set(source.size),
            mime: Set(source.mime.clone()),
            created_at: Set(now),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The names of these files (for the search text of the message they go with).
pub async fn names(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<String>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(files::Entity::find()
        .select_only()
        .column(files::Column::Name)
        .filter(files::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?)
}

/// The names of the files attached to a message.
pub async fn names_of_message(
    db: &impl ConnectionTrait,
    message_id: Uuid,
) -> AppResult<Vec<String>> {
    Ok(files::Entity::find()
        .select_only()
        .column(files::Column::Name)
        .filter(files::Column::MessageId.eq(message_id))
        .into_tuple()
        .all(db)
        .await?)
}

/// Attachment views per message, in upload order.
pub async fn views_for_messages(
    db: &impl ConnectionTrait,
    message_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<FileView>>> {
    if message_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list = files::Entity::find()
        .filter(files::Column::MessageId.is_in(message_ids.iter().copied()))
        .all(db)
        .await?;
    let views = file_views(db, list).await?;
    let mut by_message: HashMap<Uuid, Vec<FileView>> = HashMap::new();
    for view in views {
        if let Some(message_id) = view.message_id {
            by_message.entry(message_id).or_default().push(view);
        }
    }
    Ok(by_message)
}

/// Views of files, with their pictures' sizes, ordered by id (upload order).
pub async fn file_views(
    db: &impl ConnectionTrait,
    mut list: Vec<files::Model>,
) -> AppResult<Vec<FileView>> {
    list.sort_by_key(|f| f.id);
    let shas: HashSet<String> = list.iter().map(|f| f.sha256.clone()).collect();
    let blobs: HashMap<String, blobs::Model> = if shas.is_empty() {
        HashMap::new()
    } else {
        blobs::Entity::find()
            .filter(blobs::Column::Sha256.is_in(shas))
            .all(db)
            .await?
            .into_iter()
            .map(|b| (b.sha256.clone(), b))
            .collect()
    };
    Ok(list
        .iter()
        .map(|f| FileView::new(f, blobs.get(&f.sha256)))
        .collect())
}

/// Files shared in a room (attached to messages still there), newest first; `before` (a
/// file id) pages back.
pub async fn room_files(
    db: &impl ConnectionTrait,
    user: &users::Model,
    room_id: Uuid,
    before: Option<Uuid>,
    limit: u64,
) -> AppResult<Vec<FileView>> {
    require_member(db, room_id, user.id).await?;
    let mut query = files::Entity::find()
        .filter(files::Column::RoomId.eq(room_id))
        .filter(
            files::Column::MessageId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(messages::Column::Id)
                    .from(messages::Entity)
                    .and_where(messages::Column::RoomId.eq(room_id))
                    .and_where(messages::Column::DeletedAt.is_null())
                    .to_owned(),
            ),
        );
    if let Some(before) = before {
        query = query.filter(files::Column::Id.lt(before));
    }
    let list = query
        .order_by_desc(files::Column::Id)
        .limit(limit.clamp(1, ROOM_FILES_MAX))
        .all(db)
        .await?;
    let mut views = file_views(db, list).await?;
    views.reverse();
    Ok(views)
}

/// Withdraws an upload its uploader has not sent yet (a sent one goes with its message).
pub async fn file_withdraw<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    user: &users::Model,
    file_id: Uuid,
) -> AppResult<()> {
    let file = files::Entity::find_by_id(file_id)
        .one(db)
        .await?
        .filter(|f| f.uploader_id == user.id)
        .ok_or(AppError::Missing(ErrorCode::FileNotFound))?;
    if file.message_id.is_some() {
        return Err(AppError::Conflict(ErrorCode::FileAlreadySent));
    }
    release(db, store, vec![file]).await
}

/// The file, if `user` may read it: a member of its room, or its uploader while it is
/// not yet attached. Files of deleted messages are gone.
pub async fn file_readable(
    db: &impl ConnectionTrait,
    user: &users::Model,
    file_id: Uuid,
    thumbnail: bool,
) -> AppResult<Readable> {
    let missing = || AppError::Missing(ErrorCode::FileNotFound);
    let file = files::Entity::find_by_id(file_id)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    match file.message_id {
        None if file.uploader_id != user.id => return Err(missing()),
        None => {}
        Some(message_id) => {
            require_member(db, file.room_id, user.id).await?;
            let message = messages::Entity::find_by_id(message_id).one(db).await?;
            if message.is_none_or(|m| m.deleted_at.is_some()) {
                return Err(missing());
            }
        }
    }
    let blob = blobs::Entity::find_by_id(file.sha256.clone())
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let inline = if thumbnail {
        if blob.thumb_mime.is_none() {
            return Err(AppError::Missing(ErrorCode::FileNoThumbnail));
        }
        true
    } else {
        FileType::for_extension(types::extension(&file.name).as_deref().unwrap_or(""))
            .is_some_and(|t| t.inline && t.mime == file.mime)
    };
    Ok(Readable {
        file,
        blob,
        thumbnail,
        inline,
    })
}

/// Removes the files of a (deleted) message, and their contents when no other file
/// refers to them.
pub async fn release_message<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    message_id: Uuid,
) -> AppResult<()> {
    let list = files::Entity::find()
        .filter(files::Column::MessageId.eq(message_id))
        .all(db)
        .await?;
    release(db, store, list).await
}

/// Removes files, and their contents when no other file refers to them.
pub async fn release<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    list: Vec<files::Model>,
) -> AppResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    files::Entity::delete_many()
        .filter(files::Column::Id.is_in(list.iter().map(|f| f.id)))
        .exec(db)
        .await?;
    let shas: HashSet<String> = list.into_iter().map(|f| f.sha256).collect();
    for sha256 in shas {
        blob_remove(db, store, &sha256).await;
    }
    Ok(())
}
