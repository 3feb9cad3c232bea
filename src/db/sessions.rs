//! Sessions: server-side session state for `tower-sessions`.
//!
//! Rows are keyed by the SHA-256 of the session id, never the id itself:
//! the id is the cookie value, so a leaked table or backup must not let
//! anyone present a live session. Every function here takes the hash.

use sha2::{Digest as _, Sha256};

use super::{Backend, Connection, DbError, is_unique_violation, now};

/// The most bytes of session JSON a row holds: `sessions.data` is a
/// VARCHAR(8000), and MySQL in strict mode refuses anything longer.
pub const MAX_DATA_LEN: usize = 8000;

/// The hex SHA-256 (64 lower-case characters) of a session id, the only
/// form in which an id is stored.
pub fn hash_id(id: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(id.as_bytes());
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

/// The backend a connection speaks to, for the few statements whose SQL
/// differs. A transaction has no `Db` beside it, so this asks the
/// connection; `Db::connect_url` installs only the SQLite and MySQL drivers.
pub(crate) fn backend_of(conn: &Connection) -> Backend {
    match conn.backend_name() {
        "MySQL" => Backend::MySql,
        _ => Backend::Sqlite,
    }
}

/// A live session row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionEntry {
    /// The session data as JSON.
    pub data: String,
    /// Unix seconds after which the row is no longer a session.
    pub expires_at: i64,
}

const LOAD_SESSION: &str = "\
SELECT data, expires_at
FROM sessions
WHERE id_hash = ?
  AND expires_at > ?";

/// The data and expiry of a session that has not expired at `now`. An
/// expired row is treated as absent even before the purge removes it.
pub async fn load_session_entry(
    conn: &mut Connection,
    id_hash: &str,
    now: i64,
) -> Result<Option<SessionEntry>, DbError> {
    sqlx::query_as::<_, SessionEntry>(LOAD_SESSION)
        .bind(id_hash)
        .bind(now)
        .fetch_optional(conn)
        .await
}

/// The data (JSON) of a session that has not expired at `now`.
pub async fn load_session(
    conn: &mut Connection,
    id_hash: &str,
    now: i64,
) -> Result<Option<String>, DbError> {
    Ok(load_session_entry(conn, id_hash, now)
        .await?
        .map(|entry| entry.data))
}

const INSERT_SESSION: &str = "\
INSERT INTO sessions (id_hash, user_id, data, created_at, expires_at)
VALUES (?, ?, ?, ?, ?)";

