//! A person: their name and the phone number a courier may call.

use super::{AccountError, collapse_whitespace, is_forbidden_char, optional};

/// A person's name as they write it: any script, 1–100 characters, inner
/// whitespace collapsed. Markup-looking text is kept as plain text (templates
/// escape it); only characters that corrupt display or logs are refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(text: &str) -> Result<Self, AccountError> {
        // Control characters are refused rather than collapsed: a tab or
        // newline in a name means the input did not come from a name field.
        if text.chars().any(is_forbidden_char) {
            return Err(AccountError::NameControl);
        }
        let name = collapse_whitespace(text);
        if name.is_empty() {
            return Err(AccountError::NameEmpty);
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(AccountError::NameTooLong);
        }
        if !name.chars().any(char::is_alphabetic) {
            return Err(AccountError::NameNoLetter);
        }
        Ok(Self(name))
    }
}

text_value!(PersonName);

/// A phone number as typed (trimmed): digits with the usual separators.
/// Not checked against any numbering plan; it is only for a courier to call.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub const MAX_CHARS: usize = 32;
    pub const MIN_DIGITS: usize = 6;
    pub const MAX_DIGITS: usize = 20;

    /// `Ok(None)` for an empty or blank field: a phone number is optional.
    pub fn parse(text: &str) -> Result<Option<Self>, AccountError> {
        let Some(text) = optional(text, Self::MAX_CHARS, AccountError::PhoneTooLong)? else {
            return Ok(None);
        };
        let allowed = |(i, c): (usize, char)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.') || (c == '+' && i == 0)
        };
        if !text.char_indices().all(allowed) {
            return Err(AccountError::PhoneInvalid);
        }
        let digits = text.bytes().filter(u8::is_ascii_digit).count();
        if !(Self::MIN_DIGITS..=Self::MAX_DIGITS).contains(&digits) {
            return Err(AccountError::PhoneDigits);
        }
        Ok(Some(Self(text.to_owned())))
    }
}

text_value!(Phone);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::checks::{bounded, keeps, refuses, stores};

    #[test]
    fn names_are_trimmed_collapsed_and_any_script() {
        assert_eq!(
            PersonName::parse("  Ada   Lovelace ").map(|n| n.as_str().to_owned()),
            Ok("Ada Lovelace".to_owned())
        );
        keeps(
            |s| PersonName::parse(s).map(Some),
            &[
                "Zoë Ångström",
                "李小龙",
                "Ng",
                "X",
                "Jean-Luc O'Neill",
                "Σωκράτης",
            ],
        );
        // No-break and ideographic spaces are whitespace too.
        assert_eq!(
            PersonName::parse("Zoë\u{a0}\u{3000}Ångström").map(|n| n.to_string()),
            Ok("Zoë Ångström".to_owned())
        );
    }

    #[test]
    fn markup_in_names_is_kept_as_text() {
        keeps(
            |s| PersonName::parse(s).map(Some),
            &[
                "<script>alert(1)</script>",
                "Robert'); DROP TABLE users;--",
                "\"><img src=x onerror=alert(1)>",
                "{{ config.secret }}",
            ],
        );
    }

    #[test]
    fn names_are_refused_when_empty_long_control_or_letterless() {
        assert_eq!(PersonName::parse(""), Err(AccountError::NameEmpty));
        assert_eq!(
            PersonName::parse(" \u{3000} "),
            Err(AccountError::NameEmpty)
        );
        refuses(
            PersonName::parse,
            AccountError::NameControl,
            &[
                "Ada\0",
                "Ada\nLovelace",
                "Ada\tLovelace",
                "Ada\r",
                "\u{1b}[31mAda",
                "Ada\u{7f}",
                "Ada\u{85}",
                "\u{202e}ecila",
                "Ada\u{2066}x\u{2069}",
                "Ada\u{2028}Lovelace",
            ],
        );
        refuses(
            PersonName::parse,
            AccountError::NameNoLetter,
            &["123", "---", "<>", "42 !"],
        );
        bounded(PersonName::parse, "é", 100, AccountError::NameTooLong);
        assert!(PersonName::parse(&format!("  {}  ", "a".repeat(100))).is_ok());
        // Counted after collapsing: 50 + 1 + 49 characters.
        let spaced = format!("{}     {}", "a".repeat(50), "b".repeat(49));
        assert!(PersonName::parse(&spaced).is_ok());
    }

    #[test]
    fn phones_are_optional_digits_with_separators() {
        assert_eq!(Phone::parse(""), Ok(None));
        assert_eq!(Phone::parse("   "), Ok(None));
        // Kept as typed, but for the spaces around it.
        stores(
            Phone::parse,
            &[
                (" +44 (0)20 7946.0018 ", "+44 (0)20 7946.0018"),
                (" 030-1234567 ", "030-1234567"),
                (" 123456 ", "123456"),
                (" 12345678901234567890 ", "12345678901234567890"),
            ],
        );
        refuses(
            Phone::parse,
            AccountError::PhoneInvalid,
            &[
                "12345a6",
                "1234567 ext 8",
                "12+345678",
                "++123456",
                "１２３４５６",
                "123\n456",
            ],
        );
        refuses(
            Phone::parse,
            AccountError::PhoneDigits,
            &["12345", "+1 (2) 3-4", "123456789012345678901", "+()-. "],
        );
        // 32 characters (16 digits) is the most allowed, 33 is refused.
        let longest = format!("+{}1", "1 ".repeat(15));
        assert_eq!(longest.chars().count(), 32);
        assert!(Phone::parse(&longest).is_ok_and(|p| p.is_some()));
        assert_eq!(
            Phone::parse(&format!("+ {}1", "1 ".repeat(15))),
            Err(AccountError::PhoneTooLong)
        );
    }
}
