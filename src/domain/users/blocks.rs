//! Blocking: a blocked user cannot open or write a direct conversation with the blocker.
//! The hub asks [`blocked_between`] before every DM.

use chrono::Utc;
use entity::{blocks, users};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult, ErrorCode};

/// Blocks `blocked` for `blocker`; blocking twice is not an error.
pub async fn block_add(db: &impl ConnectionTrait, blocker: Uuid, blocked: Uuid) -> AppResult<()> {
    if blocker == blocked {
        return Err(AppError::Invalid {
            code: ErrorCode::BlockSelf,
            args: vec![],
        });
    }
    blocks::Entity::insert(blocks::ActiveModel {
        blocker_id: Set(blocker),
        blocked_id: Set(blocked),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([blocks::Column::BlockerId, blocks::Column::BlockedId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Lifts a block; lifting one that does not exist is not an error.
pub async fn block_remove(
    db: &impl ConnectionTrait,
    blocker: Uuid,
    blocked: Uuid,
) -> AppResult<()> {
    blocks::Entity::delete_many()
        .filter(blocks::Column::BlockerId.eq(blocker))
        .filter(blocks::Column::BlockedId.eq(blocked))
        .exec(db)
        .await?;
    Ok(())
}

/// The users `blocker` has blocked, newest first, with when.
pub async fn blocks_list(
    db: &impl ConnectionTrait,
    blocker: Uuid,
) -> AppResult<Vec<(users::Model, chrono::DateTime<Utc>)>> {
    let rows = blocks::Entity::find()
        .filter(blocks::Column::BlockerId.eq(blocker))
        .order_by_desc(blocks::Column::CreatedAt)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|row| row.blocked_id).collect();
    let users = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            users
                .iter()
                .find(|user| user.id == row.blocked_id)
                .map(|user| (user.clone(), row.created_at))
        })
        .collect())
}

/// Whether either user has blocked the other.
pub async fn blocked_between(db: &impl ConnectionTrait, a: Uuid, b: Uuid) -> AppResult<bool> {
    let found = blocks::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(blocks::Column::BlockerId.eq(a))
                        .add(blocks::Column::BlockedId.eq(b)),
                )
                .add(
                    Condition::all()
                        .add(blocks::Column::BlockerId.eq(b))
                        .add(blocks::Column::BlockedId.eq(a)),
                ),
        )
        .one(db)
        .await?;
    Ok(found.is_some())
}
