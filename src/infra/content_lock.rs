//! One stored content (SHA-256) at a time. "Is this content still used? Then delete its
//! bytes" and "store these bytes and record a file of them" must never interleave for the
//! same hash, or a file is left without bytes (or bytes without a row).
//!
//! Within a process, 64 striped mutexes keep them apart. Several nodes share PostgreSQL
//! and the store, so there the guard is also a transaction-scoped advisory lock keyed by the
//! hash: the guarded check, the store or delete of the bytes and the row change all run in
//! that transaction, and the lock goes with its commit, when the other nodes can see the
//! result. So on PostgreSQL an upload of new bytes holds one pooled connection while they
//! go into the store (size `database.max_connections` for the uploads you expect at once).
//! SQLite means a single node, where the mutex is enough (and a long transaction would
//! only hold up SQLite's one writer).

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseTransaction, Statement, TransactionTrait};
use tokio::sync::{Mutex, MutexGuard};

use crate::error::AppResult;

const STRIPES: usize = 64;
/// The advisory lock's first key: its own key space, apart from other users of advisory
/// locks on the same server (the second key is the hash's `hashtext`; a collision only
/// makes two contents wait for each other).
const ADVISORY_CLASS: i32 = 0x616e_6a6d; // "anjm"

/// The locks of one process.
pub struct ContentLocks {
    stripes: Vec<Mutex<()>>,
}

/// Held while one content is checked and changed. On PostgreSQL the work runs in
/// [`ContentGuard::txn`], and [`ContentGuard::end`] commits it; dropped without `end`, the
/// work is rolled back.
pub struct ContentGuard<'a> {
    _local: MutexGuard<'a, ()>,
    txn: Option<DatabaseTransaction>,
}

impl ContentLocks {
    pub fn new() -> Self {
        Self {
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    /// Waits until no one else, in this process or (on PostgreSQL) on any node, works on
    /// `sha256`. `db` must be the pool, not a transaction: the lock lasts until the
    /// transaction this opens ends.
    pub async fn lock<C>(&self, db: &C, sha256: &str) -> AppResult<ContentGuard<'_>>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        let stripe = sha256
            .get(..2)
            .and_then(|hex| usize::from_str_radix(hex, 16).ok())
            .unwrap_or(0)
            % STRIPES;
        let local = self.stripes[stripe].lock().await;
        let txn = if db.get_database_backend() == DatabaseBackend::Postgres {
            let txn = db.begin().await?;
            txn.execute(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1, hashtext($2))",
                [ADVISORY_CLASS.into(), sha256.into()],
            ))
            .await?;
            Some(txn)
        } else {
            None
        };
        Ok(ContentGuard { _local: local, txn })
    }
}

impl Default for ContentLocks {
    fn default() -> Self {
        Self::new()
    }
}

impl ContentGuard<'_> {
    /// The transaction guarded database work must run in (PostgreSQL); `None`: use the pool.
    pub fn txn(&self) -> Option<&DatabaseTransaction> {
        self.txn.as_ref()
    }

    /// Commits the guarded work (`commit`) or rolls it back, and lets the next one in.
    pub async fn end(self, commit: bool) -> AppResult<()> {
        match self.txn {
            Some(txn) if commit => txn.commit().await?,
            Some(txn) => txn.rollback().await?,
            None => {}
        }
        Ok(())
    }
}
