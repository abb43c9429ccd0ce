//! The hub: live connections and their room subscriptions. What the frames it carries say
//! (typing, presence batches, the order of a room's events) is kept in [`crate::fanout`].
//!
//! Delivery never waits: each connection has a bounded queue, filled with `try_send`. A
//! connection whose queue is full is told to close with [`close::RESUME`]; it reconnects and
//! replays what it missed from the event log. One stalled reader therefore costs the others
//! nothing.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, RwLock,
        atomic::{AtomicU16, AtomicU64, Ordering},
    },
    time::Duration,
};

use futures_util::future::BoxFuture;
use tokio::sync::{Notify, mpsc};
use uuid::Uuid;

use super::{
    broker::Envelope,
    protocol::{DeviceStatus, close},
};
use crate::{domain::users::presence::Presence, error::AppResult};

/// The ids of a user's sessions that are still live (not revoked, expired or banned).
pub type LiveSessions = Arc<dyn Fn(Uuid) -> BoxFuture<'static, AppResult<Vec<Uuid>>> + Send + Sync>;

/// Rooms with more live subscribers than this get no pushed presence.
pub const PRESENCE_ROOM_MAX: usize = 500;

/// What the hub (and the connection's own reader) hand to a connection's writer.
#[derive(Debug)]
pub enum Outbound {
    /// A frame to send; `room` is `(room_id, seq)` for timeline events.
    Event {
        room: Option<(Uuid, i64)>,
        frame: Arc<str>,
    },
}

/// Asks a connection to close, from anywhere.
#[derive(Default)]
pub struct Closer {
    code: AtomicU16,
    notify: Notify,
}

impl Closer {
    pub fn close(&self, code: u16) {
        // The first reason wins.
        let _ = self
            .code
            .compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst);
        self.notify.notify_one();
    }

    /// Resolves once `close` was called; returns the code.
    pub async fn closed(&self) -> u16 {
        self.notify.notified().await;
        self.code.load(Ordering::SeqCst)
    }
}

struct Conn {
    user_id: Uuid,
    session_id: Uuid,
    tx: mpsc::Sender<Outbound>,
    closer: Arc<Closer>,
    away: bool,
}

#[derive(Default)]
struct State {
    conns: HashMap<u64, Conn>,
    /// user → their connection ids.
    users: HashMap<Uuid, HashSet<u64>>,
}

/// See the module docs. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    state: RwLock<State>,
    /// room → subscribed connection ids.
    rooms: RwLock<HashMap<Uuid, HashSet<u64>>>,
    next_id: AtomicU64,
    queue_capacity: usize,
    live_sessions: LiveSessions,
}

/// A registered connection's handles.
pub struct Registration {
    pub conn_id: u64,
    pub rx: mpsc::Receiver<Outbound>,
    pub closer: Arc<Closer>,
}

