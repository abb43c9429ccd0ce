//! The hub: live connections, their room subscriptions, presence and typing state.
//!
//! Delivery never waits: each connection has a bounded queue, filled with `try_send`. A
//! connection whose queue is full is told to close with [`close::RESUME`]; it reconnects and
//! replays what it missed from the event log. One stalled reader therefore costs the others
//! nothing.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, Mutex, RwLock,
        atomic::{AtomicU16, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, mpsc};
use uuid::Uuid;

use super::{
    broker::{Broker, Envelope},
    event_data::{MemberPresence, PresenceData, TypingData},
    events::ServerEvent,
    protocol::{DeviceStatus, close},
};
use crate::{domain::users::presence::Presence, views::UserRef};

/// A user's new presence and the rooms that should hear of it.
type PresenceChange = (UserRef, Presence, Vec<Uuid>);

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
    /// Presence changes waiting for the next batch (see [`Hub::flush_presence`]).
    presence: Mutex<HashMap<Uuid, PresenceChange>>,
    /// Polls with votes not yet broadcast (see `actions::polls_flush`).
    dirty_polls: Mutex<HashSet<Uuid>>,
    /// (room, user) → when their typing indicator lapses.
    typing: Mutex<HashMap<(Uuid, Uuid), (Instant, UserRef)>>,
    next_id: AtomicU64,
    /// room → the lock that orders its events (see [`Hub::order`]).
    order: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>,
    queue_capacity: usize,
    typing_expiry: Duration,
    db: DatabaseConnection,
}

/// A registered connection's handles.
pub struct Registration {
    pub conn_id: u64,
    pub rx: mpsc::Receiver<Outbound>,
    pub closer: Arc<Closer>,
}

impl Hub {
    pub fn new(db: DatabaseConnection, queue_capacity: usize, typing_expiry: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: RwLock::new(State::default()),
                rooms: RwLock::new(HashMap::new()),
                typing: Mutex::new(HashMap::new()),
                presence: Mutex::new(HashMap::new()),
                dirty_polls: Mutex::new(HashSet::new()),
                next_id: AtomicU64::new(1),
                order: Mutex::new(HashMap::new()),
                queue_capacity,
                typing_expiry,
                db,
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

    /// Serializes "append an event to the room, then publish it" per room, so events are
    /// published in seq order. Sockets rely on that order: they drop any live event whose
    /// seq is not above the last one they sent (that is how replay and live never overlap).
    pub async fn order(&self, room_id: Uuid) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut order = self.inner.order.lock().unwrap_or_else(|e| e.into_inner());
            order.entry(room_id).or_default().clone()
        };
        lock.lock_owned().await
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
        let live: HashSet<Uuid> =
            match crate::domain::auth::sessions::sessions_live_ids(&self.inner.db, user_id).await {
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

    /// Notes that `user` is typing in `room`. Returns true when others should be told
    /// (first signal, or a refresh after half the expiry): repeats in between are absorbed.
    pub fn typing(&self, room_id: Uuid, user: UserRef) -> bool {
        let now = Instant::now();
        let expiry = self.inner.typing_expiry;
        let mut typing = self.inner.typing.lock().unwrap_or_else(|e| e.into_inner());
        let key = (room_id, user.id);
        let announce = typing
            .get(&key)
            .is_none_or(|(until, _)| until.saturating_duration_since(now) < expiry / 2);
        typing.insert(key, (now + expiry, user));
        announce
    }

    /// Queues a presence change for the next batch, to be told to the rooms the user is in.
    /// Sending each change to everyone at once would cost O(sockets) per connect — O(n²)
    /// when many clients reconnect together; batches per room keep it proportional to the
    /// people who can actually see the user.
    pub fn presence_changed(&self, user: UserRef, presence: Presence, rooms: Vec<Uuid>) {
        let mut pending = self
            .inner
            .presence
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        pending.insert(user.id, (user, presence, rooms));
    }

    /// Sends the queued presence changes: one `presence` frame per room, with every change
    /// of its members since the last batch. Rooms with more than [`PRESENCE_ROOM_MAX`] live
    /// subscribers on a node get none there (their clients read the member list instead).
    pub fn flush_presence(&self, broker: &dyn Broker) {
        let pending: Vec<PresenceChange> = {
            let mut pending = self
                .inner
                .presence
                .lock()
                .unwrap_or_else(|e| e.into_inner());
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
        // Each node checks the room's size against its own subscribers on delivery: the
        // room's members may be connected anywhere.
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

    /// Ends typing indicators whose time ran out, telling each room.
    pub fn sweep_typing(&self, broker: &dyn Broker) {
        let now = Instant::now();
        let expired: Vec<((Uuid, Uuid), UserRef)> = {
            let mut typing = self.inner.typing.lock().unwrap_or_else(|e| e.into_inner());
            let keys: Vec<(Uuid, Uuid)> = typing
                .iter()
                .filter(|(_, (until, _))| *until <= now)
                .map(|(key, _)| *key)
                .collect();
            keys.into_iter()
                .filter_map(|key| typing.remove(&key).map(|(_, user)| (key, user)))
                .collect()
        };
        for ((room_id, _), user) in expired {
            broker.publish(Envelope::Room {
                room_id,
                seq: None,
                frame: ServerEvent::Typing {
                    room_id,
                    data: TypingData {
                        user,
                        active: false,
                        expires_in_ms: None,
                    },
                }
                .frame()
                .into(),
            });
        }
    }

    /// Stops typing for a user in a room (they sent the message).
    pub fn typing_stop(&self, room_id: Uuid, user_id: Uuid) -> Option<UserRef> {
        let mut typing = self.inner.typing.lock().unwrap_or_else(|e| e.into_inner());
        typing.remove(&(room_id, user_id)).map(|(_, user)| user)
    }

    /// Notes that a poll's counts changed; the next flush broadcasts them once.
    pub fn poll_dirty(&self, poll_id: Uuid) {
        self.inner
            .dirty_polls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(poll_id);
    }

    /// The polls changed since the last call.
    pub fn take_dirty_polls(&self) -> Vec<Uuid> {
        self.inner
            .dirty_polls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .collect()
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
