//! Where push requests may go. A push endpoint is a URL someone else chose, so the sender is
//! a server-side request forgery risk: it must reach only public push services, never the
//! cloud metadata service, the database, or anything else on the inside network.
//!
//! Two checks. When a device registers, the endpoint must be `https` and must not name an
//! internal address or an internal-only host name ([`check_endpoint`]). When a push is sent,
//! every address its host name resolves to is checked again ([`Guard`], the HTTP client's only
//! resolver), so a name that later resolves to `10.0.0.1`, or was registered before these
//! checks, is refused before any connection is made. Redirects are never followed (the
//! client's policy), and no proxy is used, so the checked address is the one connected to.
//!
//! The only exception is the test push receiver on loopback, with
//! `FIELDLINE_PUSH_ALLOW_HTTP_LOOPBACK` (on by default only in development).

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};

/// Why an address is not a public one, or `None` when it is.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], bits: u32) -> bool {
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    const NETS: &[([u8; 4], u32, &str)] = &[
        ([0, 0, 0, 0], 8, "unspecified"),
        ([10, 0, 0, 0], 8, "private"),
        ([100, 64, 0, 0], 10, "shared (CGNAT)"),
        ([127, 0, 0, 0], 8, "loopback"),
        ([169, 254, 0, 0], 16, "link-local (cloud metadata)"),
        ([172, 16, 0, 0], 12, "private"),
        ([192, 0, 0, 0], 24, "IETF protocol assignments"),
        ([192, 0, 2, 0], 24, "documentation"),
        ([192, 88, 99, 0], 24, "6to4 relay"),
        ([192, 168, 0, 0], 16, "private"),
        ([198, 18, 0, 0], 15, "benchmarking"),
        ([198, 51, 100, 0], 24, "documentation"),
        ([203, 0, 113, 0], 24, "documentation"),
        ([224, 0, 0, 0], 4, "multicast"),
        ([240, 0, 0, 0], 4, "reserved"),
    ];
    NETS.iter()
        .find(|(net, bits, _)| in_v4(ip, *net, *bits))
        .map(|(_, _, why)| *why)
}

fn in_v6(ip: Ipv6Addr, net: [u16; 8], bits: u32) -> bool {
    let mask = if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits)
    };
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(net)) & mask
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // Forms that carry an IPv4 address reach that address: judge it.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return non_public_v4(v4);
    }
    // NAT64's well-known prefix reaches the IPv4 address in its last 32 bits.
    if in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        let [.., a, b] = ip.segments();
        return non_public_v4(Ipv4Addr::from((u32::from(a) << 16) | u32::from(b)));
    }
    const NETS: &[([u16; 8], u32, &str)] = &[
        ([0, 0, 0, 0, 0, 0, 0, 0], 128, "unspecified"),
        ([0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback"),
        ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, "local-use NAT64"),
        // IPv4-compatible (deprecated), and the rest of ::/8.
        ([0, 0, 0, 0, 0, 0, 0, 0], 8, "reserved"),
        ([0x100, 0, 0, 0, 0, 0, 0, 0], 64, "discard-only"),
        (
            [0x2001, 0, 0, 0, 0, 0, 0, 0],
            23,
            "IETF protocol assignments",
        ),
        ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, "documentation"),
        ([0x2002, 0, 0, 0, 0, 0, 0, 0], 16, "6to4"),
        ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, "documentation"),
        ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "unique-local"),
        ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link-local"),
        ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "site-local"),
        ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast"),
    ];
    if let Some((_, _, why)) = NETS.iter().find(|(net, bits, _)| in_v6(ip, *net, *bits)) {
        return Some(why);
    }
    None
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Whether a push may be sent to `ip`: public addresses, and loopback when the test receiver
/// is allowed.
pub fn allowed(ip: IpAddr, allow_loopback: bool) -> Result<(), &'static str> {
    match non_public(ip) {
        None => Ok(()),
        Some(_) if allow_loopback && is_loopback(ip) => Ok(()),
        Some(why) => Err(why),
    }
}

/// Host names that only ever mean something inside a network.
fn internal_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    !host.contains('.')
        || [
            ".localhost",
            ".local",
            ".internal",
            ".intranet",
            ".lan",
            ".home.arpa",
            ".arpa",
        ]
        .iter()
        .any(|suffix| host.ends_with(suffix))
}

/// Checks a push endpoint when a device registers: `https` (or `http` to loopback when the
/// test receiver is allowed), no credentials in the URL, and a host that is a public address
/// or a name that is not internal-only. Returns the problem as a field message.
pub fn check_endpoint(endpoint: &str, allow_loopback: bool) -> Result<reqwest::Url, &'static str> {
    const HTTPS: &str = "must be an https URL of a public push service";
    if endpoint.len() > 2000 {
        return Err("must be at most 2000 characters");
    }
    let url = reqwest::Url::parse(endpoint).map_err(|_| HTTPS)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials");
    }
    // The URL parser has already normalised the host: IPv4 in any notation (`2130706433`,
    // `0x7f.1`) is dotted, IPv6 is bracketed.
    let host = url.host_str().ok_or(HTTPS)?;
    let literal = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => Some(IpAddr::V6(v6.parse().map_err(|_| HTTPS)?)),
        None => host.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
    };
    let loopback = match literal {
        Some(ip) => {
            allowed(ip, allow_loopback).map_err(|_| "must not point to an internal address")?;
            is_loopback(ip)
        }
        None => {
            let lower = host.to_ascii_lowercase();
            let localhost = lower == "localhost" || lower == "localhost.";
            if localhost && !allow_loopback || !localhost && internal_name(&lower) {
                return Err("must not point to an internal host");
            }
            localhost
        }
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback && allow_loopback => Ok(url),
        _ => Err(HTTPS),
    }
}

