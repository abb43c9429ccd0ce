//! The address of the person behind a request, believing `X-Forwarded-For` only when the
//! connection comes from a configured proxy (otherwise anyone could pick their own IP and
//! slip past per-IP rate limits).

use std::net::IpAddr;

use poem::{Request, web::RemoteAddr};

/// The client address for logging and rate limiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

/// Resolves the client IP: the peer, or — if the peer is a trusted proxy — the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn resolve(req: &Request, trusted: &[IpAddr]) -> ClientIp {
    let peer = peer_ip(req.remote_addr());
    let Some(peer) = peer else {
        return ClientIp(None);
    };
    if !trusted.contains(&peer) {
        return ClientIp(Some(peer));
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    let client = forwarded
        .into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer);
    ClientIp(Some(client))
}

fn peer_ip(addr: &RemoteAddr) -> Option<IpAddr> {
    addr.as_socket_addr()
        .map(|socket| socket.ip().to_canonical())
}