/// Stores a new session. False when a row with this hash already exists
/// (expired or not), so the caller picks another id instead of taking
/// over someone else's session.
pub async fn insert_session(
    conn: &mut Connection,
    id_hash: &str,
    user_id: Option<i64>,
    data: &str,
    expires_at: i64,
) -> Result<bool, DbError> {
    let result = sqlx::query(INSERT_SESSION)
        .bind(id_hash)
        .bind(user_id)
        .bind(data)
        .bind(now())
        .bind(expires_at)
        .execute(conn)
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

const SAVE_SESSION_SQLITE: &str = "\
INSERT INTO sessions (id_hash, user_id, data, created_at, expires_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (id_hash) DO UPDATE SET
    user_id = excluded.user_id,
    data = excluded.data,
    expires_at = excluded.expires_at";

// `VALUES(col)` rather than MySQL 8's row alias: MariaDB knows only this
// form, and MySQL still accepts it.
const SAVE_SESSION_MYSQL: &str = "\
INSERT INTO sessions (id_hash, user_id, data, created_at, expires_at)
VALUES (?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE
    user_id = VALUES(user_id),
    data = VALUES(data),
    expires_at = VALUES(expires_at)";

/// Writes a session, creating the row or replacing its user, data and
/// expiry; `created_at` keeps the time the session was first stored.
pub async fn save_session(
    conn: &mut Connection,
    id_hash: &str,
    user_id: Option<i64>,
    data: &str,
    expires_at: i64,
) -> Result<(), DbError> {
    let sql = match backend_of(conn) {
        Backend::Sqlite => SAVE_SESSION_SQLITE,
        Backend::MySql => SAVE_SESSION_MYSQL,
    };
    sqlx::query(sql)
        .bind(id_hash)
        .bind(user_id)
        .bind(data)
        .bind(now())
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

const DELETE_SESSION: &str = "\
DELETE FROM sessions
WHERE id_hash = ?";

/// Removes one session; removing an absent one is not an error.
pub async fn delete_session(conn: &mut Connection, id_hash: &str) -> Result<(), DbError> {
    sqlx::query(DELETE_SESSION)
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

const DELETE_USER_SESSIONS: &str = "\
DELETE FROM sessions
WHERE user_id = ?";

/// Signs a user out everywhere (password change, account lock); returns
/// how many sessions were removed.
pub async fn delete_user_sessions(conn: &mut Connection, user_id: i64) -> Result<u64, DbError> {
    let result = sqlx::query(DELETE_USER_SESSIONS)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(result.rows_affected())
}

const PURGE_EXPIRED_SESSIONS: &str = "\
DELETE FROM sessions
WHERE expires_at <= ?";

/// Removes the sessions expired at `now`; returns how many.
pub async fn purge_expired_sessions(conn: &mut Connection, now: i64) -> Result<u64, DbError> {
    let result = sqlx::query(PURGE_EXPIRED_SESSIONS)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(result.rows_affected())
}

/// A whole row, for tests that check what is kept at rest.
#[cfg(test)]
#[derive(Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: Option<i64>,
    pub data: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[cfg(test)]
const ALL_ROWS: &str = "\
SELECT id_hash, user_id, data, created_at, expires_at
FROM sessions
ORDER BY id_hash";

/// Every row as stored, expired ones included.
#[cfg(test)]
pub async fn all_rows(conn: &mut Connection) -> Result<Vec<SessionRow>, DbError> {
    sqlx::query_as::<_, SessionRow>(ALL_ROWS)
        .fetch_all(conn)
        .await
}

/// A migrated SQLite database in a temporary directory, for the tests of
/// this table and of the session store on it.
#[cfg(test)]
pub(crate) async fn temp_db() -> (tempfile::TempDir, super::Db) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sessions.db");
    let url =
        crate::config::DatabaseUrl::parse(&format!("sqlite://{}", path.display())).expect("url");
    let db = super::Db::connect_url(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    (dir, db)
}

#[cfg(test)]
mod tests {
    use sqlx::Connection as _;

    use super::*;
    use crate::config::DatabaseUrl;
    use crate::db::Db;

    const DEFAULT_MARIADB: &str = "mysql://root@127.0.0.1:3306";

    #[test]
    fn hash_id_is_hex_sha256() {
        assert_eq!(
            hash_id("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hash_id("").len(), 64);
        assert_ne!(hash_id("a"), hash_id("b"));
    }

    /// Insert, upsert, load, delete and purge, on either backend.
    async fn exercise(db: &Db, backend: Backend) {
        let mut conn = db.conn().await.expect("conn");
        assert_eq!(backend_of(&conn), backend);
        let t = now();
        let hash = hash_id("some-id");
        let later = t + 3600;

        assert!(
            insert_session(&mut conn, &hash, None, "{}", later)
                .await
                .expect("insert")
        );
        assert!(
            !insert_session(&mut conn, &hash, None, r#"{"x":1}"#, later)
                .await
                .expect("second insert")
        );
        assert_eq!(
            load_session(&mut conn, &hash, t).await.expect("load"),
            Some("{}".to_owned())
        );

        save_session(&mut conn, &hash, None, r#"{"x":2}"#, later + 60)
            .await
            .expect("save existing");
        assert_eq!(
            load_session_entry(&mut conn, &hash, t).await.expect("load"),
            Some(SessionEntry {
                data: r#"{"x":2}"#.to_owned(),
                expires_at: later + 60,
            })
        );

        let fresh = hash_id("other-id");
        save_session(&mut conn, &fresh, None, "{}", later)
            .await
            .expect("save new");
        assert!(
            load_session(&mut conn, &fresh, t)
                .await
                .expect("load")
                .is_some()
        );

        delete_session(&mut conn, &hash).await.expect("delete");
        delete_session(&mut conn, &hash)
            .await
            .expect("delete again");
        assert_eq!(load_session(&mut conn, &hash, t).await.expect("load"), None);

        let old = hash_id("old");
        assert!(
            insert_session(&mut conn, &old, None, "{}", t - 1)
                .await
                .expect("insert")
        );
        assert_eq!(load_session(&mut conn, &old, t).await.expect("load"), None);
        assert_eq!(
            purge_expired_sessions(&mut conn, t).await.expect("purge"),
            1
        );
        assert_eq!(
            purge_expired_sessions(&mut conn, t).await.expect("purge"),
            0
        );
        assert!(
            load_session(&mut conn, &fresh, t)
                .await
                .expect("load")
                .is_some()
        );
        assert_eq!(delete_user_sessions(&mut conn, 1).await.expect("delete"), 0);
    }

    #[tokio::test]
    async fn sessions_on_sqlite() {
        let (_dir, db) = temp_db().await;
        exercise(&db, Backend::Sqlite).await;
    }

    /// The same on MariaDB, in a database of its own (named like the
    /// integration tests' so their sweep removes one a killed run left).
    #[tokio::test]
    async fn sessions_on_mariadb() {
        let required = std::env::var("WEBSTORE_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
        let server = std::env::var("WEBSTORE_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| DEFAULT_MARIADB.to_owned());
        let server = server.trim_end_matches('/');
        let connect = tokio::time::timeout(
            std::time::Duration::from_secs(3),
            sqlx::MySqlConnection::connect(server),
        )
        .await;
        let Ok(Ok(mut admin)) = connect else {
            assert!(
                !required,
                "MariaDB is required but does not answer at {server}"
            );
            eprintln!("skipping the MariaDB test: no server at {server}");
            return;
        };
        let name = format!("webstore_test_{}_{}", now(), uuid::Uuid::new_v4().simple());
        sqlx::query(&format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        ))
        .execute(&mut admin)
        .await
        .expect("create database");
        let url = DatabaseUrl::parse(&format!("{server}/{name}")).expect("url");
        let db = Db::connect_url(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        exercise(&db, Backend::MySql).await;
        db.close().await;
        sqlx::query(&format!("DROP DATABASE `{name}`"))
            .execute(&mut admin)
            .await
            .expect("drop database");
    }
}
