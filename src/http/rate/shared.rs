//! The budgets in Redis: GCRA in a Lua script, evaluated atomically on
//! Redis's clock, and the health state that sends checks to the
//! in-memory limiter while Redis fails.
//!
//! May import: its parent (`Budget`, `Verdict`), redis (the connection).

use std::net::IpAddr;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use secrecy::SecretString;

use super::{Budget, Verdict};
use crate::redis::{self as link, Timeouts};

/// Redis keys: this prefix, the scope (`auth`, `api`), then the address.
const REDIS_KEY_PREFIX: &str = "webstore:rate:";

/// A check waits this long for Redis before counting locally: it sits in
/// front of every API request.
const REDIS_WITHIN: Duration = Duration::from_millis(500);

/// After a failure, requests are counted locally for this long before
/// Redis is tried again.
const REDIS_PAUSE: Duration = Duration::from_secs(5);

/// GCRA with governor's rules: `t` is the emission interval and the burst
/// allows `tau = t * (burst - 1)` of credit. KEYS[1] holds the client's
/// theoretical arrival time in µs of Redis time; ARGV are `t` in µs and
/// the burst. Returns 0 when the request passes, else the µs to wait.
/// Times go through `%d`: Lua would print a 16-digit number with 14
/// significant digits.
const GCRA_LUA: &str = r"
local t = tonumber(ARGV[1])
local tau = t * (tonumber(ARGV[2]) - 1)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
local earliest = tat - tau
if now < earliest then
  return earliest - now
end
local next = math.max(tat, now) + t
local ttl_ms = math.ceil((next - now) / 1000)
redis.call('SET', KEYS[1], string.format('%d', next), 'PX', string.format('%d', ttl_ms))
return 0
";

/// Loaded once per server; `invoke_async` sends EVALSHA and loads the
/// script when the server does not know it yet.
static GCRA: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(GCRA_LUA));

/// The budgets in Redis, shared by both limiters and every instance.
#[derive(Clone)]
pub(super) struct SharedBudget {
    conn: ConnectionManager,
    prefix: String,
    health: Arc<Mutex<Health>>,
}

/// Whether Redis failed lately, for the fallback and its log lines.
#[derive(Default)]
struct Health {
    failing: bool,
    retry_at: Option<Instant>,
}

impl SharedBudget {
    pub(super) fn open(url: &SecretString) -> anyhow::Result<Self> {
        let conn = link::connect_lazily(&link::client(url)?, Timeouts::both(REDIS_WITHIN))?;
        Ok(Self {
            conn,
            prefix: REDIS_KEY_PREFIX.to_owned(),
            health: Arc::default(),
        })
    }

    /// The same budgets under another key prefix, so tests never touch the
    /// keys of a shop sharing the server.
    #[cfg(test)]
    fn with_prefix(self, prefix: String) -> Self {
        Self { prefix, ..self }
    }

    fn key(&self, scope: &str, ip: IpAddr) -> String {
        format!("{}{scope}:{ip}", self.prefix)
    }

    pub(super) async fn check(
        &self,
        scope: &str,
        ip: IpAddr,
        budget: Budget,
    ) -> Result<Verdict, &'static str> {
        let period_us = u64::try_from(budget.period.as_micros()).unwrap_or(u64::MAX);
        let mut conn = self.conn.clone();
        let wait_us: i64 = tokio::time::timeout(
            REDIS_WITHIN,
            GCRA.key(self.key(scope, ip))
                .arg(period_us)
                .arg(budget.burst.get())
                .invoke_async(&mut conn),
        )
        .await
        .map_err(|_| "no answer in time")?
        .map_err(|e| failure_reason(&e))?;
        Ok(match u64::try_from(wait_us) {
            Ok(wait_us @ 1..) => Verdict::Refuse {
                retry_after: wait_us.div_ceil(1_000_000),
            },
            _ => Verdict::Pass,
        })
    }

    fn health(&self) -> MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn is_worth_trying(&self) -> bool {
        self.health().retry_at.is_none_or(|at| Instant::now() >= at)
    }

    pub(super) fn failed(&self, reason: &'static str) {
        let mut health = self.health();
        health.retry_at = Some(Instant::now() + REDIS_PAUSE);
        if health.failing {
            tracing::debug!(reason, "Redis still fails for rate limits");
        } else {
            health.failing = true;
            tracing::warn!(
                reason,
                "Redis failed for rate limits: each instance counts on its own until it answers"
            );
        }
    }

    pub(super) fn answered(&self) {
        let mut health = self.health();
        if health.failing {
            *health = Health::default();
            tracing::info!("Redis answers again: rate limits are shared across instances");
        }
    }
}

