//! Per-room delivery state of one socket: what keeps its stream of a room's timeline events
//! gap-free, in seq order and duplicate-free, through resume and across nodes.
//!
//! On one node, events reach the hub in seq order. With several nodes they can arrive out
//! of order (two nodes commit seq 74 and 75 at once; 75's envelope comes first), or not at
//! all (a publish lost in a Redis outage). So a socket never sends past a gap: it holds
//! later events back, waits briefly for the missing ones, and if they do not come, reads
//! them from the event log (seq is assigned in the database, so whatever was published
//! after them is already committed behind them).

use std::{collections::HashMap, sync::Arc};

use uuid::Uuid;

enum RoomSync {
    /// Held back until the log catches up: while subscribing (`last` unknown until the
    /// replay says), or behind a gap. `fetching`: a read of the log is under way.
    Waiting {
        last: Option<i64>,
        buffer: Vec<(i64, Arc<str>)>,
        fetching: bool,
    },
    /// Everything up to `last` was sent.
    Live(i64),
}

/// What the writer should do next for a room.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Nothing,
    /// A gap opened (or remains): check again after a short grace.
    CheckLater(Uuid),
    /// The gap outlived its grace: read the room's log after this seq.
    Fill(Uuid, i64),
}

/// Every subscribed room's state. See the module docs.
#[derive(Default)]
pub struct RoomStreams {
    rooms: HashMap<Uuid, RoomSync>,
}

impl RoomStreams {
    /// A subscription starts: hold live events until its replay is done.
    pub fn sync_start(&mut self, room_id: Uuid) {
        self.rooms.insert(
            room_id,
            RoomSync::Waiting {
                last: None,
                buffer: Vec::new(),
                fetching: true,
            },
        );
    }

    pub fn unsubscribed(&mut self, room_id: Uuid) {
        self.rooms.remove(&room_id);
    }

    /// A live timeline event. Frames to send now are appended to `out`.
    pub fn event(
        &mut self,
        room_id: Uuid,
        seq: i64,
        frame: Arc<str>,
        out: &mut Vec<Arc<str>>,
    ) -> Next {
        match self.rooms.get_mut(&room_id) {
            Some(RoomSync::Live(last)) if seq <= *last => Next::Nothing,
            Some(RoomSync::Live(last)) if seq == *last + 1 => {
                *last = seq;
                out.push(frame);
                Next::Nothing
            }
            Some(RoomSync::Live(last)) => {
                let last = *last;
                self.rooms.insert(
                    room_id,
                    RoomSync::Waiting {
                        last: Some(last),
                        buffer: vec![(seq, frame)],
                        fetching: false,
                    },
                );
                Next::CheckLater(room_id)
            }
            Some(RoomSync::Waiting {
                last,
                buffer,
                fetching,
            }) => {
                buffer.push((seq, frame));
                // Behind a gap with no read under way: the missing event may just have come.
                if let (false, Some(last)) = (*fetching, last.as_mut()) {
                    drain(last, buffer, out);
                    if buffer.is_empty() {
                        let last = *last;
                        self.rooms.insert(room_id, RoomSync::Live(last));
                    }
                }
                Next::Nothing
            }
            // No longer subscribed.
            None => Next::Nothing,
        }
    }

    /// The grace after a gap is over: if the gap is still open, read the log (and mark the
    /// read as under way).
    pub fn gap_due(&mut self, room_id: Uuid) -> Next {
        match self.rooms.get_mut(&room_id) {
            Some(RoomSync::Waiting {
                last: Some(last),
                fetching,
                ..
            }) if !*fetching => {
                *fetching = true;
                Next::Fill(room_id, *last)
            }
            _ => Next::Nothing,
        }
    }

    /// Events read from the log, in seq order; `done` ends the read at that seq.
    pub fn replay(
        &mut self,
        room_id: Uuid,
        frames: Vec<(i64, String)>,
        done: Option<i64>,
        out: &mut Vec<Arc<str>>,
    ) -> Next {
        let Some(RoomSync::Waiting { last, buffer, .. }) = self.rooms.get_mut(&room_id) else {
            return Next::Nothing;
        };
        for (seq, frame) in frames {
            if last.is_none_or(|last| seq > last) {
                *last = Some(seq);
                out.push(frame.into());
            }
        }
        let Some(done) = done else {
            return Next::Nothing;
        };
        let mut last = last.map_or(done, |last| last.max(done));
        let mut buffer = std::mem::take(buffer);
        drain(&mut last, &mut buffer, out);
        if buffer.is_empty() {
            self.rooms.insert(room_id, RoomSync::Live(last));
            Next::Nothing
        } else {
            self.rooms.insert(
                room_id,
                RoomSync::Waiting {
                    last: Some(last),
                    buffer,
                    fetching: false,
                },
            );
            Next::CheckLater(room_id)
        }
    }
}

