//! Where `tower-sessions` keeps session state: the shop's database (the
//! default) or Redis.
//!
//! The session id is the cookie value, so neither store ever sees it at
//! rest: both key a session by `db::sessions::hash_id(id)`, and a leaked
//! table, dump or Redis snapshot gives no session anyone can present.
//! Error messages name what failed, never the data, because
//! `tower-sessions` logs them.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Context as _;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde_json::Value;
use time::OffsetDateTime;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, Error as StoreError};

use crate::db::{self, Db, DbError, sessions};

/// Creating a session retries with a fresh id this often on a collision.
/// With 128 random bits even a second try is practically never needed; a
/// bound keeps a broken random source from spinning forever.
const MAX_CREATE_ATTEMPTS: usize = 8;

/// How often the database store drops expired rows. Loading already
/// ignores them, so this only bounds the table's size.
const PURGE_EVERY: Duration = Duration::from_secs(600);

/// Redis keys: this prefix, then the hex hash of the session id.
const REDIS_KEY_PREFIX: &str = "webstore:session:";

/// Startup waits this long for Redis to answer PING before giving up.
const REDIS_CONNECT_WITHIN: Duration = Duration::from_secs(5);

/// A session read or write waits this long for Redis, so an unreachable
/// server fails requests quickly instead of hanging them.
const REDIS_RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

/// The future type `SessionStore` (an `async_trait`) expects.
type StoreFuture<'f, T> = Pin<Box<dyn Future<Output = session_store::Result<T>> + Send + 'f>>;

/// Implements `SessionStore` by forwarding to the inherent
/// `create_record`, `save_record`, `load_record` and `delete_record`.
macro_rules! forward_session_store {
    ($store:ty) => {
        impl SessionStore for $store {
            fn create<'s, 'r, 'f>(&'s self, record: &'r mut Record) -> StoreFuture<'f, ()>
            where
                's: 'f,
                'r: 'f,
                Self: 'f,
            {
                Box::pin(self.create_record(record))
            }

            fn save<'s, 'r, 'f>(&'s self, record: &'r Record) -> StoreFuture<'f, ()>
            where
                's: 'f,
                'r: 'f,
                Self: 'f,
            {
                Box::pin(self.save_record(record))
            }

            fn load<'s, 'i, 'f>(&'s self, id: &'i Id) -> StoreFuture<'f, Option<Record>>
            where
                's: 'f,
                'i: 'f,
                Self: 'f,
            {
                Box::pin(self.load_record(id))
            }

            fn delete<'s, 'i, 'f>(&'s self, id: &'i Id) -> StoreFuture<'f, ()>
            where
                's: 'f,
                'i: 'f,
                Self: 'f,
            {
                Box::pin(self.delete_record(id))
            }
        }
    };
}

/// The session store the shop runs with, chosen by configuration.
#[derive(Clone, Debug)]
pub enum AppSessionStore {
    Db(DbSessionStore),
    Redis(RedisSessionStore),
}

impl AppSessionStore {
    async fn create_record(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Db(store) => store.create_record(record).await,
            Self::Redis(store) => store.create_record(record).await,
        }
    }

    async fn save_record(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Db(store) => store.save_record(record).await,
            Self::Redis(store) => store.save_record(record).await,
        }
    }

    async fn load_record(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Db(store) => store.load_record(id).await,
            Self::Redis(store) => store.load_record(id).await,
        }
    }

    async fn delete_record(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Db(store) => store.delete_record(id).await,
            Self::Redis(store) => store.delete_record(id).await,
        }
    }
}

forward_session_store!(AppSessionStore);

impl From<DbSessionStore> for AppSessionStore {
    fn from(store: DbSessionStore) -> Self {
        Self::Db(store)
    }
}

impl From<RedisSessionStore> for AppSessionStore {
    fn from(store: RedisSessionStore) -> Self {
        Self::Redis(store)
    }
}

