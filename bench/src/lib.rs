//! Shared by the load generators: start a release server on a free loopback port (or
//! use a running one), register users, read the server's memory.

use std::{
    path::PathBuf,
    process::Stdio,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use anyhow::{Context, bail};
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};
use tokio::process::Child;

pub const PASSWORD: &str = "bench password 123";

pub fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

pub struct Server {
    pub base: String,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// Stops a server this process started.
    pub async fn stop(self) {
        if let Some(mut child) = self.child {
            let _ = child.kill().await;
        }
    }
}

/// Which server a benchmark runs against.
#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    /// Server binary to start.
    #[arg(long, default_value = "target/release/anjoman")]
    pub server: PathBuf,
    /// Use a running server instead (its memory is not measured).
    #[arg(long)]
    pub url: Option<String>,
    /// Database for the started server (default: a fresh SQLite file).
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Starts the server binary with a fresh SQLite database (or the given one) in a
/// temporary directory, with `env` added, or returns the running server's URL.
pub async fn start_server(target: &ServerArgs, env: &[(&str, &str)]) -> anyhow::Result<Server> {
    let (binary, database_url) = (&target.server, target.database_url.as_deref());
    if let Some(url) = &target.url {
        return Ok(Server {
            base: url.trim_end_matches('/').to_owned(),
            child: None,
            _dir: None,
        });
    }
    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let database = database_url
        .map(str::to_owned)
        .unwrap_or_else(|| format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()));
    let path = std::fs::canonicalize(binary)
        .with_context(|| format!("{binary:?} not found (build it with cargo build --release)"))?;
    let child = tokio::process::Command::new(path)
        .current_dir(dir.path())
        .env("PORT", port.to_string())
        .env("DATABASE_URL", database)
        .env("RUST_LOG", "warn")
        // Cheap hashing and no per-IP/per-user limits: every client is on 127.0.0.1 and the
        // point is the hub, not the limiters.
        .env("ANJOMAN_AUTH__ARGON2__MEMORY_KIB", "1024")
        .env("ANJOMAN_AUTH__ARGON2__ITERATIONS", "1")
        .env("ANJOMAN_LIMITS__MESSAGES_PER_MINUTE", "1000000")
        .env("ANJOMAN_WS__CONNECT_PER_IP", "1000000")
        // The setup's pooled HTTP connections stay open beside the sockets, all from one
        // address: without this, sockets past 256 connections are refused mid-handshake.
        .env("ANJOMAN_HTTP__MAX_CONNECTIONS_PER_IP", "1000000")
        .env("ANJOMAN_LIMITS__REGISTRATIONS_PER_WINDOW", "1000000")
        .env("ANJOMAN_LIMITS__REGISTRATIONS_TOTAL_PER_WINDOW", "1000000")
        // Every client registers at once during setup: let them all queue for a hash.
        .env("ANJOMAN_AUTH__ARGON2__MAX_WAITING", "1000000")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {binary:?} (build it with cargo build --release)"))?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().no_proxy().build()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(resp) = client.get(format!("{base}/readyz")).send().await {
            if resp.status().is_success() {
                break;
            }
        }
        if Instant::now() > deadline {
            bail!("server did not become ready");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(Server {
        base,
        child: Some(child),
        _dir: Some(dir),
    })
}

/// Registers `n` users; returns their tokens.
pub async fn register(
    http: &reqwest::Client,
    base: &str,
    n: usize,
    concurrency: usize,
) -> anyhow::Result<Vec<String>> {
    let run = now_micros() % 1_000_000;
    let results: Vec<anyhow::Result<String>> = stream::iter(0..n)
        .map(|i| {
            let http = http.clone();
            let url = format!("{base}/api/v1/auth/register");
            async move {
                let body: Value = http
                    .post(url)
                    .json(&json!({"username": format!("b{run}_{i}"), "password": PASSWORD}))
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                Ok(body["access_token"]
                    .as_str()
                    .context("no token")?
                    .to_owned())
            }
        })
        .buffered(concurrency)
        .collect()
        .await;
    results.into_iter().collect()
}
