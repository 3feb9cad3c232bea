//! Database URLs and the backend each names.
//!
//! May import: nothing of the crate but the rest of config.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use super::{ConfigError, invalid};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_are_told_apart_by_scheme() {
        let my = DatabaseUrl::parse("mysql://root@127.0.0.1:3306/shop").expect("mysql");
        assert_eq!(my.backend(), Backend::MySql);
        assert!(DatabaseUrl::parse("mysql://127.0.0.1:3306/").is_err());
        let lite = DatabaseUrl::parse("sqlite:///tmp/x.db").expect("sqlite");
        assert_eq!(lite.sqlite_path(), Some(PathBuf::from("/tmp/x.db")));
    }
}
