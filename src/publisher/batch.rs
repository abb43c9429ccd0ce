//! Group commit: messages sent to a lane while a batch is being written wait, and are then
//! written together in one transaction, committed once (one `fsync` rather than one each),
//! and published in seq order.
//!
//! Each message is written under a savepoint, so one that is refused (a rule its write
//! breaks) undoes only its own rows and the others go on; seqs stay gap-free because the
//! refused one's seq is undone with it. Acks go out only after the commit, so an ack still
//! means the message is durable. A batch that fails (the commit, or the database going away
//! under it) fails every message in it with that error, and stores none of them.

use std::{future::Future, panic::AssertUnwindSafe};

use futures_util::{FutureExt, future::BoxFuture};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, TransactionTrait};
use tokio::sync::oneshot;
use uuid::Uuid;

use super::{Committed, publish};
use crate::{
    error::{AppError, AppResult},
    fanout::sends::{Pending, Written},
    state::AppState,
};

/// A change written as part of a batch: it writes in the transaction it is given and never
/// commits; the batch does.
pub trait Change: Send + 'static {
    type Output: Committed + Send + 'static;
    fn write(
        self,
        txn: &DatabaseTransaction,
    ) -> impl Future<Output = AppResult<Self::Output>> + Send;
}

/// Writes `change` to `room_id` in the next batch of its lane and waits for the batch's
/// commit: the result is then durable and its events published.
pub async fn send<C: Change>(state: &AppState, room_id: Uuid, change: C) -> AppResult<C::Output> {
    let lane = lane_of(state, room_id);
    let (reply, answer) = oneshot::channel();
    let job = Box::new(Queued {
        room_id,
        change,
        reply,
    });
    if state.fanout.sends.push(lane, job) {
        // Its own task, so a caller that goes away (a dropped request) cannot cancel a
        // batch that holds other people's messages.
        tokio::spawn(drain(state.clone(), lane));
    }
    answer
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("the batch writing this message stopped").into()))
}

/// The lane `room_id`'s messages are written in. SQLite has one writer: its batches take
/// every room's messages. PostgreSQL writes rooms side by side, each with its own batches.
pub fn lane_of(state: &AppState, room_id: Uuid) -> Uuid {
    match state.db.get_database_backend() {
        DbBackend::Sqlite => Uuid::nil(),
        _ => room_id,
    }
}

/// Writes `lane`'s batches until nothing is queued.
async fn drain(state: AppState, lane: Uuid) {
    while let Some(jobs) = state.fanout.sends.take(lane) {
        // A panic drops the batch's replies (its senders get an error) but must not leave
        // the lane open with no writer.
        if AssertUnwindSafe(write_batch(&state, jobs))
            .catch_unwind()
            .await
            .is_err()
        {
            tracing::error!(%lane, "a batch of messages panicked; its senders were told");
        }
    }
}

async fn write_batch(state: &AppState, jobs: Vec<Box<dyn Pending>>) {
    let mut rooms: Vec<Uuid> = jobs.iter().map(|job| job.room_id()).collect();
    rooms.sort_unstable();
    rooms.dedup();
    // In one order, so two writers (or a writer and any other change) never wait on each
    // other's rooms in a circle.
    let mut held = Vec::with_capacity(rooms.len());
    for room in rooms {
        held.push(state.fanout.order.hold(room).await);
    }
    let txn = match state.db.begin().await {
        Ok(txn) => txn,
        Err(err) => {
            let err = AppError::from(err);
            jobs.into_iter().for_each(|job| job.fail(copy(&err)));
            return;
        }
    };
    let alone = jobs.len() == 1;
    let mut written: Vec<Box<dyn Written>> = Vec::with_capacity(jobs.len());
    let mut jobs = jobs.into_iter();
    let mut broken = None;
    for job in jobs.by_ref() {
        if alone {
            // Nothing to keep apart from: a refusal rolls the whole transaction back.
            match job.write(&txn).await {
                Some(done) => written.push(done),
                None => return,
            }
            continue;
        }
        let savepoint = match txn.begin().await {
            Ok(savepoint) => savepoint,
            Err(err) => {
                let err = AppError::from(err);
                job.fail(copy(&err));
                broken = Some(err);
                break;
            }
        };
        match job.write(&savepoint).await {
            Some(done) => match savepoint.commit().await {
                Ok(()) => written.push(done),
                Err(err) => {
                    let err = AppError::from(err);
                    done.fail(copy(&err));
                    broken = Some(err);
                    break;
                }
            },
            None => {
                if let Err(err) = savepoint.rollback().await {
                    broken = Some(AppError::from(err));
                    break;
                }
            }
        }
    }
    if let Some(err) = broken {
        // Dropping the transaction rolls every write of the batch back.
        jobs.for_each(|job| job.fail(copy(&err)));
        written.into_iter().for_each(|done| done.fail(copy(&err)));
        return;
    }
    if let Err(err) = txn.commit().await {
        let err = AppError::from(err);
        written.into_iter().for_each(|done| done.fail(copy(&err)));
        return;
    }
    for done in &written {
        publish(state, done.events());
    }
    drop(held);
    written.into_iter().for_each(|done| done.ack());
}

/// One batch failure told to each of its messages: a fault stays the fault it is (503 with
/// Retry-After for a database out of reach), anything else is the opaque 500.
fn copy(err: &AppError) -> AppError {
    match err {
        AppError::Fault { fault, cause } => AppError::Fault {
            fault: *fault,
            cause: cause.clone(),
        },
        other => AppError::Internal(anyhow::anyhow!("the batch failed: {other}")),
    }
}

/// A queued change and where its result goes.
struct Queued<C: Change> {
    room_id: Uuid,
    change: C,
    reply: oneshot::Sender<AppResult<C::Output>>,
}

impl<C: Change> Pending for Queued<C> {
    fn room_id(&self) -> Uuid {
        self.room_id
    }

    fn write(
        self: Box<Self>,
        txn: &DatabaseTransaction,
    ) -> BoxFuture<'_, Option<Box<dyn Written>>> {
        let Queued { change, reply, .. } = *self;
        Box::pin(async move {
            match change.write(txn).await {
                Ok(output) => Some(Box::new(Done { output, reply }) as Box<dyn Written>),
                Err(err) => {
                    let _ = reply.send(Err(err));
                    None
                }
            }
        })
    }

    fn fail(self: Box<Self>, err: AppError) {
        let _ = self.reply.send(Err(err));
    }
}

/// A change written, waiting for its batch's commit.
struct Done<T> {
    output: T,
    reply: oneshot::Sender<AppResult<T>>,
}

impl<T: Committed + Send + 'static> Written for Done<T> {
    fn events(&self) -> &[crate::domain::rooms::timeline::RoomEvent] {
        self.output.events()
    }

    fn ack(self: Box<Self>) {
        let _ = self.reply.send(Ok(self.output));
    }

    fn fail(self: Box<Self>, err: AppError) {
        let _ = self.reply.send(Err(err));
    }
}
