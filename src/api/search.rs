//! `GET /api/v1/search/messages`: find messages in the rooms you can read.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};
use uuid::Uuid;

use super::{security::Auth, tags::ApiTags};
use crate::{
    api::dto::MessageView,
    domain::search::{self, SearchRequest},
    error::AppError,
    state::AppState,
};

pub struct SearchApi;

/// A page of results, best first.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SearchResults {
    pub hits: Vec<SearchResult>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A matching message (with its author and `seq`, to jump to it), its room, and an
/// excerpt around the match.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SearchResult {
    pub message: MessageView,
    pub room: SearchRoom,
    /// The excerpt in pieces; `hit` pieces matched the query (plain text, not HTML).
    pub snippet: Vec<SnippetPart>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SearchRoom {
    pub id: Uuid,
    /// `public`, `private` or `direct`.
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SnippetPart {
    pub text: String,
    pub hit: bool,
}

const DEFAULT_LIMIT: u64 = 20;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Search")]
impl SearchApi {
    /// Search the messages of your rooms and of public rooms: body, file names and poll
    /// questions. `q` (up to 200 characters) takes words (all must match), `"exact
    /// phrase"`, `-excluded`, `prefix*`, `from:username` and `in:room` (or `in:"room
    /// name"`); anything else is read as plain words. Persian and Arabic spellings (ي/ی,
    /// ك/ک, ة/ه, hamza forms, diacritics, tatweel, ZWNJ, Persian digits) find each other.
    /// Ranked by relevance, then newest first; deleted messages never appear.
    #[oai(
        path = "/search/messages",
        method = "get",
        operation_id = "search_messages"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn search(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        q: Query<Option<String>>,
        room_id: Query<Option<Uuid>>,
        /// A username or user id.
        author: Query<Option<String>>,
        before: Query<Option<DateTime<Utc>>>,
        after: Query<Option<DateTime<Utc>>>,
        has_file: Query<Option<bool>>,
        /// At most 50 (default 20).
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<SearchResults>, AppError> {
        let request = SearchRequest {
            query: q.0.as_deref().unwrap_or(""),
            room: room_id.0,
            author: author.0.as_deref(),
            before: before.0,
            after: after.0,
            has_file: has_file.0,
            limit: limit.0.unwrap_or(DEFAULT_LIMIT),
            cursor: cursor.0.as_deref(),
        };
        let page = search::messages_search(&state.db, &auth.user, request).await?;
        Ok(Json(SearchResults {
            hits: page
                .hits
                .into_iter()
                .map(|hit| SearchResult {
                    message: hit.message.into(),
                    room: SearchRoom {
                        id: hit.room.id,
                        kind: hit.room.kind,
                        name: hit.room.name,
                    },
                    snippet: hit
                        .snippet
                        .into_iter()
                        .map(|s| SnippetPart {
                            text: s.text,
                            hit: s.hit,
                        })
                        .collect(),
                })
                .collect(),
            next_cursor: page.next_cursor,
        }))
    }
}
