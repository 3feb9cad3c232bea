//! Email addresses: the one spelling an account is known by.

use super::AccountError;

/// A normalised email address: trimmed, lower-cased, ASCII only.
///
/// Deliberately stricter than RFC 5321: quoted local parts, IP-literal
/// domains and internationalised addresses are refused, because every
/// address we accept must be safe to put in a mail header, a URL and a
/// unique database index without further escaping, and must compare equal
/// however the shopper capitalised it.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MIN_CHARS: usize = 3;
    pub const MAX_CHARS: usize = 254;
    pub const MAX_LOCAL_CHARS: usize = 64;
    /// DNS limit for one label of a domain name.
    const MAX_LABEL_CHARS: usize = 63;

    pub fn parse(text: &str) -> Result<Self, AccountError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AccountError::EmailEmpty);
        }
        // ASCII is checked before lower-casing: Unicode case folding maps
        // look-alikes such as the Kelvin sign (U+212A) onto ASCII letters,
        // which would let two different inputs become the same account.
        if !text.is_ascii() {
            return Err(AccountError::EmailInvalid);
        }
        // ASCII from here on, so bytes and characters are the same count.
        if text.len() > Self::MAX_CHARS {
            return Err(AccountError::EmailTooLong);
        }
        if text.len() < Self::MIN_CHARS {
            return Err(AccountError::EmailInvalid);
        }
        let address = text.to_ascii_lowercase();
        let Some((local, domain)) = address.split_once('@') else {
            return Err(AccountError::EmailInvalid);
        };
        if valid_local_part(local) && valid_domain(domain) {
            Ok(Self(address))
        } else {
            Err(AccountError::EmailInvalid)
        }
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or(&self.0, |(local, _)| local)
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }
}

/// `a-z0-9` and the RFC 5322 `atext` specials, dots only between atoms.
fn valid_local_part(local: &str) -> bool {
    const SPECIALS: &[u8] = b".!#$%&'*+/=?^_`{|}~-";
    (1..=Email::MAX_LOCAL_CHARS).contains(&local.len())
        && local
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || SPECIALS.contains(&b))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

/// Dot-separated labels of `a-z0-9-` (no `-` at either end), at least two,
/// the last (the TLD) two or more letters. A second `@` fails here too.
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=Email::MAX_LABEL_CHARS).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_lowercase()));
    labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

impl TryFrom<String> for Email {
    type Error = AccountError;
    fn try_from(text: String) -> Result<Self, AccountError> {
        Self::parse(&text)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

text_value!(Email);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::checks::{email, refuses};

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        let e = email("  Jane.Doe+Shop@Example.COM \n");
        assert_eq!(e.as_str(), "jane.doe+shop@example.com");
        assert_eq!(e.local_part(), "jane.doe+shop");
        assert_eq!(e.domain(), "example.com");
        assert_eq!(e.to_string(), "jane.doe+shop@example.com");
        assert_eq!(email("a@b.co").as_str(), "a@b.co");
        assert_eq!(
            email("o'brien!#$%&*/=?^_`{|}~-x@mail.sub-domain.example.org").local_part(),
            "o'brien!#$%&*/=?^_`{|}~-x"
        );
        assert_eq!(email("x@123.example.io").domain(), "123.example.io");
    }

    #[test]
    fn emails_are_refused_when_malformed() {
        assert_eq!(Email::parse(""), Err(AccountError::EmailEmpty));
        assert_eq!(Email::parse("   "), Err(AccountError::EmailEmpty));
        refuses(
            Email::parse,
            AccountError::EmailInvalid,
            &[
                "a@",
                "@b",
                "ab",
                "plainaddress",
                "@example.com",
                "a@@example.com",
                "a@b@example.com",
                "a@example",
                "a@example.c",
                "a@example.c0m",
                "a@example.123",
                "a@-example.com",
                "a@example-.com",
                "a@exa_mple.com",
                "a@example..com",
                "a@.example.com",
                "a@example.com.",
                ".a@example.com",
                "a.@example.com",
                "a..b@example.com",
                "a b@example.com",
                "a@exa mple.com",
                "a\t@example.com",
                "a\0@example.com",
                "a\r\nBcc: x@example.com",
                "\"a\"@example.com",
                "a(b)@example.com",
                "a,b@example.com",
                "a;b@example.com",
                "a<b>@example.com",
                "a\\b@example.com",
                "a@[127.0.0.1]",
                "jöhn@example.com",
                "john@exämple.com",
                // Kelvin sign: would lower-case to an ASCII "k".
                "\u{212A}@example.com",
            ],
        );
    }

    #[test]
    fn email_lengths_are_bounded() {
        let local64 = "l".repeat(64);
        assert!(Email::parse(&format!("{local64}@example.com")).is_ok());
        assert_eq!(
            Email::parse(&format!("{}@example.com", "l".repeat(65))),
            Err(AccountError::EmailInvalid)
        );
        // 64 + 1 + 189 = 254 characters: the most allowed.
        let domain189 = format!(
            "{}.{}.{}.com",
            "a".repeat(61),
            "b".repeat(61),
            "c".repeat(61)
        );
        assert_eq!(domain189.len(), 189);
        let longest = format!("{local64}@{domain189}");
        assert_eq!(longest.len(), 254);
        assert!(Email::parse(&longest).is_ok());
        let too_long = format!("{local64}@d{domain189}");
        assert_eq!(Email::parse(&too_long), Err(AccountError::EmailTooLong));
        assert_eq!(
            Email::parse(&format!("a@{}.com", "x".repeat(64))),
            Err(AccountError::EmailInvalid)
        );
    }

    #[test]
    fn emails_round_trip_through_serde_as_strings() {
        let e: Email = serde_json::from_str("\"Jane@Example.com\"").expect("valid");
        assert_eq!(e.as_str(), "jane@example.com");
        assert_eq!(
            serde_json::to_string(&e).expect("serialises"),
            "\"jane@example.com\""
        );
        assert!(serde_json::from_str::<Email>("\"not an email\"").is_err());
        assert!(serde_json::from_str::<Email>("42").is_err());
    }
}
