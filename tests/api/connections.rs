//! Slow, silent and too many connections: each is closed by the server on its own (no
//! proxy in front), while everyone else is still served. Timeouts are configured short and
//! the tests only wait (with a generous ceiling) for the server to close a connection;
//! speed is measured by `anjoman-bench-slow-clients`, not here.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    time::Duration,
};

use figment::Figment;
use futures_util::future::join_all;
use serde_json::json;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};

use crate::binary::{anjoman, serve, wait_for};
use crate::helpers::{Backend, TestApp, client, spawn_app_with};
use crate::ws_client::WsClient;

/// Longest a test waits for the server to close a connection; far above any configured
/// timeout here, so only a server that never closes it fails.
const CLOSE_CEILING: Duration = Duration::from_secs(60);
/// Where the slow-client test waits for 2,000 connections to be closed.
const FLOOD_CEILING: Duration = Duration::from_secs(120);

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: anjoman\r\n\r\n";

async fn app_with(configure: impl FnOnce(Figment) -> Figment) -> TestApp {
    spawn_app_with(Backend::Sqlite, configure).await
}

fn server_addr(app: &TestApp) -> SocketAddr {
    app.address
        .trim_start_matches("http://")
        .parse()
        .expect("the app listens on an IP address")
}

fn loopback(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

/// A TCP connection to `server` from the loopback address `source`.
async fn connect_from(source: IpAddr, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(source, 0)).unwrap();
    socket.connect(server).await.unwrap()
}

/// Reads until the server closes the connection; returns what it sent before that.
/// Panics if it is still open after `ceiling`.
async fn closed_by_server(stream: &mut TcpStream, ceiling: Duration) -> Vec<u8> {
    let mut received = Vec::new();
    let read_to_end = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(ceiling, read_to_end)
        .await
        .expect("the server closes the connection");
    received
}