/// Sends the buffered events that follow `last` without a gap; keeps the rest.
fn drain(last: &mut i64, buffer: &mut Vec<(i64, Arc<str>)>, out: &mut Vec<Arc<str>>) {
    buffer.sort_by_key(|(seq, _)| *seq);
    let mut kept = Vec::new();
    for (seq, frame) in buffer.drain(..) {
        if seq <= *last {
            continue;
        }
        if seq == *last + 1 && kept.is_empty() {
            *last = seq;
            out.push(frame);
        } else {
            kept.push((seq, frame));
        }
    }
    *buffer = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(seq: i64) -> Arc<str> {
        format!("e{seq}").into()
    }

    fn live_at(streams: &mut RoomStreams, room: Uuid, last: i64) {
        streams.sync_start(room);
        let mut out = Vec::new();
        assert_eq!(
            streams.replay(room, vec![], Some(last), &mut out),
            Next::Nothing
        );
    }

    #[test]
    fn in_order_events_pass_and_old_ones_are_dropped() {
        let (mut streams, room) = (RoomStreams::default(), Uuid::now_v7());
        live_at(&mut streams, room, 3);
        let mut out = Vec::new();
        for seq in [4, 3, 5, 5] {
            assert_eq!(
                streams.event(room, seq, frame(seq), &mut out),
                Next::Nothing
            );
        }
        assert_eq!(out, vec![frame(4), frame(5)]);
    }

    #[test]
    fn a_late_event_closes_the_gap_without_reading_the_log() {
        let (mut streams, room) = (RoomStreams::default(), Uuid::now_v7());
        live_at(&mut streams, room, 3);
        let mut out = Vec::new();
        assert_eq!(
            streams.event(room, 5, frame(5), &mut out),
            Next::CheckLater(room)
        );
        assert_eq!(streams.event(room, 6, frame(6), &mut out), Next::Nothing);
        assert!(out.is_empty(), "nothing passes the gap");
        assert_eq!(streams.event(room, 4, frame(4), &mut out), Next::Nothing);
        assert_eq!(out, vec![frame(4), frame(5), frame(6)]);
        assert_eq!(streams.gap_due(room), Next::Nothing, "closed: no read");
        streams.event(room, 7, frame(7), &mut out);
        assert_eq!(out.last(), Some(&frame(7)));
    }

    #[test]
    fn a_gap_that_stays_open_is_filled_from_the_log() {
        let (mut streams, room) = (RoomStreams::default(), Uuid::now_v7());
        live_at(&mut streams, room, 3);
        let mut out = Vec::new();
        streams.event(room, 6, frame(6), &mut out);
        assert_eq!(streams.gap_due(room), Next::Fill(room, 3));
        assert_eq!(streams.gap_due(room), Next::Nothing, "one read at a time");
        // Arrives during the read: held, then not sent twice.
        streams.event(room, 5, frame(5), &mut out);
        let log = vec![
            (4, "e4".to_owned()),
            (5, "e5".to_owned()),
            (6, "e6".to_owned()),
        ];
        assert_eq!(streams.replay(room, log, Some(6), &mut out), Next::Nothing);
        assert_eq!(out, vec![frame(4), frame(5), frame(6)]);
    }

    #[test]
    fn a_gap_beyond_the_read_is_checked_again() {
        let (mut streams, room) = (RoomStreams::default(), Uuid::now_v7());
        live_at(&mut streams, room, 3);
        let mut out = Vec::new();
        streams.event(room, 5, frame(5), &mut out);
        streams.event(room, 8, frame(8), &mut out);
        assert_eq!(streams.gap_due(room), Next::Fill(room, 3));
        let log = vec![(4, "e4".to_owned()), (5, "e5".to_owned())];
        assert_eq!(
            streams.replay(room, log, Some(5), &mut out),
            Next::CheckLater(room)
        );
        assert_eq!(out, vec![frame(4), frame(5)]);
        assert_eq!(streams.gap_due(room), Next::Fill(room, 5));
    }

    #[test]
    fn subscribing_replays_then_sends_what_came_meanwhile_once() {
        let (mut streams, room) = (RoomStreams::default(), Uuid::now_v7());
        streams.sync_start(room);
        let mut out = Vec::new();
        streams.event(room, 3, frame(3), &mut out);
        streams.event(room, 4, frame(4), &mut out);
        assert!(out.is_empty());
        let log = vec![(2, "e2".to_owned()), (3, "e3".to_owned())];
        assert_eq!(streams.replay(room, log, Some(3), &mut out), Next::Nothing);
        assert_eq!(out, vec![frame(2), frame(3), frame(4)]);
    }
}
