//! New passwords and the policy they must meet.

use std::fmt;

use zxcvbn::Score;

use super::{Email, collapse_whitespace};

/// Why a new password was refused. Messages are shown to the shopper and
/// never include the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least {min} characters.", min = NewPassword::MIN_CHARS)]
    TooShort,
    #[error("Use at most {max} characters.", max = NewPassword::MAX_CHARS)]
    TooLong,
    #[error("This password is too easy to guess. Add more words or characters.")]
    TooWeak,
    #[error("Do not use your name or email address in your password.")]
    Personal,
}

/// A password that meets the policy, on its way to being hashed. It has no
/// `Display` and its `Debug` hides it, so it cannot end up in a log or a
/// page by accident; [`Self::expose`] is the one way to read it.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// Long enough that a passphrase of a few words fits and brute force
    /// does not.
    pub const MIN_CHARS: usize = 12;
    /// Bounds the work of hashing and of the strength estimate.
    pub const MAX_CHARS: usize = 128;
    /// Personal words shorter than this are too common to forbid ("al" or
    /// "jo" would rule out half the dictionary).
    const MIN_PERSONAL_CHARS: usize = 3;

    /// Checks `password` against the policy: 12–128 characters, not
    /// containing the shopper's email local part or name (or any part of
    /// either of three or more characters), and rated at least
    /// "safely unguessable" (score 3 of 4) by zxcvbn. The password is taken
    /// exactly as typed: spaces are part of it.
    ///
    /// The estimate is CPU-bound and can take a few hundred milliseconds for
    /// a long, patterned password (zxcvbn looks at the first 100 characters),
    /// so async callers should run this on a blocking thread.
    pub fn parse(
        password: &str,
        email: Option<&Email>,
        name: Option<&str>,
    ) -> Result<Self, PasswordError> {
        // Lengths first: the strength estimate is slow on long input and
        // must not be reachable with arbitrarily large text.
        let chars = password.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        let personal = personal_words(email, name);
        let lowered = password.to_lowercase();
        if personal.iter().any(|word| lowered.contains(word.as_str())) {
            return Err(PasswordError::Personal);
        }
        let inputs: Vec<&str> = personal.iter().map(String::as_str).collect();
        if zxcvbn::zxcvbn(password, &inputs).score() < Score::Three {
            return Err(PasswordError::TooWeak);
        }
        Ok(Self(password.to_owned()))
    }

    /// The password itself, only for hashing it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// Lower-cased words a password must not contain and that zxcvbn should
/// treat as known to an attacker: the email's local part and its pieces
/// (`jane.doe` gives `jane`, `doe`), the whole name and each of its words,
/// each at least [`NewPassword::MIN_PERSONAL_CHARS`] characters long.
fn personal_words(email: Option<&Email>, name: Option<&str>) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut push = |word: &str| {
        let word = word.trim().to_lowercase();
        if word.chars().count() >= NewPassword::MIN_PERSONAL_CHARS && !words.contains(&word) {
            words.push(word);
        }
    };
    for text in [email.map(Email::local_part), name].into_iter().flatten() {
        push(&collapse_whitespace(text));
        for piece in text.split(|c: char| !c.is_alphanumeric()) {
            push(piece);
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::checks::{email, refuses};

    #[test]
    fn password_length_limits_come_first() {
        // Eleven characters of a strong-looking password is still too short.
        assert_eq!(
            NewPassword::parse("Tq9#vLm2@xR", None, None).map(|_| ()),
            Err(PasswordError::TooShort)
        );
        assert!(NewPassword::parse("Tq9#vLm2@xRw", None, None).is_ok());
        // Counted in characters, not bytes: eleven two-byte letters.
        assert_eq!(
            NewPassword::parse(&"ü".repeat(11), None, None).map(|_| ()),
            Err(PasswordError::TooShort)
        );
        let strong_128: String = "Tq9#vLm2@xRw-Kd7!".chars().cycle().take(128).collect();
        assert!(NewPassword::parse(&strong_128, None, None).is_ok());
        let long_129: String = "Tq9#vLm2@xRw-Kd7!".chars().cycle().take(129).collect();
        assert_eq!(
            NewPassword::parse(&long_129, None, None).map(|_| ()),
            Err(PasswordError::TooLong)
        );
        // A huge input is turned away without reaching the estimator.
        assert_eq!(
            NewPassword::parse(&"a".repeat(1_000_000), None, None).map(|_| ()),
            Err(PasswordError::TooLong)
        );
        assert_eq!(
            NewPassword::parse("", None, None).map(|_| ()),
            Err(PasswordError::TooShort)
        );
    }

    #[test]
    fn guessable_passwords_are_refused() {
        refuses(
            |p| NewPassword::parse(p, None, None),
            PasswordError::TooWeak,
            &[
                "password1234",
                "Password1234",
                "aaaaaaaaaaaa",
                "123456789012",
                "qwertyuiopas",
                "iloveyou2024",
                "abcdefghijkl",
            ],
        );
    }

    #[test]
    fn strong_passphrases_are_accepted() {
        let e = email("jane@example.com");
        for strong in [
            "correct horse battery staple 42!",
            "Tq9#vLm2@xRw",
            "mauve-otter-lamp-quietly",
        ] {
            let password = NewPassword::parse(strong, Some(&e), Some("Jane Doe"))
                .unwrap_or_else(|err| panic!("{strong:?}: {err}"));
            // Kept exactly as typed, spaces included.
            assert_eq!(password.expose(), strong);
        }
    }

    #[test]
    fn passwords_may_not_contain_the_email_or_name() {
        let e = email("Margaret.Hamilton@example.com");
        let name = Some("Zoë Ångström");
        refuses(
            |p| NewPassword::parse(p, Some(&e), name),
            PasswordError::Personal,
            &[
                "margaret.hamilton-rocks-2024!",
                "xX-MARGARET.HAMILTON-Xx",
                "HamiltonApollo11Guidance!",
                "apollo guidance margaret 11",
                "my name is ÅNGSTRÖM ok?",
                "zoë ångström forever 99",
            ],
        );
        assert_eq!(
            NewPassword::parse("李小龙 fist of fury 1972", None, Some("李小龙")).map(|_| ()),
            Err(PasswordError::Personal)
        );
        // Two-letter words ("Al", "Ng") are too common to forbid.
        assert!(NewPassword::parse("almond nightjar vessel 9", None, Some("Al Ng")).is_ok());
        let short_local = email("jo@example.com");
        assert!(NewPassword::parse("joyful kettle marathon 7", Some(&short_local), None).is_ok());
    }

    #[test]
    fn password_errors_read_as_advice() {
        for (error, advice) in [
            (PasswordError::TooShort, "Use at least 12 characters."),
            (PasswordError::TooLong, "Use at most 128 characters."),
            (
                PasswordError::TooWeak,
                "This password is too easy to guess. Add more words or characters.",
            ),
            (
                PasswordError::Personal,
                "Do not use your name or email address in your password.",
            ),
        ] {
            assert_eq!(error.to_string(), advice);
        }
    }

    #[test]
    fn passwords_are_never_printed() {
        let password =
            NewPassword::parse("correct horse battery staple 42!", None, None).expect("strong");
        assert_eq!(format!("{password:?}"), "NewPassword(***)");
        assert_eq!(
            format!("{:#?}", Some(&password)),
            "Some(\n    NewPassword(***),\n)"
        );
        let err = NewPassword::parse("correct horse", None, None).map(|_| ());
        assert!(!format!("{err:?}").contains("horse"));
    }
}
