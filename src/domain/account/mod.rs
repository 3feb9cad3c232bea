//! Account values: email addresses, names, contact and address fields, new
//! passwords and the password policy, and the per-field errors a form shows.
//! One file per noun; this one holds what they share: the field errors and
//! the characters no single-line field may hold.
//!
//! May import: std, serde, thiserror, zxcvbn (the password policy),
//! domain::countries.

mod address;
mod email;
mod password;
mod person;
mod profile;

use std::fmt;

pub use address::{AddressLine, City, Country, PostalCode};
pub use email::Email;
pub use password::{NewPassword, PasswordError};
pub use person::{PersonName, Phone};
pub use profile::{Profile, ProfileInput};

/// Why an account or address field was refused. Each message is written to
/// be shown next to the field as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("Enter your email address.")]
    EmailEmpty,
    #[error("Email address must be at most {max} characters.", max = Email::MAX_CHARS)]
    EmailTooLong,
    #[error("Enter a valid email address, like name@example.com.")]
    EmailInvalid,
    #[error("Enter your name.")]
    NameEmpty,
    #[error("Name must be at most {max} characters.", max = PersonName::MAX_CHARS)]
    NameTooLong,
    #[error("Name must not contain control characters.")]
    NameControl,
    #[error("Name must contain at least one letter.")]
    NameNoLetter,
    #[error("Phone number must be at most {max} characters.", max = Phone::MAX_CHARS)]
    PhoneTooLong,
    #[error("Phone number may contain only digits, spaces and - ( ) ., with + only at the start.")]
    PhoneInvalid,
    #[error(
        "Phone number must have {min} to {max} digits.",
        min = Phone::MIN_DIGITS,
        max = Phone::MAX_DIGITS
    )]
    PhoneDigits,
    #[error("Address line must be at most {max} characters.", max = AddressLine::MAX_CHARS)]
    AddressTooLong,
    #[error("Address must not contain control characters.")]
    AddressControl,
    #[error("City must be at most {max} characters.", max = City::MAX_CHARS)]
    CityTooLong,
    #[error("City may contain only letters, spaces, hyphens, apostrophes and dots.")]
    CityInvalid,
    #[error("Postal code must be at most {max} characters.", max = PostalCode::MAX_CHARS)]
    PostalCodeTooLong,
    #[error("Postal code may contain only letters, digits, spaces and hyphens.")]
    PostalCodeInvalid,
    #[error("Choose a country from the list.")]
    CountryUnknown,
}

/// Characters no single-line text field may hold: control characters
/// (including tab and newline, which would break layouts, logs and e-mail
/// headers), the Unicode line and paragraph separators, and the bidirectional
/// embedding/override/isolate marks, which can make a name or address display
/// differently from what it contains (spoofing in order lists and e-mails).
fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// Collapses every run of whitespace to one space and trims both ends.
fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An optional field, trimmed: `None` when blank, `too_long` past `max`
/// characters.
fn optional(text: &str, max: usize, too_long: AccountError) -> Result<Option<&str>, AccountError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(too_long);
    }
    Ok(Some(text))
}

/// The problems with a submitted form, field by field, in the order they
/// were found. Messages are user-facing; none may quote a secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Records `message` for `field`; a field may collect several.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    /// Records the error of `result` for `field`, if any, and hands back the
    /// value otherwise, so a form can check every field before giving up.
    pub fn check<T, E: fmt::Display>(
        &mut self,
        field: &'static str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.add(field, err.to_string());
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The first message recorded for `field`, for showing beside it.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, message)| message.as_str())
    }

    /// Every `(field, message)` in the order recorded.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0
            .iter()
            .map(|(field, message)| (*field, message.as_str()))
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (field, message)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{field}: {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

#[cfg(test)]
mod tests {
    use super::checks::email;
    use super::*;

    #[test]
    fn field_errors_keep_order_and_give_the_first_message() {
        let mut errors = FieldErrors::new();
        assert!(errors.is_empty());
        assert_eq!(errors.get("email"), None);
        errors.add("email", "first");
        errors.add("name", String::from("bad name"));
        errors.add("email", "second");
        assert!(!errors.is_empty());
        assert_eq!(errors.len(), 3);
        assert_eq!(errors.get("email"), Some("first"));
        assert_eq!(errors.get("name"), Some("bad name"));
        assert_eq!(errors.get("phone"), None);
        let all: Vec<_> = errors.iter().collect();
        assert_eq!(
            all,
            [
                ("email", "first"),
                ("name", "bad name"),
                ("email", "second")
            ]
        );
        assert_eq!(
            errors.to_string(),
            "email: first; name: bad name; email: second"
        );
        let boxed: Box<dyn std::error::Error> = Box::new(errors);
        assert!(boxed.to_string().starts_with("email: first"));
    }

    #[test]
    fn field_errors_check_collects_and_passes_values_through() {
        let mut errors = FieldErrors::new();
        assert_eq!(
            errors.check("email", Email::parse("a@example.com")),
            Some(email("a@example.com"))
        );
        assert!(errors.is_empty());
        assert_eq!(errors.check("email", Email::parse("nope")), None);
        assert_eq!(
            errors.get("email"),
            Some("Enter a valid email address, like name@example.com.")
        );
    }
}

/// What the field types' tests share.
#[cfg(test)]
mod checks {
    use std::fmt::Debug;

    use super::Email;

    pub(super) fn email(text: &str) -> Email {
        Email::parse(text).expect("valid email")
    }

    /// `parse` refuses every one of `inputs`, each with `want`.
    pub(super) fn refuses<T, E: Debug + PartialEq + Copy>(
        parse: impl Fn(&str) -> Result<T, E>,
        want: E,
        inputs: &[&str],
    ) {
        for input in inputs {
            assert_eq!(parse(input).err(), Some(want), "{input:?}");
        }
    }

    /// `parse` accepts `max` times `c` and refuses one more with `too_long`.
    pub(super) fn bounded<T, E: Debug + PartialEq>(
        parse: impl Fn(&str) -> Result<T, E>,
        c: &str,
        max: usize,
        too_long: E,
    ) {
        assert!(parse(&c.repeat(max)).is_ok(), "{max} of {c:?}");
        assert_eq!(parse(&c.repeat(max + 1)).err(), Some(too_long));
    }

    /// `parse` accepts every input of `cases` and stores the text paired
    /// with it.
    pub(super) fn stores<T: ToString, E: Debug + PartialEq>(
        parse: impl Fn(&str) -> Result<Option<T>, E>,
        cases: &[(&str, &str)],
    ) {
        for (input, stored) in cases {
            let kept = parse(input).map(|value| value.map(|v| v.to_string()));
            assert_eq!(kept, Ok(Some((*stored).to_owned())), "{input:?}");
        }
    }

    /// `parse` accepts every one of `inputs` exactly as given.
    pub(super) fn keeps<T: ToString, E: Debug + PartialEq>(
        parse: impl Fn(&str) -> Result<Option<T>, E>,
        inputs: &[&str],
    ) {
        let same: Vec<(&str, &str)> = inputs.iter().map(|input| (*input, *input)).collect();
        stores(parse, &same);
    }
}
