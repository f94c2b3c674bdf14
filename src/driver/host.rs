//! Where the driver sends load: `--host` parsed into a [`Target`], refused unless it is
//! `http://` and a loopback address (`127.0.0.0/8`, `::1`, `localhost`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::DriverError;

/// Where requests go: a loopback socket address plus what goes in `Host` and before paths.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The address to connect to.
    pub addr: SocketAddr,
    /// The `Host` header.
    pub host_header: String,
    /// A path prefix from `--host` (empty or starting with `/`, no trailing `/`).
    pub prefix: String,
}

/// Parses `--host`: `http://` plus a loopback IP or `localhost`, an optional port (default 80)
/// and an optional path prefix.
pub fn parse_host(host: &str) -> Result<Target, DriverError> {
    let usage = |m: String| DriverError::Usage(format!("--host {host:?}: {m}"));
    let rest = host
        .strip_prefix("http://")
        .ok_or_else(|| usage("must start with http:// (the driver speaks plain HTTP)".into()))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
        None => (rest, ""),
    };
    // `host_part` is the authority without its port: `[::1]`, `localhost`, `127.0.0.1`.
    let (host_part, name, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (ip, after) = v6
            .split_once(']')
            .ok_or_else(|| usage("unclosed '['".into()))?;
        (&authority[..ip.len() + 2], ip, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, h, Some(p)),
            None => (authority, authority, None),
        }
    };
    let port: u16 = match port {
        Some(p) => p
            .parse()
            .map_err(|_| usage(format!("{p:?} is not a port")))?,
        None => 80,
    };
    let ip: IpAddr = if name.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        name.parse()
            .map_err(|_| usage(format!("{name:?} is not localhost or an IP address")))?
    };
    if !ip.is_loopback() {
        return Err(usage(
            "the driver only sends load to loopback addresses (127.0.0.0/8, ::1, localhost)".into(),
        ));
    }
    let host_header = if port == 80 { host_part } else { authority }.to_string();
    Ok(Target {
        addr: SocketAddr::new(ip, port),
        host_header,
        prefix: path.to_string(),
    })
}
