//! Faults a client can do nothing about but wait: the database is unreachable, the
//! password queue is full, the store has no space. They are told apart from bugs here, so
//! REST and the socket answer 503 `service.unavailable` (with `Retry-After`) or 507
//! `storage.full` instead of an opaque 500, and each is counted in
//! `anjoman_faults_total{kind}`.

use std::error::Error as StdError;

use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr, sqlx};

/// Every password hashing slot and queue place is taken (see `infra::password`); try again
/// in a moment. Declared here rather than beside the hasher so that telling faults apart
/// needs nothing above the base layer.
#[derive(Debug, thiserror::Error)]
#[error("too many passwords waiting to be hashed")]
pub struct QueueFull;

/// A fault that is not the request's doing, nor a bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The database does not answer (down, unreachable, pool exhausted, dropped).
    DatabaseUnavailable,
    /// Too many passwords waiting to be hashed or checked ([`QueueFull`]).
    PasswordQueueFull,
    /// The file store or the database has no space left.
    StorageFull,
}

impl Fault {
    /// The metric label.
    pub fn kind(self) -> &'static str {
        match self {
            Self::DatabaseUnavailable => "database_unavailable",
            Self::PasswordQueueFull => "password_queue_full",
            Self::StorageFull => "storage_full",
        }
    }

    /// What caused `err`, if it is a fault: the whole chain of sources is looked at, so a
    /// database or I/O error wrapped in context is still recognised.
    pub fn of(err: &anyhow::Error) -> Option<Self> {
        err.chain().find_map(Self::of_one)
    }

    /// What `err` means, if it is a fault (a SeaORM error straight from a query).
    pub fn of_db(err: &DbErr) -> Option<Self> {
        match err {
            DbErr::ConnectionAcquire(
                ConnAcquireErr::Timeout | ConnAcquireErr::ConnectionClosed,
            ) => Some(Self::DatabaseUnavailable),
            DbErr::Conn(RuntimeErr::SqlxError(sqlx_err))
            | DbErr::Exec(RuntimeErr::SqlxError(sqlx_err))
            | DbErr::Query(RuntimeErr::SqlxError(sqlx_err)) => Self::of_sqlx(sqlx_err),
            // SeaORM only says `Conn` when it could not talk to the database at all.
            DbErr::Conn(_) => Some(Self::DatabaseUnavailable),
            _ => None,
        }
    }

    fn of_one(err: &(dyn StdError + 'static)) -> Option<Self> {
        if let Some(db) = err.downcast_ref::<DbErr>() {
            return Self::of_db(db);
        }
        if err.is::<QueueFull>() {
            return Some(Self::PasswordQueueFull);
        }
        if let Some(sqlx_err) = err.downcast_ref::<sqlx::Error>() {
            return Self::of_sqlx(sqlx_err);
        }
        err.downcast_ref::<std::io::Error>().and_then(Self::of_io)
    }

    fn of_sqlx(err: &sqlx::Error) -> Option<Self> {
        match err {
            sqlx::Error::Io(io) => Self::of_io(io).or(Some(Self::DatabaseUnavailable)),
            sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => Some(Self::DatabaseUnavailable),
            sqlx::Error::Database(db) => {
                let code = db.code()?;
                if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                    Self::of_sqlite_code(code.parse().ok()?)
                } else {
                    Self::of_sqlstate(&code)
                }
            }
            _ => None,
        }
    }

    /// SQLite's extended result codes; the low byte is the primary code.
    fn of_sqlite_code(code: i32) -> Option<Self> {
        match code & 0xff {
            // SQLITE_FULL: the disk (or the file system's quota) is full.
            13 => Some(Self::StorageFull),
            // SQLITE_IOERR, SQLITE_CANTOPEN: the file cannot be read or opened.
            10 | 14 => Some(Self::DatabaseUnavailable),
            _ => None,
        }
    }

    /// PostgreSQL's five-character SQLSTATEs.
    fn of_sqlstate(code: &str) -> Option<Self> {
        match code {
            // disk_full, insufficient_resources' out-of-space member.
            "53100" => Some(Self::StorageFull),
            // Class 08: connection exceptions. 57P01–57P03: the server is shutting down
            // or not accepting connections yet. 3D000: the database is gone.
            c if c.starts_with("08") => Some(Self::DatabaseUnavailable),
            "57P01" | "57P02" | "57P03" | "3D000" => Some(Self::DatabaseUnavailable),
            _ => None,
        }
    }

    fn of_io(err: &std::io::Error) -> Option<Self> {
        // ENOSPC (28) and EDQUOT (122) on Linux; `StorageFull` where std maps them.
        let full = err.kind() == std::io::ErrorKind::StorageFull
            || matches!(err.raw_os_error(), Some(28 | 122));
        full.then_some(Self::StorageFull)
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_recognised_inside_context() {
        let io = std::io::Error::from_raw_os_error(28);
        let wrapped = anyhow::Error::new(io).context("writing an upload");
        assert_eq!(Fault::of(&wrapped), Some(Fault::StorageFull));
    }

    #[test]
    fn database_codes_map_to_their_fault() {
        assert_eq!(Fault::of_sqlite_code(13), Some(Fault::StorageFull));
        assert_eq!(
            Fault::of_sqlite_code(2067),
            None,
            "a unique violation is no fault"
        );
        assert_eq!(Fault::of_sqlstate("53100"), Some(Fault::StorageFull));
        assert_eq!(
            Fault::of_sqlstate("08006"),
            Some(Fault::DatabaseUnavailable)
        );
        assert_eq!(Fault::of_sqlstate("23505"), None);
    }

    #[test]
    fn a_closed_pool_is_an_unavailable_database() {
        let err = DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed);
        assert_eq!(Fault::of_db(&err), Some(Fault::DatabaseUnavailable));
        let wrapped = anyhow::Error::new(err).context("loading a room");
        assert_eq!(Fault::of(&wrapped), Some(Fault::DatabaseUnavailable));
    }
}
