//! Session state in the `sessions` table, and the purge of expired rows.
//!
//! May import: db (the sessions table), domain (in its tests).

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, Error as StoreError};

use super::{
    MAX_CREATE_ATTEMPTS, decode_error, encode_error, expiry_date, id_hash, no_free_id, user_id_of,
};
use crate::db::{self, Db, DbError, ErrorKind, sessions};

/// How often the database store drops expired rows. Loading already
/// ignores them, so this only bounds the table's size.
const PURGE_EVERY: Duration = Duration::from_secs(600);

/// Names the kind of database failure; a driver message may quote values.
fn db_error(error: DbError) -> StoreError {
    StoreError::Backend(match ErrorKind::of(&error) {
        ErrorKind::Unavailable | ErrorKind::Closed => "session database unavailable".to_owned(),
        ErrorKind::Unreadable => "session row unreadable".to_owned(),
        kind => format!("session database error ({kind})"),
    })
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
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
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
        Err(no_free_id())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
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

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut conn = self.db.conn().await.map_err(db_error)?;
        let Some(entry) = sessions::load_session_entry(&mut conn, &id_hash(id), db::now())
            .await
            .map_err(db_error)?
        else {
            return Ok(None);
        };
        let data: HashMap<String, Value> =
            serde_json::from_str(&entry.data).map_err(decode_error)?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date: expiry_date(entry.expires_at)?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let mut conn = self.db.conn().await.map_err(db_error)?;
        sessions::delete_session(&mut conn, &id_hash(id))
            .await
            .map_err(db_error)
    }
}

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
            if let Err(error) = &result
                && ErrorKind::of(error) == ErrorKind::Closed
            {
                break;
            }
            log_purge(&result);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::AppSessionStore;
    use super::super::testing::{in_an_hour, record, round_trip};
    use super::*;
    use crate::db::sessions::temp_db;
    use crate::domain::account::Email;
    use crate::domain::{Role, UserId};
    use time::OffsetDateTime;

    async fn insert_user(db: &Db, email: &str) -> UserId {
        let mut conn = db.conn().await.expect("conn");
        let email = Email::parse(email).expect("email");
        db::users::insert_user(&mut conn, &email, "Test User", "x", Role::Customer)
            .await
            .expect("insert user")
            .expect("a new email")
    }

    async fn count_rows(db: &Db) -> usize {
        let mut conn = db.conn().await.expect("conn");
        sessions::all_rows(&mut conn).await.expect("rows").len()
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
        let rows = sessions::all_rows(&mut conn).await.expect("rows");
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.id_hash, sessions::hash_id(&raw_id));
        assert_eq!(row.id_hash.len(), 64);
        assert!(row.id_hash.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(row.user_id, None);
        assert_eq!(row.expires_at, rec.expiry_date.unix_timestamp());
        for column in [
            row.id_hash.clone(),
            row.data.clone(),
            row.created_at.to_string(),
            row.expires_at.to_string(),
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
    async fn the_purger_stops_when_the_pool_closes() {
        let (_dir, db) = temp_db().await;
        db.close().await;
        // Its first run comes at once and finds the pool closed.
        let purger = spawn_purger(db.clone());
        tokio::time::timeout(Duration::from_secs(5), purger)
            .await
            .expect("the purger ends")
            .expect("no panic");
    }

    #[tokio::test]
    async fn user_sessions_end_together() {
        let (_dir, db) = temp_db().await;
        let store = DbSessionStore::new(db.clone());
        let alice = insert_user(&db, "alice@example.com").await.get();
        let bob = insert_user(&db, "bob@example.com").await.get();

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
}
