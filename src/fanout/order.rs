//! The per-room lock that orders "append an event, then publish it".

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use uuid::Uuid;

/// Serializes "append an event to the room, then publish it" per room, so events are
/// published in seq order. Sockets rely on that order: they drop any live event whose seq is
/// not above the last one they sent (that is how replay and live never overlap).
#[derive(Default)]
pub struct RoomOrder {
    rooms: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>,
}

impl RoomOrder {
    /// Waits for `room_id`'s turn; the turn lasts as long as the guard.
    pub async fn hold(&self, room_id: Uuid) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
            rooms.entry(room_id).or_default().clone()
        };
        lock.lock_owned().await
    }
}
