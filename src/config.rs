//! `Settings`: every knob of the shop, layered defaults < `webstore.toml` <
//! `WEBSTORE_*` environment < command-line flags. The command line (with its
//! environment fallbacks) arrives as [`Overrides`]; the file and the defaults
//! are merged under it with figment. Everything is parsed here, once, into
//! typed values: a bad value is a [`ConfigError`], which the CLI turns into one
//! line on stderr and exit code 2.
//!
//! May import: domain.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use ipnet::IpNet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// A configuration value that cannot be used; the message names the setting.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn invalid(setting: &str, why: impl std::fmt::Display) -> ConfigError {
    ConfigError(format!("invalid {setting}: {why}"))
}

/// Values given on the command line or in `WEBSTORE_*` variables; `None`
/// means "not given", so the file or the default decides.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_origin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_body_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timeout_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections_per_ip: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_rate_per_minute: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_rate_per_second: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cors_origins: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_proxies: Option<String>,
}

/// The merged, still textual configuration, as figment extracts it.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    bind: String,
    http_bind: String,
    database_url: Option<String>,
    redis_url: Option<String>,
    data_dir: String,
    tls_cert: Option<String>,
    tls_key: Option<String>,
    public_origin: Option<String>,
    log_format: String,
    metrics_token: Option<String>,
    secret_key: Option<String>,
    max_body_bytes: u64,
    request_timeout_secs: u64,
    max_connections: usize,
    max_connections_per_ip: usize,
    auth_rate_per_minute: u32,
    api_rate_per_second: u32,
    cors_origins: String,
    trusted_proxies: String,
}

impl Default for RawSettings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8893".into(),
            http_bind: "127.0.0.1:8080".into(),
            database_url: None,
            redis_url: None,
            data_dir: "data".into(),
            tls_cert: None,
            tls_key: None,
            public_origin: None,
            log_format: "pretty".into(),
            metrics_token: None,
            secret_key: None,
            max_body_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            max_connections: 4096,
            max_connections_per_ip: 256,
            auth_rate_per_minute: 20,
            api_rate_per_second: 20,
            cors_origins: String::new(),
            trusted_proxies: String::new(),
        }
    }
}

/// Which SQL backend a database URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    MySql,
}

/// A database URL whose scheme names a supported backend. The URL may hold a
/// password, so it is kept secret and never logged.
#[derive(Clone, Debug)]
pub struct DatabaseUrl {
    backend: Backend,
    url: SecretString,
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let (scheme, rest) = raw
            .split_once("://")
            .or_else(|| raw.split_once(':'))
            .ok_or_else(|| invalid("database-url", "expected sqlite://… or mysql://…"))?;
        let backend = match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => Backend::Sqlite,
            "mysql" | "mariadb" => Backend::MySql,
            other => {
                return Err(invalid(
                    "database-url",
                    format!("unknown scheme {other:?} (use sqlite:// or mysql://)"),
                ));
            }
        };
        if rest.is_empty() {
            return Err(invalid("database-url", "no database given"));
        }
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{rest}"),
            Backend::MySql => {
                let url = format!("mysql://{rest}");
                let parsed = url::Url::parse(&url).map_err(|e| invalid("database-url", e))?;
                if parsed.host_str().is_none_or(str::is_empty) {
                    return Err(invalid("database-url", "no host given"));
                }
                if parsed.path().trim_matches('/').is_empty() {
                    return Err(invalid("database-url", "no database name given"));
                }
                url
            }
        };
        Ok(Self {
            backend,
            url: SecretString::from(url),
        })
    }

    /// The SQLite database file inside the data dir.
    pub fn sqlite_in(data_dir: &Path) -> Self {
        Self {
            backend: Backend::Sqlite,
            url: SecretString::from(format!(
                "sqlite://{}",
                data_dir.join("webstore.db").display()
            )),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The full URL, password included: only for opening connections.
    pub fn expose(&self) -> &str {
        self.url.expose_secret()
    }

    /// The SQLite file this URL names, if it is a file-backed SQLite URL.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let rest = self.expose().strip_prefix("sqlite://")?;
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}

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
    /// Merges the defaults, the TOML file (when `config_file` exists, or is
    /// named explicitly) and the overrides, then parses the result.
    pub fn load(
        overrides: &Overrides,
        config_file: Option<&Path>,
        explicit_file: bool,
    ) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(RawSettings::default()));
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
        let raw: RawSettings = figment
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| ConfigError(format!("invalid configuration: {e}")))?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: RawSettings) -> Result<Self, ConfigError> {
        let bind = parse_addr("bind", &raw.bind)?;
        let http_bind = match raw.http_bind.trim() {
            "off" | "" => None,
            addr => Some(parse_addr("http-bind", addr)?),
        };
        if http_bind == Some(bind) && bind.port() != 0 {
            return Err(invalid("http-bind", "must differ from bind"));
        }
        let data_dir = PathBuf::from(non_empty("data-dir", &raw.data_dir)?);
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
        let log_format = match raw.log_format.as_str() {
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
        if raw.max_body_bytes < 1024 {
            return Err(invalid("max-body-bytes", "must be at least 1024"));
        }
        if raw.request_timeout_secs == 0 {
            return Err(invalid("request-timeout-secs", "must be at least 1"));
        }
        if raw.auth_rate_per_minute == 0 || raw.api_rate_per_second == 0 {
            return Err(invalid("rate limits", "must be at least 1"));
        }
        let cors_origins = raw
            .cors_origins
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
        let trusted_proxies = TrustedProxies::parse(&raw.trusted_proxies)
            .map_err(|e| invalid("trusted-proxies", e))?;
        if raw.max_connections == 0 || raw.max_connections_per_ip == 0 {
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
                max_body_bytes: usize::try_from(raw.max_body_bytes)
                    .map_err(|_| invalid("max-body-bytes", "too large"))?,
                request_timeout: Duration::from_secs(raw.request_timeout_secs),
                header_read_timeout: Duration::from_secs(10),
                tls_handshake_timeout: Duration::from_secs(10),
                max_connections: raw.max_connections,
                max_connections_per_ip: raw.max_connections_per_ip,
                shutdown_grace: Duration::from_secs(25),
                auth_rate_per_minute: raw.auth_rate_per_minute,
                api_rate_per_second: raw.api_rate_per_second,
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
            Overrides {
                bind: Some("not-an-address".into()),
                ..Overrides::default()
            },
            Overrides {
                database_url: Some("postgres://localhost/x".into()),
                ..Overrides::default()
            },
            Overrides {
                public_origin: Some("http://shop.example".into()),
                ..Overrides::default()
            },
            Overrides {
                tls_cert: Some("cert.pem".into()),
                ..Overrides::default()
            },
        ] {
            assert!(load(bad, None).is_err());
        }
    }

    #[test]
    fn database_urls_are_told_apart_by_scheme() {
        let my = DatabaseUrl::parse("mysql://root@127.0.0.1:3306/shop").expect("mysql");
        assert_eq!(my.backend(), Backend::MySql);
        assert!(DatabaseUrl::parse("mysql://127.0.0.1:3306/").is_err());
        let lite = DatabaseUrl::parse("sqlite:///tmp/x.db").expect("sqlite");
        assert_eq!(lite.sqlite_path(), Some(PathBuf::from("/tmp/x.db")));
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
