//! Message search: the rooms a user belongs to plus public rooms, never deleted messages.
//! Matching runs on the full-text index of `messages.search_text` (SQLite FTS5, PostgreSQL
//! `tsvector` + GIN), ranked by relevance (BM25 / `ts_rank`), then newest first. The query
//! language is [`query`]; text on both sides is normalized by [`text`], so
//! Arabic and Persian spellings, ZWNJ and digits find each other.

pub mod index;
pub mod query;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use entity::{messages, rooms, users};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, Statement, Value,
};
use uuid::Uuid;

use self::query::SearchQuery;
use crate::domain::rooms::kinds::RoomKind;
use crate::{
    domain::views::MessageView,
    domain::{
        messages::message_views,
        rooms::{membership, room_get},
        text,
        users::username::Username,
    },
    error::{AppError, AppResult, ErrorCode},
};

pub const QUERY_MAX_CHARS: usize = 200;
pub const LIMIT_MAX: u64 = 50;
/// How many of the newest matches are ranked by relevance; older matches are reached by
/// narrowing the query (more words, `from:`, `in:`, dates).
pub const RANK_CANDIDATES: i64 = 1000;

/// How matches are found and ordered.
enum Ranking {
    /// SQLite FTS5 `MATCH` expression; BM25.
    Fts5(String),
    /// PostgreSQL `to_tsquery('simple', …)` input and the phrases' word pairs; `ts_rank`.
    Postgres(String, Option<String>),
    /// Filters only: newest first.
    Newest,
}
/// Words of context kept before and after the first highlighted word.
const SNIPPET_WORDS_BEFORE: usize = 6;
const SNIPPET_WORDS_AFTER: usize = 14;

/// What to look for, from the query string and the request's filters.
#[derive(Debug, Default)]
pub struct SearchRequest<'a> {
    pub query: &'a str,
    pub room: Option<Uuid>,
    /// A username or a user id; overrides `from:` in the query.
    pub author: Option<&'a str>,
    pub before: Option<DateTime<Utc>>,
    pub after: Option<DateTime<Utc>>,
    pub has_file: Option<bool>,
    pub limit: u64,
    pub cursor: Option<&'a str>,
}

/// A piece of a snippet; `hit` pieces matched the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub hit: bool,
}

pub struct SearchHit {
    pub message: MessageView,
    pub room: rooms::Model,
    pub snippet: Vec<Segment>,
}

pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    /// Pass as `cursor` for the next page; `None` on the last one.
    pub next_cursor: Option<String>,
}

fn invalid_query() -> AppError {
    AppError::Invalid {
        code: ErrorCode::SearchQueryInvalid,
        args: vec![("max", QUERY_MAX_CHARS.to_string())],
    }
}

/// Cursors are opaque to clients: the offset of the next page, encoded.
fn encode_cursor(offset: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("o{offset}"))
}

fn decode_cursor(cursor: &str) -> AppResult<u64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix('o')?.parse().ok())
        .ok_or(AppError::Invalid {
            code: ErrorCode::SearchCursorInvalid,
            args: vec![],
        })
}

/// A statement under construction: SQL text and its values, with the backend's
/// placeholders (`?` or `$n`).
struct Sql {
    backend: DatabaseBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DatabaseBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        match self.backend {
            DatabaseBackend::Postgres => {
                let n = self.values.len();
                self.text.push_str(&format!("${n}"));
            }
            _ => self.text.push('?'),
        }
        self
    }

    fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// Filters that narrow the search, resolved against the database.
struct Scope {
    author: Option<Uuid>,
    rooms: Option<Vec<Uuid>>,
}

