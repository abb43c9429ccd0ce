//! What time it is for the rules that wait on it: pending uploads that expire, retention,
//! typing that lapses. In production it is the system's time and never moves on its own;
//! a test holds its server's clock and moves it forward instead of sleeping until an
//! expiry, and the chores that wait on time wake up at once to see what expired.

use std::{
    sync::Arc,
    time::{Duration, Instant, SystemTime},
};

use chrono::{DateTime, Utc};
use tokio::{sync::watch, time::Interval};

/// The system's time plus however far a test has moved it (nothing, in production).
/// Cheap to clone; clones share the offset.
#[derive(Clone, Debug)]
pub struct Clock {
    ahead: Arc<watch::Sender<Duration>>,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            ahead: Arc::new(watch::Sender::new(Duration::ZERO)),
        }
    }
}

impl Clock {
    fn ahead(&self) -> Duration {
        *self.ahead.borrow()
    }

    /// The time of day, for timestamps compared with stored ones.
    pub fn now(&self) -> DateTime<Utc> {
        // An offset too large for chrono cannot come from a test's few days.
        Utc::now() + chrono::Duration::from_std(self.ahead()).unwrap_or_default()
    }

    /// The time of day, for comparing with file times.
    pub fn system_now(&self) -> SystemTime {
        SystemTime::now() + self.ahead()
    }

    /// A monotonic instant, for deadlines kept in memory.
    pub fn instant(&self) -> Instant {
        Instant::now() + self.ahead()
    }

    /// Moves the clock forward by `by`, waking every [`Ticker`] made from it.
    pub fn advance(&self, by: Duration) {
        self.ahead.send_modify(|ahead| *ahead += by);
    }

    /// Waits until the clock reads `deadline`: by time passing, or by a test moving it.
    pub async fn sleep_until(&self, deadline: Instant) {
        let mut moved = self.ahead.subscribe();
        loop {
            let left = deadline.saturating_duration_since(self.instant());
            if left.is_zero() {
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(left) => {}
                Ok(()) = moved.changed() => {}
            }
        }
    }

    /// Ticks every `period` (the first at once), and also whenever the clock is moved.
    pub fn ticker(&self, period: Duration) -> Ticker {
        Ticker {
            interval: tokio::time::interval(period),
            moved: self.ahead.subscribe(),
        }
    }
}

/// A periodic chore's wake-up: see [`Clock::ticker`].
pub struct Ticker {
    interval: Interval,
    moved: watch::Receiver<Duration>,
}

impl Ticker {
    /// Waits for the next period, or for the clock to be moved.
    pub async fn tick(&mut self) {
        tokio::select! {
            _ = self.interval.tick() => {}
            // The sender lives as long as the clock; should it go, the period alone is left.
            Ok(()) = self.moved.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn moving_the_clock_moves_every_clone_and_wakes_a_ticker() {
        let clock = Clock::default();
        let mut ticker = clock.clone().ticker(Duration::from_secs(3600));
        ticker.tick().await; // the first tick is at once
        let before = clock.now();
        clock.advance(Duration::from_secs(86_400));
        assert!(clock.now() - before >= chrono::Duration::days(1));
        tokio::time::timeout(Duration::from_secs(60), ticker.tick())
            .await
            .expect("woken by the move, not the hour");
    }

    #[tokio::test]
    async fn a_sleep_ends_when_the_clock_is_moved_past_its_deadline() {
        let clock = Clock::default();
        let deadline = clock.instant() + Duration::from_secs(3600);
        let sleeping = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep_until(deadline).await }
        });
        tokio::task::yield_now().await;
        clock.advance(Duration::from_secs(3600));
        tokio::time::timeout(Duration::from_secs(60), sleeping)
            .await
            .expect("ended by the move, not the hour")
            .expect("the sleep ran");
    }
}
