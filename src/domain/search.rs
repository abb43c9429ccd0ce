//! Message search over the rooms a user belongs to: newest first, deleted messages never.
//! The match is a case-insensitive substring (`LIKE` with the wildcards escaped); the
//! full-text index with Persian normalization replaces it behind this same function.

use entity::{messages, rooms, users};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, Func, LikeExpr},
};
use uuid::Uuid;

use super::{messages::message_views, rooms::room_ids_of};
use crate::{
    error::{AppError, AppResult},
    views::MessageView,
};

pub const QUERY_MIN_CHARS: usize = 2;
pub const QUERY_MAX_CHARS: usize = 200;
pub const LIMIT_MAX: u64 = 50;

/// A message that matched, and the room it is in.
pub struct SearchHit {
    pub message: MessageView,
    pub room: rooms::Model,
}

/// The query as searched: trimmed, 2–200 characters.
pub fn parse_query(input: &str) -> AppResult<String> {
    let query = input.trim();
    let chars = query.chars().count();
    if !(QUERY_MIN_CHARS..=QUERY_MAX_CHARS).contains(&chars) {
        return Err(AppError::Invalid {
            code: "search.query_invalid",
            args: vec![
                ("min", QUERY_MIN_CHARS.to_string()),
                ("max", QUERY_MAX_CHARS.to_string()),
            ],
        });
    }
    Ok(query.to_owned())
}

/// `%`, `_` and the escape character itself match literally.
fn like_pattern(query: &str) -> String {
    let mut pattern = String::with_capacity(query.len() + 2);
    pattern.push('%');
    for c in query.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Messages matching `query` in `user`'s rooms (or in `room`, which they must belong to).
pub async fn messages_search(
    db: &impl ConnectionTrait,
    user: &users::Model,
    query: &str,
    room: Option<Uuid>,
    limit: u64,
) -> AppResult<Vec<SearchHit>> {
    let query = parse_query(query)?;
    let room_ids = match room {
        Some(room_id) => {
            super::rooms::require_member(db, room_id, user.id).await?;
            vec![room_id]
        }
        None => room_ids_of(db, user.id).await?,
    };
    if room_ids.is_empty() {
        return Ok(vec![]);
    }
    let found = messages::Entity::find()
        .filter(messages::Column::RoomId.is_in(room_ids))
        .filter(messages::Column::DeletedAt.is_null())
        .filter(
            Expr::expr(Func::lower(Expr::col(messages::Column::Body)))
                .like(LikeExpr::new(like_pattern(&query)).escape('\\')),
        )
        .order_by_desc(messages::Column::CreatedAt)
        .order_by_desc(messages::Column::Seq)
        .limit(limit.clamp(1, LIMIT_MAX))
        .all(db)
        .await?;
    let room_ids: Vec<Uuid> = found.iter().map(|m| m.room_id).collect();
    let rooms: std::collections::HashMap<Uuid, rooms::Model> = rooms::Entity::find()
        .filter(rooms::Column::Id.is_in(room_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    Ok(message_views(db, found)
        .await?
        .into_iter()
        .filter_map(|message| {
            let room = rooms.get(&message.room_id)?.clone();
            Some(SearchHit { message, room })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_the_query_match_literally() {
        assert_eq!(like_pattern("50%_off"), "%50\\%\\_off%");
        assert_eq!(like_pattern("Chai"), "%chai%");
        assert!(parse_query(" a ").is_err());
        assert!(parse_query(&"x".repeat(201)).is_err());
        assert_eq!(parse_query(" چای ").ok().as_deref(), Some("چای"));
    }
}