/// `author` (request) or `from:` (query) → a user id; `room` / `in:` → room ids the user
/// may see. `None` means the filter names nothing, so nothing can match.
async fn resolve_scope(
    db: &impl ConnectionTrait,
    user: &users::Model,
    request: &SearchRequest<'_>,
    parsed: &SearchQuery,
) -> AppResult<Option<Scope>> {
    let author_name = request.author.or(parsed.from.as_deref());
    let author = match author_name {
        None => None,
        Some(name) => match name.parse::<Uuid>() {
            Ok(id) => Some(id),
            Err(_) => {
                let Ok(username) = Username::parse(name.trim_start_matches('@')) else {
                    return Ok(None);
                };
                let found = users::Entity::find()
                    .filter(users::Column::UsernameKey.eq(username.key()))
                    .one(db)
                    .await?;
                match found {
                    Some(author) => Some(author.id),
                    None => return Ok(None),
                }
            }
        },
    };
    let mut rooms = None;
    if let Some(room_id) = request.room {
        let room = room_get(db, room_id).await?;
        let member = membership(db, room_id, user.id).await?;
        if member.is_none() && RoomKind::of(&room) != RoomKind::Public {
            return Err(AppError::Missing(ErrorCode::RoomNotFound));
        }
        rooms = Some(vec![room_id]);
    }
    if let Some(name) = &parsed.room {
        let wanted = name.to_lowercase();
        let mut named = Vec::new();
        for room in rooms::Entity::find()
            .filter(rooms::Column::Kind.ne("direct"))
            .all(db)
            .await?
        {
            if room.name.to_lowercase() != wanted {
                continue;
            }
            let visible = RoomKind::of(&room) == RoomKind::Public
                || membership(db, room.id, user.id).await?.is_some();
            let allowed = rooms.as_ref().is_none_or(|ids| ids.contains(&room.id));
            if visible && allowed {
                named.push(room.id);
            }
        }
        if named.is_empty() {
            return Ok(None);
        }
        rooms = Some(named);
    }
    Ok(Some(Scope { author, rooms }))
}

/// The PostgreSQL query value: the parsed words, and the phrases' pair lexemes as a
/// literal `tsquery` (parsing it would split `a+b`).
fn pg_query(sql: &mut Sql, tsquery: &str, pairs: Option<&str>) {
    sql.push("(to_tsquery('simple', ")
        .bind(tsquery.to_owned())
        .push(")");
    if let Some(pairs) = pairs {
        sql.push(" && CAST(")
            .bind(pairs.to_owned())
            .push(" AS tsquery)");
    }
    sql.push(")");
}

/// The FTS5 expression: the user's query on the text column, and the author and room
/// filters as facet terms, so the index intersects them instead of rows being checked.
fn with_facets(matching: &str, scope: &Scope) -> String {
    let mut expression = format!("search_text : ({matching})");
    if let Some(author) = scope.author {
        expression.push_str(&format!(" AND search_facets : \"a{}\"", author.simple()));
    }
    if let Some(rooms) = &scope.rooms {
        let any: Vec<String> = rooms
            .iter()
            .map(|room| format!("\"r{}\"", room.simple()))
            .collect();
        expression.push_str(&format!(" AND search_facets : ({})", any.join(" OR ")));
    }
    expression
}

