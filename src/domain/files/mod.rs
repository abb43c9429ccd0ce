//! Shared files: streamed to a local file while hashed, stored once per content (SHA-256),
//! named and owned per upload, attached to messages, readable by the room's members, and
//! removed when the last message that shows them goes.
//!
//! In the store (see `storage`): `files/<2 hex>/<sha256>` (contents) and
//! `thumbs/<2 hex>/<sha256>` (previews); uploads in flight stay in the local `tmp/`.

pub mod names;
pub mod types;

use std::{
    collections::{HashMap, HashSet},
    ops::Range,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use chrono::Utc;
use entity::{blobs, files, messages, users};
use futures_util::TryStreamExt;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait, sea_query::Expr,
};
use sha2::{Digest, Sha256};
use tempfile::TempPath;
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWriteExt},
    sync::Semaphore,
};
use uuid::Uuid;

use self::types::FileType;
use crate::{
    config::UploadSettings,
    domain::rooms::{moderation::require_writer, require_member},
    error::{AppError, AppResult},
    infra::{
        content_lock::ContentLocks,
        decode_budget::{DecodeBudget, DecodeCost},
        storage::{ByteStream, Key, Storage},
        thumbnails,
    },
    views::FileView,
};

/// Files one message may carry.
pub const ATTACHMENTS_MAX: usize = 10;
/// Largest page of a room's files.
pub const ROOM_FILES_MAX: u64 = 100;
/// Bytes read from the upload before each disk write.
const WRITE_CHUNK: usize = 256 * 1024;
/// Stray objects looked up per query by the cleanup pass.
const SWEEP_BATCH: usize = 500;

/// The store, and the locks that keep "is this content still used?" and "store this
/// content" from interleaving for the same SHA-256.
pub struct FileStore {
    storage: Storage,
    locks: ContentLocks,
    /// Decoding a large picture takes a lot of CPU for a moment: one per core at most.
    decoders: Semaphore,
    /// ... and a lot of memory: all decodes together stay within this.
    decode_budget: DecodeBudget,
    /// Pictures with more pixels than this get no thumbnail (they are never decoded).
    thumbnail_max_pixels: u64,
}

impl FileStore {
    /// The store `settings` name, ready for uploads.
    pub async fn open(settings: &UploadSettings) -> anyhow::Result<Self> {
        Ok(Self::new(Storage::open(settings).await?, settings))
    }

    /// A store over `storage`, with the picture limits of `settings`.
    pub fn new(storage: Storage, settings: &UploadSettings) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            storage,
            locks: ContentLocks::new(),
            decoders: Semaphore::new(cores),
            decode_budget: DecodeBudget::new(settings.decode_budget_bytes),
            thumbnail_max_pixels: settings.thumbnail_max_pixels,
        }
    }

    /// The memory picture decodes share (avatars use it too).
    pub fn decode_budget(&self) -> &DecodeBudget {
        &self.decode_budget
    }

    /// Where the bytes are (avatars live there too).
    pub fn storage(&self) -> &Storage {
        &self.storage
    }
}

/// `files/ab/ab12…`: two hex digits of fan-out keep directories small on `fs`.
fn blob_key(sha256: &str) -> Key {
    Key::from_iter(["files", sha256.get(..2).unwrap_or("00"), sha256])
}

fn thumb_key(sha256: &str) -> Key {
    Key::from_iter(["thumbs", sha256.get(..2).unwrap_or("00"), sha256])
}

/// An upload written to a temporary file (removed when dropped unless stored).
pub struct Staged {
    temp: TempPath,
    pub sha256: String,
    pub size: u64,
    head: Vec<u8>,
}

