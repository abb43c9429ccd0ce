//! The accept loop and the HTTP/1.1 + HTTP/2 connections behind it (hyper), serving the
//! poem app. poem's own `Server` has no caps and no deadlines short of one idle timeout,
//! so a few thousand slow or silent connections could use up every file descriptor; this
//! loop refuses connections beyond the caps before reading a byte from them, and each
//! connection is closed once it overstays its phase (see [`connection_deadlines`]).
//!
//! [`connection_deadlines`]: super::connection_deadlines

use std::{convert::Infallible, future::Future, net::SocketAddr, sync::Arc, time::Duration};

use http_body::Body as _;
use http_body_util::combinators::BoxBody;
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
};
use poem::{
    Addr, Body, Endpoint,
    http::{StatusCode, uri::Scheme},
    web::{LocalAddr, RemoteAddr},
};
use tokio::{
    net::TcpListener,
    sync::{mpsc, watch},
};

use super::{
    body_rate::{CompletionObservedBody, RateObservedBody, ReadToEnd},
    connection_caps::{ConnectionCaps, Refusal},
    connection_deadlines::{ConnectionDeadlines, Timeouts},
    connection_io::ConnectionIo,
    log_throttle::LogThrottle,
    nodelay,
};
use crate::{config::HttpSettings, metrics as app_metrics};

/// File descriptors kept for everything but client connections: the database pool,
/// Redis, uploads, logs.
const RESERVED_FDS: u64 = 256;
/// How long the loop pauses after a failed accept (out of file descriptors, typically),
/// instead of spinning on the same error.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);
/// At most one "connection refused" warning per reason per this period.
const REFUSAL_LOG_EVERY: Duration = Duration::from_secs(10);

/// Where the server is in its life: connections finish their requests once it drains,
/// and are cut when the grace period is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Running,
    Draining,
    Now,
}

/// A bound listener with the caps and deadlines from `[http]`.
pub struct HttpServer {
    listener: TcpListener,
    caps: ConnectionCaps,
    limits: Limits,
}

/// What the accept loop needs besides the listener; shared with every connection.
#[derive(Clone, Copy)]
struct Limits {
    timeouts: Timeouts,
    max_connections: usize,
    max_connections_per_ip: usize,
}

impl HttpServer {
    pub async fn bind(addr: SocketAddr, http: &HttpSettings) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let max_connections = fit_to_fd_limit(http.max_connections);
        Ok(Self {
            listener,
            caps: ConnectionCaps::new(max_connections, http.max_connections_per_ip),
            limits: Limits {
                timeouts: Timeouts::from_settings(http),
                max_connections,
                max_connections_per_ip: http.max_connections_per_ip,
            },
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves `ep` until `shutdown` resolves; then stops accepting, lets open connections
    /// finish their requests for up to `grace`, and closes what is left.
    pub async fn run<E>(
        self,
        ep: E,
        shutdown: impl Future<Output = ()>,
        grace: Duration,
    ) -> std::io::Result<()>
    where
        E: Endpoint + 'static,
    {
        let local = self.local_addr()?;
        tracing::info!(
            addr = %local,
            max_connections = self.limits.max_connections,
            max_connections_per_ip = self.limits.max_connections_per_ip,
            "listening"
        );
        let ep = Arc::new(ep);
        let (stop_tx, stop_rx) = watch::channel(Stop::Running);
        // Every connection task holds a sender; `recv` returns `None` once all are gone.
        let (open_tx, mut open_rx) = mpsc::channel::<()>(1);
        let refusal_logs = [
            LogThrottle::new(REFUSAL_LOG_EVERY),
            LogThrottle::new(REFUSAL_LOG_EVERY),
        ];
        tokio::pin!(shutdown);
        loop {
            let (stream, remote) = tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        tracing::warn!(error = %err, "accept failed; pausing");
                        tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                        continue;
                    }
                },
            };
            let ip = remote.ip().to_canonical();
            let slot = match self.caps.admit(ip) {
                Ok(slot) => slot,
                Err(refusal) => {
                    self.refused(refusal, ip, &refusal_logs);
                    // Closed unread: no parsing, no TLS, nothing for the flood to cost.
                    drop(stream);
                    continue;
                }
            };
            nodelay::set(&stream);
            let deadlines = ConnectionDeadlines::new(self.limits.timeouts);
            let io = ConnectionIo::new(stream, deadlines.clone(), slot);
            let connection =
                serve_connection(io, deadlines, (local, remote), ep.clone(), stop_rx.clone());
            let open = open_tx.clone();
            tokio::spawn(async move {
                connection.await;
                drop(open);
            });
        }
        drop(self.listener);
        drop(open_tx);
        let _ = stop_tx.send(Stop::Draining);
        if tokio::time::timeout(grace, open_rx.recv()).await.is_err() {
            tracing::info!("grace period over; closing the remaining connections");
            let _ = stop_tx.send(Stop::Now);
            open_rx.recv().await;
        }
        tracing::info!("server stopped");
        Ok(())
    }

    fn refused(&self, refusal: Refusal, ip: std::net::IpAddr, logs: &[LogThrottle; 2]) {
        app_metrics::connection_refused(refusal.label());
        let log = match refusal {
            Refusal::PerIp => &logs[0],
            Refusal::Total => &logs[1],
        };
        if let Some(refused) = log.hit() {
            tracing::warn!(
                reason = refusal.label(),
                refused,
                last_ip = %ip,
                open = self.caps.open(),
                max_connections = self.limits.max_connections,
                max_connections_per_ip = self.limits.max_connections_per_ip,
                "connections refused: cap reached"
            );
        }
    }
}