/// Messages matching the request in the rooms `user` may read, best first.
pub async fn messages_search(
    db: &impl ConnectionTrait,
    user: &users::Model,
    request: SearchRequest<'_>,
) -> AppResult<SearchPage> {
    let chars = request.query.trim().chars().count();
    if chars > QUERY_MAX_CHARS {
        return Err(invalid_query());
    }
    let parsed = query::parse(request.query);
    let filtered = parsed.from.is_some()
        || parsed.room.is_some()
        || request.author.is_some()
        || request.room.is_some()
        || request.has_file.is_some()
        || request.before.is_some()
        || request.after.is_some();
    if parsed.is_empty() && !filtered {
        return Err(invalid_query());
    }
    // A forged cursor may carry any number: kept where `offset + limit` still fits the
    // databases' signed 64-bit OFFSET.
    let offset = request
        .cursor
        .map(decode_cursor)
        .transpose()?
        .unwrap_or(0)
        .min(i64::MAX as u64 - LIMIT_MAX);
    let limit = request.limit.clamp(1, LIMIT_MAX);
    let Some(scope) = resolve_scope(db, user, &request, &parsed).await? else {
        return Ok(SearchPage {
            hits: vec![],
            next_cursor: None,
        });
    };

    let backend = db.get_database_backend();
    // The newest RANK_CANDIDATES matches are found first (both indexes hand matches over
    // newest first and stop there), and only those are ranked: ranking every match of a
    // common word in a million messages costs hundreds of milliseconds.
    if parsed.contradicts_itself() {
        return Ok(SearchPage {
            hits: vec![],
            next_cursor: None,
        });
    }
    let ranking = match (backend, parsed.fts5_match(), parsed.pg_tsquery()) {
        (DatabaseBackend::Sqlite, Some(matching), _) => {
            Ranking::Fts5(with_facets(&matching, &scope))
        }
        (DatabaseBackend::Postgres, _, Some(tsquery)) => {
            Ranking::Postgres(tsquery, parsed.pg_phrase_pairs())
        }
        _ => Ranking::Newest,
    };
    let mut sql = Sql::new(backend);
    match &ranking {
        Ranking::Fts5(matching) => {
            // bm25() is lower for better matches; negated to sort like ts_rank. Facets
            // weigh nothing.
            sql.push(
                "SELECT id FROM (SELECT m.id AS id, -bm25(messages_fts, 1.0, 0.0) AS score, \
                 m.created_at AS created_at FROM messages_fts \
                 CROSS JOIN messages m ON m.rowid = messages_fts.rowid WHERE messages_fts MATCH ",
            )
            .bind(matching.clone());
        }
        Ranking::Postgres(tsquery, pairs) => {
            sql.push(
                "SELECT c.id AS id FROM (SELECT m.id AS id, m.created_at AS created_at, \
                 m.search_vector AS search_vector FROM messages m WHERE m.search_vector @@ ",
            );
            pg_query(&mut sql, tsquery, pairs.as_deref());
        }
        Ranking::Newest => {
            sql.push("SELECT m.id AS id FROM messages m WHERE 1 = 1");
        }
    }
    sql.push(" AND m.deleted_at IS NULL AND (m.room_id IN (SELECT room_id FROM room_members WHERE user_id = ")
        .bind(user.id)
        .push(") OR m.room_id IN (SELECT id FROM rooms WHERE kind = 'public'))");
    if let Some(rooms) = &scope.rooms {
        sql.push(" AND m.room_id IN (");
        for (i, room) in rooms.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(*room);
        }
        sql.push(")");
    }
    if let Some(author) = scope.author {
        sql.push(" AND m.author_id = ").bind(author);
    }
    if let Some(before) = request.before {
        sql.push(" AND m.created_at < ").bind(before);
    }
    if let Some(after) = request.after {
        sql.push(" AND m.created_at > ").bind(after);
    }
    match request.has_file {
        Some(true) => {
            sql.push(" AND EXISTS (SELECT 1 FROM files f WHERE f.message_id = m.id)");
        }
        Some(false) => {
            sql.push(" AND NOT EXISTS (SELECT 1 FROM files f WHERE f.message_id = m.id)");
        }
        None => {}
    }
    match &ranking {
        Ranking::Fts5(_) => {
            sql.push(" ORDER BY messages_fts.rowid DESC LIMIT ")
                .bind(RANK_CANDIDATES)
                .push(") ORDER BY score DESC, created_at DESC, id DESC");
        }
        Ranking::Postgres(tsquery, pairs) => {
            sql.push(" ORDER BY m.created_at DESC LIMIT ")
                .bind(RANK_CANDIDATES)
                .push(") c ORDER BY ts_rank(c.search_vector, ");
            pg_query(&mut sql, tsquery, pairs.as_deref());
            sql.push(") DESC, c.created_at DESC, c.id DESC");
        }
        Ranking::Newest => {
            sql.push(" ORDER BY m.created_at DESC, m.id DESC");
        }
    }
    // One extra row tells whether another page exists.
    sql.push(" LIMIT ")
        .bind(limit as i64 + 1)
        .push(" OFFSET ")
        .bind(offset as i64);

    let rows = db.query_all(sql.statement()).await?;
    let mut ids = Vec::with_capacity(rows.len());
    for row in &rows {
        ids.push(row.try_get::<Uuid>("", "id")?);
    }
    let more = ids.len() as u64 > limit;
    ids.truncate(limit as usize);
    let page = load_hits(db, &ids, &parsed).await?;
    Ok(SearchPage {
        hits: page,
        next_cursor: more.then(|| encode_cursor(offset + limit)),
    })
}

