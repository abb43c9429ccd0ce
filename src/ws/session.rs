//! One WebSocket connection: authentication, then a reader (client ops) and a writer
//! (server frames, heartbeat) joined so that either ending stops both.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use entity::{sessions, users};
use futures_util::{SinkExt, StreamExt, stream::SplitSink, stream::SplitStream};
use poem::web::websocket::{CloseCode, Message, WebSocketStream};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use unic_langid::LanguageIdentifier;
use uuid::Uuid;

use super::{
    event_data::{ErrorData, ReadyData},
    events::ServerEvent,
    hub::{Closer, Outbound},
    protocol::{
        self, AuthOp, ClientOp, EditOp, FrameError, MessageOp, PresenceOp, ReactionOp, ReadOp,
        RoomOp, SendOp, SubscribeOp, VoteOp, close,
    },
    room_sync::{Next, RoomStreams},
};
use crate::{
    actions,
    clock::Clock,
    domain::{
        messages::{MessageBody, thread::Thread},
        rooms::{self, timeline},
        views::UserRef,
    },
    error::AppError,
    state::AppState,
};

type Sink = SplitSink<WebSocketStream, Message>;
type Stream = SplitStream<WebSocketStream>;

/// Replay is read from the event log in batches of this many.
const REPLAY_BATCH: u64 = 500;
/// Most frames written with one flush.
const MAX_BATCH: usize = 256;
/// How long a socket waits for an event missing from a room's sequence (it may just be
/// late from another node) before reading it from the log.
const GAP_GRACE: Duration = Duration::from_millis(50);

/// What the reader hands the writer besides hub events: replies and subscription control.
enum Control {
    /// A reply (ack or error): always sent, never deduplicated.
    Frame(String),
    /// Buffer this room's live events until its replay is done.
    SyncStart(Uuid),
    /// Replayed events, in seq order; `done` ends the sync at `max_seq`.
    Replay {
        room_id: Uuid,
        frames: Vec<(i64, String)>,
        done: Option<i64>,
    },
    Unsubscribed(Uuid),
    /// The grace after a gap in a room's events is over (see `room_sync`).
    GapDue(Uuid),
}

/// Milliseconds since `origin` by the server's clock, which a test may move forward to
/// find a silent peer idle without waiting.
fn now_ms(clock: &Clock, origin: Instant) -> u64 {
    clock
        .instant()
        .saturating_duration_since(origin)
        .as_millis() as u64
}

/// Runs a connection to its end. `auth` is set when the upgrade request carried a token.
pub async fn run(
    state: AppState,
    socket: WebSocketStream,
    auth: Option<(users::Model, sessions::Model)>,
    lang: LanguageIdentifier,
    ip: Option<std::net::IpAddr>,
) {
    let (mut sink, mut stream) = socket.split();
    let authed = match auth {
        Some(auth) => Some(auth),
        None => wait_for_auth(&state, &mut sink, &mut stream, &lang).await,
    };
    let Some((user, session)) = authed else {
        return;
    };
    let lang = user
        .locale
        .as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or(lang);
    let (registration, came_online) = state.hub.register(user.id, session.id);
    let conn_id = registration.conn_id;
    if came_online {
        actions::presence_local(
            &state,
            &user,
            crate::domain::users::presence::Presence::Online,
        )
        .await;
    }
    let ready = ServerEvent::Ready {
        data: ReadyData {
            user: UserRef::from(&user),
            session_id: session.id,
            ping_interval_ms: state.settings.ws.ping_interval_secs * 1000,
        },
    };
    let origin = state.clock.instant();
    let last_heard = Arc::new(AtomicU64::new(now_ms(&state.clock, origin)));
    let (ctl_tx, ctl_rx) = mpsc::channel::<Control>(64);
    if sink.send(Message::text(ready.frame())).await.is_ok() {
        let writer = writer(
            &state,
            sink,
            registration.rx,
            (ctl_rx, ctl_tx.downgrade()),
            registration.closer.clone(),
            last_heard.clone(),
            origin,
        );
        let who = Who {
            user_id: user.id,
            session_id: session.id,
            conn_id,
            closer: registration.closer.clone(),
            ip,
        };
        let reader = reader(&state, &who, stream, ctl_tx, last_heard, origin, &lang);
        let reason = tokio::select! {
            reason = writer => reason,
            () = reader => "client",
        };
        metrics::counter!(crate::metrics::WS_CLOSES, "reason" => reason).increment(1);
    }
    tracing::info!(conn.id = conn_id, user.id = %user.id, "websocket closed");
    if let Some((_, presence)) = state.hub.unregister(conn_id) {
        actions::presence_local(&state, &user, presence).await;
    }
}

