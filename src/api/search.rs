//! `GET /api/v1/search`: find messages in your rooms.

use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};
use uuid::Uuid;

use super::{ApiTags, security::Auth};
use crate::{app::AppState, domain::search, error::AppError, views::MessageView};

pub struct SearchApi;

/// A matching message and where it is.
#[derive(Debug, Object)]
pub struct SearchResult {
    pub message: MessageView,
    pub room: SearchRoom,
}

#[derive(Debug, Object)]
pub struct SearchRoom {
    pub id: Uuid,
    /// `public`, `private` or `direct`.
    pub kind: String,
    pub name: String,
}

const DEFAULT_LIMIT: u64 = 20;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Search")]
impl SearchApi {
    /// Messages containing `q` (2–200 characters, case-insensitive) in the rooms you
    /// belong to, or only in `room_id`; newest first, at most `limit` (≤ 50).
    #[oai(path = "/search", method = "get", operation_id = "messages_search")]
    async fn search(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        q: Query<String>,
        room_id: Query<Option<Uuid>>,
        limit: Query<Option<u64>>,
    ) -> Result<Json<Vec<SearchResult>>, AppError> {
        let hits = search::messages_search(
            &state.db,
            &auth.user,
            &q.0,
            room_id.0,
            limit.0.unwrap_or(DEFAULT_LIMIT),
        )
        .await?;
        Ok(Json(
            hits.into_iter()
                .map(|hit| SearchResult {
                    message: hit.message,
                    room: SearchRoom {
                        id: hit.room.id,
                        kind: hit.room.kind,
                        name: hit.room.name,
                    },
                })
                .collect(),
        ))
    }
}
