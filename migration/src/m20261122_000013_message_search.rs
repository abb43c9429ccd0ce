//! Full-text search over messages. The service layer writes `messages.search_text` — the
//! body, file names and poll question, normalized for Persian/Arabic (see
//! `domain::search_text`) — in the same transaction as the message. The index follows it:
//! SQLite: an FTS5 external-content table kept in sync by triggers (so it changes in that
//! same transaction); PostgreSQL: a generated `tsvector` (`simple` configuration: we
//! normalize ourselves, and there is no Persian stemmer) with a GIN index.
//!
//! PostgreSQL's vector also holds every adjacent token pair (`a+b`) for phrases.
//! SQLite also indexes `search_facets`, a generated column naming the message's room and
//! author (`r<room hex> a<author hex>`): `from:` and `in:` then intersect inside the FTS
//! index instead of checking rows one by one. PostgreSQL gets B-tree indexes for them.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    // Ids are 16-byte BLOBs; `hex` makes them the 32-digit form `Uuid::simple` prints.
    "ALTER TABLE messages ADD COLUMN search_facets TEXT GENERATED ALWAYS AS \
     ('r' || lower(hex(room_id)) || ' a' || lower(hex(author_id))) VIRTUAL",
    "CREATE VIRTUAL TABLE messages_fts USING fts5(search_text, search_facets, \
     content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN \
     INSERT INTO messages_fts(rowid, search_text, search_facets) \
     VALUES (new.rowid, new.search_text, new.search_facets); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN \
     INSERT INTO messages_fts(messages_fts, rowid, search_text, search_facets) \
     VALUES ('delete', old.rowid, old.search_text, old.search_facets); END",
    // The author becomes NULL when an account is deleted: the facet changes with it, and
    // FTS5 must be told the old values exactly.
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF search_text, room_id, author_id \
     ON messages BEGIN \
     INSERT INTO messages_fts(messages_fts, rowid, search_text, search_facets) \
     VALUES ('delete', old.rowid, old.search_text, old.search_facets); \
     INSERT INTO messages_fts(rowid, search_text, search_facets) \
     VALUES (new.rowid, new.search_text, new.search_facets); END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS messages_fts_update",
    "DROP TRIGGER IF EXISTS messages_fts_delete",
    "DROP TRIGGER IF EXISTS messages_fts_insert",
    "DROP TABLE IF EXISTS messages_fts",
    "ALTER TABLE messages DROP COLUMN search_facets",
];

const POSTGRES_UP: &[&str] = &[
    // Every adjacent pair of tokens as one more lexeme (`a+b`): a quoted phrase is then
    // looked up in the GIN index instead of rechecking positions row by row.
    "CREATE FUNCTION anjoman_word_pairs(words text) RETURNS text[] \
     LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ \
     SELECT coalesce(array_agg(pair), '{}') FROM ( \
       SELECT word || '+' || lead(word) OVER (ORDER BY n) AS pair \
       FROM unnest(string_to_array(words, ' ')) WITH ORDINALITY AS t(word, n) \
     ) pairs WHERE pair IS NOT NULL $$",
    "ALTER TABLE messages ADD COLUMN search_vector tsvector \
     GENERATED ALWAYS AS (to_tsvector('simple', search_text) \
     || array_to_tsvector(anjoman_word_pairs(search_text))) STORED",
    "CREATE INDEX idx_messages_search ON messages USING GIN (search_vector)",
    "CREATE INDEX idx_messages_author_created ON messages (author_id, created_at)",
    "CREATE INDEX idx_messages_room_created ON messages (room_id, created_at)",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS idx_messages_room_created",
    "DROP INDEX IF EXISTS idx_messages_author_created",
    "DROP INDEX IF EXISTS idx_messages_search",
    "ALTER TABLE messages DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS anjoman_word_pairs(text)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(
                        ColumnDef::new(Messages::SearchText)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        // Filters and the newest-first order of results.
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_created")
                    .table(Messages::Table)
                    .col(Messages::CreatedAt)
                    .to_owned(),
            )
            .await?;
        run(manager, SQLITE_UP, POSTGRES_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, SQLITE_DOWN, POSTGRES_DOWN).await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_messages_created")
                    .table(Messages::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .drop_column(Messages::SearchText)
                    .to_owned(),
            )
            .await
    }
}

async fn run(manager: &SchemaManager<'_>, sqlite: &[&str], postgres: &[&str]) -> Result<(), DbErr> {
    let statements = match manager.get_database_backend() {
        DatabaseBackend::Sqlite => sqlite,
        DatabaseBackend::Postgres => postgres,
        DatabaseBackend::MySql => {
            return Err(DbErr::Migration("MySQL is not supported".to_owned()));
        }
    };
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    SearchText,
    CreatedAt,
}
