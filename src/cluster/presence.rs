//! Presence over every node. Each node writes one entry per user it has sockets for,
//! `<status>:<until ms>`, in the user's hash, and refreshes them all on a heartbeat; an entry
//! not refreshed in time (its node died) no longer counts, and a sweep removes it. A user's
//! presence is the best of their live entries (online over away), so a user on two nodes is
//! online once. What was last announced is kept too, so exactly one node announces each
//! change, whichever node's report or sweep caused it.

use std::{collections::HashMap, sync::LazyLock, time::Duration};

use redis::Script;
use uuid::Uuid;

use super::Shared;
use crate::domain::users::presence::Presence;

/// Shared by both scripts: the clock, and `settle`, which recomputes a user's presence from
/// their live entries and records (and returns) a change from what was announced.
const SETTLE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ns = ARGV[1]
local expiry = ns .. ':presence:expiry'
local announced = ns .. ':presence:announced'
local changes = {}
local function entries(user) return ns .. ':presence:u:' .. user end
local function settle(user)
  local fields = redis.call('HGETALL', entries(user))
  local best, latest = 'offline', 0
  for i = 2, #fields, 2 do
    local status, untl = string.match(fields[i], '^(%a+):(%d+)$')
    untl = tonumber(untl)
    if untl and untl > now then
      if untl > latest then latest = untl end
      if status == 'online' then best = 'online' elseif best == 'offline' then best = 'away' end
    end
  end
  if latest > 0 then redis.call('PEXPIREAT', entries(user), latest) else redis.call('DEL', entries(user)) end
  local before = redis.call('HGET', announced, user) or 'offline'
  if best ~= before then
    if best == 'offline' then redis.call('HDEL', announced, user) else redis.call('HSET', announced, user, best) end
    table.insert(changes, user)
    table.insert(changes, best)
  end
end
";

/// `ARGV`: namespace, node, ttl ms, then `user, status` pairs (`online`, `away` or `gone`).
static REPORT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{SETTLE}
local node, ttl = ARGV[2], tonumber(ARGV[3])
for i = 4, #ARGV, 2 do
  local user, status = ARGV[i], ARGV[i + 1]
  if status == 'gone' then
    redis.call('HDEL', entries(user), node)
    redis.call('ZREM', expiry, user .. '|' .. node)
  else
    redis.call('HSET', entries(user), node, status .. ':' .. (now + ttl))
    redis.call('ZADD', expiry, now + ttl, user .. '|' .. node)
  end
  settle(user)
end
return changes"
    ))
});

/// `ARGV`: namespace, most entries to sweep. Removes lapsed entries (dead nodes').
static SWEEP: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{SETTLE}
local due = redis.call('ZRANGEBYSCORE', expiry, '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  redis.call('ZREM', expiry, member)
  local user, node = string.match(member, '^(.+)|(.+)$')
  if user then
    local entry = redis.call('HGET', entries(user), node)
    local untl = entry and tonumber(string.match(entry, ':(%d+)$'))
    if untl and untl <= now then redis.call('HDEL', entries(user), node) end
    settle(user)
  end
end
return changes"
    ))
});

/// Users reported per script call, so one call never holds Redis for long.
const REPORT_CHUNK: usize = 500;
/// Lapsed entries removed per sweep.
const SWEEP_MAX: usize = 1000;

fn parse(status: &str) -> Presence {
    match status {
        "online" => Presence::Online,
        "away" => Presence::Away,
        _ => Presence::Offline,
    }
}

fn changes(flat: Vec<String>) -> Vec<(Uuid, Presence)> {
    flat.chunks_exact(2)
        .filter_map(|pair| Some((pair[0].parse().ok()?, parse(&pair[1]))))
        .collect()
}

/// Reports this node's view of some users (`Offline`: no socket here any more). Returns
/// the cluster-wide changes this caused, which the caller announces.
pub async fn report(
    shared: &Shared,
    ttl: Duration,
    users: &[(Uuid, Presence)],
) -> redis::RedisResult<Vec<(Uuid, Presence)>> {
    let mut announced = Vec::new();
    for chunk in users.chunks(REPORT_CHUNK) {
        let mut invocation = REPORT.prepare_invoke();
        invocation
            .arg(shared.namespace())
            .arg(shared.node().to_string())
            .arg(ttl.as_millis() as u64);
        for (user, presence) in chunk {
            let status = match presence {
                Presence::Offline => "gone",
                other => other.as_str(),
            };
            invocation.arg(user.to_string()).arg(status);
        }
        announced.extend(changes(shared.run(&invocation).await?));
    }
    Ok(announced)
}

/// Removes entries whose node stopped refreshing them. Returns the changes to announce.
pub async fn sweep(shared: &Shared) -> redis::RedisResult<Vec<(Uuid, Presence)>> {
    let flat: Vec<String> = shared
        .run(SWEEP.arg(shared.namespace()).arg(SWEEP_MAX))
        .await?;
    Ok(changes(flat))
}

/// The announced presence of each user (absent: offline).
pub async fn statuses(
    shared: &Shared,
    users: &[Uuid],
) -> redis::RedisResult<HashMap<Uuid, Presence>> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let mut cmd = redis::cmd("HMGET");
    cmd.arg(shared.key("presence:announced"));
    for user in users {
        cmd.arg(user.to_string());
    }
    let values: Vec<Option<String>> = shared.query(&cmd).await?;
    Ok(users
        .iter()
        .zip(values)
        .map(|(user, status)| (*user, status.as_deref().map_or(Presence::Offline, parse)))
        .collect())
}

/// People online or away on any node.
pub async fn online_count(shared: &Shared) -> redis::RedisResult<u64> {
    shared
        .query(redis::cmd("HLEN").arg(shared.key("presence:announced")))
        .await
}
