//! What kind of failure a database error is, for code outside `db` that
//! must react to one (a taken email, a shutdown, an outage) without
//! looking inside the driver's error type.
//!
//! May import: sqlx (through its parent).

use std::fmt;

use super::{DbError, is_unavailable, is_unique_violation};

/// A database failure, named without its message: drivers quote values
/// (an email, a session hash) in theirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A UNIQUE constraint refused the write.
    UniqueViolation,
    /// The pool is closed: the shop is shutting down.
    Closed,
    /// The database is not there or not answering right now.
    Unavailable,
    /// A stored value did not decode into its type.
    Unreadable,
    /// The database refused the statement; its error code, if it gave one.
    Refused(Option<String>),
    /// Anything else (a bug, a protocol error).
    Other,
}

impl ErrorKind {
    pub fn of(error: &DbError) -> Self {
        match error {
            sqlx::Error::PoolClosed => Self::Closed,
            e if is_unavailable(e) => Self::Unavailable,
            e if is_unique_violation(e) => Self::UniqueViolation,
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => Self::Unreadable,
            sqlx::Error::Database(e) => Self::Refused(e.code().map(|c| c.into_owned())),
            _ => Self::Other,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UniqueViolation => f.write_str("unique violation"),
            Self::Closed => f.write_str("closed"),
            Self::Unavailable => f.write_str("unavailable"),
            Self::Unreadable => f.write_str("unreadable row"),
            Self::Refused(Some(code)) => write!(f, "refused (code {code})"),
            Self::Refused(None) => f.write_str("refused"),
            Self::Other => f.write_str("error"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_and_decode_failures_are_named_by_kind() {
        assert_eq!(ErrorKind::of(&sqlx::Error::PoolClosed), ErrorKind::Closed);
        assert_eq!(
            ErrorKind::of(&sqlx::Error::PoolTimedOut),
            ErrorKind::Unavailable
        );
        assert_eq!(
            ErrorKind::of(&sqlx::Error::Decode("bad".into())),
            ErrorKind::Unreadable
        );
        assert_eq!(
            ErrorKind::of(&sqlx::Error::RowNotFound).to_string(),
            "error"
        );
    }
}
