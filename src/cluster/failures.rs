//! Failed logins counted in Redis (a sorted set of failure times per key, trimmed to the
//! window), so guessing passwords against several nodes gains nothing.

use std::{sync::LazyLock, time::Duration};

use redis::Script;

use super::Shared;

const NOW: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
";

/// `ARGV[1]` window ms, `ARGV[2]` failures allowed. Returns the ms to wait, 0 for none.
static RETRY_AFTER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then return 0 end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + tonumber(ARGV[1]) - now)"
    ))
});

/// `ARGV[3]` a unique member. Returns 1 when this failure spent the budget.
static RECORD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == tonumber(ARGV[2]) then return 1 end
return 0"
    ))
});

fn key(shared: &Shared, key: &str) -> String {
    shared.key(&format!("login:{key}"))
}

pub async fn retry_after(
    shared: &Shared,
    name: &str,
    window: Duration,
    max: usize,
) -> redis::RedisResult<Option<Duration>> {
    let wait: u64 = shared
        .run(
            RETRY_AFTER
                .key(key(shared, name))
                .arg(window.as_millis() as u64)
                .arg(max),
        )
        .await?;
    Ok((wait > 0).then(|| Duration::from_millis(wait)))
}

pub async fn record(
    shared: &Shared,
    name: &str,
    window: Duration,
    max: usize,
) -> redis::RedisResult<bool> {
    let spent: u8 = shared
        .run(
            RECORD
                .key(key(shared, name))
                .arg(window.as_millis() as u64)
                .arg(max)
                .arg(uuid::Uuid::now_v7().to_string()),
        )
        .await?;
    Ok(spent == 1)
}

pub async fn clear(shared: &Shared, name: &str) -> redis::RedisResult<()> {
    shared.query(redis::cmd("DEL").arg(key(shared, name))).await
}
