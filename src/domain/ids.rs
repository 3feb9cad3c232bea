//! Database ids as distinct types, parsed from untrusted text (paths, forms).

use std::fmt;
use std::str::FromStr;

/// Why a piece of text is not an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id")]
pub struct InvalidId;

/// Parses a positive decimal id: digits only (no sign, no spaces, no leading
/// zeros), 1 ..= i64::MAX.
fn parse_positive(text: &str) -> Result<i64, InvalidId> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 19 || bytes[0] == b'0' {
        return Err(InvalidId);
    }
    if !bytes.iter().all(u8::is_ascii_digit) {
        return Err(InvalidId);
    }
    text.parse::<i64>().map_err(|_| InvalidId)
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "i64", into = "i64")]
        pub struct $name(i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl TryFrom<i64> for $name {
            type Error = InvalidId;
            fn try_from(n: i64) -> Result<Self, InvalidId> {
                if n > 0 { Ok(Self(n)) } else { Err(InvalidId) }
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            fn from_str(text: &str) -> Result<Self, InvalidId> {
                parse_positive(text).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A product's id.
    ProductId
);
id_type!(
    /// A category's id.
    CategoryId
);
id_type!(
    /// An account's id.
    UserId
);
id_type!(
    /// A cart's id.
    CartId
);
id_type!(
    /// An order's id.
    OrderId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_positive_decimals_are_ids() {
        assert_eq!("7".parse::<ProductId>().map(ProductId::get), Ok(7));
        assert_eq!(
            "9223372036854775807"
                .parse::<ProductId>()
                .map(ProductId::get),
            Ok(i64::MAX)
        );
        for bad in [
            "",
            "0",
            "-1",
            "+1",
            "01",
            " 1",
            "1 ",
            "abc",
            "1.0",
            "1e3",
            "99999999999999999999",
            "9223372036854775808",
            "1' OR 1=1",
            "１",
        ] {
            assert_eq!(bad.parse::<ProductId>(), Err(InvalidId), "{bad:?}");
        }
    }

    #[test]
    fn json_ids_pass_the_same_check() {
        assert!(serde_json::from_str::<ProductId>("0").is_err());
        assert!(serde_json::from_str::<ProductId>("-4").is_err());
        assert_eq!(
            serde_json::from_str::<ProductId>("4")
                .map(ProductId::get)
                .ok(),
            Some(4)
        );
    }
}
