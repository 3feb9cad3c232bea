//! Where `tower-sessions` keeps session state: the shop's database (the
//! default, [`db`]) or Redis ([`redis`]), chosen by configuration.
//!
//! The session id is the cookie value, so neither store ever sees it at
//! rest: both key a session by `db::sessions::hash_id(id)`, and a leaked
//! table, dump or Redis snapshot gives no session anyone can present.
//! Error messages name what failed, never the data, because
//! `tower-sessions` logs them.
//!
//! May import: db (the sessions table and id hash), redis (the connection).

mod db;
mod redis;

use serde_json::Value;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, Error as StoreError};

pub use self::db::{DbSessionStore, purge_expired, spawn_purger};
pub use self::redis::RedisSessionStore;

/// Creating a session retries with a fresh id this often on a collision.
/// With 128 random bits even a second try is practically never needed; a
/// bound keeps a broken random source from spinning forever.
const MAX_CREATE_ATTEMPTS: usize = 8;

/// The session store the shop runs with, chosen by configuration.
#[derive(Clone, Debug)]
pub enum AppSessionStore {
    Db(DbSessionStore),
    Redis(RedisSessionStore),
}

impl AppSessionStore {
    fn inner(&self) -> &dyn SessionStore {
        match self {
            Self::Db(store) => store,
            Self::Redis(store) => store,
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for AppSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.inner().create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.inner().save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.inner().load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.inner().delete(id).await
    }
}

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
    crate::db::sessions::hash_id(&id.to_string())
}

// serde_json's messages quote the offending input, so they are dropped.
fn encode_error(_: serde_json::Error) -> StoreError {
    StoreError::Encode("session data could not be encoded".to_owned())
}

fn decode_error(_: serde_json::Error) -> StoreError {
    StoreError::Decode("stored session data is not valid".to_owned())
}

fn no_free_id() -> StoreError {
    StoreError::Backend("no free session id after repeated collisions".to_owned())
}

/// A stored expiry as the record's date.
fn expiry_date(unix: i64) -> session_store::Result<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map_err(|_| StoreError::Decode("stored session expiry is out of range".to_owned()))
}

/// Test helpers both stores' tests share.
#[cfg(test)]
mod testing {
    use super::*;
    use time::OffsetDateTime;

    pub fn record(expiry: OffsetDateTime, data: &[(&str, Value)]) -> Record {
        Record {
            id: Id::default(),
            data: data
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            expiry_date: expiry,
        }
    }

    pub fn in_an_hour() -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::hours(1)
    }

    /// The expiry a store gives back: whole seconds.
    fn seconds(at: OffsetDateTime) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(at.unix_timestamp()).expect("timestamp")
    }

    /// Runs the create/load/save/delete cycle every store must pass.
    pub async fn round_trip(store: &AppSessionStore) {
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
}
