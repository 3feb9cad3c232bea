//! Addresses the shop trusts: its own public origin and the reverse proxies
//! whose `X-Forwarded-For` it believes.
//!
//! May import: nothing of the crate but the rest of config.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use ipnet::IpNet;

use super::{ConfigError, invalid};

/// `https://host[:port]`: the origin shoppers' browsers see, used for Origin
/// checks, the HTTP→HTTPS redirect and absolute links. Never taken from a
/// request's `Host` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicOrigin(String);

impl PublicOrigin {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let url = url::Url::parse(raw).map_err(|e| invalid("public-origin", e))?;
        if url.scheme() != "https" {
            return Err(invalid("public-origin", "must start with https://"));
        }
        if url.host_str().is_none() {
            return Err(invalid("public-origin", "no host given"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("public-origin", "must be an origin without a path"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("public-origin", "must not contain credentials"));
        }
        Ok(Self(url.origin().ascii_serialization()))
    }

    /// The origin for a shop reached directly on its bound address.
    pub fn for_bound(addr: SocketAddr) -> Self {
        let host = if addr.ip().is_unspecified() {
            "localhost".to_owned()
        } else if addr.is_ipv6() {
            format!("[{}]", addr.ip())
        } else {
            addr.ip().to_string()
        };
        if addr.port() == 443 {
            Self(format!("https://{host}"))
        } else {
            Self(format!("https://{host}:{}", addr.port()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PublicOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The networks whose `X-Forwarded-For` is believed; empty by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// A comma-separated list of addresses and networks, such as
    /// `10.0.0.0/8, 192.0.2.7`. A network that holds every address would
    /// let any client name its own address, so it is refused.
    pub fn parse(list: &str) -> Result<Self, String> {
        let nets = list
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                let net = IpNet::from_str(item)
                    .or_else(|_| IpAddr::from_str(item).map(IpNet::from))
                    .map_err(|_| {
                        format!("{item:?} is not an address or a network like 10.0.0.0/8")
                    })?;
                if net.prefix_len() == 0 {
                    return Err(format!(
                        "{item:?} trusts every address: any client could claim any address"
                    ));
                }
                Ok(net.trunc())
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(nets.into()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// IPv4 seen through an IPv6 socket (`::ffff:a.b.c.d`) is that IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    #[test]
    fn the_trusted_proxy_list_is_checked() {
        assert!(TrustedProxies::parse("").expect("empty").is_empty());
        assert!(TrustedProxies::parse("10.0.0.0/8,,192.0.2.1").is_ok());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
        assert!(TrustedProxies::parse("0.0.0.0/0").is_err());
        assert!(TrustedProxies::parse("::/0").is_err());
        // Host bits are dropped: 10.1.2.3/8 is 10.0.0.0/8.
        let trusted = TrustedProxies::parse("10.1.2.3/8").expect("list");
        assert!(trusted.trusts(ip("10.200.0.1")));
    }

    #[test]
    fn public_origin_is_normalised() {
        let o = PublicOrigin::parse("https://Shop.Example:443/").expect("origin");
        assert_eq!(o.as_str(), "https://shop.example");
        assert!(PublicOrigin::parse("https://shop.example/path").is_err());
        assert_eq!(
            PublicOrigin::for_bound("127.0.0.1:8893".parse().expect("addr")).as_str(),
            "https://127.0.0.1:8893"
        );
    }
}
