//! A postal address, field by field: lines, city, postal code, country.

use std::fmt;

use super::{AccountError, collapse_whitespace, is_forbidden_char, optional};
use crate::domain::countries::COUNTRIES;

/// One line of a postal address (street, house, flat…), trimmed, any script.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AddressLine(String);

impl AddressLine {
    pub const MAX_CHARS: usize = 200;

    /// `Ok(None)` for an empty or blank line; whether a line is required is
    /// the form's decision.
    pub fn parse(text: &str) -> Result<Option<Self>, AccountError> {
        let text = text.trim();
        if text.chars().any(is_forbidden_char) {
            return Err(AccountError::AddressControl);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(AccountError::AddressTooLong);
        }
        if text.is_empty() {
            return Ok(None);
        }
        Ok(Some(Self(text.to_owned())))
    }
}

text_value!(AddressLine);

/// A city or town: letters of any script with spaces, `-`, `'` and `.`,
/// inner whitespace collapsed, at least one letter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct City(String);

impl City {
    pub const MAX_CHARS: usize = 100;

    /// `Ok(None)` for an empty or blank field.
    pub fn parse(text: &str) -> Result<Option<Self>, AccountError> {
        if text.chars().any(is_forbidden_char) {
            return Err(AccountError::CityInvalid);
        }
        let city = collapse_whitespace(text);
        if city.chars().count() > Self::MAX_CHARS {
            return Err(AccountError::CityTooLong);
        }
        if city.is_empty() {
            return Ok(None);
        }
        // U+2019 is the apostrophe phone keyboards type ("L’Aquila").
        let allowed =
            |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.' | '\u{2019}');
        if !city.chars().all(allowed) || !city.chars().any(char::is_alphabetic) {
            return Err(AccountError::CityInvalid);
        }
        Ok(Some(Self(city)))
    }
}

text_value!(City);

/// A postal code: `A-Z`, `0-9`, spaces and `-`, upper-cased so that
/// `sw1a 1aa` and `SW1A 1AA` are stored alike. Formats differ too much by
/// country to check more.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PostalCode(String);

impl PostalCode {
    pub const MAX_CHARS: usize = 16;

    /// `Ok(None)` for an empty or blank field (many countries have none).
    pub fn parse(text: &str) -> Result<Option<Self>, AccountError> {
        let Some(text) = optional(text, Self::MAX_CHARS, AccountError::PostalCodeTooLong)? else {
            return Ok(None);
        };
        let ok = text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
            && text.bytes().any(|b| b.is_ascii_alphanumeric());
        if !ok {
            return Err(AccountError::PostalCodeInvalid);
        }
        Ok(Some(Self(text.to_ascii_uppercase())))
    }
}

text_value!(PostalCode);

/// An officially assigned ISO 3166-1 alpha-2 country, from
/// [`COUNTRIES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Country {
    code: &'static str,
    name: &'static str,
}

impl Country {
    /// `Ok(None)` for an empty or blank field. The code is upper-cased first,
    /// so `de` and `DE` are both Germany.
    pub fn parse(text: &str) -> Result<Option<Self>, AccountError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        COUNTRIES
            .iter()
            .find(|(code, _)| code.eq_ignore_ascii_case(text))
            .map(|&(code, name)| Some(Self { code, name }))
            .ok_or(AccountError::CountryUnknown)
    }

    /// The two-letter code, upper case.
    pub fn as_str(&self) -> &str {
        self.code
    }

    /// The English short name, e.g. "Germany".
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// Shows the code; use [`Country::name`] for people.
impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::checks::{bounded, refuses, stores};

    #[test]
    fn address_lines_are_optional_and_bounded() {
        assert_eq!(AddressLine::parse(" "), Ok(None));
        stores(
            AddressLine::parse,
            &[(
                "  Flat 3, 12 Rue de l'Église ",
                "Flat 3, 12 Rue de l'Église",
            )],
        );
        assert!(AddressLine::parse("<b>1 Main St</b>").is_ok_and(|a| a.is_some()));
        bounded(AddressLine::parse, "ß", 200, AccountError::AddressTooLong);
        refuses(
            AddressLine::parse,
            AccountError::AddressControl,
            &["1 Main St\nLondon", "a\0", "x\u{202e}y"],
        );
    }

    #[test]
    fn cities_are_letters_and_a_little_punctuation() {
        assert_eq!(City::parse(""), Ok(None));
        stores(
            City::parse,
            &[
                ("  São   Paulo ", "São Paulo"),
                ("Stratford-upon-Avon", "Stratford-upon-Avon"),
                ("L'Aquila", "L'Aquila"),
                ("L’Aquila", "L’Aquila"),
                ("St. Gallen", "St. Gallen"),
                ("北京", "北京"),
            ],
        );
        refuses(
            City::parse,
            AccountError::CityInvalid,
            &["Paris 8", "<script>", "a/b", "Köln\n", "...", "- '"],
        );
        bounded(City::parse, "ü", 100, AccountError::CityTooLong);
    }

    #[test]
    fn postal_codes_are_upper_cased() {
        assert_eq!(PostalCode::parse("  "), Ok(None));
        stores(PostalCode::parse, &[(" sw1a 1aa ", "SW1A 1AA")]);
        assert!(PostalCode::parse("12345-6789").is_ok_and(|p| p.is_some()));
        bounded(PostalCode::parse, "9", 16, AccountError::PostalCodeTooLong);
        refuses(
            PostalCode::parse,
            AccountError::PostalCodeInvalid,
            &["1234/5", "ab_12", "Ö123", "--", "12\t34"],
        );
    }

    #[test]
    fn countries_are_assigned_iso_codes() {
        assert_eq!(Country::parse(""), Ok(None));
        let de = Country::parse(" de ").expect("valid").expect("some");
        assert_eq!(de.as_str(), "DE");
        assert_eq!(de.name(), "Germany");
        assert_eq!(de.to_string(), "DE");
        assert_eq!(Country::parse("DE"), Ok(Some(de)));
        assert_eq!(
            Country::parse("ax").map(|c| c.map(|c| c.name())),
            Ok(Some("Åland Islands"))
        );
        refuses(
            Country::parse,
            AccountError::CountryUnknown,
            &["UK", "XK", "ZZ", "D", "DEU", "Germany", "d€", "\u{212A}Z"],
        );
        for &(code, name) in COUNTRIES {
            let country = Country::parse(code).expect("listed").expect("some");
            assert_eq!((country.as_str(), country.name()), (code, name));
        }
    }
}