/// Streams an upload to a temporary file, hashing as it goes. Past `max_bytes` it stops
/// reading at once and the partial file is deleted.
pub async fn stage(
    store: &FileStore,
    mut reader: impl AsyncRead + Unpin,
    max_bytes: u64,
) -> AppResult<Staged> {
    let temp = store
        .storage
        .temp_file()
        .map_err(|e| anyhow::Error::new(e).context("creating a temporary upload file"))?;
    let (file, temp) = temp.into_parts();
    let mut file = tokio::fs::File::from_std(file);
    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(types::HEAD_BYTES);
    let mut size: u64 = 0;
    let mut buf = Vec::with_capacity(WRITE_CHUNK);
    loop {
        buf.clear();
        // Never read more than one byte past the limit.
        let want = (WRITE_CHUNK as u64).min(max_bytes + 1 - size);
        let read = (&mut reader)
            .take(want)
            .read_to_end(&mut buf)
            .await
            .map_err(|e| AppError::BadRequest(format!("upload interrupted: {e}")))?;
        if read == 0 {
            break;
        }
        size += read as u64;
        if size > max_bytes {
            // `temp` is dropped here, which deletes the partial file.
            return Err(too_large(max_bytes));
        }
        if head.len() < types::HEAD_BYTES {
            let take = (types::HEAD_BYTES - head.len()).min(buf.len());
            head.extend_from_slice(&buf[..take]);
        }
        hasher.update(&buf);
        file.write_all(&buf)
            .await
            .map_err(|e| anyhow::Error::new(e).context("writing an upload"))?;
        if (read as u64) < want {
            break;
        }
    }
    file.flush()
        .await
        .map_err(|e| anyhow::Error::new(e).context("writing an upload"))?;
    if size == 0 {
        return Err(AppError::Invalid {
            code: "file.empty",
            args: vec![],
        });
    }
    Ok(Staged {
        temp,
        sha256: format!("{:x}", hasher.finalize()),
        size,
        head,
    })
}

fn too_large(max_bytes: u64) -> AppError {
    AppError::TooLarge {
        code: "file.too_large",
        args: vec![("limit", mib(max_bytes))],
    }
}

