//! Accepted sockets with Nagle's algorithm off. Chat frames are small and latency-bound:
//! with Nagle on, a small write waits for the peer's (delayed, up to 40 ms) ACK of the
//! previous one, which is exactly the pattern of a socket sending one message at a time.

use poem::http::uri::Scheme;
use poem::listener::{Acceptor, TcpAcceptor};
use poem::web::{LocalAddr, RemoteAddr};
use tokio::net::TcpStream;

/// A [`TcpAcceptor`] that sets `TCP_NODELAY` on every connection.
pub struct NoDelayAcceptor(pub TcpAcceptor);

impl Acceptor for NoDelayAcceptor {
    type Io = TcpStream;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.0.local_addr()
    }

    async fn accept(&mut self) -> std::io::Result<(TcpStream, LocalAddr, RemoteAddr, Scheme)> {
        let (io, local, remote, scheme) = self.0.accept().await?;
        if let Err(err) = io.set_nodelay(true) {
            tracing::debug!(error = %err, "TCP_NODELAY not set");
        }
        Ok((io, local, remote, scheme))
    }
}