/// The messages, their rooms and snippets, in the order of `ids`.
async fn load_hits(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    parsed: &SearchQuery,
) -> AppResult<Vec<SearchHit>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut found = messages::Entity::find()
        .filter(messages::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    found.sort_by_key(|m| ids.iter().position(|id| *id == m.id));
    let room_ids: Vec<Uuid> = found.iter().map(|m| m.room_id).collect();
    let rooms: std::collections::HashMap<Uuid, rooms::Model> = rooms::Entity::find()
        .filter(rooms::Column::Id.is_in(room_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let terms = parsed.highlight_terms();
    Ok(message_views(db, found)
        .await?
        .into_iter()
        .filter_map(|message| {
            let room = rooms.get(&message.room_id)?.clone();
            let snippet = snippet(&message.body, &terms);
            Some(SearchHit {
                message,
                room,
                snippet,
            })
        })
        .collect())
}

/// A short excerpt of `text` around its first matching word, split into pieces that
/// matched and pieces that did not (the client marks the former; nothing is HTML).
pub fn snippet(text: &str, terms: &[(String, bool)]) -> Vec<Segment> {
    let spans = text::word_spans(text);
    let matches = |token: &str| {
        terms.iter().any(|(term, prefix)| {
            if *prefix {
                token.starts_with(term.as_str())
            } else {
                token == term
            }
        })
    };
    let hits: Vec<bool> = spans.iter().map(|(_, token)| matches(token)).collect();
    let first = hits.iter().position(|hit| *hit).unwrap_or(0);
    let from = first.saturating_sub(SNIPPET_WORDS_BEFORE);
    let to = (first + SNIPPET_WORDS_AFTER).min(spans.len().saturating_sub(1));
    let start = if from == 0 { 0 } else { spans[from].0.start };
    let end = if spans.is_empty() || to + 1 >= spans.len() {
        text.len()
    } else {
        spans[to].0.end
    };

    let mut segments: Vec<Segment> = Vec::new();
    let mut push = |text: &str, hit: bool| {
        if text.is_empty() {
            return;
        }
        match segments.last_mut() {
            Some(last) if last.hit == hit => last.text.push_str(text),
            _ => segments.push(Segment {
                text: text.to_owned(),
                hit,
            }),
        }
    };
    if start > 0 {
        push("…", false);
    }
    let mut at = start;
    for ((range, _), hit) in spans.iter().zip(&hits) {
        // `range.start < at`: one character can make several words (NFKC reads `½` as
        // `1⁄2`), each with that character's range; it is shown once.
        if range.start < start || range.end > end || range.start < at {
            continue;
        }
        push(&text[at..range.start], false);
        push(&text[range.clone()], *hit);
        at = range.end;
    }
    push(&text[at..end], false);
    if end < text.len() {
        push("…", false);
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|s| {
                if s.hit {
                    format!("[{}]", s.text)
                } else {
                    s.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn a_character_that_splits_into_several_words_does_not_break_the_snippet() {
        // NFKC reads `½` as `1⁄2`: two words from one character (a 500 found by fuzzing).
        let parts = snippet("tea ½ cup", &[("2".to_owned(), false)]);
        let text: String = parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(text, "tea ½ cup");
    }

    #[test]
    fn snippets_mark_what_matched_in_the_original_spelling() {
        let query = query::parse("كتاب می روم");
        let text = "امروز به کتاب‌خانه نه، برای کتاب می‌روم!";
        assert_eq!(
            marked(&snippet(text, &query.highlight_terms())),
            "امروز به کتاب‌خانه نه، برای [کتاب] [می‌روم]!"
        );
        let prefix = query::parse("deploy*");
        assert_eq!(
            marked(&snippet(
                "We Deployed it, then deploying again",
                &prefix.highlight_terms()
            )),
            "We [Deployed] it, then [deploying] again"
        );
    }

    #[test]
    fn long_texts_are_cut_around_the_first_match() {
        let words: Vec<String> = (0..60).map(|i| format!("w{i}")).collect();
        let text = words.join(" ");
        let query = query::parse("w30");
        let cut = marked(&snippet(&text, &query.highlight_terms()));
        assert!(cut.starts_with("…w24 "), "{cut}");
        assert!(cut.contains("[w30]"), "{cut}");
        assert!(cut.ends_with("w44…"), "{cut}");
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(40)).ok(), Some(40));
        assert!(decode_cursor("not a cursor").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("x12")).is_err());
    }
}