/// Names the kind of failure; a server reply may quote a key, and keys
/// hold client addresses.
fn failure_reason(error: &redis::RedisError) -> &'static str {
    if error.is_timeout() {
        "no answer in time"
    } else if error.is_io_error() || error.is_connection_refusal() || error.is_connection_dropped()
    {
        "unreachable"
    } else {
        "error reply"
    }
}

#[cfg(test)]
const LOCAL_REDIS: &str = "redis://127.0.0.1:6379";

/// Budgets on the local Redis under a fresh key prefix, or None (with a
/// note) when none answers and services are not required.
#[cfg(test)]
pub(super) async fn local_redis() -> Option<SharedBudget> {
    let required = std::env::var("WEBSTORE_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
    let prefix = format!("webstore-test:{}:rate:", uuid::Uuid::new_v4().simple());
    let shared = SharedBudget::open(&SecretString::from(LOCAL_REDIS))
        .expect("a valid URL")
        .with_prefix(prefix);
    let mut conn = shared.conn.clone();
    let ping = tokio::time::timeout(
        Duration::from_secs(5),
        redis::cmd("PING").query_async::<String>(&mut conn),
    )
    .await;
    match ping {
        Ok(Ok(_)) => Some(shared),
        Ok(Err(error)) if required => panic!("Redis at {LOCAL_REDIS} is required: {error}"),
        Err(_) if required => panic!("Redis at {LOCAL_REDIS} is required: no answer"),
        _ => {
            eprintln!("skipping the Redis test: no Redis at {LOCAL_REDIS}");
            None
        }
    }
}

#[cfg(test)]
impl SharedBudget {
    /// Another connection to the same budgets, as a second instance has.
    pub(super) fn reopen(&self) -> Self {
        let other = Self::open(&SecretString::from(LOCAL_REDIS)).expect("a valid URL");
        other.with_prefix(self.prefix.clone())
    }

    pub(super) async fn query<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> T {
        let mut conn = self.conn.clone();
        command
            .query_async(&mut conn)
            .await
            .expect("a Redis command")
    }

    pub(super) fn test_key(&self, scope: &str, ip: IpAddr) -> String {
        self.key(scope, ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn redis_refuses_after_the_burst_and_says_when_to_retry() {
        let Some(shared) = local_redis().await else {
            return;
        };
        let budget = Budget::new(20_000, 3);
        let client = IpAddr::from([192, 0, 2, 7]);
        for n in 1..=3 {
            assert_eq!(
                shared.check("auth", client, budget).await,
                Ok(Verdict::Pass),
                "request {n} is within the burst"
            );
        }
        let refused = shared.check("auth", client, budget).await;
        assert!(
            matches!(
                refused,
                Ok(Verdict::Refuse {
                    retry_after: 19..=20
                })
            ),
            "the fourth waits for one period: {refused:?}"
        );
        // Another address and the other scope have budgets of their own.
        let neighbour = IpAddr::from([192, 0, 2, 8]);
        assert_eq!(
            shared.check("auth", neighbour, budget).await,
            Ok(Verdict::Pass)
        );
        assert_eq!(shared.check("api", client, budget).await, Ok(Verdict::Pass));
        // The key lasts until the burst is whole again (3 × 20 s), no longer.
        let ttl: i64 = shared
            .query(redis::cmd("PTTL").arg(shared.key("auth", client)))
            .await;
        assert!((50_000..=60_000).contains(&ttl), "PTTL {ttl}");
    }

    #[tokio::test]
    async fn a_period_passed_on_the_redis_clock_gives_one_more_request() {
        let Some(shared) = local_redis().await else {
            return;
        };
        let budget = Budget::new(1000, 2);
        let client = IpAddr::from([192, 0, 2, 10]);
        for _ in 0..2 {
            assert_eq!(shared.check("api", client, budget).await, Ok(Verdict::Pass));
        }
        assert_eq!(
            shared.check("api", client, budget).await,
            Ok(Verdict::Refuse { retry_after: 1 }),
            "under a second to wait is announced as one"
        );
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(shared.check("api", client, budget).await, Ok(Verdict::Pass));
        assert!(matches!(
            shared.check("api", client, budget).await,
            Ok(Verdict::Refuse { .. })
        ));
    }
}
