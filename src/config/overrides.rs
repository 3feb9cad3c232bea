//! The one list of settings, as each layer (file, environment, flags) gives
//! them.
//!
//! May import: nothing of the crate but the rest of config.

use figment::providers::Serialized;
use figment::value::{Dict, Value};
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Every setting, once: its flag and `WEBSTORE_*` variable (read by clap,
/// the flag first), its key in `webstore.toml` (read by figment) and its
/// `--help` line. Each layer fills one of these; `None` means "not given
/// here", so a lower layer or the default decides. [`Settings::load`] merges
/// the layers and parses the result once.
#[derive(Debug, Default, Clone, clap::Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// HTTPS listen address.
    #[arg(long, global = true, value_name = "ADDR")]
    #[arg(env = "WEBSTORE_BIND")]
    pub bind: Option<String>,
    /// Plain-HTTP listener that only redirects to HTTPS, or `off`.
    #[arg(long, global = true, value_name = "ADDR|off")]
    #[arg(env = "WEBSTORE_HTTP_BIND")]
    pub http_bind: Option<String>,
    /// Database: sqlite://PATH (default: DATA_DIR/webstore.db) or mysql://USER:PASS@HOST/DB.
    #[arg(long, global = true, value_name = "URL")]
    #[arg(env = "WEBSTORE_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Redis for sessions, rate limits and live updates shared across instances.
    #[arg(long, global = true, value_name = "URL")]
    #[arg(env = "WEBSTORE_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Directory for the SQLite database, the TLS certificate and keys [default: ./data].
    #[arg(long, global = true, value_name = "DIR")]
    #[arg(env = "WEBSTORE_DATA_DIR")]
    pub data_dir: Option<String>,
    /// TLS certificate chain (PEM); with --tls-key. Default: self-signed in DATA_DIR/tls.
    #[arg(long, global = true, value_name = "FILE")]
    #[arg(env = "WEBSTORE_TLS_CERT")]
    pub tls_cert: Option<String>,
    /// TLS private key (PEM); with --tls-cert.
    #[arg(long, global = true, value_name = "FILE")]
    #[arg(env = "WEBSTORE_TLS_KEY")]
    pub tls_key: Option<String>,
    /// The origin shoppers use, e.g. https://shop.example (Origin checks, redirects, links).
    #[arg(long, global = true, value_name = "URL")]
    #[arg(env = "WEBSTORE_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,
    /// Log format: pretty or json.
    #[arg(long, global = true, value_name = "FORMAT")]
    #[arg(env = "WEBSTORE_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Bearer token that opens /metrics to non-loopback clients (at least 16 characters).
    #[arg(long, global = true, value_name = "TOKEN")]
    #[arg(env = "WEBSTORE_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Base64 of 32 random bytes that encrypt stored secrets; the same on every instance [default: DATA_DIR/secret.key].
    #[arg(long, global = true, value_name = "BASE64")]
    #[arg(env = "WEBSTORE_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Largest request body accepted, in bytes [default: 1048576].
    #[arg(long, global = true, value_name = "BYTES")]
    #[arg(env = "WEBSTORE_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<u64>,
    /// Time a request may take before it is answered with 408 [default: 30].
    #[arg(long, global = true, value_name = "SECS")]
    #[arg(env = "WEBSTORE_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<u64>,
    /// Open connections served at once [default: 4096].
    #[arg(long, global = true, value_name = "N")]
    #[arg(env = "WEBSTORE_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Open connections served at once for one client address [default: 256].
    #[arg(long, global = true, value_name = "N")]
    #[arg(env = "WEBSTORE_MAX_CONNECTIONS_PER_IP")]
    pub max_connections_per_ip: Option<usize>,
    /// Sign-in and sign-up attempts per client address and minute [default: 20].
    #[arg(long, global = true, value_name = "N")]
    #[arg(env = "WEBSTORE_AUTH_RATE_PER_MINUTE")]
    pub auth_rate_per_minute: Option<u32>,
    /// API requests per client address and second [default: 20].
    #[arg(long, global = true, value_name = "N")]
    #[arg(env = "WEBSTORE_API_RATE_PER_SECOND")]
    pub api_rate_per_second: Option<u32>,
    /// Comma-separated origins allowed to call the API from a browser [default: none].
    #[arg(long, global = true, value_name = "ORIGINS")]
    #[arg(env = "WEBSTORE_CORS_ORIGINS")]
    pub cors_origins: Option<String>,
    /// Comma-separated addresses or networks of reverse proxies whose
    /// X-Forwarded-For names the client [default: none].
    #[arg(long, global = true, value_name = "NETWORKS")]
    #[arg(env = "WEBSTORE_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
}

impl Overrides {
    /// This layer as figment data, holding only the settings it gives:
    /// figment lets a `None` replace what a lower layer said, so the
    /// settings not given are left out rather than sent as empty.
    pub(super) fn given(&self) -> Result<Serialized<Dict>, ConfigError> {
        let Value::Dict(_, mut dict) = Value::serialize(self)
            .map_err(|e| ConfigError(format!("invalid configuration: {e}")))?
        else {
            return Err(ConfigError("invalid configuration: not a table".into()));
        };
        dict.retain(|_, value| !matches!(value, Value::Empty(..)));
        Ok(Serialized::defaults(dict))
    }
}
