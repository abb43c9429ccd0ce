//! Presence as users see it: this node's sockets alone, or every node's through Redis
//! (`cluster::presence`), falling back to this node's view while Redis is away.

use std::{collections::HashMap, sync::Arc, time::Duration};

use uuid::Uuid;

use super::hub::Hub;
use crate::{
    cluster::{self, Shared},
    domain::users::presence::Presence,
};

pub struct PresenceBoard {
    hub: Hub,
    shared: Option<Arc<Shared>>,
    ttl: Duration,
}

impl PresenceBoard {
    pub fn new(hub: Hub, shared: Option<Arc<Shared>>, ttl: Duration) -> Self {
        Self { hub, shared, ttl }
    }

    /// How often this node refreshes its entries: three chances before they lapse.
    pub fn heartbeat_every(&self) -> Duration {
        self.ttl / 3
    }

    /// A user's presence on this node changed to `local`. Returns what to announce: the
    /// user's new presence over all nodes, if that changed.
    pub async fn local_changed(&self, user_id: Uuid, local: Presence) -> Option<Presence> {
        let Some(shared) = &self.shared else {
            return Some(local);
        };
        match cluster::presence::report(shared, self.ttl, &[(user_id, local)]).await {
            Ok(changes) => changes
                .into_iter()
                .find(|(user, _)| *user == user_id)
                .map(|(_, presence)| presence),
            Err(_) => Some(local),
        }
    }

    /// A user's presence over all their devices (on every node).
    pub async fn status(&self, user_id: Uuid) -> Presence {
        self.statuses(&[user_id])
            .await
            .remove(&user_id)
            .unwrap_or(Presence::Offline)
    }

    pub async fn statuses(&self, users: &[Uuid]) -> HashMap<Uuid, Presence> {
        if let Some(shared) = &self.shared {
            if let Ok(statuses) = cluster::presence::statuses(shared, users).await {
                return statuses;
            }
        }
        users
            .iter()
            .map(|user| (*user, self.hub.presence(*user)))
            .collect()
    }

    /// People online or away.
    pub async fn online_count(&self) -> u64 {
        if let Some(shared) = &self.shared {
            if let Ok(count) = cluster::presence::online_count(shared).await {
                return count;
            }
        }
        self.hub.online_count() as u64
    }

    /// Refreshes this node's entries and sweeps lapsed ones (a dead node's). Returns the
    /// changes to announce. Re-reporting everything also rebuilds the entries after Redis
    /// lost them (a restart without persistence).
    pub async fn heartbeat(&self) -> Vec<(Uuid, Presence)> {
        let Some(shared) = &self.shared else {
            return Vec::new();
        };
        let mut changes = cluster::presence::report(shared, self.ttl, &self.hub.presences())
            .await
            .unwrap_or_default();
        changes.extend(cluster::presence::sweep(shared).await.unwrap_or_default());
        changes
    }
}
