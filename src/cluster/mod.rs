//! State the nodes of one installation share through Redis: presence, rate-limit counters,
//! IP bans and failed logins. Fan-out of events is the broker's job (`ws::redis_broker`).
//!
//! Every piece keeps a local fallback. When Redis does not answer, a node goes on with its
//! own view (its own counters, its own sockets' presence) instead of refusing service, and a
//! short circuit breaker keeps requests from each waiting out a timeout on a dead Redis.
//! Each operation is one Lua script, so concurrent nodes never interleave halfway.

pub mod failures;
pub mod presence;
pub mod rates;

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use redis::{AsyncConnectionConfig, FromRedisValue, ScriptInvocation, aio::MultiplexedConnection};
use tokio::sync::Mutex;
use uuid::Uuid;

/// How long one Redis round trip (or connection attempt) may take before the node falls
/// back to its local view.
const TIMEOUT: Duration = Duration::from_millis(500);
/// After a failure, Redis is not asked again for this long.
const BREAKER: Duration = Duration::from_secs(1);

/// A lazily (re)connected Redis connection with a circuit breaker, and this node's identity.
pub struct Shared {
    client: redis::Client,
    connection: Mutex<Option<MultiplexedConnection>>,
    /// Milliseconds after `origin` before which Redis is not tried again.
    down_until: AtomicU64,
    origin: Instant,
    namespace: String,
    node: Uuid,
}

impl Shared {
    /// Does not connect yet: a node starts even while Redis is down.
    pub fn new(url: &str, namespace: &str) -> anyhow::Result<Self> {
        Ok(Self {
            client: redis::Client::open(url)?,
            connection: Mutex::new(None),
            down_until: AtomicU64::new(0),
            origin: Instant::now(),
            namespace: namespace.to_owned(),
            node: Uuid::now_v7(),
        })
    }

    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    /// This process's id among the nodes.
    pub fn node(&self) -> Uuid {
        self.node
    }

    /// What every key and the channel of this installation start with.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// `<namespace>:<suffix>`: every key and channel of one installation.
    pub fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.namespace)
    }

    fn now_ms(&self) -> u64 {
        self.origin.elapsed().as_millis() as u64
    }

    async fn connection(&self) -> redis::RedisResult<MultiplexedConnection> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        if self.now_ms() < self.down_until.load(Ordering::Relaxed) {
            return Err(redis::RedisError::from((
                redis::ErrorKind::IoError,
                "Redis recently failed; using the local fallback",
            )));
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(TIMEOUT)
            .set_response_timeout(TIMEOUT);
        match self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
        {
            Ok(connection) => {
                *slot = Some(connection.clone());
                Ok(connection)
            }
            Err(err) => {
                self.trip();
                Err(err)
            }
        }
    }

    fn trip(&self) {
        self.down_until.store(
            self.now_ms() + BREAKER.as_millis() as u64,
            Ordering::Relaxed,
        );
    }

    /// Runs a script. On failure the connection is dropped and the breaker trips, so the
    /// caller's fallback answers at once for a while.
    pub async fn run<T: FromRedisValue>(
        &self,
        invocation: &ScriptInvocation<'_>,
    ) -> redis::RedisResult<T> {
        let mut connection = self.connection().await?;
        let result = invocation.invoke_async(&mut connection).await;
        self.settle(result).await
    }

    /// Runs a plain command, with the same breaker as [`Shared::run`].
    pub async fn query<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> redis::RedisResult<T> {
        let mut connection = self.connection().await?;
        let result = cmd.query_async(&mut connection).await;
        self.settle(result).await
    }

    async fn settle<T>(&self, result: redis::RedisResult<T>) -> redis::RedisResult<T> {
        if let Err(err) = &result {
            *self.connection.lock().await = None;
            self.trip();
            metrics::counter!("anjoman_redis_failures_total").increment(1);
            tracing::warn!(error = %err, "Redis call failed; using the local fallback");
        }
        result
    }
}
