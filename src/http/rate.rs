//! Rate limits per client address (tower_governor): sign-in and sign-up
//! are limited per minute, the API per second. Over the limit: 429 with
//! `Retry-After`, as problem+json. The limits are per instance; with many
//! instances behind a balancer the effective limit is per instance.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use governor::middleware::NoOpMiddleware;
use tower_governor::GovernorError;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::PeerIpKeyExtractor;

use crate::config::Limits;
use crate::error::AppError;

pub type Config = Arc<GovernorConfig<PeerIpKeyExtractor, NoOpMiddleware>>;
pub type Layer = tower_governor::GovernorLayer<PeerIpKeyExtractor, NoOpMiddleware, Body>;

/// The two limiters, shared by every router.
#[derive(Clone)]
pub struct RateLimits {
    auth: Config,
    api: Config,
}

impl RateLimits {
    pub fn new(limits: &Limits) -> Self {
        let auth_period_ms = (60_000 / u64::from(limits.auth_rate_per_minute.max(1))).max(1);
        let api_period_ms = (1000 / u64::from(limits.api_rate_per_second.max(1))).max(1);
        Self {
            auth: build(auth_period_ms, limits.auth_rate_per_minute.clamp(1, 10_000)),
            api: build(
                api_period_ms,
                limits
                    .api_rate_per_second
                    .saturating_mul(5)
                    .clamp(1, 100_000),
            ),
        }
    }

    pub fn auth(&self) -> Layer {
        layer(&self.auth)
    }

    pub fn api(&self) -> Layer {
        layer(&self.api)
    }

    /// Forgets addresses that have been quiet (call now and then).
    pub fn forget_quiet(&self) {
        self.auth.limiter().retain_recent();
        self.api.limiter().retain_recent();
    }
}

fn build(period_ms: u64, burst: u32) -> Config {
    let config = GovernorConfigBuilder::default()
        .per_millisecond(period_ms)
        .burst_size(burst)
        .finish()
        .unwrap_or_default();
    Arc::new(config)
}

fn layer(config: &Config) -> Layer {
    tower_governor::GovernorLayer::new(config.clone()).error_handler(refusal)
}

fn refusal(error: GovernorError) -> Response<Body> {
    let retry_after = match &error {
        GovernorError::TooManyRequests { wait_time, .. } => (*wait_time).max(1),
        _ => 1,
    };
    let retry_after = i64::try_from(retry_after).unwrap_or(60);
    let mut response = AppError::TooManyRequests { retry_after }.into_problem();
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
