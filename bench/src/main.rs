//! anjoman-bench: a load generator for the WebSocket hub.
//!
//! It starts a release server (or targets `--url`), registers N clients, puts them in rooms
//! of `--room-size`, opens one authenticated socket each, then has `--senders` clients send
//! at `--rate` messages/s in total for `--duration` seconds. Every message carries its
//! sender, a counter and a timestamp, so receivers can measure send→receive latency and
//! count lost and duplicated deliveries. Loopback only; everything is bounded in count and
//! time, and a spawned server is stopped at the end.
//!
//! With `--nodes N --redis-url redis://…` it starts N nodes of one installation on the same
//! PostgreSQL database (`--database-url`) and spreads the clients over them round-robin, so
//! most deliveries cross nodes through Redis.
//!
//! Example: `cargo run --release -p anjoman-bench -- --clients 1000 --rate 200`

use std::{
    collections::HashSet,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anjoman_bench::{ServerArgs, now_micros, register, rss_kib, start_server};
use anyhow::{Context, bail};
use clap::Parser;
use futures_util::{SinkExt, StreamExt, stream};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_tungstenite::{
    connect_async_with_config,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

#[derive(Debug, Parser)]
#[command(about = "Load generator for the Anjoman WebSocket hub (loopback only)")]
struct Args {
    /// Connected clients (one socket each). At most 20,000.
    #[arg(long, default_value_t = 1000)]
    clients: usize,
    /// Members per room (clients are split into rooms of this size).
    #[arg(long)]
    room_size: Option<usize>,
    /// Clients that send.
    #[arg(long, default_value_t = 10)]
    senders: usize,
    /// Messages per second, all senders together.
    #[arg(long, default_value_t = 200.0)]
    rate: f64,
    /// Seconds of sending (at most 120).
    #[arg(long, default_value_t = 10)]
    duration: u64,
    #[command(flatten)]
    target: ServerArgs,
    /// Nodes to start (one installation; needs `--redis-url` and a PostgreSQL
    /// `--database-url` beyond one). At most 8.
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// Fan events out through this Redis (`broker.url`), even with one node.
    #[arg(long)]
    redis_url: Option<String>,
    /// Parallel registrations / connections while setting up.
    #[arg(long, default_value_t = 200)]
    setup_concurrency: usize,
}

/// Splits clients into rooms; returns each client's room id.
async fn make_rooms(
    http: &reqwest::Client,
    base: &str,
    tokens: &[String],
    size: usize,
    concurrency: usize,
) -> anyhow::Result<Vec<String>> {
    let mut room_of = Vec::with_capacity(tokens.len());
    for (index, chunk) in tokens.chunks(size).enumerate() {
        let room: Value = http
            .post(format!("{base}/api/v1/rooms"))
            .bearer_auth(&chunk[0])
            .json(&json!({"name": format!("bench room {index}"), "visibility": "public"}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let id = room["id"].as_str().context("room id")?.to_owned();
        let joins: Vec<anyhow::Result<()>> = stream::iter(chunk[1..].iter().cloned())
            .map(|token| {
                let (http, url) = (http.clone(), format!("{base}/api/v1/rooms/{id}/join"));
                async move {
                    http.post(url)
                        .bearer_auth(token)
                        .send()
                        .await?
                        .error_for_status()?;
                    Ok(())
                }
            })
            .buffered(concurrency)
            .collect()
            .await;
        joins.into_iter().collect::<anyhow::Result<()>>()?;
        room_of.extend(std::iter::repeat_n(id, chunk.len()));
    }
    Ok(room_of)
}

/// What receivers record.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    seen: HashSet<(u32, u32)>,
    duplicates: u64,
    /// When the last bench message arrived (microseconds since the epoch).
    last_us: u64,
}

type WsSink = futures_util::stream::SplitSink<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Message,
>;

/// Parses `bench:<sender>:<counter>:<micros>` out of a message.created frame without a full
/// JSON parse (the load generator must stay cheaper than the server).
fn bench_tag(frame: &str) -> Option<(u32, u32, u64)> {
    if !frame.starts_with(r#"{"type":"message.created""#) {
        return None;
    }
    let start = frame.find("\"body\":\"bench:")? + "\"body\":\"bench:".len();
    let mut parts = frame[start..].split(['"', ':']);
    Some((
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    ))
}

async fn connect(
    ws_base: &str,
    token: &str,
    room: &str,
    ended: Arc<AtomicU64>,
) -> anyhow::Result<(WsSink, tokio::task::JoinHandle<Tally>)> {
    let mut request = format!("{ws_base}/ws").into_client_request()?;
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}"))?,
    );
    let mut config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default();
    config.read_buffer_size = 16 * 1024;
    let (socket, _) = connect_async_with_config(request, Some(config), true).await?;
    let (mut sink, mut stream) = socket.split();
    sink.send(Message::text(
        json!({"op": "subscribe", "ref": "s", "room_id": room}).to_string(),
    ))
    .await?;
    // Wait for the subscribe ack so no message is sent before everyone listens.
    loop {
        match tokio::time::timeout(Duration::from_secs(30), stream.next()).await? {
            Some(Ok(Message::Text(text))) if text.contains(r#""ref":"s""#) => break,
            Some(Ok(_)) => continue,
            _ => bail!("socket closed during subscribe"),
        }
    }
    let reader = tokio::spawn(async move {
        let mut tally = Tally::default();
        while let Some(Ok(message)) = stream.next().await {
            if let Message::Text(text) = message {
                if let Some((sender, counter, sent_us)) = bench_tag(&text) {
                    let now = now_micros();
                    tally.last_us = now;
                    let latency = now.saturating_sub(sent_us);
                    tally
                        .latencies_us
                        .push(latency.min(u64::from(u32::MAX)) as u32);
                    if !tally.seen.insert((sender, counter)) {
                        tally.duplicates += 1;
                    }
                }
            }
        }
        ended.fetch_add(1, Ordering::Relaxed);
        tally
    });
    Ok((sink, reader))
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    f64::from(sorted[rank.min(sorted.len() - 1)]) / 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // reqwest is built without a rustls provider (see `anjoman::infra::tls`).
    anjoman::infra::tls::install_provider();
    let args = Args::parse();
    anyhow::ensure!(
        args.clients > 0 && args.clients <= 20_000,
        "--clients must be 1..=20000"
    );
    anyhow::ensure!(args.duration <= 120, "--duration must be at most 120 s");
    let senders = args.senders.clamp(1, args.clients);
    let room_size = args
        .room_size
        .unwrap_or(args.clients)
        .clamp(1, args.clients);

    anyhow::ensure!((1..=8).contains(&args.nodes), "--nodes must be 1..=8");
    anyhow::ensure!(
        args.nodes == 1
            || (args.redis_url.is_some()
                && args
                    .target
                    .database_url
                    .as_deref()
                    .is_some_and(|url| url.starts_with("postgres"))),
        "--nodes > 1 needs --redis-url and a PostgreSQL --database-url"
    );
    let namespace = format!("anjoman-bench-{}", now_micros());
    let mut env = vec![];
    if let Some(redis) = &args.redis_url {
        env.push(("ANJOMAN_BROKER__URL", redis.as_str()));
        env.push(("ANJOMAN_BROKER__NAMESPACE", namespace.as_str()));
    }
    // One after another: the first migrates the database.
    let mut servers = Vec::new();
    for _ in 0..args.nodes {
        servers.push(start_server(&args.target, &env).await?);
    }
    let base = servers[0].base.clone();
    let ws_bases: Vec<String> = servers
        .iter()
        .map(|server| server.base.replacen("http://", "ws://", 1))
        .collect();
    let rss = || -> Option<u64> { servers.iter().map(|s| s.pid().and_then(rss_kib)).sum() };
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(args.setup_concurrency)
        .timeout(Duration::from_secs(60))
        .build()?;
    let rss_start = rss();

    println!(
        "nodes: {}{}",
        servers.len(),
        if args.redis_url.is_some() {
            ", events through Redis"
        } else {
            ", in-process"
        }
    );
    let t = Instant::now();
    let tokens = register(&http, &base, args.clients, args.setup_concurrency).await?;
    let rooms = make_rooms(&http, &base, &tokens, room_size, args.setup_concurrency).await?;
    println!(
        "setup: {} users in {} rooms of {room_size} in {:.1} s",
        tokens.len(),
        rooms.len().div_ceil(room_size),
        t.elapsed().as_secs_f64()
    );

    let rss_before_sockets = rss();
    let t = Instant::now();
    let failures = Arc::new(AtomicU64::new(0));
    let ended = Arc::new(AtomicU64::new(0));
    let connected: Vec<Option<(WsSink, tokio::task::JoinHandle<Tally>)>> =
        stream::iter(tokens.iter().zip(rooms.iter()).enumerate())
            .map(|(index, (token, room))| {
                let ws_base = ws_bases[index % ws_bases.len()].clone();
                let (failures, ended) = (failures.clone(), ended.clone());
                async move {
                    match connect(&ws_base, token, room, ended).await {
                        Ok(pair) => Some(pair),
                        Err(err) => {
                            if failures.fetch_add(1, Ordering::Relaxed) < 3 {
                                eprintln!("connect failed: {err:#}");
                            }
                            None
                        }
                    }
                }
            })
            .buffered(args.setup_concurrency)
            .collect()
            .await;
    let connect_failures = failures.load(Ordering::Relaxed);
    println!(
        "connected: {} sockets in {:.1} s, {connect_failures} connect failures",
        connected.iter().flatten().count(),
        t.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_idle = rss();

    // Members of each room that are connected: each message should reach all of them.
    let mut listeners_per_room = std::collections::HashMap::<&str, u64>::new();
    for (conn, room) in connected.iter().zip(rooms.iter()) {
        if conn.is_some() {
            *listeners_per_room.entry(room.as_str()).or_default() += 1;
        }
    }
    let mut sinks = Vec::new();
    let mut readers = Vec::new();
    let mut sender_rooms = Vec::new();
    for (conn, room) in connected.into_iter().zip(rooms.iter()) {
        if let Some((sink, reader)) = conn {
            if sinks.len() < senders {
                sender_rooms.push(room.clone());
            }
            sinks.push(Arc::new(Mutex::new(sink)));
            readers.push((room.clone(), reader));
        }
    }
    let senders = sender_rooms.len();
    let per_sender_interval = Duration::from_secs_f64(senders as f64 / args.rate.max(0.001));
    let deadline = Instant::now() + Duration::from_secs(args.duration);
    let sent = Arc::new(AtomicU64::new(0));
    let expected = Arc::new(AtomicU64::new(0));
    let t = Instant::now();
    let start_us = now_micros();
    let mut tasks = Vec::new();
    for (index, room) in sender_rooms.into_iter().enumerate() {
        let sink = sinks[index].clone();
        let (sent, expected) = (sent.clone(), expected.clone());
        let listeners = listeners_per_room.get(room.as_str()).copied().unwrap_or(0);
        // Spread the senders over the interval so they do not all fire at the same instant.
        let offset = per_sender_interval.mul_f64(index as f64 / senders as f64);
        tasks.push(tokio::spawn(async move {
            let mut tick =
                tokio::time::interval_at(tokio::time::Instant::now() + offset, per_sender_interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut counter: u32 = 0;
            while Instant::now() < deadline {
                tick.tick().await;
                let body = format!("bench:{index}:{counter}:{}", now_micros());
                let frame = json!({"op": "send", "room_id": room, "body": body}).to_string();
                if sink.lock().await.send(Message::text(frame)).await.is_err() {
                    break;
                }
                counter += 1;
                sent.fetch_add(1, Ordering::Relaxed);
                expected.fetch_add(listeners, Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let send_secs = t.elapsed().as_secs_f64();
    let rss_busy = rss();
    // Let deliveries drain, then close every socket so the readers finish.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let closed_by_server = ended.load(Ordering::Relaxed);
    for sink in &sinks {
        let _ = sink.lock().await.close().await;
    }
    let mut latencies = Vec::new();
    let mut unique = 0u64;
    let mut duplicates = 0u64;
    // What a room stored is what its best-informed member saw (every member sees every
    // message of its room unless it was cut off).
    let mut stored_per_room = std::collections::HashMap::<String, u64>::new();
    let mut last_us = start_us;
    for (room, reader) in readers {
        if let Ok(Ok(tally)) = tokio::time::timeout(Duration::from_secs(30), reader).await {
            let seen = stored_per_room.entry(room).or_default();
            *seen = (*seen).max(tally.seen.len() as u64);
            last_us = last_us.max(tally.last_us);
            unique += tally.seen.len() as u64;
            duplicates += tally.duplicates;
            latencies.extend(tally.latencies_us);
        }
    }
    latencies.sort_unstable();
    let sent = sent.load(Ordering::Relaxed);
    let expected = expected.load(Ordering::Relaxed);

    println!(
        "sent: {sent} messages by {senders} senders in {send_secs:.1} s ({:.0} msgs/s)",
        sent as f64 / send_secs
    );
    let stored: u64 = stored_per_room.values().sum();
    // Stored messages over the time from the first send to the last one received: sends
    // that queued past the sending window count against the rate, not for it.
    let storing_secs = (last_us.saturating_sub(start_us) as f64 / 1e6).max(send_secs);
    println!(
        "stored: {stored} messages in {storing_secs:.1} s from the first send to the last received ({:.0} msgs/s), {} sent but never received",
        stored as f64 / storing_secs,
        sent.saturating_sub(stored)
    );
    println!(
        "deliveries: {unique} of {expected} expected ({:.0}/s during sending), lost {}, duplicated {duplicates}",
        unique as f64 / send_secs,
        expected.saturating_sub(unique)
    );
    println!("sockets closed by the server during the run: {closed_by_server}");
    println!(
        "send→receive latency: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        percentile(&latencies, 99.0),
        percentile(&latencies, 100.0)
    );
    if let (Some(start), Some(before), Some(idle), Some(busy)) =
        (rss_start, rss_before_sockets, rss_idle, rss_busy)
    {
        let sockets = (tokens.len() as u64 - connect_failures).max(1);
        println!(
            "server RSS (all nodes): {:.1} MiB at start, {:.1} MiB before sockets, {:.1} MiB with {sockets} idle sockets ({:.1} KiB per socket), {:.1} MiB while sending",
            start as f64 / 1024.0,
            before as f64 / 1024.0,
            idle as f64 / 1024.0,
            idle.saturating_sub(before) as f64 / sockets as f64,
            busy as f64 / 1024.0
        );
    }
    for server in servers {
        server.stop().await;
    }
    Ok(())
}
