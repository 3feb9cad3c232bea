//! All SQL lives below this module. Callers see [`Db`] and plain functions
//! (`products::find_product`, …) that take `&mut Connection`, so the same
//! function runs inside or outside a transaction; no pool type leaks out.
//!
//! One query text serves SQLite and MySQL/MariaDB through sqlx's `Any`
//! driver: `?` placeholders, integer ids, BIGINT cents and unix-second
//! timestamps, no RETURNING. Where the two must differ, a `match` on
//! [`Backend`] inside this module says so.
//!
//! May import: domain, config (for the URL), sqlx.

pub mod audit;
pub mod carts;
pub mod catalogue_cache;
pub mod categories;
pub mod images;
pub mod orders;
pub mod outbox;
pub mod products;
pub mod sessions;
pub mod throttle;
pub mod users;

use std::time::Duration;

use anyhow::Context as _;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor as _};

pub use crate::config::Backend;
use crate::config::{DatabaseUrl, Settings};

/// A connection, pooled or inside a transaction (both deref to this).
pub type Connection = sqlx::AnyConnection;
/// A connection borrowed from the pool; returned when dropped.
pub type PooledConnection = sqlx::pool::PoolConnection<Any>;
/// An open transaction; rolled back when dropped without `commit`.
pub type Transaction = sqlx::Transaction<'static, Any>;
/// Errors from the database driver; `AppError` maps them.
pub type DbError = sqlx::Error;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static MYSQL_MIGRATIONS: Migrator = sqlx::migrate!("migrations/mysql");

/// How long a request waits for a pooled connection before the database
/// counts as unavailable (answered 503, never a hang).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The shop's database: a pool plus the backend it speaks to.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// Catalogue reads kept in memory, shared by this pool's clones.
    catalogue: catalogue_cache::CatalogueCache,
}

impl Db {
    /// Opens the pool for the configured URL. A SQLite file (and its
    /// directory) is created when missing.
    pub async fn connect(settings: &Settings) -> anyhow::Result<Self> {
        Self::connect_url(&settings.database_url).await
    }

    pub async fn connect_url(url: &DatabaseUrl) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = url.backend();
        let raw = match backend {
            Backend::Sqlite => {
                if let Some(path) = url.sqlite_path()
                    && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                }
                with_query_param(url.expose(), "mode", "rwc")
            }
            Backend::MySql => url.expose().to_owned(),
        };
        let options: AnyConnectOptions = raw.parse().context("parsing the database URL")?;
        let max = match backend {
            // One writer at a time anyway; a few readers beside it.
            Backend::Sqlite => 8,
            Backend::MySql => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(0)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .idle_timeout(Duration::from_secs(600))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            // WAL: readers never block the writer; FULL sync: an
                            // acknowledged write survives a crash; busy_timeout:
                            // a locked database waits instead of failing at once.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                            )
                            .await?;
                        }
                        Backend::MySql => {
                            conn.execute(
                                "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,\
                                 NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,\
                                 ONLY_FULL_GROUP_BY', time_zone = '+00:00', \
                                 NAMES utf8mb4 COLLATE utf8mb4_unicode_ci",
                            )
                            .await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .context("connecting to the database")?;
        Ok(Self {
            pool,
            backend,
            catalogue: catalogue_cache::CatalogueCache::default(),
        })
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::MySql => &MYSQL_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .context("applying database migrations")
    }

    /// Whether every embedded migration has been applied.
    pub async fn is_migrated(&self) -> Result<bool, DbError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::MySql => &MYSQL_MIGRATIONS,
        };
        let mut conn = self.conn().await?;
        let applied: Vec<(i64,)> =
            match sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&mut *conn)
                .await
            {
                Ok(rows) => rows,
                Err(sqlx::Error::Database(_)) => return Ok(false),
                Err(e) => return Err(e),
            };
        Ok(migrator
            .iter()
            .all(|m| applied.iter().any(|(v,)| *v == m.version)))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Borrows a connection from the pool.
    pub async fn conn(&self) -> Result<PooledConnection, DbError> {
        self.pool.acquire().await
    }

    /// Opens a transaction. Every transaction here writes, so on SQLite it
    /// takes the write lock up front (`BEGIN IMMEDIATE`, waiting up to the
    /// busy timeout): a transaction that read first and wrote later would
    /// fail at once whenever another writer committed in between.
    pub async fn begin(&self) -> Result<Transaction, DbError> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::MySql => self.pool.begin().await,
        }
    }

    /// True when a trivial query succeeds (readiness).
    pub async fn ping(&self) -> bool {
        let probe = async {
            let mut conn = self.conn().await?;
            sqlx::query("SELECT 1").execute(&mut *conn).await
        };
        matches!(
            tokio::time::timeout(Duration::from_secs(2), probe).await,
            Ok(Ok(_))
        )
    }

    /// Open and idle connections, for the metrics page.
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// Waits for borrowed connections to return, then closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// True when the error means "the database is not there or not answering
/// right now" (as opposed to a bug): such requests get 503, not 500.
pub fn is_unavailable(error: &DbError) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => {
            if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
                // Lock wait, deadlock, disk or table full, too many
                // connections, server shutting down or gone.
                return matches!(
                    my.number(),
                    1205 | 1213 | 1021 | 1114 | 1040 | 1053 | 2006 | 2013
                );
            }
            // SQLite result codes, extended forms folded: BUSY, LOCKED,
            // IOERR, FULL, CANTOPEN, READONLY.
            let code = db.code().and_then(|c| c.parse::<i64>().ok()).unwrap_or(-1);
            matches!(code & 0xff, 5 | 6 | 8 | 10 | 13 | 14)
        }
        _ => false,
    }
}

/// True when the database refused a write because its disk is full.
pub fn is_disk_full(error: &DbError) -> bool {
    match error {
        sqlx::Error::Database(db) => {
            if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
                return matches!(my.number(), 1021 | 1114);
            }
            db.code()
                .and_then(|c| c.parse::<i64>().ok())
                .is_some_and(|c| c & 0xff == 13)
        }
        _ => false,
    }
}

/// True when an insert hit a UNIQUE constraint.
pub fn is_unique_violation(error: &DbError) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// The current time as unix seconds, the one timestamp format in the schema.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn with_query_param(url: &str, key: &str, value: &str) -> String {
    if url.contains(&format!("{key}=")) {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&{key}={value}")
    } else {
        format!("{url}?{key}={value}")
    }
}

/// Reads the row id the INSERT that produced `result` just made on `conn`.
/// sqlx's `Any` driver reports it for MySQL but not for SQLite (sqlx issue
/// 2982), where the same connection is asked instead.
pub(crate) async fn inserted_id(
    conn: &mut Connection,
    result: &sqlx::any::AnyQueryResult,
) -> Result<i64, DbError> {
    if let Some(id) = result.last_insert_id() {
        return Ok(id);
    }
    if conn.backend_name() == "SQLite" {
        let (id,): (i64,) = sqlx::query_as("SELECT last_insert_rowid()")
            .fetch_one(&mut *conn)
            .await?;
        if id > 0 {
            return Ok(id);
        }
    }
    Err(sqlx::Error::Protocol(
        "the database did not report the new row id".into(),
    ))
}
