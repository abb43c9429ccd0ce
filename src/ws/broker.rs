//! Fan-out goes through a [`Broker`]: in process on one node (`in_process_broker.rs`), or
//! through Redis (`redis_broker.rs`), which publishes the same envelopes to other nodes,
//! whose hubs deliver them locally. Both deliver to the hub; the hub publishes through a
//! broker (presence batches, typing expiry): this file is what both sides share, so neither
//! imports the other.

use std::sync::Arc;

use uuid::Uuid;

/// What to deliver, and to whom. Frames are serialized once, before fan-out.
#[derive(Debug, Clone)]
pub enum Envelope {
    /// To every socket subscribed to the room. `seq` is set for timeline events, which
    /// sockets deduplicate and order by it; transient ones (typing, read) have none.
    Room {
        room_id: Uuid,
        seq: Option<i64>,
        frame: Arc<str>,
    },
    /// A room's presence batch: delivered only where the room is small enough on the
    /// receiving node (see [`super::hub::PRESENCE_ROOM_MAX`]).
    Presence { room_id: Uuid, frame: Arc<str> },
    /// To every socket of one user (mentions, DM invitations).
    User { user_id: Uuid, frame: Arc<str> },
    /// To every socket (presence).
    All { frame: Arc<str> },
    /// A user's sessions changed (logout, revoke, password, ban): close their sockets whose
    /// session is no longer live.
    Recheck { user_id: Uuid },
    /// The user left or was removed from the room: their sockets stop receiving it, on
    /// every node (a kick handled on one node must not leave a socket on another listening).
    Unsubscribe { user_id: Uuid, room_id: Uuid },
}

/// Publishes envelopes to every node's hub (including this one's).
pub trait Broker: Send + Sync {
    fn publish(&self, envelope: Envelope);
}
