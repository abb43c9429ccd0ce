//! Who is typing where, and when each indicator lapses.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use uuid::Uuid;

use crate::{
    clock::Clock,
    domain::views::UserRef,
    ws::{
        broker::{Broker, Envelope},
        event_data::TypingData,
        events::ServerEvent,
    },
};

pub struct TypingBoard {
    expiry: Duration,
    /// A test's clock moves, so expiry is tested without waiting for it.
    clock: Clock,
    /// (room, user) → when their indicator lapses.
    active: Mutex<HashMap<(Uuid, Uuid), (Instant, UserRef)>>,
}

impl TypingBoard {
    pub fn new(expiry: Duration, clock: Clock) -> Self {
        Self {
            expiry,
            clock,
            active: Mutex::new(HashMap::new()),
        }
    }

    fn active(&self) -> std::sync::MutexGuard<'_, HashMap<(Uuid, Uuid), (Instant, UserRef)>> {
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes that `user` is typing in `room`. Returns true when others should be told
    /// (first signal, or a refresh after half the expiry): repeats in between are absorbed.
    pub fn typing(&self, room_id: Uuid, user: UserRef) -> bool {
        let now = self.clock.instant();
        let mut active = self.active();
        let key = (room_id, user.id);
        let announce = active
            .get(&key)
            .is_none_or(|(until, _)| until.saturating_duration_since(now) < self.expiry / 2);
        active.insert(key, (now + self.expiry, user));
        announce
    }

    /// Stops typing for a user in a room (they sent the message).
    pub fn stop(&self, room_id: Uuid, user_id: Uuid) -> Option<UserRef> {
        self.active()
            .remove(&(room_id, user_id))
            .map(|(_, user)| user)
    }

    /// Ends the indicators whose time ran out, telling each room.
    pub fn sweep(&self, broker: &dyn Broker) {
        let now = self.clock.instant();
        let expired: Vec<((Uuid, Uuid), UserRef)> = {
            let mut active = self.active();
            let keys: Vec<(Uuid, Uuid)> = active
                .iter()
                .filter(|(_, (until, _))| *until <= now)
                .map(|(key, _)| *key)
                .collect();
            keys.into_iter()
                .filter_map(|key| active.remove(&key).map(|(_, user)| (key, user)))
                .collect()
        };
        for ((room_id, _), user) in expired {
            publish(broker, room_id, user, false, None);
        }
    }
}

/// Tells a room that `user` started or stopped typing. `expires_in_ms`, when given, is how
/// long a start lasts without a refresh; a lapse carries none.
pub fn publish(
    broker: &dyn Broker,
    room_id: Uuid,
    user: UserRef,
    active: bool,
    expires_in_ms: Option<u64>,
) {
    broker.publish(Envelope::Room {
        room_id,
        seq: None,
        frame: ServerEvent::Typing {
            room_id,
            data: TypingData {
                user,
                active,
                expires_in_ms,
            },
        }
        .frame()
        .into(),
    });
}
