//! Rate limits per client address (`ClientAddr`: the TCP peer, or the
//! client a trusted proxy names): sign-in and sign-up are limited per
//! minute, the API per second. Over the limit: 429 with `Retry-After`, as
//! problem+json.
//!
//! Both limits are GCRA, as in `governor`: one request per period, bursts
//! up to a capacity. Without `--redis-url` each instance counts on its own,
//! in memory (`governor`). With it, every instance spends the same budget:
//! a Lua script reads and moves the client's theoretical arrival time in
//! one step, on Redis's clock (`TIME`), so the instances' clocks do not
//! matter. A key (`webstore:rate:{scope}:{address}`) expires as soon as
//! its client's budget is full again.
//!
//! When Redis fails or does not answer within half a second, the request
//! is counted by this instance's in-memory limiter instead: the limit
//! falls back to per instance, never to none, and no request fails for
//! it. A warning is logged when that starts and an info line when Redis
//! answers again; meanwhile Redis is tried at most every five seconds, so
//! an outage does not slow every request down. Startup does not wait for
//! this connection: the session store already refuses to start without
//! Redis.
//!
//! May import: config, error.

mod shared;

use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::response::Response;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use secrecy::SecretString;

use crate::config::Limits;
use crate::error::AppError;
use crate::http::client_addr::ClientAddr;
use shared::SharedBudget;

/// The two limiters, shared by every router.
#[derive(Clone)]
pub struct RateLimits {
    auth: Arc<Limiter>,
    api: Arc<Limiter>,
}

impl RateLimits {
    /// The limits from `limits`, shared through Redis at `redis_url` when
    /// one is given. Only parses the URL; the first check connects.
    pub fn new(limits: &Limits, redis_url: Option<&SecretString>) -> anyhow::Result<Self> {
        let shared = redis_url.map(SharedBudget::open).transpose()?;
        let auth_period_ms = (60_000 / u64::from(limits.auth_rate_per_minute.max(1))).max(1);
        let api_period_ms = (1000 / u64::from(limits.api_rate_per_second.max(1))).max(1);
        let auth = Budget::new(auth_period_ms, limits.auth_rate_per_minute.clamp(1, 10_000));
        let api = Budget::new(
            api_period_ms,
            limits
                .api_rate_per_second
                .saturating_mul(5)
                .clamp(1, 100_000),
        );
        Ok(Self {
            auth: Arc::new(Limiter::new("auth", auth, shared.clone())),
            api: Arc::new(Limiter::new("api", api, shared)),
        })
    }

    pub fn auth(&self) -> Layer {
        Layer {
            limiter: Arc::clone(&self.auth),
        }
    }

    pub fn api(&self) -> Layer {
        Layer {
            limiter: Arc::clone(&self.api),
        }
    }

    /// Forgets addresses that have been quiet (call now and then). Redis
    /// keys expire by themselves.
    pub fn forget_quiet(&self) {
        self.auth.local.retain_recent();
        self.api.local.retain_recent();
    }
}

/// One request per `period`, up to `burst` at once.
#[derive(Clone, Copy, Debug)]
struct Budget {
    period: Duration,
    burst: NonZeroU32,
}

impl Budget {
    fn new(period_ms: u64, burst: u32) -> Self {
        Self {
            period: Duration::from_millis(period_ms.max(1)),
            burst: NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN),
        }
    }

    fn quota(self) -> Quota {
        Quota::with_period(self.period)
            .expect("a period of at least 1 ms")
            .allow_burst(self.burst)
    }
}

/// What a check decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Pass,
    /// Refused; whole seconds until a request may pass (0 rounds to 1).
    Refuse {
        retry_after: u64,
    },
}

/// One limit: counted in Redis when configured and answering, else here.
struct Limiter {
    scope: &'static str,
    budget: Budget,
    local: DefaultKeyedRateLimiter<IpAddr>,
    shared: Option<SharedBudget>,
}

impl Limiter {
    fn new(scope: &'static str, budget: Budget, shared: Option<SharedBudget>) -> Self {
        Self {
            scope,
            budget,
            local: RateLimiter::keyed(budget.quota()),
            shared,
        }
    }

    async fn check(&self, ip: IpAddr) -> Verdict {
        if let Some(shared) = &self.shared
            && shared.is_worth_trying()
        {
            match shared.check(self.scope, ip, self.budget).await {
                Ok(verdict) => {
                    shared.answered();
                    return verdict;
                }
                Err(reason) => shared.failed(reason),
            }
        }
        self.check_local(ip)
    }

    fn check_local(&self, ip: IpAddr) -> Verdict {
        match self.local.check_key(&ip) {
            Ok(()) => Verdict::Pass,
            Err(not_until) => Verdict::Refuse {
                retry_after: not_until
                    .wait_time_from(DefaultClock::default().now())
                    .as_secs(),
            },
        }
    }
}

/// Applies one limit to a route; from `RateLimits::auth` or `::api`.
#[derive(Clone)]
pub struct Layer {
    limiter: Arc<Limiter>,
}

impl<S> tower::Layer<S> for Layer {
    type Service = RateLimited<S>;

    fn layer(&self, inner: S) -> RateLimited<S> {
        RateLimited {
            inner,
            limiter: Arc::clone(&self.limiter),
        }
    }
}

/// The service `Layer` wraps a route in.
#[derive(Clone)]
pub struct RateLimited<S> {
    inner: S,
    limiter: Arc<Limiter>,
}

type ResponseFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> tower::Service<Request> for RateLimited<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> ResponseFuture {
        let peer = ClientAddr::of(request.extensions());
        // Served without connect info there is no key to count: refuse.
        let Some(ip) = peer else {
            return Box::pin(std::future::ready(Ok(refusal(1))));
        };
        // `inner` was polled ready; the clone left behind was not.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let limiter = Arc::clone(&self.limiter);
        Box::pin(async move {
            match limiter.check(ip).await {
                Verdict::Pass => inner.call(request).await,
                Verdict::Refuse { retry_after } => Ok(refusal(retry_after)),
            }
        })
    }
}

/// 429 as problem+json; `into_problem` sets `Retry-After`.
fn refusal(retry_after: u64) -> Response {
    let retry_after = i64::try_from(retry_after.max(1)).unwrap_or(60);
    AppError::TooManyRequests { retry_after }.into_problem()
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use std::net::SocketAddr;

    use axum::Router;
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::StatusCode;
    use axum::routing::post;
    use tower::ServiceExt as _;

    use super::shared::local_redis;
    use super::*;

    fn limiter(burst: u32, shared: Option<SharedBudget>) -> Limiter {
        Limiter::new("auth", Budget::new(20_000, burst), shared)
    }

    #[tokio::test]
    async fn two_instances_on_one_redis_spend_one_budget() {
        let Some(shared) = local_redis().await else {
            return;
        };
        let first = limiter(2, Some(shared.clone()));
        let second = limiter(2, Some(shared.reopen()));
        let client = IpAddr::from([198, 51, 100, 1]);
        assert_eq!(first.check(client).await, Verdict::Pass);
        assert_eq!(first.check(client).await, Verdict::Pass);
        // The second instance has not seen this client, yet refuses it.
        assert!(matches!(
            second.check(client).await,
            Verdict::Refuse {
                retry_after: 19..=20
            }
        ));
        assert_eq!(
            second.check_local(client),
            Verdict::Pass,
            "not counted here"
        );
    }

    #[tokio::test]
    async fn with_redis_unreachable_each_instance_still_limits_on_its_own() {
        let unreachable = SecretString::from("redis://127.0.0.1:1");
        let shared = SharedBudget::open(&unreachable).expect("a valid URL");
        let limiter = limiter(2, Some(shared));
        let client = IpAddr::from([198, 51, 100, 2]);
        let started = Instant::now();
        assert_eq!(limiter.check(client).await, Verdict::Pass);
        assert_eq!(limiter.check(client).await, Verdict::Pass);
        let third = limiter.check(client).await;
        assert!(
            matches!(
                third,
                Verdict::Refuse {
                    retry_after: 19..=20
                }
            ),
            "the in-process count refuses: {third:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a failed Redis is not waited for on every request"
        );
        let shared = limiter.shared.as_ref().expect("configured");
        assert!(!shared.is_worth_trying(), "Redis rests for a while");
    }

    #[tokio::test]
    async fn a_redis_error_reply_falls_back_to_the_in_process_count() {
        let Some(shared) = local_redis().await else {
            return;
        };
        let client = IpAddr::from([198, 51, 100, 3]);
        let key = shared.test_key("auth", client);
        // A key of the wrong type makes the script fail inside Redis.
        let _: i64 = shared.query(redis::cmd("LPUSH").arg(&key).arg("x")).await;
        let limiter = limiter(1, Some(shared.clone()));
        assert_eq!(
            shared.check("auth", client, limiter.budget).await,
            Err("error reply")
        );

        assert_eq!(limiter.check(client).await, Verdict::Pass);
        assert!(matches!(
            limiter.check(client).await,
            Verdict::Refuse { .. }
        ));
        let len: i64 = shared.query(redis::cmd("LLEN").arg(&key)).await;
        assert_eq!(len, 1, "the key was left alone");
        let _: i64 = shared.query(redis::cmd("DEL").arg(&key)).await;
    }

    #[tokio::test]
    async fn over_the_limit_the_layer_answers_429_problem_json_with_retry_after() {
        let layer = Layer {
            limiter: Arc::new(limiter(1, None)),
        };
        let routes = Router::new().route("/", post(|| async { "ok" }).route_layer(layer));
        let peer = SocketAddr::from(([198, 51, 100, 4], 40_000));
        // What `into_make_service_with_connect_info` puts on each request.
        let send = |from: Option<SocketAddr>| {
            let mut request = Request::post("/").body(Body::empty()).expect("request");
            if let Some(addr) = from {
                request.extensions_mut().insert(ConnectInfo(addr));
            }
            routes.clone().oneshot(request)
        };

        assert_eq!(
            send(Some(peer)).await.expect("infallible").status(),
            StatusCode::OK
        );
        let refused = send(Some(peer)).await.expect("infallible");
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            refused.headers()["content-type"],
            "application/problem+json"
        );
        let retry_after: u64 = refused.headers()["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!((19..=20).contains(&retry_after), "{retry_after}");
        let body = axum::body::to_bytes(refused.into_body(), 4096)
            .await
            .expect("body");
        let problem: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(problem["type"], "/problems/too-many-requests");
        assert_eq!(problem["status"], 429);
        // Without the peer address there is nothing to count by.
        let unknown = send(None).await.expect("infallible");
        assert_eq!(unknown.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(unknown.headers()["retry-after"], "1");
    }
}
