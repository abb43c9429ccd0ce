//! anjoman-bench-files: upload and download throughput, and the server's memory while
//! files stream through it.
//!
//! It starts a release server (or targets `--url`), registers `--clients` users in one
//! room, has each upload its share of `--total-mib` in files of `--file-mib` (all
//! different, so nothing is deduplicated), then download them all back, verifying sizes.
//! The server's RSS is sampled every 50 ms throughout. Loopback only, bounded in size.
//!
//! Example: `cargo run --release -p anjoman-bench --bin anjoman-bench-files`

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anjoman_bench::{ServerArgs, register, rss_kib, start_server};
use anyhow::{Context, ensure};
use clap::Parser;
use futures_util::future::try_join_all;
use serde_json::{Value, json};

#[derive(Debug, Parser)]
#[command(about = "File upload/download benchmark (loopback only)")]
struct Args {
    /// Concurrent clients.
    #[arg(long, default_value_t = 20)]
    clients: usize,
    /// MiB uploaded in all (and downloaded again). At most 8192.
    #[arg(long, default_value_t = 1024)]
    total_mib: u64,
    /// Size of each file in MiB (at most the server's 16 MiB limit).
    #[arg(long, default_value_t = 12)]
    file_mib: u64,
    #[command(flatten)]
    target: ServerArgs,
}

const BOUNDARY: &str = "anjoman-bench-boundary";
const MIB: u64 = 1024 * 1024;

/// A distinct zip-typed file of `size` bytes.
fn content(client: usize, index: usize, size: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(size);
    bytes.extend_from_slice(b"PK\x03\x04");
    let mut state = (client as u64) << 32 | index as u64 | 1;
    while bytes.len() < size {
        // xorshift: cheap bytes that no two files share.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

fn multipart(room: &str, name: &str, file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"room_id\"\r\n\r\n{room}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/zip\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Peak RSS (KiB) seen by the sampler since the last reset.
#[derive(Default)]
struct Sampler {
    peak: AtomicU64,
}

impl Sampler {
    fn take_peak(&self) -> u64 {
        self.peak.swap(0, Ordering::Relaxed)
    }
}

fn mib_per_s(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / MIB as f64 / elapsed.as_secs_f64()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // reqwest is built without a rustls provider (see `anjoman::infra::tls`).
    anjoman::infra::tls::install_provider();
    let args = Args::parse();
    ensure!(
        (1..=200).contains(&args.clients),
        "--clients must be 1..=200"
    );
    ensure!(
        (1..=16).contains(&args.file_mib),
        "--file-mib must be 1..=16"
    );
    ensure!(
        (1..=8192).contains(&args.total_mib),
        "--total-mib must be 1..=8192"
    );
    let server = start_server(
        &args.target,
        &[
            ("ANJOMAN_LIMITS__UPLOADS_PER_WINDOW", "1000000"),
            ("ANJOMAN_UPLOADS__USER_QUOTA_BYTES", "1000000000000"),
        ],
    )
    .await?;
    let base = server.base.clone();
    let http = reqwest::Client::builder().no_proxy().build()?;
    let tokens = register(&http, &base, args.clients, 20).await?;
    let room: Value = http
        .post(format!("{base}/api/v1/rooms"))
        .bearer_auth(&tokens[0])
        .json(&json!({"name": "bench files", "visibility": "public"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let room = room["id"].as_str().context("room id")?.to_owned();
    for token in &tokens[1..] {
        http.post(format!("{base}/api/v1/rooms/{room}/join"))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?;
    }

    let sampler = Arc::new(Sampler::default());
    let running = Arc::new(AtomicBool::new(true));
    let pid = server.pid();
    let rss_start = pid.and_then(rss_kib);
    let sampling = {
        let (sampler, running) = (sampler.clone(), running.clone());
        tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                if let Some(rss) = pid.and_then(rss_kib) {
                    sampler.peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };

    let file_bytes = (args.file_mib * MIB) as usize;
    let files_total = args.total_mib.div_ceil(args.file_mib) as usize;
    let per_client = files_total.div_ceil(args.clients);
    let started = Instant::now();
    let uploads = tokens.iter().enumerate().map(|(client, token)| {
        let (http, base, room) = (http.clone(), base.clone(), room.clone());
        let count = per_client.min(files_total.saturating_sub(client * per_client));
        async move {
            let mut urls = Vec::new();
            for index in 0..count {
                let body = multipart(
                    &room,
                    &format!("c{client}-{index}.zip"),
                    &content(client, index, file_bytes),
                );
                let resp: Value = http
                    .post(format!("{base}/api/v1/files"))
                    .bearer_auth(token)
                    .header(
                        "content-type",
                        format!("multipart/form-data; boundary={BOUNDARY}"),
                    )
                    .body(body)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                let url = resp["file"]["url"].as_str().context("file url")?;
                urls.push(url.to_owned());
            }
            anyhow::Ok(urls)
        }
    });
    let urls: Vec<Vec<String>> = try_join_all(uploads).await?;
    let upload_time = started.elapsed();
    let uploaded = urls.iter().map(Vec::len).sum::<usize>() as u64 * file_bytes as u64;
    let upload_peak = sampler.take_peak();

    let started = Instant::now();
    let downloads = urls.iter().zip(&tokens).map(|(urls, token)| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let mut received: u64 = 0;
            for url in urls {
                let mut resp = http
                    .get(format!("{base}{url}"))
                    .bearer_auth(token)
                    .send()
                    .await?
                    .error_for_status()?;
                let mut size = 0;
                while let Some(chunk) = resp.chunk().await? {
                    size += chunk.len();
                }
                ensure!(
                    size == file_bytes,
                    "{url}: {size} bytes, expected {file_bytes}"
                );
                received += size as u64;
            }
            anyhow::Ok(received)
        }
    });
    let downloaded: u64 = try_join_all(downloads).await?.into_iter().sum();
    let download_time = started.elapsed();
    let download_peak = sampler.take_peak();
    running.store(false, Ordering::Relaxed);
    let _ = sampling.await;
    let rss_end = pid.and_then(rss_kib);

    println!(
        "{} clients, {} files of {} MiB",
        args.clients,
        urls.iter().map(Vec::len).sum::<usize>(),
        args.file_mib
    );
    println!(
        "upload:   {:.0} MiB in {:.2} s = {:.1} MiB/s",
        uploaded as f64 / MIB as f64,
        upload_time.as_secs_f64(),
        mib_per_s(uploaded, upload_time)
    );
    println!(
        "download: {:.0} MiB in {:.2} s = {:.1} MiB/s",
        downloaded as f64 / MIB as f64,
        download_time.as_secs_f64(),
        mib_per_s(downloaded, download_time)
    );
    if let (Some(start), Some(end)) = (rss_start, rss_end) {
        println!(
            "server RSS: {:.1} MiB at start, peak {:.1} MiB while uploading, peak {:.1} MiB while downloading, {:.1} MiB at the end",
            start as f64 / 1024.0,
            upload_peak as f64 / 1024.0,
            download_peak as f64 / 1024.0,
            end as f64 / 1024.0
        );
    }
    server.stop().await;
    Ok(())
}
