//! What a connection is waiting for, and how long it may take. hyper's own
//! `header_read_timeout` cannot tell a slow request from an idle keep-alive, and knows
//! nothing of bodies, so each connection tracks its phase here:
//!
//! - awaiting a request: a new connection has `header_read_timeout` to deliver its
//!   headers; a kept-alive one may sit idle for `keep_alive_idle`, and once its next
//!   request's first byte arrives the headers are due within `header_read_timeout`;
//! - reading a body: at least `body_min_bytes_per_sec` on average over each
//!   `body_rate_window`, counted only while the handler is waiting for the client (a busy
//!   handler that reads slowly is not the client's fault);
//! - handling the request, or upgraded to a WebSocket: no deadline (the socket has its
//!   own heartbeat).
//!
//! The IO wrapper and the body wrapper report events; [`ConnectionDeadlines::expired`]
//! sleeps until the next deadline and resolves when one passes.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{sync::Notify, time::Instant};

use crate::config::HttpSettings;

/// The limits, from `[http]`; `None` disables one.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub header_read: Option<Duration>,
    pub keep_alive_idle: Option<Duration>,
    /// Bytes that must arrive per window, and the window.
    pub body_rate: Option<(u64, Duration)>,
}

impl Timeouts {
    pub fn from_settings(http: &HttpSettings) -> Self {
        let secs = |s: u64| (s > 0).then(|| Duration::from_secs(s));
        Self {
            header_read: secs(http.header_read_timeout_secs),
            keep_alive_idle: secs(http.keep_alive_idle_secs),
            body_rate: (http.body_min_bytes_per_sec > 0 && http.body_rate_window_secs > 0).then(
                || {
                    (
                        http.body_min_bytes_per_sec * http.body_rate_window_secs,
                        Duration::from_secs(http.body_rate_window_secs),
                    )
                },
            ),
        }
    }
}

/// The phase a timed-out connection was in; the `phase` label of the timeout counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimedOut {
    Header,
    Idle,
    Body,
}

impl TimedOut {
    pub fn label(self) -> &'static str {
        match self {
            TimedOut::Header => "header",
            TimedOut::Idle => "idle",
            TimedOut::Body => "body",
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    AwaitingRequest {
        since: Instant,
        /// Nothing was served on this connection yet: its wait is for headers, not idle.
        fresh: bool,
        first_byte: Option<Instant>,
    },
    ReadingBody {
        window_start: Instant,
        window_bytes: u64,
        /// The handler is polling the body and nothing has arrived yet.
        waiting_for_client: bool,
    },
    Handling,
    Upgraded,
}

struct State {
    phase: Phase,
    /// Requests in the handler or still sending their response (HTTP/2 runs several).
    in_flight: usize,
}

/// One connection's phase, shared by its IO, its request bodies and its watcher.
#[derive(Clone)]
pub struct ConnectionDeadlines {
    inner: Arc<Inner>,
}

struct Inner {
    timeouts: Timeouts,
    state: Mutex<State>,
    /// Wakes the watcher when a phase change may have moved the deadline earlier.
    changed: Notify,
}

impl ConnectionDeadlines {
    pub fn new(timeouts: Timeouts) -> Self {
        Self {
            inner: Arc::new(Inner {
                timeouts,
                state: Mutex::new(State {
                    phase: Phase::AwaitingRequest {
                        since: Instant::now(),
                        fresh: true,
                        first_byte: None,
                    },
                    in_flight: 0,
                }),
                changed: Notify::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The connection delivered bytes (anything: request line, headers or body).
    pub fn bytes_read(&self) {
        let mut state = self.lock();
        if let Phase::AwaitingRequest {
            first_byte: first_byte @ None,
            fresh: false,
            ..
        } = &mut state.phase
        {
            *first_byte = Some(Instant::now());
            drop(state);
            self.inner.changed.notify_one();
        }
    }

    /// hyper parsed a request's headers; `has_body` when a body follows.
    pub fn request_started(&self, has_body: bool) {
        let mut state = self.lock();
        state.in_flight += 1;
        if matches!(state.phase, Phase::Upgraded) {
            return;
        }
        state.phase = if has_body {
            Phase::ReadingBody {
                window_start: Instant::now(),
                window_bytes: 0,
                waiting_for_client: false,
            }
        } else {
            Phase::Handling
        };
        drop(state);
        self.inner.changed.notify_one();
    }

    /// Body bytes arrived (`n`), or the handler started (`true`) or stopped (`false`)
    /// waiting for more.
    pub fn body_progress(&self, n: u64, waiting: bool) {
        if let Phase::ReadingBody {
            window_bytes,
            waiting_for_client,
            ..
        } = &mut self.lock().phase
        {
            *window_bytes += n;
            *waiting_for_client = waiting;
        }
    }

    /// The body ended, or the handler dropped it.
    pub fn body_done(&self) {
        let mut state = self.lock();
        if matches!(state.phase, Phase::ReadingBody { .. }) {
            state.phase = Phase::Handling;
        }
    }

    /// A response was sent in full (or abandoned).
    pub fn response_done(&self) {
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        if state.in_flight > 0 || matches!(state.phase, Phase::Upgraded) {
            return;
        }
        state.phase = Phase::AwaitingRequest {
            since: Instant::now(),
            fresh: false,
            first_byte: None,
        };
        drop(state);
        self.inner.changed.notify_one();
    }

    /// The connection switched protocols: no deadline from now on.
    pub fn upgraded(&self) {
        self.lock().phase = Phase::Upgraded;
        self.inner.changed.notify_one();
    }

    /// Resolves when the connection overstays its current phase.
    pub async fn expired(&self) -> TimedOut {
        loop {
            let changed = self.inner.changed.notified();
            match self.check(Instant::now()) {
                Check::Expired(phase) => return phase,
                Check::At(deadline) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(deadline) => {}
                        () = changed => {}
                    }
                }
                Check::Never => changed.await,
            }
        }
    }

    /// Whether a deadline has passed at `now`, and otherwise when to look again.
    fn check(&self, now: Instant) -> Check {
        let timeouts = self.inner.timeouts;
        let mut state = self.lock();
        match &mut state.phase {
            Phase::AwaitingRequest {
                since,
                fresh,
                first_byte,
            } => {
                let (from, limit, phase) = match (*first_byte, *fresh) {
                    (Some(first), _) => (first, timeouts.header_read, TimedOut::Header),
                    (None, true) => (*since, timeouts.header_read, TimedOut::Header),
                    (None, false) => (*since, timeouts.keep_alive_idle, TimedOut::Idle),
                };
                match limit {
                    Some(limit) if now >= from + limit => Check::Expired(phase),
                    Some(limit) => Check::At(from + limit),
                    None => Check::Never,
                }
            }
            Phase::ReadingBody {
                window_start,
                window_bytes,
                waiting_for_client,
            } => {
                let Some((min_bytes, window)) = timeouts.body_rate else {
                    return Check::Never;
                };
                if now < *window_start + window {
                    return Check::At(*window_start + window);
                }
                if *waiting_for_client && *window_bytes < min_bytes {
                    return Check::Expired(TimedOut::Body);
                }
                *window_start = now;
                *window_bytes = 0;
                Check::At(now + window)
            }
            Phase::Handling | Phase::Upgraded => Check::Never,
        }
    }
}

enum Check {
    Expired(TimedOut),
    At(Instant),
    Never,
}
