//! Rate limits counted in Redis, so a budget holds over every node: GCRA (the algorithm
//! `governor` uses locally), one key per limited thing, holding its theoretical arrival
//! time. Time comes from Redis (`TIME`), so nodes with skewed clocks still agree.

use std::{sync::LazyLock, time::Duration};

use redis::Script;

use super::Shared;

/// Takes one cell from `KEYS[1]`'s budget: `ARGV[1]` ms per cell, `ARGV[2]` cells of burst.
/// Returns 0 when allowed, else the milliseconds until the next cell.
const GCRA: &str = r"
local function gcra(key, interval, burst, now)
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval
  local wait = new_tat - interval * burst - now
  if wait > 0 then return math.max(1, math.ceil(wait)) end
  redis.call('SET', key, tostring(new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
";

static TAKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{GCRA}return gcra(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), now)"
    ))
});

/// `KEYS[1]` the IP's ban, `KEYS[2]` its connection budget; `ARGV[3]` the ban in ms.
/// Returns `{wait_ms, newly_banned}`; `{0, 0}` when the attempt may go ahead.
static CONNECT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{GCRA}
local banned = redis.call('PTTL', KEYS[1])
if banned > 0 then return {{banned, 0}} end
if gcra(KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), now) == 0 then return {{0, 0}} end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[3])
return {{tonumber(ARGV[3]), 1}}"
    ))
});

/// A budget of `burst` cells refilled one per `interval`.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub interval: Duration,
    pub burst: u32,
}

impl Budget {
    /// `count` at once, refilled evenly over `per`.
    pub fn new(count: u32, per: Duration) -> Self {
        let count = count.max(1);
        Self {
            interval: per / count,
            burst: count,
        }
    }

    fn interval_ms(&self) -> f64 {
        self.interval.as_secs_f64() * 1000.0
    }
}

/// Takes one cell of `budget` under `key`: `Ok(None)` allowed, `Ok(Some(wait))` refused.
pub async fn take(
    shared: &Shared,
    key: &str,
    budget: Budget,
) -> redis::RedisResult<Option<Duration>> {
    let wait: u64 = shared
        .run(
            TAKE.key(shared.key(key))
                .arg(budget.interval_ms())
                .arg(budget.burst),
        )
        .await?;
    Ok((wait > 0).then(|| Duration::from_millis(wait)))
}

/// One connection attempt from `ip`: `Ok(None)` allowed, else how long it must wait and
/// whether this attempt started the ban.
pub async fn connect(
    shared: &Shared,
    ip: &str,
    budget: Budget,
    ban: Duration,
) -> redis::RedisResult<Option<(Duration, bool)>> {
    let (wait, newly): (u64, u8) = shared
        .run(
            CONNECT
                .key(shared.key(&format!("ipban:{ip}")))
                .key(shared.key(&format!("rate:connect:{ip}")))
                .arg(budget.interval_ms())
                .arg(budget.burst)
                .arg(ban.as_millis().max(1) as u64),
        )
        .await?;
    Ok((wait > 0).then(|| (Duration::from_millis(wait), newly == 1)))
}
