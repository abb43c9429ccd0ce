//! Which addresses an outbound request may connect to: public unicast only. Everything a
//! server-side request could use to reach the inside (the host itself, the private network,
//! a cloud's metadata service) is refused, in both IPv4 and IPv6 spellings.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is refused (for the log line; never shown to users).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Unspecified,
    Loopback,
    Private,
    LinkLocal,
    Metadata,
    Multicast,
    Broadcast,
    SharedCgnat,
    Documentation,
    /// Other special-purpose blocks (benchmarking, reserved, 6to4 relays, discard, …).
    Reserved,
}

impl Refusal {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::LinkLocal => "link_local",
            Self::Metadata => "metadata",
            Self::Multicast => "multicast",
            Self::Broadcast => "broadcast",
            Self::SharedCgnat => "cgnat",
            Self::Documentation => "documentation",
            Self::Reserved => "reserved",
        }
    }
}

/// `None` for a public unicast address; otherwise why it is refused.
pub fn classify(ip: IpAddr) -> Option<Refusal> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<Refusal> {
    let [a, b, c, _] = ip.octets();
    Some(match () {
        // Checked before link-local, which contains it: the log should name it.
        _ if ip == Ipv4Addr::new(169, 254, 169, 254) => Refusal::Metadata,
        _ if ip.is_unspecified() || a == 0 => Refusal::Unspecified,
        _ if ip.is_loopback() => Refusal::Loopback,
        _ if ip.is_private() => Refusal::Private,
        _ if ip.is_link_local() => Refusal::LinkLocal,
        _ if ip.is_broadcast() => Refusal::Broadcast,
        _ if ip.is_multicast() => Refusal::Multicast,
        _ if ip.is_documentation() => Refusal::Documentation,
        // 100.64.0.0/10, carrier-grade NAT.
        _ if a == 100 && (b & 0b1100_0000) == 64 => Refusal::SharedCgnat,
        // 192.0.0.0/24 (IETF protocol assignments), 198.18.0.0/15 (benchmarking),
        // 192.88.99.0/24 (6to4 relay), 240.0.0.0/4 (reserved).
        _ if (a == 192 && b == 0 && c == 0)
            || (a == 198 && (b & 0xfe) == 18)
            || (a == 192 && b == 88 && c == 99)
            || a >= 240 =>
        {
            Refusal::Reserved
        }
        _ => return None,
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<Refusal> {
    // An IPv4 address written as IPv6 reaches the IPv4 host: judge it as that.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let segments = ip.segments();
    // fd00:ec2::254, the AWS metadata service over IPv6.
    if segments == [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254] {
        return Some(Refusal::Metadata);
    }
    let first = segments[0];
    Some(match () {
        _ if ip.is_unspecified() => Refusal::Unspecified,
        _ if ip.is_loopback() => Refusal::Loopback,
        // IPv4-compatible (deprecated) ::a.b.c.d: also reaches an IPv4 host.
        _ if segments[..6] == [0; 6] => {
            let [.., hi, lo] = segments;
            let v4 = Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
            return classify_v4(v4).or(Some(Refusal::Reserved));
        }
        _ if ip.is_multicast() => Refusal::Multicast,
        // fc00::/7, unique local.
        _ if (first & 0xfe00) == 0xfc00 => Refusal::Private,
        // fe80::/10, link-local (and the deprecated site-local fec0::/10).
        _ if (first & 0xffc0) == 0xfe80 => Refusal::LinkLocal,
        _ if (first & 0xffc0) == 0xfec0 => Refusal::Private,
        // 2001:db8::/32, documentation.
        _ if first == 0x2001 && segments[1] == 0x0db8 => Refusal::Documentation,
        // 64:ff9b::/96 and 64:ff9b:1::/48 translate to IPv4 (NAT64), 2002::/16 (6to4) embeds
        // one, 2001::/32 (Teredo) tunnels: any of them could lead inside. 100::/64 discard.
        _ if first == 0x0064 && segments[1] == 0xff9b => Refusal::Reserved,
        _ if first == 0x2002 => Refusal::Reserved,
        _ if first == 0x2001 && segments[1] == 0 => Refusal::Reserved,
        _ if first == 0x0100 && segments[1..4] == [0, 0, 0] => Refusal::Reserved,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str) -> Option<Refusal> {
        classify(text.parse().unwrap())
    }

    #[test]
    fn every_inside_ipv4_range_is_refused() {
        for (address, why) in [
            ("0.0.0.0", Refusal::Unspecified),
            ("0.1.2.3", Refusal::Unspecified),
            ("127.0.0.1", Refusal::Loopback),
            ("127.255.255.254", Refusal::Loopback),
            ("10.0.0.1", Refusal::Private),
            ("172.16.0.1", Refusal::Private),
            ("172.31.255.255", Refusal::Private),
            ("192.168.1.1", Refusal::Private),
            ("169.254.0.1", Refusal::LinkLocal),
            ("169.254.169.254", Refusal::Metadata),
            ("224.0.0.1", Refusal::Multicast),
            ("239.255.255.250", Refusal::Multicast),
            ("255.255.255.255", Refusal::Broadcast),
            ("100.64.0.1", Refusal::SharedCgnat),
            ("100.127.255.254", Refusal::SharedCgnat),
            ("192.0.2.1", Refusal::Documentation),
            ("198.51.100.1", Refusal::Documentation),
            ("203.0.113.1", Refusal::Documentation),
            ("198.18.0.1", Refusal::Reserved),
            ("240.0.0.1", Refusal::Reserved),
            ("192.0.0.8", Refusal::Reserved),
        ] {
            assert_eq!(of(address), Some(why), "{address}");
        }
    }

    #[test]
    fn every_inside_ipv6_range_is_refused() {
        for (address, why) in [
            ("::", Refusal::Unspecified),
            ("::1", Refusal::Loopback),
            ("fc00::1", Refusal::Private),
            ("fd12:3456::1", Refusal::Private),
            ("fe80::1", Refusal::LinkLocal),
            ("febf::1", Refusal::LinkLocal),
            ("fd00:ec2::254", Refusal::Metadata),
            ("ff02::1", Refusal::Multicast),
            ("2001:db8::1", Refusal::Documentation),
            ("64:ff9b::a00:1", Refusal::Reserved),
            ("2002:a00:1::1", Refusal::Reserved),
            ("2001:0:4136:e378::1", Refusal::Reserved),
            ("100::1", Refusal::Reserved),
        ] {
            assert_eq!(of(address), Some(why), "{address}");
        }
    }

    #[test]
    fn ipv4_written_as_ipv6_is_judged_as_ipv4() {
        for (address, why) in [
            ("::ffff:127.0.0.1", Refusal::Loopback),
            ("::ffff:10.0.0.1", Refusal::Private),
            ("::ffff:169.254.169.254", Refusal::Metadata),
            ("::ffff:169.254.1.1", Refusal::LinkLocal),
            ("::ffff:100.64.0.1", Refusal::SharedCgnat),
            ("::ffff:224.0.0.1", Refusal::Multicast),
            ("::ffff:0.0.0.0", Refusal::Unspecified),
            ("::127.0.0.1", Refusal::Loopback),
            ("::10.0.0.1", Refusal::Private),
        ] {
            assert_eq!(of(address), Some(why), "{address}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for address in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "::ffff:8.8.8.8",
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
        ] {
            assert_eq!(of(address), None, "{address}");
        }
    }
}
