//! Login storm: 50 clients log in concurrently with the configured (default) argon2id
//! parameters, while another client probes `/healthz` every 10 ms. Reports login
//! throughput and latency percentiles, and `/healthz` latency before and during the storm.
//!
//! Run: `cargo bench --bench login_storm` (optionally `-- --logins-per-client N`).
//! Loopback only; bounded by the number of logins and a 5-minute deadline.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use anjoman::{app::Application, config::Settings};
use serde_json::json;

const CLIENTS: usize = 50;
const PASSWORD: &str = "a benchmark password";
const DEADLINE: Duration = Duration::from_secs(300);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn probe_healthz(
    client: reqwest::Client,
    url: String,
    stop: Arc<AtomicBool>,
) -> Vec<Duration> {
    let mut samples = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        if let Ok(resp) = client.get(&url).send().await {
            if resp.status().is_success() {
                samples.push(started.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    samples.sort();
    samples
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // reqwest is built without a rustls provider (see `anjoman::infra::tls`).
    anjoman::infra::tls::install_provider();
    let logins_per_client: usize = std::env::args()
        .skip_while(|a| a != "--logins-per-client")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10)
        .clamp(1, 100);
    let dir = tempfile::tempdir()?;
    let db_url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let settings = Settings::from_figment(
        Settings::figment(None)
            .merge(("server.port", 0))
            .merge(("database.url", db_url))
            .merge(("uploads.dir", dir.path().join("uploads")))
            // The clients all register from 127.0.0.1; the point is the login storm.
            .merge(("limits.registrations_per_window", 1_000_000))
            .merge(("limits.registrations_total_per_window", 1_000_000)),
    )?;
    let argon = settings.auth.argon2.clone();
    let app = Application::build(settings).await?;
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(CLIENTS * 2)
        .timeout(Duration::from_secs(60))
        .build()?;

    for i in 0..CLIENTS {
        let resp = client
            .post(format!("{base}/api/v1/auth/register"))
            .json(&json!({"username": format!("bench_{i}"), "password": PASSWORD}))
            .send()
            .await?;
        anyhow::ensure!(resp.status() == 201, "register failed: {}", resp.status());
    }

    let stop = Arc::new(AtomicBool::new(false));
    let baseline = {
        let probe = tokio::spawn(probe_healthz(
            client.clone(),
            format!("{base}/healthz"),
            stop.clone(),
        ));
        tokio::time::sleep(Duration::from_secs(2)).await;
        stop.store(true, Ordering::Relaxed);
        probe.await?
    };

    stop.store(false, Ordering::Relaxed);
    let probe = tokio::spawn(probe_healthz(
        client.clone(),
        format!("{base}/healthz"),
        stop.clone(),
    ));
    let started = Instant::now();
    let mut workers = Vec::new();
    for i in 0..CLIENTS {
        let (client, base) = (client.clone(), base.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(logins_per_client);
            for _ in 0..logins_per_client {
                if started.elapsed() > DEADLINE {
                    break;
                }
                let t = Instant::now();
                let resp = client
                    .post(format!("{base}/api/v1/auth/login"))
                    .json(&json!({"username": format!("bench_{i}"), "password": PASSWORD}))
                    .send()
                    .await?;
                anyhow::ensure!(resp.status() == 200, "login failed: {}", resp.status());
                latencies.push(t.elapsed());
            }
            Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let during = probe.await?;
    latencies.sort();

    println!(
        "argon2id: m={} KiB, t={}, p={}; {} cores",
        argon.memory_kib,
        argon.iterations,
        argon.parallelism,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "logins: {} by {CLIENTS} concurrent clients in {:.2} s = {:.1} logins/s",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "login latency: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 90.0)),
        ms(percentile(&latencies, 99.0)),
        ms(percentile(&latencies, 100.0))
    );
    for (name, samples) in [("idle", &baseline), ("during storm", &during)] {
        println!(
            "/healthz {name}: {} probes, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            samples.len(),
            ms(percentile(samples, 50.0)),
            ms(percentile(samples, 99.0)),
            ms(percentile(samples, 100.0))
        );
    }
    Ok(())
}
