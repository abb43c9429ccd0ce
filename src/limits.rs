//! Rate limits shared by the REST API and the WebSocket hub (`governor`, keyed).

use std::{
    collections::HashMap,
    net::IpAddr,
    num::NonZeroU32,
    sync::Mutex,
    time::{Duration, Instant},
};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};
use uuid::Uuid;

use crate::config::Settings;

/// A refused connection attempt: how long to wait, and whether this attempt started the
/// IP's ban (a security event worth recording once).
#[derive(Debug, Clone, Copy)]
pub struct ConnectRefused {
    pub wait: Duration,
    pub newly_banned: bool,
}

/// The limiters, built from configuration.
pub struct Limits {
    messages: DefaultKeyedRateLimiter<Uuid>,
    uploads: DefaultKeyedRateLimiter<Uuid>,
    connects: DefaultKeyedRateLimiter<IpAddr>,
    ip_bans: Mutex<HashMap<IpAddr, Instant>>,
    ip_ban: Duration,
}

fn quota(count: u32, per: Duration) -> Quota {
    let count = NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN);
    // `count` at once, refilled evenly over `per`.
    Quota::with_period(per / count.get())
        .unwrap_or_else(|| Quota::per_second(count))
        .allow_burst(count)
}

impl Limits {
    pub fn new(settings: &Settings) -> Self {
        Self {
            messages: RateLimiter::keyed(quota(
                settings.limits.messages_per_minute,
                Duration::from_secs(60),
            )),
            uploads: RateLimiter::keyed(quota(
                settings.limits.uploads_per_window,
                Duration::from_secs(settings.limits.uploads_window_secs),
            )),
            connects: RateLimiter::keyed(quota(
                settings.ws.connect_per_ip,
                Duration::from_secs(settings.ws.connect_window_secs),
            )),
            ip_bans: Mutex::new(HashMap::new()),
            ip_ban: Duration::from_secs(settings.ws.ip_ban_secs),
        }
    }

    /// Takes one message from the user's budget, or says how long to wait.
    pub fn message(&self, user_id: Uuid) -> Result<(), Duration> {
        self.messages
            .check_key(&user_id)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Takes one file upload from the user's budget, or says how long to wait.
    pub fn upload(&self, user_id: Uuid) -> Result<(), Duration> {
        self.uploads
            .check_key(&user_id)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Takes one connection attempt for the IP. Over budget, the IP is banned for a while
    /// (every attempt during the ban is refused).
    pub fn connect(&self, ip: IpAddr) -> Result<(), ConnectRefused> {
        let now = Instant::now();
        let mut bans = self.ip_bans.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = bans.get(&ip) {
            if *until > now {
                return Err(ConnectRefused {
                    wait: *until - now,
                    newly_banned: false,
                });
            }
            bans.remove(&ip);
        }
        if self.connects.check_key(&ip).is_err() {
            bans.insert(ip, now + self.ip_ban);
            tracing::warn!(security.event = "ip_banned", client.ip = %ip, ban_secs = self.ip_ban.as_secs(), "too many WebSocket connection attempts");
            return Err(ConnectRefused {
                wait: self.ip_ban,
                newly_banned: true,
            });
        }
        Ok(())
    }

    /// How long an IP ban lasts.
    pub fn ip_ban(&self) -> Duration {
        self.ip_ban
    }

    /// Drops state for keys that have fully recovered (call periodically).
    pub fn sweep(&self) {
        self.messages.retain_recent();
        self.uploads.retain_recent();
        self.connects.retain_recent();
        let now = Instant::now();
        self.ip_bans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, until| *until > now);
    }
}
