//! What the server tells live sockets beside a room's timeline, and the order that keeps the
//! timeline itself in seq order.
//!
//! The hub ([`crate::ws::hub`]) only keeps connections and their subscriptions; the state
//! behind the frames it carries lives here: which rooms' events are being published
//! ([`order`]), the messages queued for the next group commit ([`sends`]), who is typing
//! ([`typing`]), and the presence changes and poll counts that wait for the next batch
//! ([`batches`]). The housekeeping loop in `app.rs` drives the
//! sweeps and flushes.

pub mod batches;
pub mod order;
pub mod sends;
pub mod typing;

use std::time::Duration;

use crate::clock::Clock;

pub use batches::{DirtyPolls, PresenceBatch};
pub use order::RoomOrder;
pub use sends::SendLanes;
pub use typing::TypingBoard;

/// The fan-out state one node keeps. Cheap to share behind an `Arc`.
pub struct Fanout {
    pub order: RoomOrder,
    /// Messages queued for the next group commit.
    pub sends: SendLanes,
    pub typing: TypingBoard,
    pub presence: PresenceBatch,
    pub polls: DirtyPolls,
}

impl Fanout {
    pub fn new(typing_expiry: Duration, clock: Clock) -> Self {
        Self {
            order: RoomOrder::default(),
            sends: SendLanes::default(),
            typing: TypingBoard::new(typing_expiry, clock),
            presence: PresenceBatch::default(),
            polls: DirtyPolls::default(),
        }
    }
}