/// `16 MiB`, `1.5 MiB`, `64 KiB`.
fn mib(bytes: u64) -> String {
    let (value, unit) = if bytes < 1024 * 1024 {
        (bytes as f64 / 1024.0, "KiB")
    } else {
        (bytes as f64 / (1024.0 * 1024.0), "MiB")
    };
    if value.fract() == 0.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// Bytes of files the user has stored.
pub async fn usage(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<i64> {
    let total: Option<i64> = files::Entity::find()
        .select_only()
        .column_as(crate::db::sum_bigint("size"), "total")
        .filter(files::Column::UploaderId.eq(user_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(total.unwrap_or(0))
}

/// Refuses when `adding` more bytes would take the user past their quota.
pub async fn quota_check(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    adding: u64,
    quota: u64,
) -> AppResult<()> {
    let used = usage(db, user_id).await?.max(0) as u64;
    if used.saturating_add(adding) > quota || used >= quota {
        return Err(AppError::TooLarge {
            code: "file.quota_exceeded",
            args: vec![("quota", mib(quota)), ("used", mib(used))],
        });
    }
    Ok(())
}

/// Checks a staged upload and stores it as a file of `room_id`, not yet attached to a
/// message. Identical contents are stored once; a new picture gets its thumbnail here.
pub async fn file_create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    settings: &UploadSettings,
    uploader: &users::Model,
    room_id: Uuid,
    staged: Staged,
    raw_name: &str,
) -> AppResult<files::Model> {
    require_writer(db, room_id, uploader).await?;
    let (name, kind) = types::classify(
        &names::sanitize(raw_name),
        &staged.head,
        &settings.allowed_types,
    )?;
    quota_check(db, uploader.id, staged.size, settings.user_quota_bytes).await?;
    let file = files::ActiveModel {
        id: Set(Uuid::now_v7()),
        sha256: Set(staged.sha256.clone()),
        room_id: Set(room_id),
        uploader_id: Set(uploader.id),
        message_id: Set(None),
        name: Set(name),
        size: Set(staged.size as i64),
        mime: Set(kind.mime.to_owned()),
        created_at: Set(Utc::now()),
    };
    let guard = store.locks.lock(db, &staged.sha256).await?;
    let created = match guard.txn() {
        Some(txn) => file_record(txn, store, staged, kind, file).await,
        None => file_record(db, store, staged, kind, file).await,
    };
    // A failed commit can leave new bytes no row knows: the cleanup pass removes them.
    guard.end(created.is_ok()).await?;
    created
}

/// Under the content's lock: stores the bytes unless already stored, and records the file.
async fn file_record(
    db: &impl ConnectionTrait,
    store: &FileStore,
    staged: Staged,
    kind: &FileType,
    file: files::ActiveModel,
) -> AppResult<files::Model> {
    let sha256 = staged.sha256.clone();
    let created = match blobs::Entity::find_by_id(sha256.clone()).one(db).await? {
        Some(_) => {
            // A row whose bytes are gone (a delete whose commit failed, an operator's
            // mistake) gets them back rather than handing out a file that cannot be read.
            if store.storage.size(&blob_key(&sha256)).await?.is_none() {
                tracing::warn!(sha256, "stored bytes were missing; storing them again");
                bytes_store(store, staged, kind).await?;
            }
            false
        }
        None => {
            blob_store(db, store, staged, kind).await?;
            true
        }
    };
    match files::Entity::insert(file).exec_with_returning(db).await {
        Ok(file) => Ok(file),
        Err(err) => {
            if created {
                // Still under the lock, so no one else can have started to use them. On
                // PostgreSQL the rollback removes the row (and this delete fails harmlessly).
                let _ = blobs::Entity::delete_by_id(sha256.clone()).exec(db).await;
                objects_remove(store, &sha256).await;
            }
            Err(err.into())
        }
    }
}

/// Stores a new content's bytes and thumbnail, and records it.
async fn blob_store(
    db: &impl ConnectionTrait,
    store: &FileStore,
    staged: Staged,
    kind: &FileType,
) -> AppResult<blobs::Model> {
    let sha256 = staged.sha256.clone();
    let size = staged.size;
    let thumb = bytes_store(store, staged, kind).await?;
    let blob = blobs::ActiveModel {
        sha256: Set(sha256.clone()),
        size: Set(size as i64),
        mime: Set(kind.mime.to_owned()),
        width: Set(thumb.as_ref().map(|t| t.width as i32)),
        height: Set(thumb.as_ref().map(|t| t.height as i32)),
        thumb_mime: Set(thumb.map(|t| t.mime.to_owned())),
        created_at: Set(Utc::now()),
    };
    match blobs::Entity::insert(blob).exec_with_returning(db).await {
        Ok(blob) => Ok(blob),
        Err(err) => {
            objects_remove(store, &sha256).await;
            Err(err.into())
        }
    }
}

/// Puts a staged upload's bytes into the store, and a picture's thumbnail beside them.
async fn bytes_store(
    store: &FileStore,
    staged: Staged,
    kind: &FileType,
) -> AppResult<Option<thumbnails::Thumbnail>> {
    // From the local copy, before it moves into the store.
    let thumb = if kind.image {
        thumbnail_make(store, &staged.temp).await
    } else {
        None
    };
    store
        .storage
        .put_file(staged.temp, staged.size, &blob_key(&staged.sha256))
        .await?;
    let Some(mut thumb) = thumb else {
        return Ok(None);
    };
    let bytes = std::mem::take(&mut thumb.bytes);
    let stored = store
        .storage
        .put_bytes(&thumb_key(&staged.sha256), bytes.into())
        .await;
    match stored {
        Ok(()) => Ok(Some(thumb)),
        Err(err) => {
            tracing::warn!(error = %err, sha256 = staged.sha256, "thumbnail not stored");
            Ok(None)
        }
    }
}

/// The thumbnail of the picture at `path`; `None` if it cannot be made, or not within
/// the pixel limit and the decode budget (the picture is shared without one).
async fn thumbnail_make(store: &FileStore, path: &Path) -> Option<thumbnails::Thumbnail> {
    let bytes = tokio::fs::read(path).await.ok()?;
    let cost = DecodeCost::of(&bytes, None)?;
    if cost.pixels() > store.thumbnail_max_pixels {
        tracing::info!(
            picture.width = cost.width,
            picture.height = cost.height,
            "picture over uploads.thumbnail_max_pixels: stored without a thumbnail"
        );
        return None;
    }
    let _memory = match store.decode_budget.reserve(cost).await {
        Ok(memory) => memory,
        Err(over) => {
            tracing::info!(error = %over, "picture over the decode budget: stored without a thumbnail");
            return None;
        }
    };
    let _cpu = store.decoders.acquire().await.ok()?;
    tokio::task::spawn_blocking(move || thumbnails::thumbnail(&bytes))
        .await
        .ok()?
}

/// Deletes a content's bytes and thumbnail. Failures are logged; the cleanup pass finds
/// what is left.
async fn objects_remove(store: &FileStore, sha256: &str) {
    for key in [blob_key(sha256), thumb_key(sha256)] {
        if let Err(err) = store.storage.delete(&key).await {
            tracing::warn!(error = %err, sha256, "stored bytes not removed");
        }
    }
}

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
            code: "file.attachment_invalid",
            args: vec![],
        });
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
        .ok_or(AppError::Missing("file.not_found"))?;
    if file.message_id.is_some() {
        return Err(AppError::Conflict("file.already_sent"));
    }
    release(db, store, vec![file]).await
}