/// The signed-in user a session belongs to, copied into its own column so
/// that all of a user's sessions can be ended at once.
fn user_id_of(record: &Record) -> Option<i64> {
    record.data.get("user_id").and_then(Value::as_i64)
}

/// The session's key in either store.
fn id_hash(id: &Id) -> String {
    sessions::hash_id(&id.to_string())
}

// serde_json's messages quote the offending input, so they are dropped.
fn encode_error(_: serde_json::Error) -> StoreError {
    StoreError::Encode("session data could not be encoded".to_owned())
}

fn decode_error(_: serde_json::Error) -> StoreError {
    StoreError::Decode("stored session data is not valid".to_owned())
}

/// Names the kind of database failure; a driver message may quote values.
fn db_error(error: DbError) -> StoreError {
    let what = match &error {
        sqlx::Error::Database(e) => {
            return StoreError::Backend(format!(
                "session database error (code {})",
                e.code().as_deref().unwrap_or("unknown")
            ));
        }
        e if db::is_unavailable(e) => "session database unavailable",
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => "session row unreadable",
        _ => "session database error",
    };
    StoreError::Backend(what.to_owned())
}

/// Session state in the `sessions` table.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    pub db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    fn encode(record: &Record) -> session_store::Result<String> {
        let data = serde_json::to_string(&record.data).map_err(encode_error)?;
        if data.len() > sessions::MAX_DATA_LEN {
            return Err(StoreError::Encode(format!(
                "session data exceeds {} bytes",
                sessions::MAX_DATA_LEN
            )));
        }
        Ok(data)
    }

    async fn create_record(&self, record: &mut Record) -> session_store::Result<()> {
        let data = Self::encode(record)?;
        let user_id = user_id_of(record);
        let expires_at = record.expiry_date.unix_timestamp();
        let mut conn = self.db.conn().await.map_err(db_error)?;
        for _ in 0..MAX_CREATE_ATTEMPTS {
            let inserted = sessions::insert_session(
                &mut conn,
                &id_hash(&record.id),
                user_id,
                &data,
                expires_at,
            )
            .await
            .map_err(db_error)?;
            if inserted {
                return Ok(());
            }
            // Never write over a row that exists: it is someone's session.
            record.id = Id::default();
        }
        Err(StoreError::Backend(
            "no free session id after repeated collisions".to_owned(),
        ))
    }

    async fn save_record(&self, record: &Record) -> session_store::Result<()> {
        let data = Self::encode(record)?;
        let mut conn = self.db.conn().await.map_err(db_error)?;
        sessions::save_session(
            &mut conn,
            &id_hash(&record.id),
            user_id_of(record),
            &data,
            record.expiry_date.unix_timestamp(),
        )
        .await
        .map_err(db_error)
    }

    async fn load_record(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut conn = self.db.conn().await.map_err(db_error)?;
        let Some(entry) = sessions::load_session_entry(&mut conn, &id_hash(id), db::now())
            .await
            .map_err(db_error)?
        else {
            return Ok(None);
        };
        let data: HashMap<String, Value> =
            serde_json::from_str(&entry.data).map_err(decode_error)?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(entry.expires_at)
            .map_err(|_| StoreError::Decode("stored session expiry is out of range".to_owned()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete_record(&self, id: &Id) -> session_store::Result<()> {
        let mut conn = self.db.conn().await.map_err(db_error)?;
        sessions::delete_session(&mut conn, &id_hash(id))
            .await
            .map_err(db_error)
    }
}

forward_session_store!(DbSessionStore);

/// Session state in Redis, one key per session, expired by Redis itself.
#[derive(Clone)]
pub struct RedisSessionStore {
    conn: ConnectionManager,
    prefix: String,
}

// By hand: nothing about the connection (its URL may hold a password)
// belongs in a log line.
impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// What one Redis key holds.
#[derive(serde::Serialize)]
struct RedisEntryRef<'a> {
    data: &'a HashMap<String, Value>,
    expiry: i64,
}

#[derive(serde::Deserialize)]
struct RedisEntry {
    data: HashMap<String, Value>,
    expiry: i64,
}

/// Names the kind of Redis failure; a server reply may quote values.
fn redis_error(error: redis::RedisError) -> StoreError {
    if error.is_timeout()
        || error.is_io_error()
        || error.is_connection_refusal()
        || error.is_connection_dropped()
    {
        StoreError::Backend("session cache unavailable".to_owned())
    } else {
        StoreError::Backend(format!("session cache error ({:?})", error.kind()))
    }
}

impl RedisSessionStore {
    /// Connects to Redis at `url` and checks that it answers PING within
    /// five seconds, so a wrong URL stops startup instead of every request.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        // The URL stays out of every message: it may carry a password.
        let client = redis::Client::open(url).context("parsing the Redis URL")?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_CONNECT_WITHIN))
            .set_response_timeout(Some(REDIS_RESPONSE_TIMEOUT));
        let connect = async {
            let mut conn = ConnectionManager::new_with_config(client, config).await?;
            let _pong: String = redis::cmd("PING").query_async(&mut conn).await?;
            Ok::<_, redis::RedisError>(conn)
        };
        let conn = tokio::time::timeout(REDIS_CONNECT_WITHIN, connect)
            .await
            .map_err(|_| anyhow::anyhow!("Redis did not answer PING within 5 s"))?
            .context("connecting to Redis")?;
        Ok(Self {
            conn,
            prefix: REDIS_KEY_PREFIX.to_owned(),
        })
    }

    /// The same store under another key prefix, so tests never touch the
    /// keys of a shop sharing the server.
    #[cfg(test)]
    fn with_prefix(self, prefix: String) -> Self {
        Self { prefix, ..self }
    }

    fn key(&self, id: &Id) -> String {
        format!("{}{}", self.prefix, id_hash(id))
    }

    /// The value to store and its time to live; Redis needs a positive
    /// TTL, and a session past its expiry only has to last until it is
    /// read once more and found expired.
    fn encode(record: &Record) -> session_store::Result<(String, i64)> {
        let expiry = record.expiry_date.unix_timestamp();
        let value = serde_json::to_string(&RedisEntryRef {
            data: &record.data,
            expiry,
        })
        .map_err(encode_error)?;
        Ok((value, (expiry - db::now()).max(1)))
    }

    async fn create_record(&self, record: &mut Record) -> session_store::Result<()> {
        let (value, ttl) = Self::encode(record)?;
        let mut conn = self.conn.clone();
        for _ in 0..MAX_CREATE_ATTEMPTS {
            let set: Option<String> = redis::cmd("SET")
                .arg(self.key(&record.id))
                .arg(&value)
                .arg("NX")
                .arg("EX")
                .arg(ttl)
                .query_async(&mut conn)
                .await
                .map_err(redis_error)?;
            if set.is_some() {
                return Ok(());
            }
            // NX refused: the key is someone's session, never overwrite it.
            record.id = Id::default();
        }
        Err(StoreError::Backend(
            "no free session id after repeated collisions".to_owned(),
        ))
    }

    async fn save_record(&self, record: &Record) -> session_store::Result<()> {
        let (value, ttl) = Self::encode(record)?;
        let mut conn = self.conn.clone();
        let _: () = redis::cmd("SET")
            .arg(self.key(&record.id))
            .arg(value)
            .arg("EX")
            .arg(ttl)
            .query_async(&mut conn)
            .await
            .map_err(redis_error)?;
        Ok(())
    }

    async fn load_record(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut conn = self.conn.clone();
        let value: Option<String> = redis::cmd("GET")
            .arg(self.key(id))
            .query_async(&mut conn)
            .await
            .map_err(redis_error)?;
        let Some(value) = value else {
            return Ok(None);
        };
        let entry: RedisEntry = serde_json::from_str(&value).map_err(decode_error)?;
        // The TTL is rounded up to whole seconds, so the key can outlive
        // the session by a moment.
        if entry.expiry <= db::now() {
            return Ok(None);
        }
        let expiry_date = OffsetDateTime::from_unix_timestamp(entry.expiry)
            .map_err(|_| StoreError::Decode("stored session expiry is out of range".to_owned()))?;
        Ok(Some(Record {
            id: *id,
            data: entry.data,
            expiry_date,
        }))
    }

    async fn delete_record(&self, id: &Id) -> session_store::Result<()> {
        let mut conn = self.conn.clone();
        let _: i64 = redis::cmd("DEL")
            .arg(self.key(id))
            .query_async(&mut conn)
            .await
            .map_err(redis_error)?;
        Ok(())
    }
}