/// Waits for an `auth` op within the auth timeout; anything else gets an error frame.
async fn wait_for_auth(
    state: &AppState,
    sink: &mut Sink,
    stream: &mut Stream,
    lang: &LanguageIdentifier,
) -> Option<(users::Model, sessions::Model)> {
    let deadline = state.clock.instant() + Duration::from_secs(state.settings.ws.auth_timeout_secs);
    let timeout = state.clock.sleep_until(deadline);
    tokio::pin!(timeout);
    loop {
        let message = tokio::select! {
            // As `timeout_at` did: a frame ready at the deadline is still read.
            biased;
            next = stream.next() => match next {
                Some(Ok(message)) => message,
                _ => return None,
            },
            () = &mut timeout => {
                let _ = sink
                    .send(Message::close_with(
                        close::UNAUTHORIZED,
                        "authentication timeout",
                    ))
                    .await;
                return None;
            }
        };
        let Message::Text(text) = message else {
            continue;
        };
        let (reference, op) = protocol::parse(&text);
        let reply = match op {
            Ok(ClientOp::Auth(AuthOp { token, .. })) => {
                match state.auth.authenticate(&state.db, &token).await {
                    Ok(pair) => return Some(pair),
                    Err(err) => error_frame(state, lang, reference.as_deref(), &err),
                }
            }
            _ => error_frame(state, lang, reference.as_deref(), &AppError::Unauthorized),
        };
        if sink.send(Message::text(reply)).await.is_err() {
            return None;
        }
    }
}

fn error_frame(
    state: &AppState,
    lang: &LanguageIdentifier,
    reference: Option<&str>,
    err: &AppError,
) -> String {
    let fault = err.fault_behind();
    let err = fault.as_ref().unwrap_or(err);
    match err {
        AppError::Internal(cause) => {
            tracing::error!(error = format!("{cause:#}"), "websocket op failed")
        }
        AppError::Fault { .. } => tracing::warn!(error = %err, "websocket op failed"),
        _ => {}
    }
    let problem = err.to_problem(&state.i18n, lang);
    error_reply(
        reference,
        ErrorData::new(&problem.code, &problem.detail, problem.data),
    )
}

fn error_reply(reference: Option<&str>, data: ErrorData) -> String {
    ServerEvent::Error {
        reference: reference.map(str::to_owned),
        data,
    }
    .frame()
}

/// The `error` frame for a frame that could not be read, in the socket's language.
fn frame_error_reply(
    state: &AppState,
    lang: &LanguageIdentifier,
    reference: Option<&str>,
    err: &FrameError,
) -> String {
    let code = err.code();
    let message = state.i18n.message(lang, code.fluent_id(), None, None);
    error_reply(reference, ErrorData::new(code.as_str(), &message, None))
}

/// Whose socket this is: what the connection was opened with. Rights are never read from
/// here; every op asks the database for the user as they are now (see [`current_user`]).
struct Who {
    user_id: Uuid,
    session_id: Uuid,
    conn_id: u64,
    closer: Arc<Closer>,
    /// The client's address, for the audit log of moderation done over the socket.
    ip: Option<std::net::IpAddr>,
}

async fn reader(
    state: &AppState,
    who: &Who,
    mut stream: Stream,
    ctl: mpsc::Sender<Control>,
    last_heard: Arc<AtomicU64>,
    origin: Instant,
    lang: &LanguageIdentifier,
) {
    loop {
        let message = match stream.next().await {
            Some(Ok(message)) => message,
            Some(Err(err)) => {
                // A frame the protocol refuses (too large, malformed) gets a close frame
                // that says why; the writer sends it and ends the connection.
                if let Some(code) = protocol::violation(&err) {
                    who.closer.close(code);
                    std::future::pending::<()>().await;
                }
                return;
            }
            None => return,
        };
        last_heard.store(now_ms(&state.clock, origin), Ordering::Relaxed);
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => return,
            Message::Binary(_) => {
                let reply = frame_error_reply(state, lang, None, &FrameError::Malformed);
                if ctl.send(Control::Frame(reply)).await.is_err() {
                    return;
                }
                continue;
            }
            _ => continue,
        };
        let (reference, op) = protocol::parse(&text);
        let reply = match op {
            Ok(op) => match op_run(state, who, op, &ctl).await {
                Ok(data) => ServerEvent::Ack {
                    reference: reference.clone(),
                    data,
                }
                .frame(),
                Err(err) => error_frame(state, lang, reference.as_deref(), &err),
            },
            Err(err) => frame_error_reply(state, lang, reference.as_deref(), &err),
        };
        if ctl.send(Control::Frame(reply)).await.is_err() {
            return;
        }
    }
}

