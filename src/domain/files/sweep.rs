//! The cleanup pass: what crashes, abandoned uploads and deleted messages leave behind, and
//! the link previews nothing shows any more.

use std::{
    collections::HashSet,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use chrono::{DateTime, Utc};
use entity::{blobs, custom_emoji, files, link_previews, message_embeds, messages};
use futures_util::TryStreamExt;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::{FileStore, attachments::release, blobs::blob_remove};
use crate::{config::UploadSettings, error::AppResult, infra::storage::Key};

/// Stray objects looked up per query by the cleanup pass.
const SWEEP_BATCH: usize = 500;

/// What a cleanup pass removed.
#[derive(Debug, Default)]
pub struct Swept {
    pub files: usize,
    pub blobs: usize,
    pub stray: usize,
    /// Expired link preview cache rows, and preview pictures nothing shows any more.
    pub previews: usize,
}

/// The cleanup pass: files of deleted messages and pending files past their time (a crash
/// or a client that never sent its message), contents no file or emoji refers to, and stray bytes
/// on disk no row knows (a crash mid-upload) once older than the grace period, all as of
/// `now`.
pub async fn sweep<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    settings: &UploadSettings,
    now: SystemTime,
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
    let pending_before = DateTime::<Utc>::from(now)
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
        // Custom emoji pictures are contents too.
        .filter(
            blobs::Column::Sha256.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(custom_emoji::Column::Sha256)
                    .from(custom_emoji::Entity)
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
    swept.stray = stray_remove(db, store, grace, now).await?;
    swept.previews = previews_remove(db, store, grace, now).await?;
    Ok(swept)
}

/// Forgets expired link previews, then removes the preview pictures (older than `grace`:
/// a fetch may be about to record a new one) that neither the cache nor a message shows.
async fn previews_remove(
    db: &impl ConnectionTrait,
    store: &FileStore,
    grace: Duration,
    now: SystemTime,
) -> AppResult<usize> {
    let expired = link_previews::Entity::delete_many()
        .filter(link_previews::Column::ExpiresAt.lt(DateTime::<Utc>::from(now)))
        .exec(db)
        .await?;
    let mut removed = expired.rows_affected as usize;
    let mut batches = store
        .storage
        .list_older("previews", grace, now)
        .try_chunks(SWEEP_BATCH)
        .map_err(|e| e.1);
    while let Some(batch) = batches.try_next().await? {
        let names: Vec<String> = batch.iter().map(|(_, name)| name.clone()).collect();
        let mut shown: HashSet<String> = link_previews::Entity::find()
            .select_only()
            .column(link_previews::Column::ImageSha256)
            .filter(link_previews::Column::ImageSha256.is_in(names.clone()))
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        shown.extend(
            message_embeds::Entity::find()
                .select_only()
                .column(message_embeds::Column::ImageSha256)
                .filter(message_embeds::Column::ImageSha256.is_in(names))
                .into_tuple::<String>()
                .all(db)
                .await?,
        );
        for (key, sha256) in batch {
            if shown.contains(&sha256) {
                continue;
            }
            match store.storage.delete(&key).await {
                Ok(()) => removed += 1,
                Err(err) => tracing::warn!(error = %err, key = %key, "preview picture not removed"),
            }
        }
    }
    Ok(removed)
}

/// Removes temporary uploads and stored bytes or thumbnails that no row knows, once older
/// than `grace` at `now` (younger ones may belong to an upload in progress).
async fn stray_remove<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    grace: Duration,
    now: SystemTime,
) -> AppResult<usize> {
    let mut removed = 0;
    for path in old_files(store.storage.temp_dir(), grace, now).await {
        remove_quietly(&path).await;
        removed += 1;
    }
    for prefix in ["files", "thumbs"] {
        let thumbs = prefix == "thumbs";
        let mut batches = store
            .storage
            .list_older(prefix, grace, now)
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

/// Regular files directly in `dir` last modified more than `grace` before `now`.
async fn old_files(dir: &Path, grace: Duration, now: SystemTime) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return found;
    };
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

async fn remove_quietly(path: &Path) {
    match tokio::fs::remove_file(path).await {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => tracing::warn!(error = %err, path = %path.display(), "file not removed"),
    }
}