/// `configured`, lowered to what the open-file limit leaves for client connections.
fn fit_to_fd_limit(configured: usize) -> usize {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
    let Some(limit) = limit else {
        return configured;
    };
    let room = usize::try_from(limit.saturating_sub(RESERVED_FDS))
        .unwrap_or(usize::MAX)
        .max(1);
    if configured > room {
        tracing::warn!(
            configured,
            lowered_to = room,
            fd_limit = limit,
            "http.max_connections is above the open-file limit (ulimit -n) minus {RESERVED_FDS}; lowered"
        );
        return room;
    }
    configured
}

/// One connection, from its first byte to its close: HTTP/1.1 or HTTP/2 by preface,
/// upgrades allowed, closed when it overstays a phase or the server stops.
async fn serve_connection<E: Endpoint + 'static>(
    io: ConnectionIo,
    deadlines: ConnectionDeadlines,
    (local, remote): (SocketAddr, SocketAddr),
    ep: Arc<E>,
    mut stop: watch::Receiver<Stop>,
) {
    let service = hyper::service::service_fn({
        let deadlines = deadlines.clone();
        let local = LocalAddr(Addr::SocketAddr(local));
        let remote = RemoteAddr(Addr::SocketAddr(remote));
        move |req: poem::http::Request<Incoming>| {
            let (ep, deadlines) = (ep.clone(), deadlines.clone());
            let (local, remote) = (local.clone(), remote.clone());
            async move {
                let has_body = !req.body().is_end_stream();
                let http1 = req.version() < poem::http::Version::HTTP_2;
                deadlines.request_started(has_body);
                let mut request = poem::Request::from((req, local, remote, Scheme::HTTP));
                // Only a request with a body can leave one unread.
                let read_to_end = has_body.then(ReadToEnd::default);
                if let Some(read_to_end) = &read_to_end {
                    let body: BoxBody<_, _> = request.take_body().into();
                    let observed =
                        RateObservedBody::new(body, deadlines.clone(), read_to_end.clone());
                    request.set_body(Body::from(BoxBody::new(observed)));
                }
                let mut response = ep.get_response(request).await;
                // hyper closes an HTTP/1.1 connection whose request body was left unread
                // (an upload refused early, a drain cut short); saying so in the answer keeps
                // the client from sending its next request on that connection.
                if http1 && read_to_end.is_some_and(|read| !read.get()) {
                    response.headers_mut().insert(
                        poem::http::header::CONNECTION,
                        poem::http::HeaderValue::from_static("close"),
                    );
                }
                if response.status() == StatusCode::SWITCHING_PROTOCOLS {
                    deadlines.upgraded();
                }
                let response: poem::http::Response<BoxBody<_, _>> = response.into();
                Ok::<_, Infallible>(
                    response.map(|body| CompletionObservedBody::new(body, deadlines)),
                )
            }
        }
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        phase = deadlines.expired() => {
            app_metrics::connection_timed_out(phase.label());
            tracing::debug!(remote = %remote, phase = phase.label(), "connection timed out");
            return;
        }
        _ = stop.wait_for(|stop| *stop != Stop::Running) => {}
    }
    connection.as_mut().graceful_shutdown();
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = deadlines.expired() => {}
        _ = stop.wait_for(|stop| *stop == Stop::Now) => {}
    }
}