/// The socket's user as they are now: role, ban and session read fresh, so a demotion, a
/// ban or a revoked session made on any node applies to the next op. A session that no
/// longer works closes the socket.
async fn current_user(state: &AppState, who: &Who) -> Result<users::Model, AppError> {
    match state
        .auth
        .session_current(&state.db, who.session_id, who.user_id)
        .await
    {
        Ok((user, _)) => Ok(user),
        Err(AppError::Unauthorized) => {
            who.closer.close(close::REVOKED);
            Err(AppError::Unauthorized)
        }
        Err(err) => Err(err),
    }
}

/// Runs one op as the user is now (a ping needs no rights and costs no query).
async fn op_run(
    state: &AppState,
    who: &Who,
    op: ClientOp,
    ctl: &mpsc::Sender<Control>,
) -> Result<Value, AppError> {
    if matches!(op, ClientOp::Ping(_) | ClientOp::Auth(_)) {
        return handle_unprivileged(&op);
    }
    let user = current_user(state, who).await?;
    handle(state, &user, who, op, ctl).await
}

/// The ops that need no rights.
fn handle_unprivileged(op: &ClientOp) -> Result<Value, AppError> {
    match op {
        ClientOp::Auth(_) => Ok(json!({ "already": true })),
        _ => Ok(json!({ "pong": true })),
    }
}

/// Runs one op; the value is the `ack`'s data.
async fn handle(
    state: &AppState,
    user: &users::Model,
    who: &Who,
    op: ClientOp,
    ctl: &mpsc::Sender<Control>,
) -> Result<Value, AppError> {
    let conn_id = who.conn_id;
    match op {
        ClientOp::Auth(_) | ClientOp::Ping(_) => handle_unprivileged(&op),
        ClientOp::Subscribe(SubscribeOp {
            room_id, after_seq, ..
        }) => subscribe(state, user, conn_id, room_id, after_seq, ctl).await,
        ClientOp::Unsubscribe(RoomOp { room_id, .. }) => {
            state.hub.unsubscribe(conn_id, room_id);
            let _ = ctl.send(Control::Unsubscribed(room_id)).await;
            Ok(json!({ "room_id": room_id }))
        }
        ClientOp::Send(SendOp {
            room_id,
            body,
            reply_to,
            thread_id,
            also_to_room,
            attachments,
            ..
        }) => {
            let body = MessageBody::parse_optional(&body)?;
            let thread = thread_id.map(|root| Thread { root, also_to_room });
            to_value(
                &actions::message_send(state, user, room_id, body, reply_to, thread, &attachments)
                    .await?,
            )
        }
        ClientOp::Edit(EditOp {
            message_id, body, ..
        }) => {
            let body = MessageBody::parse(&body)?;
            to_value(&actions::message_edit(state, user, message_id, body).await?)
        }
        ClientOp::Delete(MessageOp { message_id, .. }) => {
            to_value(&actions::message_delete(state, user, who.ip, message_id).await?)
        }
        ClientOp::React(ReactionOp {
            message_id, emoji, ..
        }) => to_value(&actions::reaction_set(state, user, message_id, &emoji, true).await?),
        ClientOp::Unreact(ReactionOp {
            message_id, emoji, ..
        }) => to_value(&actions::reaction_set(state, user, message_id, &emoji, false).await?),
        ClientOp::Typing(RoomOp { room_id, .. }) => {
            actions::typing(state, user, room_id).await?;
            Ok(json!({ "room_id": room_id }))
        }
        ClientOp::Read(ReadOp { room_id, seq, .. }) => {
            let seq = actions::read_mark(state, user, room_id, seq).await?;
            Ok(json!({ "room_id": room_id, "seq": seq }))
        }
        ClientOp::Vote(VoteOp {
            poll_id,
            option_ids,
            ..
        }) => to_value(&actions::poll_vote(state, user, poll_id, &option_ids).await?),
        ClientOp::Presence(PresenceOp { status, .. }) => {
            if let Some((_, presence)) = state.hub.set_status(conn_id, status) {
                actions::presence_local(state, user, presence).await;
            }
            Ok(json!({ "status": state.presence.status(user.id).await.as_str() }))
        }
    }
}

