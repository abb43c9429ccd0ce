//! A warning that may fire thousands of times a second (a connection flood) is logged at
//! most once per period, with how many times it happened since the last line.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

pub struct LogThrottle {
    every: Duration,
    state: Mutex<State>,
}

struct State {
    last_logged: Option<Instant>,
    /// Occurrences since the last line, the one being reported included.
    pending: u64,
}

impl LogThrottle {
    pub fn new(every: Duration) -> Self {
        Self {
            every,
            state: Mutex::new(State {
                last_logged: None,
                pending: 0,
            }),
        }
    }

    /// Counts one occurrence; `Some(n)` when it is time to log the `n` since the last line.
    pub fn hit(&self) -> Option<u64> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.pending += 1;
        let now = Instant::now();
        if state
            .last_logged
            .is_some_and(|last| now.duration_since(last) < self.every)
        {
            return None;
        }
        state.last_logged = Some(now);
        Some(std::mem::take(&mut state.pending))
    }
}
