//! Database connection (SQLite or PostgreSQL by URL) and migrations.

use std::{path::Path, time::Duration};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use crate::config::{DatabaseSettings, SqliteSync};

/// Opens the pool. For SQLite the parent directory of the file is created first and the
/// database is switched to WAL, so readers never block the writer.
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    if let Some(file) = sqlite_file(&settings.url) {
        if let Some(dir) = Path::new(file)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create database directory {dir:?}: {e}"))?;
        }
    }
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .max_connections(settings.max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(settings.connect_timeout_secs))
        .acquire_timeout(Duration::from_secs(settings.connect_timeout_secs))
        .sqlx_logging(false);
    let synchronous = match settings.sqlite_synchronous {
        SqliteSync::Full => SqliteSynchronous::Full,
        SqliteSync::Normal => SqliteSynchronous::Normal,
    };
    // WAL: readers never block the writer. `synchronous` decides whether a commit waits for
    // the disk (FULL: survives power loss) or only for the OS (NORMAL: survives a crash of
    // the process, and is several times faster per commit).
    options.map_sqlx_sqlite_opts(move |opts| {
        opts.journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Read through a memory map and keep a bigger page cache: search touches many
            // rows of a large table, and the default 2 MB cache re-reads them per query.
            .pragma("mmap_size", "268435456")
            .pragma("cache_size", "-16384")
    });
    Ok(Database::connect(options).await?)
}

/// The file path inside a `sqlite://path?opts` URL, unless it is an in-memory database.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Applies every pending migration; a no-op when the schema is current.
pub async fn migrate_up(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await?;
    Ok(())
}

/// `(name, applied)` for every known migration, in order.
pub async fn migration_status(db: &DatabaseConnection) -> anyhow::Result<Vec<(String, bool)>> {
    let applied: Vec<String> = Migrator::get_applied_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    Ok(Migrator::migrations()
        .iter()
        .map(|m| {
            let name = m.name().to_owned();
            let is_applied = applied.contains(&name);
            (name, is_applied)
        })
        .collect())
}

/// `SUM(column)` as a BIGINT, 0 over no rows: PostgreSQL sums a BIGINT into NUMERIC, which
/// does not decode as `i64`, so the cast keeps one Rust type on both databases.
pub fn sum_bigint(column: &str) -> sea_orm::sea_query::SimpleExpr {
    sea_orm::sea_query::Expr::cust(format!("CAST(COALESCE(SUM({column}), 0) AS BIGINT)"))
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn sqlite_file_paths_are_found_in_urls() {
        assert_eq!(
            sqlite_file("sqlite://data/anjoman.db?mode=rwc"),
            Some("data/anjoman.db")
        );
        assert_eq!(sqlite_file("sqlite:///tmp/x.db"), Some("/tmp/x.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/db"), None);
    }
}