/// A refusal by the [`Guard`]: the name resolved to an address pushes may not go to.
#[derive(Debug)]
pub struct ForbiddenAddress(pub &'static str);

impl std::fmt::Display for ForbiddenAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "push endpoint resolves to a {} address: not allowed",
            self.0
        )
    }
}

impl std::error::Error for ForbiddenAddress {}

/// Every address the guard let the HTTP client connect to: the record tests read to show that
/// nothing else was connected to. Kept only when made with [`Released::recording`] (tests);
/// the default keeps nothing, so a long-running worker does not grow.
#[derive(Clone, Default)]
pub struct Released(Option<Arc<Mutex<Vec<SocketAddr>>>>);

impl Released {
    pub fn recording() -> Released {
        Released(Some(Arc::default()))
    }

    pub fn addresses(&self) -> Vec<SocketAddr> {
        self.0
            .as_ref()
            .and_then(|m| m.lock().ok().map(|v| v.clone()))
            .unwrap_or_default()
    }

    pub(crate) fn push(&self, addrs: &[SocketAddr]) {
        if let Some(Ok(mut v)) = self.0.as_ref().map(|m| m.lock()) {
            v.extend_from_slice(addrs);
        }
    }
}

/// The push client's resolver: resolves through `inner` (the system's resolver in production,
/// a fixed table in tests) and hands the client the addresses only if every one of them is
/// allowed. A name with any internal address is refused whole, so a mixed answer cannot be
/// used to reach the inside.
pub struct Guard {
    inner: Arc<dyn Resolve>,
    allow_loopback: bool,
    released: Released,
}

impl Guard {
    pub fn new(inner: Arc<dyn Resolve>, allow_loopback: bool, released: Released) -> Guard {
        Guard {
            inner,
            allow_loopback,
            released,
        }
    }
}

impl Resolve for Guard {
    fn resolve(&self, name: Name) -> Resolving {
        let inner = self.inner.resolve(name);
        let (allow_loopback, released) = (self.allow_loopback, self.released.clone());
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = inner.await?.collect();
            if addrs.is_empty() {
                return Err("the push endpoint's name has no address".into());
            }
            for a in &addrs {
                allowed(a.ip(), allow_loopback).map_err(ForbiddenAddress)?;
            }
            released.push(&addrs);
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The system's resolver (getaddrinfo on a blocking thread, as reqwest's own default).
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Whether `error` (from the push client) is a refusal by the guard.
pub fn is_forbidden(error: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    let mut e: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = e {
        if let Some(f) = err.downcast_ref::<ForbiddenAddress>() {
            return Some(f.0);
        }
        e = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_not_public() {
        for (ip, why) in [
            ("169.254.169.254", "link-local (cloud metadata)"),
            ("10.0.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("127.0.0.1", "loopback"),
            ("127.8.9.10", "loopback"),
            ("0.0.0.0", "unspecified"),
            ("100.64.0.1", "shared (CGNAT)"),
            ("100.127.255.254", "shared (CGNAT)"),
            ("224.0.0.251", "multicast"),
            ("255.255.255.255", "reserved"),
            ("192.0.2.10", "documentation"),
            ("198.18.0.1", "benchmarking"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fc00::1", "unique-local"),
            ("fd12:3456::1", "unique-local"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("2001:db8::1", "documentation"),
            ("::ffff:169.254.169.254", "link-local (cloud metadata)"),
            ("::ffff:10.0.0.1", "private"),
            ("64:ff9b::a00:1", "private"),
            ("::a00:1", "reserved"),
            ("2002:a00:1::", "6to4"),
            ("64:ff9b:1::1", "local-use NAT64"),
        ] {
            assert_eq!(non_public(ip.parse().unwrap()), Some(why), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "17.253.144.10",
            "142.250.0.1",
            "100.63.255.255",
            "100.128.0.0",
            "172.32.0.1",
            "2a00:1450:4001::1",
            "2606:4700::1111",
            "64:ff9b::808:808",
        ] {
            assert_eq!(non_public(ip.parse().unwrap()), None, "{ip}");
        }
    }

    #[test]
    fn loopback_only_when_the_test_receiver_is_allowed() {
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(allowed(lo, false).is_err());
        assert!(allowed(lo, true).is_ok());
        assert!(allowed("::1".parse().unwrap(), true).is_ok());
        assert!(allowed("10.0.0.1".parse().unwrap(), true).is_err());
        assert!(allowed("169.254.169.254".parse().unwrap(), true).is_err());
    }

    #[test]
    fn endpoints_are_checked_when_registered() {
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc",
            "https://web.push.apple.com/QGx",
            "https://push.example/x",
            "https://8.8.8.8/push",
        ] {
            assert!(check_endpoint(ok, false).is_ok(), "{ok}");
        }
        for bad in [
            "http://push.example/x",
            "ftp://push.example/x",
            "https://169.254.169.254/latest/meta-data/",
            "https://10.0.0.1/",
            "https://127.0.0.1:54329/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:a9fe:a9fe]/",
            "https://2130706433/",
            "https://0x7f.1/",
            "https://localhost/",
            "https://metadata/computeMetadata",
            "https://metadata.google.internal/",
            "https://printer.local/",
            "https://user:secret@push.example/x",
            "not a url",
        ] {
            assert!(check_endpoint(bad, false).is_err(), "{bad}");
        }
        assert!(check_endpoint("http://127.0.0.1:9/push/x", true).is_ok());
        assert!(check_endpoint("http://localhost:9/push/x", true).is_ok());
        assert!(check_endpoint("http://10.0.0.1/push/x", true).is_err());
        assert!(check_endpoint("http://push.example/x", true).is_err());
    }
}
