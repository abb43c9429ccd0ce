//! How many connections are open, in total and per client address, with room for one
//! more checked before anything is read from it. The count lives in an RAII guard carried
//! by the connection's IO, so a connection upgraded to a WebSocket keeps counting until
//! the socket itself closes.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
};

use crate::metrics as app_metrics;

/// Why a connection was refused; also the `reason` label of the refusal counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    PerIp,
    Total,
}

impl Refusal {
    pub fn label(self) -> &'static str {
        match self {
            Refusal::PerIp => "per_ip",
            Refusal::Total => "total",
        }
    }
}

#[derive(Clone)]
pub struct ConnectionCaps {
    inner: Arc<Inner>,
}

struct Inner {
    max_total: usize,
    max_per_ip: usize,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

impl ConnectionCaps {
    pub fn new(max_total: usize, max_per_ip: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                max_total,
                max_per_ip,
                open: Mutex::default(),
            }),
        }
    }

    /// Counts a connection from `ip` if both caps leave room for it.
    pub fn admit(&self, ip: IpAddr) -> Result<ConnectionSlot, Refusal> {
        let mut open = self.lock();
        if open.total >= self.inner.max_total {
            return Err(Refusal::Total);
        }
        let from_ip = open.per_ip.entry(ip).or_default();
        if *from_ip >= self.inner.max_per_ip {
            return Err(Refusal::PerIp);
        }
        *from_ip += 1;
        open.total += 1;
        app_metrics::http_connections_add(1.0);
        Ok(ConnectionSlot {
            caps: self.clone(),
            ip,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.lock().total
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Open> {
        // A panic while holding this lock leaves plain counters behind; keep using them.
        self.inner
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One admitted connection; dropping it frees the slot.
pub struct ConnectionSlot {
    caps: ConnectionCaps,
    ip: IpAddr,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.caps.lock();
        open.total -= 1;
        if let Some(from_ip) = open.per_ip.get_mut(&self.ip) {
            *from_ip -= 1;
            if *from_ip == 0 {
                open.per_ip.remove(&self.ip);
            }
        }
        app_metrics::http_connections_add(-1.0);
    }
}