/// A file (or its thumbnail) the user may read.
pub struct Readable {
    pub file: files::Model,
    pub blob: blobs::Model,
    pub thumbnail: bool,
    pub inline: bool,
}

impl Readable {
    /// A strong validator: contents are addressed by their hash, so it changes exactly
    /// when the bytes do, and is the same on every node.
    pub fn etag(&self) -> String {
        if self.thumbnail {
            format!("\"{}-thumb\"", self.blob.sha256)
        } else {
            format!("\"{}\"", self.blob.sha256)
        }
    }

    fn key(&self) -> Key {
        if self.thumbnail {
            thumb_key(&self.blob.sha256)
        } else {
            blob_key(&self.blob.sha256)
        }
    }
}

/// The size of what `readable` names.
pub async fn readable_size(store: &FileStore, readable: &Readable) -> AppResult<u64> {
    if !readable.thumbnail {
        return Ok(readable.blob.size.max(0) as u64);
    }
    store
        .storage
        .size(&readable.key())
        .await?
        .ok_or(AppError::Missing("file.not_found"))
}

/// Streams `range` of what `readable` names.
pub async fn readable_stream(
    store: &FileStore,
    readable: &Readable,
    range: Range<u64>,
) -> AppResult<ByteStream> {
    store
        .storage
        .read(&readable.key(), range)
        .await?
        .ok_or(AppError::Missing("file.not_found"))
}

/// The file, if `user` may read it: a member of its room, or its uploader while it is
/// not yet attached. Files of deleted messages are gone.
pub async fn file_readable(
    db: &impl ConnectionTrait,
    user: &users::Model,
    file_id: Uuid,
    thumbnail: bool,
) -> AppResult<Readable> {
    let missing = || AppError::Missing("file.not_found");
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
            return Err(AppError::Missing("file.no_thumbnail"));
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

/// Deletes a content (row, bytes, thumbnail) unless a file still refers to it. Failures
/// are logged; the cleanup pass retries them.
async fn blob_remove<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    sha256: &str,
) {
    let result: AppResult<()> = async {
        let guard = store.locks.lock(db, sha256).await?;
        let unused = match guard.txn() {
            Some(txn) => blob_forget(txn, sha256).await,
            None => blob_forget(db, sha256).await,
        };
        if let Ok(true) = unused {
            // Before the commit: until then no one can store these bytes anew.
            objects_remove(store, sha256).await;
        }
        guard.end(unused.is_ok()).await?;
        unused.map(|_| ())
    }
    .await;
    if let Err(err) = result {
        tracing::warn!(error = %err, sha256, "stored file not released");
    }
}

/// Deletes a content's row if no file refers to it; whether it did.
async fn blob_forget(db: &impl ConnectionTrait, sha256: &str) -> AppResult<bool> {
    let users = files::Entity::find()
        .filter(files::Column::Sha256.eq(sha256))
        .count(db)
        .await?;
    if users > 0 {
        return Ok(false);
    }
    blobs::Entity::delete_by_id(sha256.to_owned())
        .exec(db)
        .await?;
    Ok(true)
}

async fn remove_quietly(path: &Path) {
    match tokio::fs::remove_file(path).await {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => tracing::warn!(error = %err, path = %path.display(), "file not removed"),
    }
}

/// What a cleanup pass removed.
#[derive(Debug, Default)]
pub struct Swept {
    pub files: usize,
    pub blobs: usize,
    pub stray: usize,
}

