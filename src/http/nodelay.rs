//! Accepted sockets with Nagle's algorithm off. Chat frames are small and latency-bound:
//! with Nagle on, a small write waits for the peer's (delayed, up to 40 ms) ACK of the
//! previous one, which is exactly the pattern of a socket sending one message at a time.

use tokio::net::TcpStream;

/// Sets `TCP_NODELAY`; a socket that refuses keeps working, only slower.
pub fn set(stream: &TcpStream) {
    if let Err(err) = stream.set_nodelay(true) {
        tracing::debug!(error = %err, "TCP_NODELAY not set");
    }
}