forward_session_store!(RedisSessionStore);

async fn try_purge(db: &Db) -> Result<u64, DbError> {
    let mut conn = db.conn().await?;
    sessions::purge_expired_sessions(&mut conn, db::now()).await
}

fn log_purge(result: &Result<u64, DbError>) {
    match result {
        Ok(0) => tracing::debug!("no expired sessions to purge"),
        Ok(purged) => tracing::info!(purged, "purged expired sessions"),
        Err(error) => tracing::warn!(%error, "purging expired sessions failed"),
    }
}

/// Deletes the database's expired sessions now; returns how many. A
/// failure is logged and counts as none: the next run catches up.
pub async fn purge_expired(db: &Db) -> u64 {
    let result = try_purge(db).await;
    log_purge(&result);
    result.unwrap_or(0)
}

/// Purges expired database sessions at once and then every ten minutes,
/// until the pool is closed. Not needed with Redis, which expires keys
/// itself.
pub fn spawn_purger(db: Db) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(PURGE_EVERY);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let result = try_purge(&db).await;
            // A closed pool means the shop is shutting down.
            if matches!(result, Err(sqlx::Error::PoolClosed)) {
                break;
            }
            log_purge(&result);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DatabaseUrl;

    const REDIS_URL: &str = "redis://127.0.0.1:6379";

    async fn temp_db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.db");
        let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).expect("url");
        let db = Db::connect_url(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        (dir, db)
    }

    fn record(expiry: OffsetDateTime, data: &[(&str, Value)]) -> Record {
        Record {
            id: Id::default(),
            data: data
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            expiry_date: expiry,
        }
    }

    fn in_an_hour() -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::hours(1)
    }

    /// The expiry a store gives back: whole seconds.
    fn seconds(at: OffsetDateTime) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(at.unix_timestamp()).expect("timestamp")
    }

    async fn insert_user(db: &Db, email: &str) -> i64 {
        let mut conn = db.conn().await.expect("conn");
        let result = sqlx::query(
            "INSERT INTO users (email, name, password_hash, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(email)
        .bind("Test User")
        .bind("x")
        .bind(db::now())
        .bind(db::now())
        .execute(&mut *conn)
        .await
        .expect("insert user");
        db::inserted_id(&mut conn, &result).await.expect("user id")
    }

    async fn count_rows(db: &Db) -> i64 {
        let mut conn = db.conn().await.expect("conn");
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
            .fetch_one(&mut *conn)
            .await
            .expect("count");
        n
    }

    /// Runs the create/load/save/delete cycle every store must pass.
    async fn round_trip(store: &AppSessionStore) {
        let mut rec = record(in_an_hour(), &[("cart", Value::from(3))]);
        store.create(&mut rec).await.expect("create");
        let loaded = store.load(&rec.id).await.expect("load").expect("present");
        assert_eq!(loaded.id, rec.id);
        assert_eq!(loaded.data, rec.data);
        assert_eq!(loaded.expiry_date, seconds(rec.expiry_date));

        rec.data.insert("flash".to_owned(), Value::from("saved"));
        rec.expiry_date += time::Duration::minutes(5);
        store.save(&rec).await.expect("save");
        let loaded = store.load(&rec.id).await.expect("load").expect("present");
        assert_eq!(loaded.data, rec.data);
        assert_eq!(loaded.expiry_date, seconds(rec.expiry_date));

        // A second create with a taken id must move to a new id and leave
        // the first session alone.
        let mut clash = record(in_an_hour(), &[("other", Value::Bool(true))]);
        clash.id = rec.id;
        store.create(&mut clash).await.expect("create clash");
        assert_ne!(clash.id, rec.id);
        let first = store.load(&rec.id).await.expect("load").expect("present");
        assert_eq!(first.data, rec.data);
        let second = store.load(&clash.id).await.expect("load").expect("present");
        assert_eq!(second.data, clash.data);

        // Saving a session the store has never seen creates it.
        let fresh = record(in_an_hour(), &[]);
        store.save(&fresh).await.expect("save fresh");
        assert!(store.load(&fresh.id).await.expect("load").is_some());

        // An expired session is never handed out, created or saved.
        let mut old = record(
            OffsetDateTime::now_utc() - time::Duration::seconds(10),
            &[("stale", Value::Bool(true))],
        );
        store.create(&mut old).await.expect("create expired");
        assert!(store.load(&old.id).await.expect("load").is_none());
        store.save(&old).await.expect("save expired");
        assert!(store.load(&old.id).await.expect("load").is_none());

        for id in [rec.id, clash.id, fresh.id, old.id] {
            store.delete(&id).await.expect("delete");
            assert!(store.load(&id).await.expect("load").is_none());
        }
        store.delete(&rec.id).await.expect("delete twice");
        assert!(store.load(&Id::default()).await.expect("load").is_none());
    }

    #[tokio::test]
    async fn db_store_round_trip() {
        let (_dir, db) = temp_db().await;
        let store = AppSessionStore::from(DbSessionStore::new(db.clone()));
        round_trip(&store).await;
        assert_eq!(count_rows(&db).await, 0);
    }

    #[tokio::test]
    async fn db_store_keeps_only_the_hash() {
        let (_dir, db) = temp_db().await;
        let store = DbSessionStore::new(db.clone());
        let mut rec = record(in_an_hour(), &[("note", Value::from("hello"))]);
        store.create(&mut rec).await.expect("create");
        let raw_id = rec.id.to_string();

        let mut conn = db.conn().await.expect("conn");
        let rows: Vec<(String, Option<i64>, String, i64, i64)> = sqlx::query_as(
            "SELECT id_hash, user_id, data, created_at, expires_at
             FROM sessions",
        )
        .fetch_all(&mut *conn)
        .await
        .expect("rows");
        assert_eq!(rows.len(), 1);
        let (hash, user_id, data, created_at, expires_at) = &rows[0];
        assert_eq!(*hash, sessions::hash_id(&raw_id));
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(*user_id, None);
        assert_eq!(*expires_at, rec.expiry_date.unix_timestamp());
        for column in [
            hash.clone(),
            data.clone(),
            created_at.to_string(),
            expires_at.to_string(),
        ] {
            assert!(!column.contains(&raw_id), "raw session id stored");
        }
    }

    #[tokio::test]
    async fn db_store_refuses_oversized_data() {
        let (_dir, db) = temp_db().await;
        let store = DbSessionStore::new(db.clone());
        let mut rec = record(in_an_hour(), &[("big", Value::from("x".repeat(9000)))]);
        let error = store.create(&mut rec).await.expect_err("too large");
        assert!(matches!(error, StoreError::Encode(_)));
        assert_eq!(count_rows(&db).await, 0);
    }

    #[tokio::test]
    async fn purge_removes_expired_rows_only() {
        let (_dir, db) = temp_db().await;
        let store = DbSessionStore::new(db.clone());
        let past = OffsetDateTime::now_utc() - time::Duration::minutes(1);
        for expiry in [past, past, in_an_hour()] {
            store.save(&record(expiry, &[])).await.expect("save");
        }
        assert_eq!(count_rows(&db).await, 3);
        assert_eq!(purge_expired(&db).await, 2);
        assert_eq!(count_rows(&db).await, 1);
        assert_eq!(purge_expired(&db).await, 0);

        // The background purger runs once right away.
        store.save(&record(past, &[])).await.expect("save");
        let purger = spawn_purger(db.clone());
        let mut left = count_rows(&db).await;
        for _ in 0..100 {
            if left == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            left = count_rows(&db).await;
        }
        purger.abort();
        assert_eq!(left, 1);
    }

    #[tokio::test]
    async fn user_sessions_end_together() {
        let (_dir, db) = temp_db().await;
        let store = DbSessionStore::new(db.clone());
        let alice = insert_user(&db, "alice@example.com").await;
        let bob = insert_user(&db, "bob@example.com").await;

        let mut phone = record(in_an_hour(), &[("user_id", Value::from(alice))]);
        let mut laptop = record(in_an_hour(), &[]);
        let mut other = record(in_an_hour(), &[("user_id", Value::from(bob))]);
        let mut visitor = record(in_an_hour(), &[("user_id", Value::from("not a number"))]);
        store.create(&mut phone).await.expect("create");
        store.create(&mut laptop).await.expect("create");
        store.create(&mut other).await.expect("create");
        store.create(&mut visitor).await.expect("create");
        // Signing in on the laptop later: `save` sets the user column too.
        laptop.data.insert("user_id".to_owned(), Value::from(alice));
        store.save(&laptop).await.expect("save");

        let mut conn = db.conn().await.expect("conn");
        assert_eq!(
            sessions::delete_user_sessions(&mut conn, alice)
                .await
                .expect("delete"),
            2
        );
        drop(conn);
        assert!(store.load(&phone.id).await.expect("load").is_none());
        assert!(store.load(&laptop.id).await.expect("load").is_none());
        assert!(store.load(&other.id).await.expect("load").is_some());
        assert!(store.load(&visitor.id).await.expect("load").is_some());
    }

    /// A store on the local Redis under a fresh key prefix, or None (with
    /// a note) when none answers and services are not required.
    async fn redis_store() -> Option<RedisSessionStore> {
        let required = std::env::var("WEBSTORE_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
        match RedisSessionStore::connect(REDIS_URL).await {
            Ok(store) => {
                let prefix = format!("webstore-test:{}:session:", uuid::Uuid::new_v4().simple());
                Some(store.with_prefix(prefix))
            }
            Err(error) if required => panic!("Redis at {REDIS_URL} is required: {error:#}"),
            Err(error) => {
                eprintln!("skipping the Redis test: no Redis at {REDIS_URL} ({error:#})");
                None
            }
        }
    }

    async fn redis_keys(store: &RedisSessionStore) -> Vec<String> {
        let mut conn = store.conn.clone();
        redis::cmd("KEYS")
            .arg(format!("{}*", store.prefix))
            .query_async(&mut conn)
            .await
            .expect("keys")
    }

    #[tokio::test]
    async fn redis_store_round_trip() {
        let Some(redis) = redis_store().await else {
            return;
        };
        let store = AppSessionStore::from(redis.clone());
        round_trip(&store).await;
        assert!(redis_keys(&redis).await.is_empty());

        let mut rec = record(in_an_hour(), &[("note", Value::from("hello"))]);
        store.create(&mut rec).await.expect("create");
        let raw_id = rec.id.to_string();
        let keys = redis_keys(&redis).await;
        assert_eq!(keys, vec![redis.key(&rec.id)]);
        assert!(keys[0].ends_with(&sessions::hash_id(&raw_id)));
        let mut conn = redis.conn.clone();
        let value: String = redis::cmd("GET")
            .arg(&keys[0])
            .query_async(&mut conn)
            .await
            .expect("get");
        assert!(!keys[0].contains(&raw_id) && !value.contains(&raw_id));
        let ttl: i64 = redis::cmd("TTL")
            .arg(&keys[0])
            .query_async(&mut conn)
            .await
            .expect("ttl");
        assert!((3500..=3600).contains(&ttl), "ttl {ttl}");

        store.delete(&rec.id).await.expect("delete");
        assert!(redis_keys(&redis).await.is_empty());
    }
}