/// The cleanup pass: files of deleted messages and pending files past their time (a crash
/// or a client that never sent its message), contents no file refers to, and stray bytes
/// on disk no row knows (a crash mid-upload) once older than the grace period.
pub async fn sweep<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    settings: &UploadSettings,
) -> AppResult<Swept> {
    let mut swept = Swept::default();
    let deleted_messages: Vec<Uuid> = messages::Entity::find()
        .select_only()
        .column(messages::Column::Id)
        .filter(messages::Column::DeletedAt.is_not_null())
        .filter(
            messages::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(files::Column::MessageId)
                    .from(files::Entity)
                    .and_where(files::Column::MessageId.is_not_null())
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    let pending_before = Utc::now()
        - chrono::Duration::seconds(settings.pending_ttl_secs.min(i64::MAX as u64) as i64);
    let mut dead = files::Entity::find()
        .filter(files::Column::MessageId.is_null())
        .filter(files::Column::CreatedAt.lt(pending_before))
        .all(db)
        .await?;
    if !deleted_messages.is_empty() {
        dead.extend(
            files::Entity::find()
                .filter(files::Column::MessageId.is_in(deleted_messages))
                .all(db)
                .await?,
        );
    }
    swept.files = dead.len();
    release(db, store, dead).await?;

    let unused: Vec<String> = blobs::Entity::find()
        .select_only()
        .column(blobs::Column::Sha256)
        .filter(
            blobs::Column::Sha256.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(files::Column::Sha256)
                    .from(files::Entity)
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    swept.blobs = unused.len();
    for sha256 in unused {
        blob_remove(db, store, &sha256).await;
    }

    let grace = Duration::from_secs(settings.orphan_grace_secs);
    swept.stray = stray_remove(db, store, grace).await?;
    Ok(swept)
}

/// Removes temporary uploads and stored bytes or thumbnails that no row knows, once older
/// than `grace` (younger ones may belong to an upload in progress).
async fn stray_remove<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    grace: Duration,
) -> AppResult<usize> {
    let mut removed = 0;
    for path in old_files(store.storage.temp_dir(), grace).await {
        remove_quietly(&path).await;
        removed += 1;
    }
    for prefix in ["files", "thumbs"] {
        let thumbs = prefix == "thumbs";
        let mut batches = store
            .storage
            .list_older(prefix, grace)
            .try_chunks(SWEEP_BATCH)
            .map_err(|e| e.1);
        while let Some(batch) = batches.try_next().await? {
            // One query per batch finds the known contents; only strays are looked at again.
            let names = batch.iter().map(|(_, name)| name.clone()).collect();
            let known = known_blobs(db, names, thumbs).await?;
            for (key, sha256) in batch {
                if !known.contains(&sha256)
                    && stray_forget(db, store, &key, &sha256, thumbs).await?
                {
                    removed += 1;
                }
            }
        }
    }
    Ok(removed)
}

/// Deletes a stray object unless a row for it turned up meanwhile; whether it did. An
/// upload holds the content's lock between storing bytes and recording them, so the check
/// runs under it.
async fn stray_forget<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    key: &Key,
    sha256: &str,
    thumbs: bool,
) -> AppResult<bool> {
    let guard = store.locks.lock(db, sha256).await?;
    let recorded = match guard.txn() {
        Some(txn) => known_blobs(txn, vec![sha256.to_owned()], thumbs).await,
        None => known_blobs(db, vec![sha256.to_owned()], thumbs).await,
    };
    let stray = matches!(&recorded, Ok(known) if known.is_empty());
    if stray {
        if let Err(err) = store.storage.delete(key).await {
            tracing::warn!(error = %err, key = %key, "stray bytes not removed");
        }
    }
    guard.end(recorded.is_ok()).await?;
    recorded.map(|_| stray)
}

/// Which of `names` are recorded contents (with a thumbnail, when `thumbnails`).
async fn known_blobs(
    db: &impl ConnectionTrait,
    names: Vec<String>,
    thumbnails: bool,
) -> AppResult<HashSet<String>> {
    let names: Vec<String> = names.into_iter().filter(|n| n.len() == 64).collect();
    if names.is_empty() {
        return Ok(HashSet::new());
    }
    let mut query = blobs::Entity::find().filter(blobs::Column::Sha256.is_in(names));
    if thumbnails {
        query = query.filter(blobs::Column::ThumbMime.is_not_null());
    }
    Ok(query.all(db).await?.into_iter().map(|b| b.sha256).collect())
}

/// Regular files directly in `dir` last modified more than `grace` ago.
async fn old_files(dir: &Path, grace: Duration) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return found;
    };
    let now = SystemTime::now();
    while let Ok(Some(entry)) = entries.next_entry().await {
        let Ok(meta) = entry.metadata().await else {
            continue;
        };
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        if meta.is_file() && age >= grace {
            found.push(entry.path());
        }
    }
    found
}
