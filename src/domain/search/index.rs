//! Rebuilding the search index: every message's `search_text` recomputed with the current
//! normalization (after an upgrade that changes it, or to repair an index), then the
//! SQLite FTS5 table rebuilt from it. PostgreSQL's `tsvector` is a generated column and
//! follows each update by itself.

use std::collections::HashMap;

use entity::{files, messages, poll_options, polls};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use crate::domain::text::search_text;
use crate::error::AppResult;

const BATCH: u64 = 1000;

/// Recomputes every message's search text; `progress(done, total)` after each batch.
/// Returns how many messages were visited.
pub async fn reindex<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    mut progress: impl FnMut(u64, u64),
) -> AppResult<u64> {
    let total = messages::Entity::find().count(db).await?;
    let mut done = 0;
    let mut after: Option<Uuid> = None;
    loop {
        let mut query = messages::Entity::find()
            .order_by_asc(messages::Column::Id)
            .limit(BATCH);
        if let Some(last) = after {
            query = query.filter(messages::Column::Id.gt(last));
        }
        let batch = query.all(db).await?;
        let Some(last) = batch.last() else {
            break;
        };
        after = Some(last.id);
        let extras = extra_texts(db, &batch).await?;
        let txn = db.begin().await?;
        for message in batch {
            let text = if message.deleted_at.is_some() {
                String::new()
            } else {
                let names = extras.get(&message.id).map_or(&[][..], Vec::as_slice);
                search_text(&message.body, names)
            };
            done += 1;
            if text == message.search_text {
                continue;
            }
            let mut active: messages::ActiveModel = message.into();
            active.search_text = Set(text);
            active.update(&txn).await?;
        }
        txn.commit().await?;
        progress(done, total);
    }
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        db.execute_unprepared("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
            .await?;
        db.execute_unprepared("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')")
            .await?;
    }
    Ok(done)
}

/// What each message's search text holds besides its body: file names, poll options.
async fn extra_texts(
    db: &impl ConnectionTrait,
    batch: &[messages::Model],
) -> AppResult<HashMap<Uuid, Vec<String>>> {
    let ids: Vec<Uuid> = batch.iter().map(|m| m.id).collect();
    let mut extras: HashMap<Uuid, Vec<String>> = HashMap::new();
    let names: Vec<(Option<Uuid>, String)> = files::Entity::find()
        .select_only()
        .column(files::Column::MessageId)
        .column(files::Column::Name)
        .filter(files::Column::MessageId.is_in(ids.clone()))
        .into_tuple()
        .all(db)
        .await?;
    for (message_id, name) in names {
        if let Some(id) = message_id {
            extras.entry(id).or_default().push(name);
        }
    }
    let poll_ids: Vec<(Uuid, Uuid)> = polls::Entity::find()
        .select_only()
        .column(polls::Column::Id)
        .column(polls::Column::MessageId)
        .filter(polls::Column::MessageId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    if !poll_ids.is_empty() {
        let by_poll: HashMap<Uuid, Uuid> = poll_ids.into_iter().collect();
        let options = poll_options::Entity::find()
            .filter(poll_options::Column::PollId.is_in(by_poll.keys().copied()))
            .order_by_asc(poll_options::Column::Position)
            .all(db)
            .await?;
        for option in options {
            if let Some(message_id) = by_poll.get(&option.poll_id) {
                extras.entry(*message_id).or_default().push(option.text);
            }
        }
    }
    Ok(extras)
}
