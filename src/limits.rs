//! Rate limits shared by the REST API and the WebSocket hub. With Redis configured they are
//! counted there (`cluster::rates`), so a budget holds over every node rather than once per
//! node; otherwise, and whenever Redis does not answer, in this process (`governor`, keyed).

use std::{
    collections::HashMap,
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};
use uuid::Uuid;

use crate::{
    cluster::{
        Shared,
        rates::{self, Budget},
    },
    config::Settings,
};

/// A refused connection attempt: how long to wait, and whether this attempt started the
/// IP's ban (a security event worth recording once).
#[derive(Debug, Clone, Copy)]
pub struct ConnectRefused {
    pub wait: Duration,
    pub newly_banned: bool,
}

/// One kind of limit: its budget, and the local limiter that stands in for Redis.
struct Limit<K: std::hash::Hash + Eq + Clone> {
    budget: Budget,
    local: DefaultKeyedRateLimiter<K>,
}

impl<K: std::hash::Hash + Eq + Clone> Limit<K> {
    fn new(count: u32, per: Duration) -> Self {
        let budget = Budget::new(count, per);
        let burst = NonZeroU32::new(budget.burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(budget.interval)
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst);
        Self {
            budget,
            local: RateLimiter::keyed(quota),
        }
    }

    fn take_local(&self, key: &K) -> Result<(), Duration> {
        self.local
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// The limiters, built from configuration.
pub struct Limits {
    messages: Limit<Uuid>,
    uploads: Limit<Uuid>,
    connects: Limit<IpAddr>,
    registrations_per_ip: Limit<IpAddr>,
    /// One key (`all`): every address together.
    registrations_total: Limit<&'static str>,
    /// Password-reset requests per client address and per mailbox (lower-cased).
    resets_per_ip: Limit<IpAddr>,
    resets_per_address: Limit<String>,
    /// Verification mails per mailbox (lower-cased).
    verifications_per_address: Limit<String>,
    ip_bans: Mutex<HashMap<IpAddr, Instant>>,
    ip_ban: Duration,
    shared: Option<Arc<Shared>>,
}

impl Limits {
    pub fn new(settings: &Settings, shared: Option<Arc<Shared>>) -> Self {
        Self {
            messages: Limit::new(settings.limits.messages_per_minute, Duration::from_secs(60)),
            uploads: Limit::new(
                settings.limits.uploads_per_window,
                Duration::from_secs(settings.limits.uploads_window_secs),
            ),
            connects: Limit::new(
                settings.ws.connect_per_ip,
                Duration::from_secs(settings.ws.connect_window_secs),
            ),
            registrations_per_ip: Limit::new(
                settings.limits.registrations_per_window,
                Duration::from_secs(settings.limits.registrations_window_secs),
            ),
            registrations_total: Limit::new(
                settings.limits.registrations_total_per_window,
                Duration::from_secs(settings.limits.registrations_window_secs),
            ),
            resets_per_ip: Limit::new(
                settings.mail.resets_per_window,
                Duration::from_secs(settings.mail.resets_window_secs),
            ),
            resets_per_address: Limit::new(
                settings.mail.resets_per_window,
                Duration::from_secs(settings.mail.resets_window_secs),
            ),
            verifications_per_address: Limit::new(
                settings.mail.resets_per_window,
                Duration::from_secs(settings.mail.resets_window_secs),
            ),
            ip_bans: Mutex::new(HashMap::new()),
            ip_ban: Duration::from_secs(settings.ws.ip_ban_secs),
            shared,
        }
    }

    /// Takes one message from the user's budget, or says how long to wait.
    pub async fn message(&self, user_id: Uuid) -> Result<(), Duration> {
        self.take(&self.messages, "messages", user_id).await
    }

    /// Takes one file upload from the user's budget, or says how long to wait.
    pub async fn upload(&self, user_id: Uuid) -> Result<(), Duration> {
        self.take(&self.uploads, "uploads", user_id).await
    }

    /// Takes one account creation from `ip`'s budget and then from the installation's,
    /// or says how long to wait. The address is charged first, so one address flooding
    /// spends its own budget and leaves the overall one to everybody else.
    pub async fn registration(&self, ip: Option<IpAddr>) -> Result<(), Duration> {
        if let Some(ip) = ip {
            self.take(&self.registrations_per_ip, "register:ip", ip)
                .await?;
        }
        self.take(&self.registrations_total, "register", "all")
            .await
    }

    /// Takes one password-reset request from `ip`'s budget and then from the address's,
    /// or says how long to wait. Both are charged whether or not the address belongs to
    /// anyone, so the answer says nothing about it.
    pub async fn password_reset(&self, ip: Option<IpAddr>, address: &str) -> Result<(), Duration> {
        if let Some(ip) = ip {
            self.take(&self.resets_per_ip, "reset:ip", ip).await?;
        }
        self.take(
            &self.resets_per_address,
            "reset:address",
            address.trim().to_lowercase(),
        )
        .await
    }

    /// Takes one verification mail from the address's budget, or says how long to wait.
    pub async fn verification_mail(&self, address: &str) -> Result<(), Duration> {
        self.take(
            &self.verifications_per_address,
            "verify:address",
            address.trim().to_lowercase(),
        )
        .await
    }

    async fn take<K>(&self, limit: &Limit<K>, kind: &str, key: K) -> Result<(), Duration>
    where
        K: std::hash::Hash + Eq + Clone + std::fmt::Display,
    {
        if let Some(shared) = &self.shared {
            let key = format!("rate:{kind}:{key}");
            if let Ok(refused) = rates::take(shared, &key, limit.budget).await {
                return refused.map_or(Ok(()), Err);
            }
        }
        limit.take_local(&key)
    }

    /// Takes one connection attempt for the IP. Over budget, the IP is banned for a while
    /// (every attempt during the ban is refused, on every node).
    pub async fn connect(&self, ip: IpAddr) -> Result<(), ConnectRefused> {
        if let Some(shared) = &self.shared {
            let ip_key = ip.to_string();
            if let Ok(refused) =
                rates::connect(shared, &ip_key, self.connects.budget, self.ip_ban).await
            {
                return match refused {
                    None => Ok(()),
                    Some((wait, newly_banned)) => {
                        if newly_banned {
                            self.log_ban(ip);
                        }
                        Err(ConnectRefused { wait, newly_banned })
                    }
                };
            }
        }
        self.connect_local(ip)
    }

    fn connect_local(&self, ip: IpAddr) -> Result<(), ConnectRefused> {
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
        if self.connects.take_local(&ip).is_err() {
            bans.insert(ip, now + self.ip_ban);
            self.log_ban(ip);
            return Err(ConnectRefused {
                wait: self.ip_ban,
                newly_banned: true,
            });
        }
        Ok(())
    }

    fn log_ban(&self, ip: IpAddr) {
        tracing::warn!(security.event = "ip_banned", client.ip = %ip, ban_secs = self.ip_ban.as_secs(), "too many WebSocket connection attempts");
    }

    /// How long an IP ban lasts.
    pub fn ip_ban(&self) -> Duration {
        self.ip_ban
    }

    /// Drops local state for keys that have fully recovered (call periodically); Redis
    /// keys expire by themselves.
    pub fn sweep(&self) {
        self.messages.local.retain_recent();
        self.uploads.local.retain_recent();
        self.connects.local.retain_recent();
        self.registrations_per_ip.local.retain_recent();
        self.resets_per_ip.local.retain_recent();
        self.resets_per_address.local.retain_recent();
        self.verifications_per_address.local.retain_recent();
        let now = Instant::now();
        self.ip_bans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, until| *until > now);
    }
}