fn to_value(value: &impl serde::Serialize) -> Result<Value, AppError> {
    serde_json::to_value(value).map_err(|e| AppError::Internal(e.into()))
}

/// Subscribes with gap-free, duplicate-free resume: register for live events first (the
/// writer buffers them), then replay the log after `after_seq`, then go live.
async fn subscribe(
    state: &AppState,
    user: &users::Model,
    conn_id: u64,
    room_id: Uuid,
    after_seq: Option<i64>,
    ctl: &mpsc::Sender<Control>,
) -> Result<Value, AppError> {
    rooms::require_member(&state.db, room_id, user.id).await?;
    let closed = || AppError::Internal(anyhow::anyhow!("connection closed"));
    ctl.send(Control::SyncStart(room_id))
        .await
        .map_err(|_| closed())?;
    state.hub.subscribe(conn_id, room_id);
    let room = rooms::room_get(&state.db, room_id).await?;
    let after = after_seq.unwrap_or(room.last_seq).max(0);
    let (cursor, replayed) = replay(&state.db, room_id, after, ctl).await?;
    Ok(json!({ "room_id": room_id, "last_seq": cursor, "replayed": replayed }))
}

/// Reads a room's events after `after` from the log, in batches, to the writer; the last
/// batch says where the read ended. Returns that seq and how many events were read.
async fn replay(
    db: &sea_orm::DatabaseConnection,
    room_id: Uuid,
    after: i64,
    ctl: &mpsc::Sender<Control>,
) -> Result<(i64, usize), AppError> {
    let closed = || AppError::Internal(anyhow::anyhow!("connection closed"));
    let mut cursor = after;
    let mut replayed = 0usize;
    loop {
        let batch = timeline::events_after(db, room_id, cursor, REPLAY_BATCH).await?;
        let full = batch.len() as u64 == REPLAY_BATCH;
        let frames = batch
            .into_iter()
            .map(|e| {
                let event = ServerEvent::stored(&e.kind, room_id, e.seq, e.payload)?;
                Ok((e.seq, event.frame()))
            })
            .collect::<Result<Vec<(i64, String)>, AppError>>()?;
        if let Some((seq, _)) = frames.last() {
            cursor = *seq;
        }
        replayed += frames.len();
        let done = (!full).then_some(cursor);
        ctl.send(Control::Replay {
            room_id,
            frames,
            done,
        })
        .await
        .map_err(|_| closed())?;
        if !full {
            return Ok((cursor, replayed));
        }
    }
}

/// Starts what a room's stream asks for after a gap: a grace timer, or a read of the log.
/// If the log cannot be read, the client is asked to resume instead (it then reads the log
/// itself).
fn follow_up(state: &AppState, next: Next, ctl: &mpsc::WeakSender<Control>, closer: &Arc<Closer>) {
    // Almost every event needs nothing: keep that path free of work.
    if next == Next::Nothing {
        return;
    }
    let Some(ctl) = ctl.upgrade() else {
        return;
    };
    match next {
        Next::Nothing => {}
        Next::CheckLater(room_id) => {
            tokio::spawn(async move {
                tokio::time::sleep(GAP_GRACE).await;
                let _ = ctl.send(Control::GapDue(room_id)).await;
            });
        }
        Next::Fill(room_id, after) => {
            metrics::counter!("anjoman_ws_gap_fills_total").increment(1);
            let (db, closer) = (state.db.clone(), closer.clone());
            tokio::spawn(async move {
                if let Err(err) = replay(&db, room_id, after, &ctl).await {
                    tracing::warn!(error = %err, "filling a gap from the log failed; asking to resume");
                    closer.close(close::RESUME);
                }
            });
        }
    }
}

