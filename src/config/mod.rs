//! `Settings`: every knob of the shop, layered defaults < `webstore.toml` <
//! `WEBSTORE_*` environment < command-line flags. [`Overrides`] lists each
//! setting once: clap fills it from the flags and their environment
//! fallbacks, figment from the file, figment merges the two and the defaults
//! fill in what neither gives. Everything is parsed here, once, into typed
//! values: a bad value is a [`ConfigError`], which the CLI turns into one
//! line on stderr and exit code 2.
//!
//! May import: nothing of the crate.

mod database;
mod network;
mod overrides;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Toml};
use secrecy::SecretString;

pub use database::{Backend, DatabaseUrl};
pub use network::{PublicOrigin, TrustedProxies, canonical};
pub use overrides::Overrides;

/// A configuration value that cannot be used; the message names the setting.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn invalid(setting: &str, why: impl std::fmt::Display) -> ConfigError {
    ConfigError(format!("invalid {setting}: {why}"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Where the server's certificate comes from.
#[derive(Clone, Debug)]
pub enum TlsSource {
    /// Generated once into `dir` and renewed when it nears expiry.
    SelfSigned { dir: PathBuf },
    /// PEM files the operator provides.
    Files { cert: PathBuf, key: PathBuf },
}

/// Limits that keep one client from starving the others.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub header_read_timeout: Duration,
    pub tls_handshake_timeout: Duration,
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
    pub shutdown_grace: Duration,
    /// Sign-in and sign-up attempts per client address and minute.
    pub auth_rate_per_minute: u32,
    /// API requests per client address and second (bursts of 5× allowed).
    pub api_rate_per_second: u32,
}

/// The shop's whole configuration, parsed.
#[derive(Clone, Debug)]
pub struct Settings {
    pub bind: SocketAddr,
    /// `None` when the redirect listener is `off`.
    pub http_bind: Option<SocketAddr>,
    pub database_url: DatabaseUrl,
    pub redis_url: Option<SecretString>,
    pub data_dir: PathBuf,
    pub tls: TlsSource,
    /// `None`: derived from the bound HTTPS address once it is known.
    pub public_origin: Option<PublicOrigin>,
    pub log_format: LogFormat,
    pub metrics_token: Option<SecretString>,
    /// Origins allowed to call the API from a browser (CORS); none by default.
    pub cors_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client; none by
    /// default (the TCP peer is the client).
    pub trusted_proxies: TrustedProxies,
    /// Base64 of 32 bytes that encrypt stored secrets (TOTP); `None`: a key
    /// file in the data dir.
    pub secret_key: Option<SecretString>,
    pub limits: Limits,
}

impl Settings {
    /// Merges the TOML file (when `config_file` exists, or is named
    /// explicitly) under the overrides, fills in the defaults for what
    /// neither gives, then parses the result.
    pub fn load(
        overrides: &Overrides,
        config_file: Option<&Path>,
        explicit_file: bool,
    ) -> Result<Self, ConfigError> {
        let mut figment = Figment::new();
        if let Some(path) = config_file {
            if path.exists() {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
                figment = figment.merge(Toml::string(&text));
            } else if explicit_file {
                return Err(ConfigError(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
        }
        let given: Overrides = figment
            .merge(overrides.given()?)
            .extract()
            .map_err(|e| ConfigError(format!("invalid configuration: {e}")))?;
        Self::parse(given)
    }

    /// Every setting checked and typed, the defaults standing in for the
    /// settings no layer gave.
    fn parse(raw: Overrides) -> Result<Self, ConfigError> {
        let bind = parse_addr("bind", raw.bind.as_deref().unwrap_or("127.0.0.1:8893"))?;
        let http_bind = match raw.http_bind.as_deref().unwrap_or("127.0.0.1:8080").trim() {
            "off" | "" => None,
            addr => Some(parse_addr("http-bind", addr)?),
        };
        if http_bind == Some(bind) && bind.port() != 0 {
            return Err(invalid("http-bind", "must differ from bind"));
        }
        let data_dir = PathBuf::from(non_empty(
            "data-dir",
            raw.data_dir.as_deref().unwrap_or("data"),
        )?);
        let database_url = match raw.database_url.as_deref().map(str::trim) {
            None | Some("") => DatabaseUrl::sqlite_in(&data_dir),
            Some(url) => DatabaseUrl::parse(url)?,
        };
        let tls = match (raw.tls_cert, raw.tls_key) {
            (None, None) => TlsSource::SelfSigned {
                dir: data_dir.join("tls"),
            },
            (Some(cert), Some(key)) => TlsSource::Files {
                cert: PathBuf::from(cert),
                key: PathBuf::from(key),
            },
            _ => {
                return Err(ConfigError(
                    "invalid tls-cert/tls-key: give both or neither".into(),
                ));
            }
        };
        let log_format = match raw.log_format.as_deref().unwrap_or("pretty") {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                return Err(invalid(
                    "log-format",
                    format!("{other:?} (use pretty or json)"),
                ));
            }
        };
        let public_origin = raw
            .public_origin
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(PublicOrigin::parse)
            .transpose()?;
        let redis_url = raw
            .redis_url
            .filter(|s| !s.trim().is_empty())
            .map(|url| {
                if url.starts_with("redis://") || url.starts_with("rediss://") {
                    Ok(SecretString::from(url))
                } else {
                    Err(invalid("redis-url", "expected redis://… or rediss://…"))
                }
            })
            .transpose()?;
        let metrics_token = raw
            .metrics_token
            .filter(|t| !t.is_empty())
            .map(|t| {
                if t.len() >= 16 {
                    Ok(SecretString::from(t))
                } else {
                    Err(invalid("metrics-token", "must be at least 16 characters"))
                }
            })
            .transpose()?;
        let max_body_bytes = raw.max_body_bytes.unwrap_or(1024 * 1024);
        if max_body_bytes < 1024 {
            return Err(invalid("max-body-bytes", "must be at least 1024"));
        }
        let request_timeout_secs = raw.request_timeout_secs.unwrap_or(30);
        if request_timeout_secs == 0 {
            return Err(invalid("request-timeout-secs", "must be at least 1"));
        }
        let auth_rate_per_minute = raw.auth_rate_per_minute.unwrap_or(20);
        let api_rate_per_second = raw.api_rate_per_second.unwrap_or(20);
        if auth_rate_per_minute == 0 || api_rate_per_second == 0 {
            return Err(invalid("rate limits", "must be at least 1"));
        }
        let cors_origins = raw
            .cors_origins
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| {
                let url = url::Url::parse(o).map_err(|e| invalid("cors-origins", e))?;
                if !matches!(url.scheme(), "https" | "http")
                    || url.host_str().is_none()
                    || url.path() != "/"
                {
                    return Err(invalid(
                        "cors-origins",
                        format!("{o:?} is not an origin like https://app.example"),
                    ));
                }
                Ok(url.origin().ascii_serialization())
            })
            .collect::<Result<Vec<_>, _>>()?;
        let trusted_proxies = TrustedProxies::parse(&raw.trusted_proxies.unwrap_or_default())
            .map_err(|e| invalid("trusted-proxies", e))?;
        let max_connections = raw.max_connections.unwrap_or(4096);
        let max_connections_per_ip = raw.max_connections_per_ip.unwrap_or(256);
        if max_connections == 0 || max_connections_per_ip == 0 {
            return Err(invalid("max-connections", "must be at least 1"));
        }
        Ok(Self {
            bind,
            http_bind,
            database_url,
            redis_url,
            data_dir,
            tls,
            public_origin,
            log_format,
            metrics_token,
            cors_origins,
            trusted_proxies,
            secret_key: raw
                .secret_key
                .filter(|k| !k.trim().is_empty())
                .map(SecretString::from),
            limits: Limits {
                max_body_bytes: usize::try_from(max_body_bytes)
                    .map_err(|_| invalid("max-body-bytes", "too large"))?,
                request_timeout: Duration::from_secs(request_timeout_secs),
                header_read_timeout: Duration::from_secs(10),
                tls_handshake_timeout: Duration::from_secs(10),
                max_connections,
                max_connections_per_ip,
                shutdown_grace: Duration::from_secs(25),
                auth_rate_per_minute,
                api_rate_per_second,
            },
        })
    }
}

fn parse_addr(setting: &str, raw: &str) -> Result<SocketAddr, ConfigError> {
    raw.trim().parse().map_err(|_| {
        invalid(
            setting,
            format!("{raw:?} is not an address like 127.0.0.1:8893"),
        )
    })
}

fn non_empty<'a>(setting: &str, raw: &'a str) -> Result<&'a str, ConfigError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        Err(invalid(setting, "must not be empty"))
    } else {
        Ok(trimmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(overrides: Overrides, toml: Option<&str>) -> Result<Settings, ConfigError> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("webstore.toml");
        if let Some(text) = toml {
            std::fs::write(&path, text).expect("write toml");
        }
        Settings::load(&overrides, Some(&path), false)
    }

    #[test]
    fn defaults_follow_the_contract() {
        let s = load(Overrides::default(), None).expect("defaults load");
        assert_eq!(s.bind, "127.0.0.1:8893".parse().expect("addr"));
        assert_eq!(s.http_bind, Some("127.0.0.1:8080".parse().expect("addr")));
        assert_eq!(s.database_url.backend(), Backend::Sqlite);
        assert_eq!(
            s.database_url.sqlite_path(),
            Some(PathBuf::from("data/webstore.db"))
        );
        assert!(matches!(s.tls, TlsSource::SelfSigned { ref dir } if dir == Path::new("data/tls")));
        assert_eq!(s.limits.max_body_bytes, 1024 * 1024);
    }

    #[test]
    fn flags_beat_the_file_and_the_file_beats_defaults() {
        let toml = "bind = \"127.0.0.1:9000\"\nhttp_bind = \"off\"\nlog_format = \"json\"\n";
        let s = load(
            Overrides {
                bind: Some("127.0.0.1:9100".into()),
                ..Overrides::default()
            },
            Some(toml),
        )
        .expect("loads");
        assert_eq!(s.bind.port(), 9100);
        assert_eq!(s.http_bind, None);
        assert_eq!(s.log_format, LogFormat::Json);
    }

    #[test]
    fn unknown_file_keys_and_bad_values_are_errors() {
        assert!(load(Overrides::default(), Some("bindd = \"x\"\n")).is_err());
        for bad in [
            "bind = \"not-an-address\"",
            "database_url = \"postgres://localhost/x\"",
            "public_origin = \"http://shop.example\"",
            "tls_cert = \"cert.pem\"",
        ] {
            assert!(load(Overrides::default(), Some(bad)).is_err(), "{bad}");
        }
        let flag = Overrides {
            bind: Some("not-an-address".into()),
            ..Overrides::default()
        };
        assert!(load(flag, None).is_err());
    }
}
