//! Who the client is: the TCP peer, unless the peer is one of the
//! configured trusted proxies (`--trusted-proxies`); then the address that
//! proxy saw, read from `X-Forwarded-For` from the right, skipping the
//! addresses of trusted proxies. Everything to the left of the first
//! untrusted address was written by the client and is never believed.
//!
//! Resolved once per request into [`ClientAddr`], which rate limits,
//! sign-in throttling, the audit log (through the [`ClientIp`] extractor)
//! and the metrics loopback check read.
//!
//! May import: config.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;

use crate::config::{TrustedProxies, canonical};

/// The client's address, as resolved for this request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The resolved address, else the TCP peer, else `None` (a request
    /// that did not come over a connection, as in unit tests).
    pub fn of(extensions: &Extensions) -> Option<IpAddr> {
        extensions.get::<ClientAddr>().map(|c| c.0).or_else(|| {
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
    }
}

/// The client's address as text, for handlers: throttling and the audit
/// log of the pages and the API alike.
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            ClientAddr::of(&parts.extensions)
                .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
        ))
    }
}

/// The client behind `peer`, given the request's headers.
pub fn client(trusted: &TrustedProxies, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    let mut client = canonical(peer);
    if trusted.is_empty() {
        return client;
    }
    // Several headers count as one list, in order.
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for hop in hops.into_iter().rev() {
        if !trusted.trusts(client) {
            break;
        }
        match parse_hop(hop) {
            Some(ip) => client = ip,
            // A hop nobody can read ends the chain at the last proxy.
            None => break,
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, perhaps with a port, IPv6 in
/// brackets or not.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    IpAddr::from_str(hop)
        .ok()
        .or_else(|| SocketAddr::from_str(hop).ok().map(|s| s.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| IpAddr::from_str(h).ok())
        })
        .map(canonical)
}

/// Middleware: resolves the client's address once and stores it in the
/// request's extensions.
pub async fn resolve(
    State(trusted): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let client = client(&trusted, peer, request.headers());
        request.extensions_mut().insert(ClientAddr(client));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(v).expect("value"));
        }
        headers
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(client(&none, ip("10.0.0.2"), &headers), ip("10.0.0.2"));
    }

    #[test]
    fn an_untrusted_peer_cannot_name_another_address() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").expect("list");
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            client(&trusted, ip("198.51.100.4"), &headers),
            ip("198.51.100.4")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7").expect("list");
        // The client wrote the first entry itself; the proxies added the rest.
        let headers = forwarded(&["1.1.1.1, 203.0.113.9", "10.1.2.3"]);
        assert_eq!(
            client(&trusted, ip("192.0.2.7"), &headers),
            ip("203.0.113.9")
        );
        // Only proxies in the chain: the leftmost is as far as it goes.
        let headers = forwarded(&["10.9.9.9"]);
        assert_eq!(client(&trusted, ip("10.0.0.1"), &headers), ip("10.9.9.9"));
        // No header: the proxy itself.
        assert_eq!(
            client(&trusted, ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn hops_with_ports_brackets_and_mapped_addresses_are_read() {
        let trusted = TrustedProxies::parse("::1, 127.0.0.1").expect("list");
        let headers = forwarded(&["203.0.113.9:4711"]);
        assert_eq!(client(&trusted, ip("::1"), &headers), ip("203.0.113.9"));
        let headers = forwarded(&["[2001:db8::7]"]);
        assert_eq!(
            client(&trusted, ip("::ffff:127.0.0.1"), &headers),
            ip("2001:db8::7")
        );
        let headers = forwarded(&["[2001:db8::8]:443"]);
        assert_eq!(
            client(&trusted, ip("127.0.0.1"), &headers),
            ip("2001:db8::8")
        );
    }

    #[test]
    fn a_garbled_hop_stops_at_the_last_proxy() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").expect("list");
        let headers = forwarded(&["203.0.113.9, nonsense"]);
        assert_eq!(client(&trusted, ip("10.0.0.1"), &headers), ip("10.0.0.1"));
    }
}
