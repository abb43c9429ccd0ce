//! Messages waiting for their turn to be written: the queues behind the publisher's group
//! commit (`publisher::batch`).
//!
//! A lane is the unit that is written one batch at a time: a room on PostgreSQL, the whole
//! database on SQLite (which has one writer anyway). A lane is open while a writer drains
//! it; whoever queues into a closed lane opens it and starts that writer. So a lone message
//! is written at once, and messages queue (and then share a transaction) only while a
//! batch is being written.

use std::{
    collections::{HashMap, hash_map::Entry},
    sync::Mutex,
};

use futures_util::future::BoxFuture;
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use crate::{domain::rooms::timeline::RoomEvent, error::AppError};

/// The most messages written in one transaction: a bound on how long a batch holds the
/// database's (or the room's) write lock and on what one failure takes down with it.
pub const BATCH_MAX: usize = 256;

/// A message waiting to be written, whatever its result type.
pub trait Pending: Send {
    fn room_id(&self) -> Uuid;
    /// Writes it in `txn`. A refusal goes to its sender at once and leaves `None`: the
    /// writer then undoes what it wrote.
    fn write(self: Box<Self>, txn: &DatabaseTransaction)
    -> BoxFuture<'_, Option<Box<dyn Written>>>;
    /// It was never written: its batch could not start.
    fn fail(self: Box<Self>, err: AppError);
}

/// A message written in a batch not yet committed.
pub trait Written: Send {
    /// The timeline events it appended, to publish once the batch is committed.
    fn events(&self) -> &[RoomEvent];
    /// The batch is committed: the sender gets its result.
    fn ack(self: Box<Self>);
    /// The batch failed: the sender gets `err` and nothing of it is stored.
    fn fail(self: Box<Self>, err: AppError);
}

/// The lanes; a lane in the map is open (a writer drains it).
#[derive(Default)]
pub struct SendLanes {
    lanes: Mutex<HashMap<Uuid, Vec<Box<dyn Pending>>>>,
}

impl SendLanes {
    /// Queues `job` in `lane`; `true` when the lane was closed, and the caller must now
    /// start its writer.
    pub fn push(&self, lane: Uuid, job: Box<dyn Pending>) -> bool {
        let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        match lanes.entry(lane) {
            Entry::Occupied(mut queued) => {
                queued.get_mut().push(job);
                false
            }
            Entry::Vacant(closed) => {
                closed.insert(vec![job]);
                true
            }
        }
    }

    /// The next batch of `lane` (up to [`BATCH_MAX`], oldest first), or `None` when nothing
    /// is queued: the lane is then closed, and the next message opens it again.
    pub fn take(&self, lane: Uuid) -> Option<Vec<Box<dyn Pending>>> {
        let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        let queued = lanes.get_mut(&lane)?;
        if queued.is_empty() {
            lanes.remove(&lane);
            return None;
        }
        let n = queued.len().min(BATCH_MAX);
        Some(queued.drain(..n).collect())
    }

    /// Whether a writer is draining `lane`.
    pub fn is_open(&self, lane: Uuid) -> bool {
        let lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        lanes.contains_key(&lane)
    }

    /// How many messages wait in `lane` (beside the batch being written).
    pub fn queued(&self, lane: Uuid) -> usize {
        let lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        lanes.get(&lane).map_or(0, Vec::len)
    }
}