impl Hub {
    /// `live_sessions` answers a recheck (see [`Envelope::Recheck`]): the hub asks rather
    /// than holding a database handle of its own.
    pub fn new(queue_capacity: usize, live_sessions: LiveSessions) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: RwLock::new(State::default()),
                rooms: RwLock::new(HashMap::new()),
                next_id: AtomicU64::new(1),
                queue_capacity,
                live_sessions,
            }),
        }
    }

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.inner.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_state(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.inner.state.write().unwrap_or_else(|e| e.into_inner())
    }

    fn rooms(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Uuid, HashSet<u64>>> {
        self.inner.rooms.read().unwrap_or_else(|e| e.into_inner())
    }

    fn rooms_mut(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<Uuid, HashSet<u64>>> {
        self.inner.rooms.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds an authenticated connection. Returns whether the user just came online.
    pub fn register(&self, user_id: Uuid, session_id: Uuid) -> (Registration, bool) {
        let conn_id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(self.inner.queue_capacity);
        let closer = Arc::new(Closer::default());
        let mut state = self.write_state();
        let before = presence_of(&state, user_id);
        state.conns.insert(
            conn_id,
            Conn {
                user_id,
                session_id,
                tx,
                closer: closer.clone(),
                away: false,
            },
        );
        state.users.entry(user_id).or_default().insert(conn_id);
        let changed = before != presence_of(&state, user_id);
        metrics::gauge!(crate::metrics::WS_CONNECTIONS).increment(1.0);
        (
            Registration {
                conn_id,
                rx,
                closer,
            },
            changed,
        )
    }

    /// Removes a connection and its subscriptions. Returns the user's presence if it changed.
    pub fn unregister(&self, conn_id: u64) -> Option<(Uuid, Presence)> {
        let mut state = self.write_state();
        let user_id = state.conns.get(&conn_id)?.user_id;
        let before = presence_of(&state, user_id);
        state.conns.remove(&conn_id)?;
        metrics::gauge!(crate::metrics::WS_CONNECTIONS).decrement(1.0);
        if let Some(set) = state.users.get_mut(&user_id) {
            set.remove(&conn_id);
            if set.is_empty() {
                state.users.remove(&user_id);
            }
        }
        let after = presence_of(&state, user_id);
        drop(state);
        let mut rooms = self.rooms_mut();
        rooms.retain(|_, subscribers| {
            subscribers.remove(&conn_id);
            !subscribers.is_empty()
        });
        (before != after).then_some((user_id, after))
    }

    /// Sets one device's status. Returns the user's presence if it changed.
    pub fn set_status(&self, conn_id: u64, status: DeviceStatus) -> Option<(Uuid, Presence)> {
        let mut state = self.write_state();
        let user_id = state.conns.get(&conn_id)?.user_id;
        let before = presence_of(&state, user_id);
        if let Some(conn) = state.conns.get_mut(&conn_id) {
            conn.away = status == DeviceStatus::Away;
        }
        let after = presence_of(&state, user_id);
        (before != after).then_some((user_id, after))
    }

    /// Closes every local socket with the resume code: after a gap in cross-node delivery,
    /// clients reconnect and fetch what they missed with `after_seq`.
    pub fn close_all_for_resume(&self) {
        self.close_all(close::RESUME);
    }

    /// Closes every local socket with `code` (each writer sends the close frame).
    pub fn close_all(&self, code: u16) {
        for conn in self.read_state().conns.values() {
            conn.closer.close(code);
        }
    }

    /// Waits until every local socket has ended, or `within` has passed: at shutdown, so
    /// that the close frames go out before the process exits.
    pub async fn drained(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while self.connection_count() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// People with at least one live socket on this node.
    pub fn online_count(&self) -> usize {
        self.read_state().users.len()
    }

    /// Everyone with a socket on this node, with their presence here.
    pub fn presences(&self) -> Vec<(Uuid, Presence)> {
        let state = self.read_state();
        state
            .users
            .keys()
            .map(|user| (*user, presence_of(&state, *user)))
            .collect()
    }

    /// A user's presence over all their devices on this node.
    pub fn presence(&self, user_id: Uuid) -> Presence {
        presence_of(&self.read_state(), user_id)
    }

    pub fn subscribe(&self, conn_id: u64, room_id: Uuid) {
        self.rooms_mut().entry(room_id).or_default().insert(conn_id);
    }

    pub fn unsubscribe(&self, conn_id: u64, room_id: Uuid) {
        let mut rooms = self.rooms_mut();
        if let Some(set) = rooms.get_mut(&room_id) {
            set.remove(&conn_id);
            if set.is_empty() {
                rooms.remove(&room_id);
            }
        }
    }

    /// Drops every socket's subscription to a room for one user (they left it).
    pub fn unsubscribe_user(&self, user_id: Uuid, room_id: Uuid) {
        let conn_ids: Vec<u64> = self
            .read_state()
            .users
            .get(&user_id)
            .map(|set| set.iter().copied().collect())
            .unwrap_or_default();
        for conn_id in conn_ids {
            self.unsubscribe(conn_id, room_id);
        }
    }

    /// Delivers an envelope to the matching local connections, never waiting.
    pub fn deliver(&self, envelope: Envelope) {
        match envelope {
            Envelope::Room {
                room_id,
                seq,
                frame,
            } => {
                let targets: Vec<u64> = self
                    .rooms()
                    .get(&room_id)
                    .map(|set| set.iter().copied().collect())
                    .unwrap_or_default();
                let room = seq.map(|seq| (room_id, seq));
                self.send_to(targets.into_iter(), room, &frame);
            }
            Envelope::Presence { room_id, frame } => {
                let targets: Vec<u64> = self
                    .rooms()
                    .get(&room_id)
                    .filter(|set| set.len() <= PRESENCE_ROOM_MAX)
                    .map(|set| set.iter().copied().collect())
                    .unwrap_or_default();
                self.send_to(targets.into_iter(), None, &frame);
            }
            Envelope::User { user_id, frame } => {
                let targets: Vec<u64> = self
                    .read_state()
                    .users
                    .get(&user_id)
                    .map(|set| set.iter().copied().collect())
                    .unwrap_or_default();
                self.send_to(targets.into_iter(), None, &frame);
            }
            Envelope::All { frame } => {
                let targets: Vec<u64> = self.read_state().conns.keys().copied().collect();
                self.send_to(targets.into_iter(), None, &frame);
            }
            Envelope::Unsubscribe { user_id, room_id } => self.unsubscribe_user(user_id, room_id),
            Envelope::Recheck { user_id } => {
                let hub = self.clone();
                tokio::spawn(async move { hub.recheck(user_id).await });
            }
        }
    }

    fn send_to(
        &self,
        targets: impl Iterator<Item = u64>,
        room: Option<(Uuid, i64)>,
        frame: &Arc<str>,
    ) {
        let state = self.read_state();
        for conn_id in targets {
            let Some(conn) = state.conns.get(&conn_id) else {
                continue;
            };
            let outbound = Outbound::Event {
                room,
                frame: frame.clone(),
            };
            if let Err(mpsc::error::TrySendError::Full(_)) = conn.tx.try_send(outbound) {
                metrics::counter!("anjoman_ws_overflow_closes_total").increment(1);
                tracing::info!(conn.id = conn_id, user.id = %conn.user_id, "outbound queue full; closing with a resume hint");
                conn.closer.close(close::RESUME);
            }
        }
    }

    /// Closes the user's sockets whose session is revoked, expired or banned.
    async fn recheck(&self, user_id: Uuid) {
        let live: HashSet<Uuid> = match (self.inner.live_sessions)(user_id).await {
            Ok(ids) => ids.into_iter().collect(),
            Err(err) => {
                tracing::error!(error = %err, "session recheck failed");
                return;
            }
        };
        let state = self.read_state();
        for conn_id in state.users.get(&user_id).into_iter().flatten() {
            if let Some(conn) = state.conns.get(conn_id) {
                if !live.contains(&conn.session_id) {
                    conn.closer.close(close::REVOKED);
                }
            }
        }
    }

    /// Number of live connections on this node.
    pub fn connection_count(&self) -> usize {
        self.read_state().conns.len()
    }
}

fn presence_of(state: &State, user_id: Uuid) -> Presence {
    let Some(ids) = state.users.get(&user_id) else {
        return Presence::Offline;
    };
    if ids
        .iter()
        .filter_map(|id| state.conns.get(id))
        .any(|conn| !conn.away)
    {
        Presence::Online
    } else if ids.is_empty() {
        Presence::Offline
    } else {
        Presence::Away
    }
}
