//! Custom emoji pictures as stored contents. An upload is checked by its bytes like any
//! shared file (`types::classify`: PNG, GIF or WebP, the name's extension agreeing, never
//! SVG or a script), decoded within the shared decode budget and re-encoded as a small PNG.
//! The result is kept once per SHA-256 under `files/` like a file's bytes, with a `blobs`
//! row, so every store holds it the same way; the content is released only when no file
//! and no emoji refers to it any more (see `blobs::blob_forget` and the cleanup pass).

use bytes::Bytes;
use chrono::Utc;
use entity::{blobs, custom_emoji};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionTrait};
use sha2::{Digest, Sha256};

use super::{
    FileStore, Staged, blob_key,
    blobs::{blob_remove, objects_remove},
    names, types,
};
use crate::{
    domain::audit::{Actor, Entry, audit_record},
    error::{AppError, AppResult, ErrorCode},
    infra::{decode_budget::DecodeCost, thumbnails},
};

/// What a custom emoji may be uploaded as (judged by the bytes).
pub const EMOJI_TYPES: [&str; 3] = ["png", "gif", "webp"];
/// Longest side of a stored custom emoji.
pub const EMOJI_SIDE: u32 = 128;

/// A custom emoji picture, re-encoded and ready to keep.
pub struct EmojiPicture {
    bytes: Vec<u8>,
    pub sha256: String,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}

fn invalid_image() -> AppError {
    AppError::Invalid {
        code: ErrorCode::EmojiInvalidImage,
        args: vec![],
    }
}

fn too_large_to_decode() -> AppError {
    AppError::Invalid {
        code: ErrorCode::EmojiTooLargeToDecode,
        args: vec![],
    }
}

/// Checks a staged upload (named `raw_name` by the client) and re-encodes it as a PNG of at
/// most [`EMOJI_SIDE`] px on its long side. The decode waits for its share of the decode
/// budget like thumbnails and avatars; a picture larger than the pixel limit or the whole
/// budget is refused before any pixel is decoded.
pub async fn emoji_picture_prepare(
    store: &FileStore,
    staged: Staged,
    raw_name: &str,
) -> AppResult<EmojiPicture> {
    let allowed = EMOJI_TYPES.map(String::from);
    types::classify(&names::sanitize(raw_name), &staged.head, &allowed)?;
    // Small (the upload limit is a few hundred KiB), so read whole; the temporary file
    // goes when `staged` is dropped.
    let bytes = tokio::fs::read(&staged.temp)
        .await
        .map_err(|e| anyhow::Error::new(e).context("reading a staged emoji"))?;
    drop(staged);
    let cost = DecodeCost::of(&bytes, None).ok_or_else(invalid_image)?;
    let too_wide = cost.width.max(cost.height) > thumbnails::MAX_INPUT_SIDE;
    if too_wide || cost.pixels() > store.thumbnail_max_pixels {
        return Err(too_large_to_decode());
    }
    let _memory = store.decode_budget.reserve(cost).await.map_err(|over| {
        tracing::info!(error = %over, "emoji over the decode budget");
        too_large_to_decode()
    })?;
    let _cpu = store
        .decoders
        .acquire()
        .await
        .map_err(|e| anyhow::Error::new(e).context("decoder slots closed"))?;
    let still = tokio::task::spawn_blocking(move || thumbnails::still_png(&bytes, EMOJI_SIDE))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .ok_or_else(invalid_image)?;
    Ok(EmojiPicture {
        sha256: format!("{:x}", Sha256::digest(&still.bytes)),
        bytes: still.bytes,
        mime: still.mime,
        width: still.width,
        height: still.height,
    })
}

/// A new emoji to record: its picture, its row and its audit entry.
pub struct EmojiRecord<'a> {
    pub picture: EmojiPicture,
    pub emoji: custom_emoji::ActiveModel,
    pub actor: Actor,
    pub entry: Entry<'a>,
}

/// Keeps the record's picture as a content (unless the same bytes are already kept) and
/// records its emoji, which refers to it, with its audit entry, under the content's lock:
/// a release of the same content cannot slip in between and leave the emoji without bytes.
/// The rows go in one transaction (the lock's own on PostgreSQL), so the log never misses
/// an emoji.
pub async fn emoji_picture_keep<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    record: EmojiRecord<'_>,
) -> AppResult<custom_emoji::Model> {
    let guard = store.locks.lock(db, &record.picture.sha256).await?;
    let kept = match guard.txn() {
        Some(txn) => keep_locked(txn, store, record).await,
        None => {
            // SQLite: the lock is a mutex only; these few rows still commit together.
            let txn = db.begin().await?;
            let kept = keep_locked(&txn, store, record).await;
            match kept {
                Ok(kept) => txn.commit().await.map(|()| kept).map_err(AppError::from),
                Err(err) => Err(err),
            }
        }
    };
    // A failed commit can leave new bytes no row knows: the cleanup pass removes them.
    guard.end(kept.is_ok()).await?;
    kept
}

async fn keep_locked(
    db: &impl ConnectionTrait,
    store: &FileStore,
    record: EmojiRecord<'_>,
) -> AppResult<custom_emoji::Model> {
    let EmojiRecord {
        picture,
        emoji,
        actor,
        entry,
    } = record;
    let sha256 = picture.sha256.clone();
    let size = picture.bytes.len() as i64;
    let key = blob_key(&sha256);
    let known = blobs::Entity::find_by_id(sha256.clone())
        .one(db)
        .await?
        .is_some();
    // Same repair as for files: a row whose bytes went missing gets them back.
    if !known || store.storage.size(&key).await?.is_none() {
        if known {
            tracing::warn!(sha256, "stored bytes were missing; storing them again");
        }
        store
            .storage
            .put_bytes(&key, Bytes::from(picture.bytes))
            .await?;
    }
    let created = !known;
    if created {
        let blob = blobs::ActiveModel {
            sha256: Set(sha256.clone()),
            size: Set(size),
            mime: Set(picture.mime.to_owned()),
            width: Set(Some(picture.width as i32)),
            height: Set(Some(picture.height as i32)),
            thumb_mime: Set(None),
            created_at: Set(Utc::now()),
        };
        if let Err(err) = blobs::Entity::insert(blob).exec_without_returning(db).await {
            objects_remove(store, &sha256).await;
            return Err(err.into());
        }
    }
    let recorded = async {
        let emoji = custom_emoji::Entity::insert(emoji)
            .exec_with_returning(db)
            .await?;
        audit_record(db, actor, entry).await?;
        AppResult::Ok(emoji)
    };
    match recorded.await {
        Ok(emoji) => Ok(emoji),
        Err(err) => {
            if created {
                // Still under the lock: no one else can have started to use them.
                let _ = blobs::Entity::delete_by_id(sha256.clone()).exec(db).await;
                objects_remove(store, &sha256).await;
            }
            Err(err)
        }
    }
}

/// The stored bytes of an emoji's picture.
pub async fn emoji_picture_read(store: &FileStore, sha256: &str) -> AppResult<Bytes> {
    store
        .storage
        .get_bytes(&blob_key(sha256))
        .await?
        .ok_or(AppError::Missing(ErrorCode::EmojiNotFound))
}

/// Releases a content an emoji no longer refers to (call after deleting the emoji's row):
/// it goes unless a file or another emoji still uses it. Failures are logged; the cleanup
/// pass retries them.
pub async fn emoji_picture_release<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    sha256: &str,
) {
    blob_remove(db, store, sha256).await;
}
