//! Slow clients against a server on its own: opens N half-open connections (half a
//! request line, then silence) from several loopback addresses, and measures `/healthz`
//! and a logged-in socket's ping at rest and under that load, then how long the server
//! takes to close the half-open ones (its `http.header_read_timeout_secs`).
//!
//! ```sh
//! cargo build --release -p anjoman -p anjoman-bench
//! target/release/anjoman-bench-slow-clients --half-open 2000
//! target/release/anjoman-bench-slow-clients --half-open 12000 --sources 60
//! ```
//!
//! Each process needs a file descriptor per connection: raise `ulimit -n` above N.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    time::{Duration, Instant},
};

use anjoman_bench::{ServerArgs, register, start_server};
use anyhow::{Context, bail};
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

#[derive(Debug, Parser)]
#[command(about = "Half-open connections against healthz and socket latency")]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Half-open connections to open.
    #[arg(long, default_value_t = 2000)]
    half_open: usize,
    /// Loopback source addresses they come from (127.0.0.10 onwards), round robin.
    #[arg(long, default_value_t = 8)]
    sources: u8,
    /// Requests (and socket pings) timed at rest and under load.
    #[arg(long, default_value_t = 500)]
    samples: usize,
    /// Longest wait for the server to close every half-open connection.
    #[arg(long, default_value_t = 120)]
    ceiling_secs: u64,
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // reqwest is built without a rustls provider (see `anjoman::infra::tls`).
    anjoman::infra::tls::install_provider();
    let args = Args::parse();
    if args.sources == 0 || args.sources > 240 {
        bail!("--sources must be 1 to 240");
    }
    let server = start_server(&args.server, &[]).await?;
    let base = server.base.clone();
    let addr: SocketAddr = base
        .trim_start_matches("http://")
        .parse()
        .context("the server URL is http://IP:port")?;
    let http = reqwest::Client::builder().no_proxy().build()?;
    let token = register(&http, &base, 1, 1)
        .await?
        .pop()
        .context("no token")?;
    let mut socket = connect_socket(&base, &token).await?;

    let rest_healthz = time_healthz(&http, &base, args.samples).await?;
    let rest_ping = time_pings(&mut socket, args.samples).await?;
    println!("at rest:    {}", summary(&rest_healthz, &rest_ping));

    let opening = Instant::now();
    let mut closers = Vec::with_capacity(args.half_open);
    let mut failed_to_open = 0usize;
    for i in 0..args.half_open {
        let source = IpAddr::V4(Ipv4Addr::new(
            127,
            0,
            0,
            10 + (i % args.sources as usize) as u8,
        ));
        match half_open(source, addr).await {
            Ok(stream) => closers.push(tokio::spawn(time_until_closed(stream))),
            Err(_) => failed_to_open += 1,
        }
    }
    println!(
        "opened {} half-open connections from {} addresses in {:.2} s ({failed_to_open} failed)",
        closers.len(),
        args.sources,
        opening.elapsed().as_secs_f64()
    );

    let load_healthz = time_healthz(&http, &base, args.samples).await?;
    let load_ping = time_pings(&mut socket, args.samples).await?;
    println!("under load: {}", summary(&load_healthz, &load_ping));

    let mut closed_after = Vec::new();
    let ceiling = Duration::from_secs(args.ceiling_secs);
    let all = futures_util::future::join_all(closers);
    let results = tokio::time::timeout(ceiling, all)
        .await
        .context("half-open connections still open at the ceiling")?;
    for result in results {
        closed_after.push(result?);
    }
    // Refused connections are closed at once; the others when their deadline passes.
    let (refused, timed_out): (Vec<Duration>, Vec<Duration>) = closed_after
        .into_iter()
        .partition(|after| *after < Duration::from_secs(1));
    if let (Some(first), Some(last)) = (timed_out.iter().min(), timed_out.iter().max()) {
        println!(
            "closed by the server: {} after {:.2}–{:.2} s; {} at once (refused)",
            timed_out.len(),
            first.as_secs_f64(),
            last.as_secs_f64(),
            refused.len()
        );
    } else {
        println!("closed by the server: {} at once (refused)", refused.len());
    }
    let metrics = http
        .get(format!("{base}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    for line in metrics.lines().filter(|line| {
        line.starts_with("anjoman_connections_") || line.starts_with("anjoman_http_connections")
    }) {
        println!("  {line}");
    }
    let _ = socket.close(None).await;
    server.stop().await;
    Ok(())
}

/// A connection from `source` that sends half a request line and nothing more.
async fn half_open(source: IpAddr, server: SocketAddr) -> std::io::Result<(TcpStream, Instant)> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source, 0))?;
    let mut stream = socket.connect(server).await?;
    let opened = Instant::now();
    stream.write_all(b"GET /healthz HT").await?;
    Ok((stream, opened))
}

/// How long after it was opened the server closed the connection.
async fn time_until_closed((mut stream, opened): (TcpStream, Instant)) -> Duration {
    let mut buf = [0u8; 256];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
    opened.elapsed()
}

async fn connect_socket(base: &str, token: &str) -> anyhow::Result<Socket> {
    let mut request =
        format!("{}/ws", base.replacen("http://", "ws://", 1)).into_client_request()?;
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}"))?,
    );
    let (mut socket, _) = connect_async(request).await?;
    wait_for(&mut socket, |frame| frame["type"] == "ready").await?;
    Ok(socket)
}

async fn wait_for(socket: &mut Socket, pred: impl Fn(&Value) -> bool) -> anyhow::Result<()> {
    loop {
        match tokio::time::timeout(Duration::from_secs(30), socket.next()).await? {
            Some(Ok(Message::Text(text))) => {
                if pred(&serde_json::from_str(&text)?) {
                    return Ok(());
                }
            }
            Some(Ok(_)) => continue,
            _ => bail!("socket closed"),
        }
    }
}

async fn time_healthz(
    http: &reqwest::Client,
    base: &str,
    samples: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        http.get(format!("{base}/healthz"))
            .send()
            .await?
            .error_for_status()?;
        times.push(started.elapsed());
    }
    Ok(times)
}

async fn time_pings(socket: &mut Socket, samples: usize) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(samples);
    for i in 0..samples {
        let reference = format!("p{i}");
        let started = Instant::now();
        socket
            .send(Message::text(
                json!({"op": "ping", "ref": reference}).to_string(),
            ))
            .await?;
        wait_for(socket, |frame| frame["ref"] == reference.as_str()).await?;
        times.push(started.elapsed());
    }
    Ok(times)
}

fn summary(healthz: &[Duration], pings: &[Duration]) -> String {
    format!(
        "healthz p50/p99 {:.2}/{:.2} ms; socket ping p50/p99 {:.1}/{:.1} ms",
        percentile_ms(healthz, 0.50),
        percentile_ms(healthz, 0.99),
        percentile_ms(pings, 0.50),
        percentile_ms(pings, 0.99),
    )
}

fn percentile_ms(times: &[Duration], q: f64) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort();
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    sorted[((last as f64) * q).round() as usize].as_secs_f64() * 1000.0
}
