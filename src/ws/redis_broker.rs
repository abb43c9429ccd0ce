//! Fan-out across nodes through Redis pub/sub. Each envelope is delivered to this node's
//! hub at once (local clients never wait for Redis) and published on one channel; every
//! other node's subscriber delivers it to its own hub. Ordering and completeness do not
//! depend on Redis: timeline events carry the `seq` assigned in the database transaction,
//! and a client that missed something resumes with `after_seq`.
//!
//! A Redis outage degrades, never corrupts: messages still commit and are acknowledged,
//! local delivery goes on, and when a node's subscription comes back it closes its sockets
//! with the resume code, so their clients fetch whatever other nodes sent meanwhile.

use std::{sync::Arc, time::Duration};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{
    broker::{Broker, Envelope},
    hub::Hub,
};
use crate::cluster::Shared;

/// Envelopes waiting to be published; beyond this they are dropped (and counted), since
/// clients recover through resume anyway.
const PUBLISH_QUEUE: usize = 10_000;
const RETRY_MIN: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(5);

/// An envelope on the wire, with the node that sent it.
#[derive(Debug, Serialize, Deserialize)]
struct Wire {
    node: Uuid,
    #[serde(flatten)]
    envelope: WireEnvelope,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum WireEnvelope {
    Room {
        room_id: Uuid,
        seq: Option<i64>,
        frame: String,
    },
    Presence {
        room_id: Uuid,
        frame: String,
    },
    User {
        user_id: Uuid,
        frame: String,
    },
    All {
        frame: String,
    },
    Recheck {
        user_id: Uuid,
    },
    Unsubscribe {
        user_id: Uuid,
        room_id: Uuid,
    },
}

impl From<&Envelope> for WireEnvelope {
    fn from(envelope: &Envelope) -> Self {
        match envelope {
            Envelope::Room {
                room_id,
                seq,
                frame,
            } => Self::Room {
                room_id: *room_id,
                seq: *seq,
                frame: frame.to_string(),
            },
            Envelope::Presence { room_id, frame } => Self::Presence {
                room_id: *room_id,
                frame: frame.to_string(),
            },
            Envelope::User { user_id, frame } => Self::User {
                user_id: *user_id,
                frame: frame.to_string(),
            },
            Envelope::All { frame } => Self::All {
                frame: frame.to_string(),
            },
            Envelope::Recheck { user_id } => Self::Recheck { user_id: *user_id },
            Envelope::Unsubscribe { user_id, room_id } => Self::Unsubscribe {
                user_id: *user_id,
                room_id: *room_id,
            },
        }
    }
}

impl From<WireEnvelope> for Envelope {
    fn from(wire: WireEnvelope) -> Self {
        match wire {
            WireEnvelope::Room {
                room_id,
                seq,
                frame,
            } => Self::Room {
                room_id,
                seq,
                frame: frame.into(),
            },
            WireEnvelope::Presence { room_id, frame } => Self::Presence {
                room_id,
                frame: frame.into(),
            },
            WireEnvelope::User { user_id, frame } => Self::User {
                user_id,
                frame: frame.into(),
            },
            WireEnvelope::All { frame } => Self::All {
                frame: frame.into(),
            },
            WireEnvelope::Recheck { user_id } => Self::Recheck { user_id },
            WireEnvelope::Unsubscribe { user_id, room_id } => {
                Self::Unsubscribe { user_id, room_id }
            }
        }
    }
}

pub struct RedisBroker {
    hub: Hub,
    node: Uuid,
    outbox: mpsc::Sender<String>,
}

impl RedisBroker {
    /// Starts the publisher and subscriber tasks on the installation's channel.
    pub fn start(hub: Hub, shared: &Shared) -> Arc<Self> {
        let client = shared.client().clone();
        let channel = shared.key("events");
        let node = shared.node();
        let (outbox, queue) = mpsc::channel(PUBLISH_QUEUE);
        tokio::spawn(publish_loop(client.clone(), channel.clone(), queue));
        tokio::spawn(subscribe_loop(client, channel.clone(), node, hub.clone()));
        tracing::info!(node = %node, channel, "fanning out events through Redis");
        Arc::new(Self { hub, node, outbox })
    }
}

impl Broker for RedisBroker {
    fn publish(&self, envelope: Envelope) {
        let wire = Wire {
            node: self.node,
            envelope: WireEnvelope::from(&envelope),
        };
        self.hub.deliver(envelope);
        match serde_json::to_string(&wire) {
            Ok(text) => {
                if self.outbox.try_send(text).is_err() {
                    metrics::counter!("anjoman_broker_dropped_total").increment(1);
                }
            }
            Err(err) => tracing::error!(error = %err, "envelope did not serialize"),
        }
    }
}

fn backoff(delay: Duration) -> Duration {
    (delay * 2).min(RETRY_MAX)
}

/// Publishes queued envelopes, reconnecting with backoff; what fails to go out is dropped
/// (other nodes resume their clients when their own subscription recovers).
async fn publish_loop(client: redis::Client, channel: String, mut queue: mpsc::Receiver<String>) {
    let mut delay = RETRY_MIN;
    loop {
        let mut connection = match client.get_multiplexed_async_connection().await {
            Ok(connection) => connection,
            Err(err) => {
                tracing::warn!(error = %err, "Redis publish connection failed; retrying");
                tokio::time::sleep(delay).await;
                delay = backoff(delay);
                continue;
            }
        };
        delay = RETRY_MIN;
        while let Some(text) = queue.recv().await {
            let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
                .arg(&channel)
                .arg(&text)
                .query_async(&mut connection)
                .await;
            if let Err(err) = sent {
                metrics::counter!("anjoman_broker_dropped_total").increment(1);
                tracing::warn!(error = %err, "Redis publish failed; reconnecting");
                break;
            }
        }
        if queue.is_closed() {
            return;
        }
    }
}

/// Delivers other nodes' envelopes to this hub. After any gap in the subscription, local
/// sockets are closed with the resume code so their clients catch up from the database.
async fn subscribe_loop(client: redis::Client, channel: String, node: Uuid, hub: Hub) {
    let mut delay = RETRY_MIN;
    let mut had_gap = false;
    loop {
        let subscribed = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            redis::RedisResult::Ok(pubsub)
        }
        .await;
        let pubsub = match subscribed {
            Ok(pubsub) => pubsub,
            Err(err) => {
                tracing::warn!(error = %err, "Redis subscription failed; retrying");
                had_gap = true;
                tokio::time::sleep(delay).await;
                delay = backoff(delay);
                continue;
            }
        };
        delay = RETRY_MIN;
        if had_gap {
            tracing::info!("Redis subscription back; asking local clients to resume");
            hub.close_all_for_resume();
        }
        let mut messages = pubsub.into_on_message();
        while let Some(message) = messages.next().await {
            let Ok(text) = message.get_payload::<String>() else {
                continue;
            };
            match serde_json::from_str::<Wire>(&text) {
                Ok(wire) if wire.node == node => {}
                Ok(wire) => hub.deliver(wire.envelope.into()),
                Err(err) => tracing::warn!(error = %err, "unreadable envelope from Redis"),
            }
        }
        tracing::warn!("Redis subscription lost; reconnecting");
        had_gap = true;
    }
}