async fn writer(
    state: &AppState,
    mut sink: Sink,
    mut events: mpsc::Receiver<Outbound>,
    (mut ctl, ctl_tx): (mpsc::Receiver<Control>, mpsc::WeakSender<Control>),
    closer: Arc<Closer>,
    last_heard: Arc<AtomicU64>,
    origin: Instant,
) -> &'static str {
    let ws = &state.settings.ws;
    let idle = Duration::from_secs(ws.idle_timeout_secs).as_millis() as u64;
    let ping_every = Duration::from_secs(ws.ping_interval_secs);
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    let mut check = state.clock.ticker(Duration::from_secs(1));
    let mut rooms = RoomStreams::default();
    // Everything a control or event produces goes through here: frames to send, and a
    // gap's follow-up (a timer, or a read of the log).
    let handle = |rooms: &mut RoomStreams, input: Input| -> Vec<Arc<str>> {
        let mut out = Vec::new();
        let next = match input {
            Input::Control(control) => on_control(rooms, control, &mut out),
            Input::Event(Outbound::Event { room, frame }) => match room {
                None => {
                    out.push(frame);
                    Next::Nothing
                }
                Some((room_id, seq)) => rooms.event(room_id, seq, frame, &mut out),
            },
        };
        follow_up(state, next, &ctl_tx, &closer);
        out
    };
    let coalesce = Duration::from_millis(ws.coalesce_ms);
    let mut last_flush = tokio::time::Instant::now() - coalesce;
    loop {
        let out: Vec<Arc<str>> = tokio::select! {
            biased;
            code = closer.closed() => return send_close(&mut sink, code).await,
            control = ctl.recv() => match control {
                None => return "client",
                Some(control) => handle(&mut rooms, Input::Control(control)),
            },
            event = events.recv() => match event {
                None => return "client",
                Some(event) => handle(&mut rooms, Input::Event(event)),
            },
            _ = ping.tick() => {
                if sink.send(Message::ping(Vec::new())).await.is_err() {
                    return "client";
                }
                continue;
            }
            _ = check.tick() => {
                if now_ms(&state.clock, origin).saturating_sub(last_heard.load(Ordering::Relaxed)) > idle {
                    let _ = tokio::time::timeout(
                        Duration::from_secs(1),
                        sink.send(Message::close_with(close::TIMEOUT, "idle")),
                    ).await;
                    return "idle";
                }
                continue;
            }
        };
        // Under load, coalesce: at most one flush per `coalesce` interval per socket, with
        // everything queued meanwhile in the same write. An idle socket flushes at once.
        let mut out = out;
        let next_flush = last_flush + coalesce;
        // Sleep rather than take each frame as it comes: a sleeping writer costs nothing per
        // event. A queue already half full is flushed at once instead, so coalescing itself
        // never overflows a socket that can keep up.
        let half_full = events.len() * 2 >= events.max_capacity();
        if !out.is_empty() && !half_full && next_flush > tokio::time::Instant::now() {
            tokio::select! {
                biased;
                code = closer.closed() => {
                    return close_reason(code);
                }
                () = tokio::time::sleep_until(next_flush) => {}
            }
        }
        while out.len() < MAX_BATCH {
            if let Ok(control) = ctl.try_recv() {
                out.extend(handle(&mut rooms, Input::Control(control)));
                continue;
            }
            match events.try_recv() {
                Ok(event) => out.extend(handle(&mut rooms, Input::Event(event))),
                Err(_) => break,
            }
        }
        if out.is_empty() {
            continue;
        }
        let write = async {
            for frame in out {
                sink.feed(Message::text(frame.to_string())).await?;
            }
            sink.flush().await
        };
        // A close request interrupts a write stuck on a reader that stopped reading; the
        // close frame still goes out if the reader is only slow.
        tokio::select! {
            biased;
            code = closer.closed() => return send_close(&mut sink, code).await,
            written = write => if written.is_err() { return "client" },
        }
        last_flush = tokio::time::Instant::now();
    }
}

/// Tells the client why the hub closes its socket, waiting at most a second (a peer that
/// stopped reading must not hold the task). Returns the reason, for the metric.
async fn send_close(sink: &mut Sink, code: u16) -> &'static str {
    let reason = close_reason(code);
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        sink.send(Message::close_with(CloseCode::from(code), reason)),
    )
    .await;
    reason
}

/// The metric label (and close reason text) for a close the hub or the reader asked for.
fn close_reason(code: u16) -> &'static str {
    match code {
        close::RESUME => "resume",
        close::GOING_AWAY => "going_away",
        close::TOO_BIG => "too_big",
        close::PROTOCOL => "protocol",
        _ => "revoked",
    }
}

/// What reaches the writer.
enum Input {
    Control(Control),
    Event(Outbound),
}

fn on_control(rooms: &mut RoomStreams, control: Control, out: &mut Vec<Arc<str>>) -> Next {
    match control {
        Control::Frame(frame) => out.push(frame.into()),
        Control::SyncStart(room_id) => rooms.sync_start(room_id),
        Control::Unsubscribed(room_id) => rooms.unsubscribed(room_id),
        Control::Replay {
            room_id,
            frames,
            done,
        } => return rooms.replay(room_id, frames, done, out),
        Control::GapDue(room_id) => return rooms.gap_due(room_id),
    }
    Next::Nothing
}
