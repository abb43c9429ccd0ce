//! Custom emoji: pictures administrators upload under a name, used as `:name:` in messages
//! and as reactions. The picture is re-encoded small and kept as a stored content (see
//! `files::emoji_pictures`); creating and deleting one is audited.
//!
//! Deleting an emoji leaves the reactions that used it: they keep their `:name:` text,
//! which clients show as text once the name no longer lists a picture. A new emoji of the
//! same name takes them over.

pub mod name;

use std::collections::HashMap;

use chrono::Utc;
use entity::{custom_emoji, users};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

pub use self::name::EmojiName;
use crate::{
    domain::{
        audit::{self, Actor, Entry},
        files::{
            FileStore, Staged,
            emoji_pictures::{
                EmojiRecord, emoji_picture_keep, emoji_picture_prepare, emoji_picture_release,
            },
        },
        views::{EmojiView, UserRef},
    },
    error::{AppError, AppResult, ErrorCode},
};

/// Largest upload of a custom emoji picture (before it is re-encoded).
pub const MAX_BYTES: u64 = 256 * 1024;

/// The emoji of that name, or `emoji.not_found`.
pub async fn emoji_get(db: &impl ConnectionTrait, name: &str) -> AppResult<custom_emoji::Model> {
    custom_emoji::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::Missing(ErrorCode::EmojiNotFound))
}

/// Whether a custom emoji of that name exists.
pub async fn emoji_exists(db: &impl ConnectionTrait, name: &EmojiName) -> AppResult<bool> {
    Ok(custom_emoji::Entity::find()
        .filter(custom_emoji::Column::Name.eq(name.as_str()))
        .count(db)
        .await?
        > 0)
}

fn name_taken() -> AppError {
    AppError::Conflict(ErrorCode::EmojiNameTaken)
}

/// Refuses a name that is taken, before the picture is decoded.
pub async fn emoji_name_free(db: &impl ConnectionTrait, name: &EmojiName) -> AppResult<()> {
    if emoji_exists(db, name).await? {
        return Err(name_taken());
    }
    Ok(())
}

/// Creates a custom emoji from a staged upload (named `file_name` by the client): checked
/// by its bytes, re-encoded, kept, and recorded in the audit log with the emoji.
pub async fn emoji_create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    actor: Actor,
    name: EmojiName,
    staged: Staged,
    file_name: &str,
) -> AppResult<custom_emoji::Model> {
    emoji_name_free(db, &name).await?;
    let picture = emoji_picture_prepare(store, staged, file_name).await?;
    let audit = Entry {
        action: "emoji.create",
        target: Some(("emoji", name.to_string())),
        reason: "",
        data: json!({
            "sha256": picture.sha256,
            "width": picture.width,
            "height": picture.height,
        }),
    };
    let row = custom_emoji::ActiveModel {
        name: Set(name.to_string()),
        sha256: Set(picture.sha256.clone()),
        mime: Set(picture.mime.to_owned()),
        width: Set(picture.width as i32),
        height: Set(picture.height as i32),
        created_by: Set(actor.user),
        created_at: Set(Utc::now()),
    };
    let record = EmojiRecord {
        picture,
        emoji: row,
        actor,
        entry: audit,
    };
    emoji_picture_keep(db, store, record)
        .await
        // Two uploads of one name at once: the second finds it taken.
        .map_err(|err| match err {
            AppError::Conflict(ErrorCode::Conflict) => name_taken(),
            other => other,
        })
}

/// Deletes a custom emoji (audited), then releases its picture unless something else
/// uses the same bytes. Reactions that used it stay (see the module docs).
pub async fn emoji_delete<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    store: &FileStore,
    actor: Actor,
    name: &str,
) -> AppResult<custom_emoji::Model> {
    let txn = db.begin().await?;
    let emoji = emoji_get(&txn, name).await?;
    custom_emoji::Entity::delete_by_id(emoji.name.clone())
        .exec(&txn)
        .await?;
    audit::audit_record(
        &txn,
        actor,
        Entry {
            action: "emoji.delete",
            target: Some(("emoji", emoji.name.clone())),
            reason: "",
            data: json!({ "sha256": emoji.sha256 }),
        },
    )
    .await?;
    txn.commit().await?;
    emoji_picture_release(db, store, &emoji.sha256).await;
    Ok(emoji)
}

/// Every custom emoji, by name.
pub async fn emoji_list(db: &impl ConnectionTrait) -> AppResult<Vec<EmojiView>> {
    let list = custom_emoji::Entity::find()
        .order_by_asc(custom_emoji::Column::Name)
        .all(db)
        .await?;
    let creators: Vec<Uuid> = list.iter().filter_map(|e| e.created_by).collect();
    let people: HashMap<Uuid, users::Model> = if creators.is_empty() {
        HashMap::new()
    } else {
        users::Entity::find()
            .filter(users::Column::Id.is_in(creators))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect()
    };
    Ok(list
        .iter()
        .map(|emoji| {
            let creator = emoji.created_by.and_then(|id| people.get(&id));
            emoji_view(emoji, creator)
        })
        .collect())
}

/// How clients see an emoji.
pub fn emoji_view(emoji: &custom_emoji::Model, creator: Option<&users::Model>) -> EmojiView {
    EmojiView {
        name: emoji.name.clone(),
        url: emoji_url(emoji),
        width: emoji.width,
        height: emoji.height,
        created_at: emoji.created_at,
        created_by: creator.map(UserRef::from),
    }
}

/// `/api/v1/emoji/<name>?v=<the picture's hash>`: a new picture under the same name gets a
/// new URL, so a cached one is never shown in its place.
pub fn emoji_url(emoji: &custom_emoji::Model) -> String {
    let version = emoji.sha256.get(..16).unwrap_or(&emoji.sha256);
    format!("/api/v1/emoji/{}?v={version}", emoji.name)
}

/// Whether `version` (the `v` of an emoji's URL) names its current picture.
pub fn emoji_version_current(emoji: &custom_emoji::Model, version: &str) -> bool {
    !version.is_empty() && emoji.sha256.starts_with(version) && version.len() == 16
}
