//! The one way a change to a room's timeline reaches live sockets.
//!
//! A socket replays history up to a seq and then takes live events above it, dropping any
//! whose seq is not above the last it sent (that is how replay and live never overlap or
//! leave a gap). So a room's events must be published in seq order: a change commits and
//! publishes while it holds the room's order ([`commit`]), and nothing else publishes a
//! room's timeline events. Transient frames (typing, read marks, poll counts) carry no seq
//! and go to the broker directly.
//!
//! Sent messages take the group-commit path instead (`batch::send`): the same order and
//! the same publishing, with many messages to one commit.

pub mod batch;

use std::future::Future;

use uuid::Uuid;

use crate::{
    domain::{messages::Sent, rooms::timeline::RoomEvent},
    error::AppResult,
    state::AppState,
    ws::{broker::Envelope, events::ServerEvent},
};

/// What a committed change leaves for the room's subscribers: its timeline events, in the
/// order they were appended.
pub trait Committed {
    fn events(&self) -> &[RoomEvent];
}

impl Committed for RoomEvent {
    fn events(&self) -> &[RoomEvent] {
        std::slice::from_ref(self)
    }
}

impl<W> Committed for Sent<W> {
    fn events(&self) -> &[RoomEvent] {
        std::slice::from_ref(&self.event)
    }
}

/// A result and the event it appended.
impl<T> Committed for (T, RoomEvent) {
    fn events(&self) -> &[RoomEvent] {
        std::slice::from_ref(&self.1)
    }
}

/// A result and the event it appended, if it changed anything (a repeated reaction, a
/// join by someone already in the room, a deletion that announces nothing).
impl<T> Committed for (T, Option<RoomEvent>) {
    fn events(&self) -> &[RoomEvent] {
        self.1.as_slice()
    }
}

/// Runs `change`, a domain call that commits, holding `room_id`'s order, and publishes the
/// events it committed before the order is released. `change` is a future, so it starts
/// only once the order is held. A change that fails publishes nothing.
pub async fn commit<C: Committed>(
    state: &AppState,
    room_id: Uuid,
    change: impl Future<Output = AppResult<C>>,
) -> AppResult<C> {
    let _order = state.fanout.order.hold(room_id).await;
    let committed = change.await?;
    publish(state, committed.events());
    Ok(committed)
}

/// Publishes the events of a room nobody else can write to yet: one this change created
/// (a new room, a new direct conversation), so there is no order to keep.
pub fn publish_new_room(state: &AppState, events: &[RoomEvent]) {
    publish(state, events);
}

/// Each event to the room's subscribers, in the order given (seq order).
fn publish(state: &AppState, events: &[RoomEvent]) {
    for event in events {
        state.broker.publish(Envelope::Room {
            room_id: event.room_id,
            seq: Some(event.seq),
            frame: ServerEvent::from(event).frame().into(),
        });
    }
}
