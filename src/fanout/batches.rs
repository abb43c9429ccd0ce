//! Changes told in batches rather than one by one: presence, and poll counts.

use std::{
    collections::{HashMap, HashSet},
    sync::Mutex,
};

use uuid::Uuid;

use crate::{
    domain::users::presence::Presence,
    domain::views::UserRef,
    ws::{
        broker::{Broker, Envelope},
        event_data::{MemberPresence, PresenceData},
        events::ServerEvent,
    },
};

/// A user's new presence and the rooms that should hear of it.
type PresenceChange = (UserRef, Presence, Vec<Uuid>);

/// Presence changes waiting for the next batch.
///
/// Sending each change to everyone at once would cost O(sockets) per connect — O(n²) when
/// many clients reconnect together; batches per room keep it proportional to the people
/// who can actually see the user.
#[derive(Default)]
pub struct PresenceBatch {
    pending: Mutex<HashMap<Uuid, PresenceChange>>,
}

impl PresenceBatch {
    /// Queues a presence change, to be told to the rooms the user is in.
    pub fn changed(&self, user: UserRef, presence: Presence, rooms: Vec<Uuid>) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.insert(user.id, (user, presence, rooms));
    }

    /// Sends the queued changes: one `presence` frame per room, with every change of its
    /// members since the last batch. Each node checks the room's size against its own
    /// subscribers on delivery (see `hub::PRESENCE_ROOM_MAX`): the room's members may be
    /// connected anywhere.
    pub fn flush(&self, broker: &dyn Broker) {
        let pending: Vec<PresenceChange> = {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.drain().map(|(_, change)| change).collect()
        };
        let mut by_room: HashMap<Uuid, Vec<MemberPresence>> = HashMap::new();
        for (user, presence, rooms) in pending {
            let change = MemberPresence {
                user,
                status: presence.as_str().to_owned(),
            };
            for room in rooms {
                by_room.entry(room).or_default().push(change.clone());
            }
        }
        for (room_id, changes) in by_room {
            broker.publish(Envelope::Presence {
                room_id,
                frame: ServerEvent::Presence {
                    room_id,
                    data: PresenceData { changes },
                }
                .frame()
                .into(),
            });
        }
    }
}

/// Polls with votes not yet broadcast (see `actions::polls_flush`): a burst of votes is
/// told as one `poll.updated` per poll per flush.
#[derive(Default)]
pub struct DirtyPolls {
    polls: Mutex<HashSet<Uuid>>,
}

impl DirtyPolls {
    pub fn mark(&self, poll_id: Uuid) {
        self.polls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(poll_id);
    }

    /// The polls marked since the last call.
    pub fn take(&self) -> Vec<Uuid> {
        self.polls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .collect()
    }
}
