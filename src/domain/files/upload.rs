//! Taking an upload in: streamed to a temporary file while hashed, checked against the
//! allowed types and the uploader's quota, then stored once per content and recorded as a
//! file of its room, not yet attached to a message.

use chrono::Utc;
use entity::{blobs, files, users};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use super::{
    FileStore, Staged, blob_key,
    blobs::{blob_store, bytes_store, objects_remove},
    names,
    types::{self, FileType},
};
use crate::{
    config::UploadSettings,
    domain::rooms::moderation::require_writer,
    error::{AppError, AppResult, ErrorCode},
};

/// Bytes read from the upload before each disk write.
const WRITE_CHUNK: usize = 256 * 1024;

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
            code: ErrorCode::FileEmpty,
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
        code: ErrorCode::FileTooLarge,
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
            code: ErrorCode::FileQuotaExceeded,
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
