//! Session state in Redis, one key per session, expired by Redis itself.
//!
//! May import: redis (the connection), db (the clock).

use std::collections::HashMap;
use std::fmt;

use redis::aio::ConnectionManager;
use serde_json::Value;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, Error as StoreError};

use super::{MAX_CREATE_ATTEMPTS, decode_error, encode_error, expiry_date, id_hash, no_free_id};
use crate::db;
use crate::redis::{self as link, Timeouts};

/// Redis keys: this prefix, then the hex hash of the session id.
const KEY_PREFIX: &str = "webstore:session:";

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
struct EntryRef<'a> {
    data: &'a HashMap<String, Value>,
    expiry: i64,
}

#[derive(serde::Deserialize)]
struct Entry {
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
        let client = link::client(&url.to_owned().into())?;
        Ok(Self {
            conn: link::connect(&client, Timeouts::STANDARD).await?,
            prefix: KEY_PREFIX.to_owned(),
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
        let value = serde_json::to_string(&EntryRef {
            data: &record.data,
            expiry,
        })
        .map_err(encode_error)?;
        Ok((value, (expiry - db::now()).max(1)))
    }
}

#[async_trait::async_trait]
impl SessionStore for RedisSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
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
        Err(no_free_id())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
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

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut conn = self.conn.clone();
        let value: Option<String> = redis::cmd("GET")
            .arg(self.key(id))
            .query_async(&mut conn)
            .await
            .map_err(redis_error)?;
        let Some(value) = value else {
            return Ok(None);
        };
        let entry: Entry = serde_json::from_str(&value).map_err(decode_error)?;
        // The TTL is rounded up to whole seconds, so the key can outlive
        // the session by a moment.
        if entry.expiry <= db::now() {
            return Ok(None);
        }
        Ok(Some(Record {
            id: *id,
            data: entry.data,
            expiry_date: expiry_date(entry.expiry)?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let mut conn = self.conn.clone();
        let _: i64 = redis::cmd("DEL")
            .arg(self.key(id))
            .query_async(&mut conn)
            .await
            .map_err(redis_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::AppSessionStore;
    use super::super::testing::{in_an_hour, record, round_trip};
    use super::*;

    const REDIS_URL: &str = "redis://127.0.0.1:6379";

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
        assert!(keys[0].ends_with(&db::sessions::hash_id(&raw_id)));
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
