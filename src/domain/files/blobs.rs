//! A content's bytes in the store: put there with its thumbnail, read back (whole or a
//! range), and removed under the content's lock once no file refers to it.

use std::{ops::Range, path::Path};

use chrono::Utc;
use entity::{blobs, custom_emoji, files};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};

use super::{FileStore, Staged, blob_key, preview_key, thumb_key, types::FileType};
use crate::{
    error::{AppError, AppResult, ErrorCode},
    infra::{
        decode_budget::DecodeCost,
        storage::{ByteStream, Key},
        thumbnails,
    },
};

/// Stores a new content's bytes and thumbnail, and records it.
pub(super) async fn blob_store(
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
pub(super) async fn bytes_store(
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
    thumbnail_of(store, bytes).await
}

/// The thumbnail of a picture's bytes, under the same limits as an upload's.
async fn thumbnail_of(store: &FileStore, bytes: Vec<u8>) -> Option<thumbnails::Thumbnail> {
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

/// A link preview's picture, fetched from elsewhere: re-encoded through the thumbnail
/// pipeline (so nothing of the original's bytes is served) and stored under the SHA-256 of
/// what was made. `None` when the bytes are not a PNG, JPEG, GIF or WebP picture (an SVG
/// never is) or cannot be decoded within the limits.
pub async fn preview_picture_store(
    store: &FileStore,
    bytes: Vec<u8>,
) -> AppResult<Option<(String, thumbnails::Thumbnail)>> {
    // Decided from the bytes: whatever the other site called it.
    let picture = infer::get(&bytes).is_some_and(|kind| {
        matches!(
            kind.mime_type(),
            "image/png" | "image/jpeg" | "image/gif" | "image/webp"
        )
    });
    if !picture {
        return Ok(None);
    }
    let Some(mut thumb) = thumbnail_of(store, bytes).await else {
        return Ok(None);
    };
    let bytes = std::mem::take(&mut thumb.bytes);
    let sha256 = super::sha256_hex(&bytes);
    store
        .storage
        .put_bytes(&preview_key(&sha256), bytes.into())
        .await?;
    Ok(Some((sha256, thumb)))
}

/// A stored link preview picture's bytes.
pub async fn preview_picture_read(store: &FileStore, sha256: &str) -> AppResult<bytes::Bytes> {
    store
        .storage
        .get_bytes(&preview_key(sha256))
        .await?
        .ok_or(AppError::Missing(ErrorCode::EmbedNotFound))
}

/// Deletes a content's bytes and thumbnail. Failures are logged; the cleanup pass finds
/// what is left.
pub(super) async fn objects_remove(store: &FileStore, sha256: &str) {
    for key in [blob_key(sha256), thumb_key(sha256)] {
        if let Err(err) = store.storage.delete(&key).await {
            tracing::warn!(error = %err, sha256, "stored bytes not removed");
        }
    }
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
        .ok_or(AppError::Missing(ErrorCode::FileNotFound))
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
        .ok_or(AppError::Missing(ErrorCode::FileNotFound))
}

/// Deletes a content (row, bytes, thumbnail) unless a file or an emoji still refers to it. Failures
/// are logged; the cleanup pass retries them.
pub(super) async fn blob_remove<C: ConnectionTrait + TransactionTrait>(
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

/// Deletes a content's row if no file and no custom emoji refers to it; whether it did.
async fn blob_forget(db: &impl ConnectionTrait, sha256: &str) -> AppResult<bool> {
    let files = files::Entity::find()
        .filter(files::Column::Sha256.eq(sha256))
        .count(db)
        .await?;
    let emoji = custom_emoji::Entity::find()
        .filter(custom_emoji::Column::Sha256.eq(sha256))
        .count(db)
        .await?;
    if files + emoji > 0 {
        return Ok(false);
    }
    blobs::Entity::delete_by_id(sha256.to_owned())
        .exec(db)
        .await?;
    Ok(true)
}