/// Sends `/healthz` on `stream` and reads the whole answer, leaving the connection open.
async fn healthz_on(stream: &mut TcpStream) -> String {
    stream.write_all(HEALTHZ).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !answer_is_complete(&answer) {
        let n = tokio::time::timeout(CLOSE_CEILING, stream.read(&mut buf))
            .await
            .expect("an answer")
            .unwrap();
        assert!(n > 0, "closed before answering");
        answer.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// Whether `answer` holds the head and the `Content-Length` bytes of body it announces.
fn answer_is_complete(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    body.len() >= length
}

/// `/healthz` through a fresh HTTP client bound to `source`.
async fn healthz_from(app: &TestApp, source: IpAddr) -> u16 {
    let http = reqwest::Client::builder()
        .no_proxy()
        .local_address(source)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    http.get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz answers")
        .status()
        .as_u16()
}

/// Writes `bytes` one at a time, `every` apart, until done or the server hangs up.
fn drip(mut writer: tokio::net::tcp::OwnedWriteHalf, bytes: Vec<u8>, every: Duration) {
    tokio::spawn(async move {
        for byte in bytes {
            if writer.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// Reads until the server closes the connection (within `CLOSE_CEILING`), which it must do
/// without a byte of answer: a dripping client is cut off, not served.
async fn closed_without_an_answer(mut reader: tokio::net::tcp::OwnedReadHalf) {
    let mut received = Vec::new();
    tokio::time::timeout(CLOSE_CEILING, reader.read_to_end(&mut received))
        .await
        .expect("the server closes the connection")
        .ok();
    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_line_is_closed_after_the_header_timeout() {
    let app = app_with(|f| f.merge(("http.header_read_timeout_secs", 1))).await;
    let mut stream = connect_from(loopback(1), server_addr(&app)).await;
    stream.write_all(b"GET /healthz HT").await.unwrap();

    let received = closed_by_server(&mut stream, CLOSE_CEILING).await;
    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );
    assert_eq!(healthz_from(&app, loopback(1)).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_closed_after_the_header_timeout() {
    let app = app_with(|f| f.merge(("http.header_read_timeout_secs", 1))).await;
    let mut stream = connect_from(loopback(1), server_addr(&app)).await;

    let received = closed_by_server(&mut stream, CLOSE_CEILING).await;
    assert!(received.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    // The header timeout is far beyond the ceiling: only the idle timeout can close it.
    let app = app_with(|f| {
        f.merge(("http.keep_alive_idle_secs", 1))
            .merge(("http.header_read_timeout_secs", 600))
    })
    .await;
    let mut stream = connect_from(loopback(1), server_addr(&app)).await;
    let answer = healthz_on(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let received = closed_by_server(&mut stream, CLOSE_CEILING).await;
    assert!(received.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_dripped_a_byte_at_a_time_are_cut_off_at_the_header_deadline() {
    let app = app_with(|f| f.merge(("http.header_read_timeout_secs", 2))).await;
    let stream = connect_from(loopback(1), server_addr(&app)).await;
    let (reader, writer) = stream.into_split();
    // Ten bytes a second: the headers would take over ten minutes to finish.
    let mut request = b"GET /healthz HTTP/1.1\r\nHost: anjoman\r\nX-Drip: ".to_vec();
    request.extend(std::iter::repeat_n(b'a', 6000));
    drip(writer, request, Duration::from_millis(100));

    closed_without_an_answer(reader).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_dripped_below_the_minimum_rate_is_cut_off() {
    let app = app_with(|f| {
        f.merge(("http.body_min_bytes_per_sec", 100))
            .merge(("http.body_rate_window_secs", 1))
    })
    .await;
    let stream = connect_from(loopback(1), server_addr(&app)).await;
    let (reader, mut writer) = stream.into_split();
    writer
        .write_all(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: anjoman\r\n\
              Content-Type: application/json\r\nContent-Length: 6000\r\n\r\n",
        )
        .await
        .unwrap();
    // Ten bytes a second against a minimum of a hundred.
    drip(writer, vec![b' '; 6000], Duration::from_millis(100));

    closed_without_an_answer(reader).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_per_ip_cap_are_refused_while_other_addresses_are_served() {
    let app = app_with(|f| {
        f.merge(("http.max_connections_per_ip", 2))
            .merge(("http.header_read_timeout_secs", 600))
    })
    .await;
    let server = server_addr(&app);
    let mut held = vec![
        connect_from(loopback(1), server).await,
        connect_from(loopback(1), server).await,
    ];

    refused_unread(loopback(1), server).await;
    assert_eq!(healthz_from(&app, loopback(2)).await, 200);

    // A closed connection frees its slot.
    held.pop();
    let freed = tokio::time::timeout(CLOSE_CEILING, async {
        loop {
            let mut stream = connect_from(loopback(1), server).await;
            let _ = stream.write_all(HEALTHZ).await;
            let answer = closed_by_server_or_answered(&mut stream).await;
            if answer.starts_with("HTTP/1.1 200") {
                break;
            }
        }
    })
    .await;
    assert!(freed.is_ok(), "the slot of a closed connection is reused");
}

/// A connection from `source` over a cap: closed without a byte of answer to its request.
async fn refused_unread(source: IpAddr, server: SocketAddr) {
    let mut over = connect_from(source, server).await;
    let _ = over.write_all(HEALTHZ).await;
    let received = closed_by_server(&mut over, CLOSE_CEILING).await;
    assert!(
        received.is_empty(),
        "refused unread, not answered: {}",
        String::from_utf8_lossy(&received)
    );
}

/// Reads the answer to a request already sent, or nothing if the server hung up first.
async fn closed_by_server_or_answered(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !answer_is_complete(&answer) {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_total_cap_are_refused() {
    let app = app_with(|f| {
        f.merge(("http.max_connections", 2))
            .merge(("http.header_read_timeout_secs", 600))
    })
    .await;
    let server = server_addr(&app);
    let _held = [
        connect_from(loopback(1), server).await,
        connect_from(loopback(2), server).await,
    ];

    refused_unread(loopback(3), server).await;
}

/// The binary's own metrics and log (one process, so the counts are exact).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_timeouts_are_counted_and_a_refusal_flood_is_logged_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = anjoman(dir.path());
    cmd.env("ANJOMAN_HTTP__MAX_CONNECTIONS_PER_IP", "1")
        .env("ANJOMAN_HTTP__HEADER_READ_TIMEOUT_SECS", "1");
    let served = serve(cmd);
    let server = SocketAddr::new(loopback(1), served.port);

    let mut held = connect_from(loopback(1), server).await;
    for _ in 0..5 {
        let mut over = connect_from(loopback(1), server).await;
        assert!(closed_by_server(&mut over, CLOSE_CEILING).await.is_empty());
    }
    assert!(closed_by_server(&mut held, CLOSE_CEILING).await.is_empty());

    let metrics = client()
        .get(format!("http://127.0.0.1:{}/metrics", served.port))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        r#"anjoman_connections_refused_total{reason="per_ip"} 5"#,
        r#"anjoman_connections_timed_out_total{phase="header"} 1"#,
        // The /metrics request itself.
        "anjoman_http_connections 1",
    ] {
        assert!(
            metrics.lines().any(|line| line == expected),
            "{expected} in\n{metrics}"
        );
    }

    // Stopped, so every line it logged is in: five refusals, one warning.
    std::process::Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .unwrap();
    let warnings = tokio::task::spawn_blocking(move || {
        let warnings = std::cell::RefCell::new(Vec::new());
        wait_for(&served.lines, |line| {
            if line["message"] == "connections refused: cap reached" {
                warnings.borrow_mut().push(line.clone());
            }
            line["message"] == "server stopped"
        })
        .expect("the server stops");
        warnings.into_inner()
    })
    .await
    .unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["level"], "WARN");
    assert_eq!(warnings[0]["reason"], "per_ip");
    assert_eq!(
        warnings[0]["refused"], 1,
        "the first refusal is logged at once"
    );
}

/// 2,000 half-open connections from loopback: healthz and a logged-in socket are still
/// served, and every half-open one is closed by the header timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_half_open_connections_are_closed_while_others_are_served() {
    let app = app_with(|f| f.merge(("http.header_read_timeout_secs", 2))).await;
    let server = server_addr(&app);
    let (token, _) = app.account("hamid").await;
    let mut socket = WsClient::connect(&app, &token).await;

    // Eight source addresses, 250 each: under the default per-IP cap of 256.
    let mut half_open = Vec::with_capacity(2000);
    for i in 0..2000 {
        let mut stream = connect_from(loopback(10 + (i % 8) as u8), server).await;
        stream.write_all(b"GET /healthz HT").await.unwrap();
        half_open.push(stream);
    }

    assert_eq!(healthz_from(&app, loopback(1)).await, 200);
    assert_eq!(socket.request(json!({"op": "ping"})).await["type"], "ack");

    let closed = tokio::time::timeout(
        FLOOD_CEILING,
        join_all(
            half_open
                .iter_mut()
                .map(|stream| closed_by_server(stream, FLOOD_CEILING)),
        ),
    )
    .await
    .expect("every half-open connection is closed");
    assert!(closed.iter().all(Vec::is_empty));

    // The socket is older than the header timeout and still served: upgraded connections
    // have no HTTP deadline.
    assert_eq!(healthz_from(&app, loopback(1)).await, 200);
    assert_eq!(socket.request(json!({"op": "ping"})).await["type"], "ack");
}

/// The answer's head, read from `stream` (up to the blank line).
async fn answer_head(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(CLOSE_CEILING, stream.read(&mut buf))
            .await
            .expect("an answer")
            .unwrap();
        assert!(n > 0, "closed before answering");
        answer.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&answer).to_lowercase()
}

/// An upload refused before its body is read (declared far over the limit) leaves bytes on
/// the connection, which the server then closes: the answer says `Connection: close`, so a
/// client does not send its next request down a connection that is going away (seen as
/// `IncompleteMessage` in a busy test run). An answer to a body read in full keeps the
/// connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_leaves_the_body_unread_says_connection_close() {
    let app = app_with(|f| f).await;
    let server = server_addr(&app);

    let mut refused = connect_from(loopback(1), server).await;
    refused
        .write_all(
            b"PUT /api/v1/users/me/avatar HTTP/1.1\r\nHost: anjoman\r\n\
              Content-Type: image/png\r\nContent-Length: 50000000\r\n\r\n",
        )
        .await
        .unwrap();
    refused.write_all(&[0u8; 4096]).await.unwrap();
    let head = answer_head(&mut refused).await;
    assert!(head.starts_with("http/1.1 413"), "{head}");
    assert!(head.contains("\r\nconnection: close\r\n"), "{head}");

    let mut served = connect_from(loopback(1), server).await;
    served
        .write_all(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: anjoman\r\n\
              Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        )
        .await
        .unwrap();
    let head = answer_head(&mut served).await;
    assert!(head.starts_with("http/1.1 4"), "{head}");
    assert!(!head.contains("connection: close"), "{head}");
}
