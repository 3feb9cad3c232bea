//! How the shop reaches Redis: the client for a URL and its connection
//! manager, with the timeouts that keep an unreachable server from
//! hanging a request or startup. The session store (`auth::store`), the
//! shared rate limits (`http::rate::shared`) and the live hub
//! (`live::hub`) all connect here; it sits at the top of the crate
//! because those three may not import each other.
//!
//! Errors never carry the URL: it may hold a password.
//!
//! May import: nothing of the crate (the `redis` and `secrecy` crates only).

use std::time::Duration;

use anyhow::Context as _;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use secrecy::{ExposeSecret as _, SecretString};

/// How long to wait for Redis: to connect, and for each reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub response: Duration,
}

impl Timeouts {
    /// For startup and background work: a wrong URL stops startup within
    /// seconds, and a stalled server fails a request rather than hang it.
    pub const STANDARD: Self = Self {
        connect: Duration::from_secs(5),
        response: Duration::from_secs(2),
    };

    /// Both waits at `within`, for checks that sit in front of requests.
    pub const fn both(within: Duration) -> Self {
        Self {
            connect: within,
            response: within,
        }
    }

    fn manager_config(self) -> ConnectionManagerConfig {
        ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connect))
            .set_response_timeout(Some(self.response))
    }
}

/// The client for `url`; nothing is sent yet.
pub fn client(url: &SecretString) -> anyhow::Result<redis::Client> {
    redis::Client::open(url.expose_secret()).context("parsing the Redis URL")
}

/// A connection manager that has connected and heard PING answered
/// within `timeouts.connect`, so a wrong URL fails at startup instead of
/// at every request.
pub async fn connect(
    client: &redis::Client,
    timeouts: Timeouts,
) -> anyhow::Result<ConnectionManager> {
    let connect = async {
        let mut conn =
            ConnectionManager::new_with_config(client.clone(), timeouts.manager_config()).await?;
        let _pong: String = redis::cmd("PING").query_async(&mut conn).await?;
        Ok::<_, redis::RedisError>(conn)
    };
    tokio::time::timeout(timeouts.connect, connect)
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "Redis did not answer PING within {} s",
                timeouts.connect.as_secs_f32()
            )
        })?
        // The kind only: a server reply may quote values.
        .map_err(|e| anyhow::anyhow!("Redis refused the connection ({:?})", e.kind()))
}

/// A connection manager that connects on first use, for callers that
/// fall back to something else while Redis is away.
pub fn connect_lazily(
    client: &redis::Client,
    timeouts: Timeouts,
) -> anyhow::Result<ConnectionManager> {
    ConnectionManager::new_lazy_with_config(client.clone(), timeouts.manager_config())
        .context("preparing the Redis connection")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_url_is_refused_without_being_repeated() {
        let url = SecretString::from("not a url:hunter2");
        let error = client(&url).expect_err("refused");
        assert!(!format!("{error:#}").contains("hunter2"), "{error:#}");
    }

    #[tokio::test]
    async fn an_unreachable_server_fails_within_the_connect_timeout() {
        let client = client(&SecretString::from("redis://127.0.0.1:1")).expect("url");
        let started = std::time::Instant::now();
        let within = Timeouts::both(Duration::from_millis(300));
        assert!(connect(&client, within).await.is_err());
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
