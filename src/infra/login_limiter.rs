//! Counts failed logins per key (an IP, an account) in a sliding window.
//!
//! Only failures count, and an attempt must be refused *before* the password is checked
//! once the budget is spent. `governor` (used for plain rate limits) can only test by
//! consuming a cell, so it cannot express "peek, then count only if it failed"; this small
//! window does exactly that and gives an exact `Retry-After`.
//!
//! With Redis configured the window lives there (`cluster::failures`), so every node counts
//! the same failures; the local window stands in while Redis does not answer.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::cluster::{Shared, failures};

/// See the module docs.
pub struct LoginLimiter {
    local: FailureWindow,
    shared: Option<Arc<Shared>>,
}

impl LoginLimiter {
    pub fn new(max_failures: u32, window: Duration, shared: Option<Arc<Shared>>) -> Self {
        Self {
            local: FailureWindow::new(max_failures, window),
            shared,
        }
    }

    /// Failures allowed per window.
    pub fn max_failures(&self) -> usize {
        self.local.max_failures
    }

    /// How long `key` must wait before its next attempt, if its budget is spent.
    pub async fn retry_after(&self, key: &str) -> Option<Duration> {
        if let Some(shared) = &self.shared {
            let (window, max) = (self.local.window, self.local.max_failures);
            if let Ok(wait) = failures::retry_after(shared, key, window, max).await {
                return wait;
            }
        }
        self.local.retry_after(key)
    }

    /// Records one failed attempt for `key`. Returns true when this failure spent the
    /// budget (a burst worth recording as a security event).
    pub async fn record_failure(&self, key: &str) -> bool {
        if let Some(shared) = &self.shared {
            let (window, max) = (self.local.window, self.local.max_failures);
            if let Ok(spent) = failures::record(shared, key, window, max).await {
                return spent;
            }
        }
        self.local.record_failure(key)
    }

    /// Forgets `key`'s failures (an account after a successful login).
    pub async fn clear(&self, key: &str) {
        if let Some(shared) = &self.shared {
            let _ = failures::clear(shared, key).await;
        }
        self.local.clear(key);
    }
}

/// The in-process window.
struct FailureWindow {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Sweep all keys once the map holds this many, so idle keys do not accumulate.
const SWEEP_AT: usize = 10_000;

impl FailureWindow {
    fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures: max_failures as usize,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn retry_after(&self, key: &str) -> Option<Duration> {
        let now = Instant::now();
        let mut map = self.lock();
        let times = map.get_mut(key)?;
        prune(times, now, self.window);
        if times.len() < self.max_failures {
            return None;
        }
        // The oldest failure leaving the window frees the next attempt.
        times
            .front()
            .map(|oldest| (*oldest + self.window).saturating_duration_since(now))
    }

    fn record_failure(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut map = self.lock();
        if map.len() >= SWEEP_AT {
            map.retain(|_, times| {
                prune(times, now, self.window);
                !times.is_empty()
            });
        }
        let times = map.entry(key.to_owned()).or_default();
        prune(times, now, self.window);
        times.push_back(now);
        times.len() == self.max_failures
    }

    fn clear(&self, key: &str) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        // A panic while holding the lock cannot leave the map inconsistent; keep going.
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_spent_after_max_failures_and_then_waits_for_the_window() {
        let limiter = FailureWindow::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            let _ = limiter.record_failure("ip:1");
            assert!(limiter.retry_after("ip:1").is_none());
        }
        let _ = limiter.record_failure("ip:1");
        let wait = limiter.retry_after("ip:1").expect("budget spent");
        assert!(wait > Duration::from_secs(58) && wait <= Duration::from_secs(60));
        assert!(
            limiter.retry_after("ip:2").is_none(),
            "keys are independent"
        );
        limiter.clear("ip:1");
        assert!(limiter.retry_after("ip:1").is_none());
    }

    #[test]
    fn failures_leave_the_window() {
        let limiter = FailureWindow::new(1, Duration::from_millis(30));
        let _ = limiter.record_failure("k");
        assert!(limiter.retry_after("k").is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert!(limiter.retry_after("k").is_none());
    }
}
