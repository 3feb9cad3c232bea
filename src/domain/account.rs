//! Account values: email addresses, names, contact and address fields, new
//! passwords and the password policy, and the per-field errors a form shows.

use std::fmt;

use zxcvbn::Score;

use super::countries::COUNTRIES;

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
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(AccountError::PhoneTooLong);
        }
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
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(AccountError::PostalCodeTooLong);
        }
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
/// [`COUNTRIES`](super::countries::COUNTRIES).
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

/// What a shopper keeps on their account: contact details and a default
/// delivery address. Every field is already validated, so the fields are
/// public; only `email` and `name` are required.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub email: Email,
    pub name: PersonName,
    pub phone: Option<Phone>,
    pub address_line1: Option<AddressLine>,
    pub address_line2: Option<AddressLine>,
    pub city: Option<City>,
    pub postal_code: Option<PostalCode>,
    pub country: Option<Country>,
}

/// The profile form as submitted, before any checks.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProfileInput<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub address_line1: &'a str,
    pub address_line2: &'a str,
    pub city: &'a str,
    pub postal_code: &'a str,
    pub country: &'a str,
}

impl Profile {
    /// Checks every field, so the form can show all problems at once. Errors
    /// are keyed by the field names of [`ProfileInput`] (`"email"`,
    /// `"address_line1"`, …).
    pub fn parse(input: &ProfileInput<'_>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", Email::parse(input.email));
        let name = errors.check("name", PersonName::parse(input.name));
        let phone = errors.check("phone", Phone::parse(input.phone));
        let address_line1 = errors.check("address_line1", AddressLine::parse(input.address_line1));
        let address_line2 = errors.check("address_line2", AddressLine::parse(input.address_line2));
        let city = errors.check("city", City::parse(input.city));
        let postal_code = errors.check("postal_code", PostalCode::parse(input.postal_code));
        let country = errors.check("country", Country::parse(input.country));
        match (
            email,
            name,
            phone,
            address_line1,
            address_line2,
            city,
            postal_code,
            country,
        ) {
            (
                Some(email),
                Some(name),
                Some(phone),
                Some(address_line1),
                Some(address_line2),
                Some(city),
                Some(postal_code),
                Some(country),
            ) if errors.is_empty() => Ok(Self {
                email,
                name,
                phone,
                address_line1,
                address_line2,
                city,
                postal_code,
                country,
            }),
            _ => Err(errors),
        }
    }
}

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

    fn email(text: &str) -> Email {
        Email::parse(text).expect("valid email")
    }

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
        for bad in [
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
        ] {
            assert_eq!(
                Email::parse(bad),
                Err(AccountError::EmailInvalid),
                "{bad:?}"
            );
        }
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

    #[test]
    fn names_are_trimmed_collapsed_and_any_script() {
        assert_eq!(
            PersonName::parse("  Ada   Lovelace ").map(|n| n.as_str().to_owned()),
            Ok("Ada Lovelace".to_owned())
        );
        for name in [
            "Zoë Ångström",
            "李小龙",
            "Ng",
            "X",
            "Jean-Luc O'Neill",
            "Σωκράτης",
        ] {
            assert_eq!(
                PersonName::parse(name).map(|n| n.to_string()),
                Ok(name.to_owned()),
                "{name:?}"
            );
        }
        // No-break and ideographic spaces are whitespace too.
        assert_eq!(
            PersonName::parse("Zoë\u{a0}\u{3000}Ångström").map(|n| n.to_string()),
            Ok("Zoë Ångström".to_owned())
        );
    }

    #[test]
    fn markup_in_names_is_kept_as_text() {
        for name in [
            "<script>alert(1)</script>",
            "Robert'); DROP TABLE users;--",
            "\"><img src=x onerror=alert(1)>",
            "{{ config.secret }}",
        ] {
            assert_eq!(
                PersonName::parse(name).map(|n| n.to_string()),
                Ok(name.to_owned()),
                "{name:?}"
            );
        }
    }

    #[test]
    fn names_are_refused_when_empty_long_control_or_letterless() {
        assert_eq!(PersonName::parse(""), Err(AccountError::NameEmpty));
        assert_eq!(
            PersonName::parse(" \u{3000} "),
            Err(AccountError::NameEmpty)
        );
        for bad in [
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
        ] {
            assert_eq!(
                PersonName::parse(bad),
                Err(AccountError::NameControl),
                "{bad:?}"
            );
        }
        for bad in ["123", "---", "<>", "42 !"] {
            assert_eq!(
                PersonName::parse(bad),
                Err(AccountError::NameNoLetter),
                "{bad:?}"
            );
        }
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
        assert!(PersonName::parse(&format!("  {}  ", "a".repeat(100))).is_ok());
        assert_eq!(
            PersonName::parse(&"é".repeat(101)),
            Err(AccountError::NameTooLong)
        );
        // Counted after collapsing: 50 + 1 + 49 characters.
        let spaced = format!("{}     {}", "a".repeat(50), "b".repeat(49));
        assert!(PersonName::parse(&spaced).is_ok());
    }

    #[test]
    fn phones_are_optional_digits_with_separators() {
        assert_eq!(Phone::parse(""), Ok(None));
        assert_eq!(Phone::parse("   "), Ok(None));
        for ok in [
            "+44 (0)20 7946.0018",
            "030-1234567",
            "123456",
            "12345678901234567890",
        ] {
            assert_eq!(
                Phone::parse(&format!(" {ok} ")).map(|p| p.map(|p| p.to_string())),
                Ok(Some(ok.to_owned())),
                "{ok:?}"
            );
        }
        for bad in [
            "12345a6",
            "1234567 ext 8",
            "12+345678",
            "++123456",
            "１２３４５６",
            "123\n456",
        ] {
            assert_eq!(
                Phone::parse(bad),
                Err(AccountError::PhoneInvalid),
                "{bad:?}"
            );
        }
        for bad in ["12345", "+1 (2) 3-4", "123456789012345678901", "+()-. "] {
            assert_eq!(Phone::parse(bad), Err(AccountError::PhoneDigits), "{bad:?}");
        }
        // 32 characters (16 digits) is the most allowed, 33 is refused.
        let longest = format!("+{}1", "1 ".repeat(15));
        assert_eq!(longest.chars().count(), 32);
        assert!(Phone::parse(&longest).is_ok_and(|p| p.is_some()));
        assert_eq!(
            Phone::parse(&format!("+ {}1", "1 ".repeat(15))),
            Err(AccountError::PhoneTooLong)
        );
    }

    #[test]
    fn address_lines_are_optional_and_bounded() {
        assert_eq!(AddressLine::parse(" "), Ok(None));
        assert_eq!(
            AddressLine::parse("  Flat 3, 12 Rue de l'Église ").map(|a| a.map(|a| a.to_string())),
            Ok(Some("Flat 3, 12 Rue de l'Église".to_owned()))
        );
        assert!(AddressLine::parse("<b>1 Main St</b>").is_ok_and(|a| a.is_some()));
        assert!(AddressLine::parse(&"ß".repeat(200)).is_ok_and(|a| a.is_some()));
        assert_eq!(
            AddressLine::parse(&"ß".repeat(201)),
            Err(AccountError::AddressTooLong)
        );
        for bad in ["1 Main St\nLondon", "a\0", "x\u{202e}y"] {
            assert_eq!(
                AddressLine::parse(bad),
                Err(AccountError::AddressControl),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn cities_are_letters_and_a_little_punctuation() {
        assert_eq!(City::parse(""), Ok(None));
        for (input, stored) in [
            ("  São   Paulo ", "São Paulo"),
            ("Stratford-upon-Avon", "Stratford-upon-Avon"),
            ("L'Aquila", "L'Aquila"),
            ("L’Aquila", "L’Aquila"),
            ("St. Gallen", "St. Gallen"),
            ("北京", "北京"),
        ] {
            assert_eq!(
                City::parse(input).map(|c| c.map(|c| c.to_string())),
                Ok(Some(stored.to_owned())),
                "{input:?}"
            );
        }
        for bad in ["Paris 8", "<script>", "a/b", "Köln\n", "...", "- '"] {
            assert_eq!(City::parse(bad), Err(AccountError::CityInvalid), "{bad:?}");
        }
        assert!(City::parse(&"ü".repeat(100)).is_ok());
        assert_eq!(
            City::parse(&"ü".repeat(101)),
            Err(AccountError::CityTooLong)
        );
    }

    #[test]
    fn postal_codes_are_upper_cased() {
        assert_eq!(PostalCode::parse("  "), Ok(None));
        assert_eq!(
            PostalCode::parse(" sw1a 1aa ").map(|p| p.map(|p| p.to_string())),
            Ok(Some("SW1A 1AA".to_owned()))
        );
        assert!(PostalCode::parse("12345-6789").is_ok_and(|p| p.is_some()));
        assert!(PostalCode::parse(&"9".repeat(16)).is_ok_and(|p| p.is_some()));
        assert_eq!(
            PostalCode::parse(&"9".repeat(17)),
            Err(AccountError::PostalCodeTooLong)
        );
        for bad in ["1234/5", "ab_12", "Ö123", "--", "12\t34"] {
            assert_eq!(
                PostalCode::parse(bad),
                Err(AccountError::PostalCodeInvalid),
                "{bad:?}"
            );
        }
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
        for bad in ["UK", "XK", "ZZ", "D", "DEU", "Germany", "d€", "\u{212A}Z"] {
            assert_eq!(
                Country::parse(bad),
                Err(AccountError::CountryUnknown),
                "{bad:?}"
            );
        }
        for &(code, name) in COUNTRIES {
            let country = Country::parse(code).expect("listed").expect("some");
            assert_eq!((country.as_str(), country.name()), (code, name));
        }
    }

    #[test]
    fn profiles_collect_every_field_error() {
        let profile = Profile::parse(&ProfileInput {
            email: " Ada@Example.org ",
            name: "Ada  Lovelace",
            country: "gb",
            ..ProfileInput::default()
        })
        .expect("valid");
        assert_eq!(profile.email.as_str(), "ada@example.org");
        assert_eq!(profile.name.as_str(), "Ada Lovelace");
        assert_eq!(profile.phone, None);
        assert_eq!(profile.address_line1, None);
        assert_eq!(profile.country.map(|c| c.name()), Some("United Kingdom"));

        let errors = Profile::parse(&ProfileInput {
            email: "ada",
            name: "",
            phone: "12",
            address_line1: "1 Main St",
            city: "<b>",
            postal_code: "!",
            country: "UK",
            ..ProfileInput::default()
        })
        .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|(field, _)| field).collect();
        assert_eq!(
            fields,
            ["email", "name", "phone", "city", "postal_code", "country"]
        );
        assert_eq!(errors.get("name"), Some("Enter your name."));
        assert_eq!(errors.get("address_line1"), None);
    }

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
        for weak in [
            "password1234",
            "Password1234",
            "aaaaaaaaaaaa",
            "123456789012",
            "qwertyuiopas",
            "iloveyou2024",
            "abcdefghijkl",
        ] {
            assert_eq!(
                NewPassword::parse(weak, None, None).map(|_| ()),
                Err(PasswordError::TooWeak),
                "{weak:?}"
            );
        }
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
        for personal in [
            "margaret.hamilton-rocks-2024!",
            "xX-MARGARET.HAMILTON-Xx",
            "HamiltonApollo11Guidance!",
            "apollo guidance margaret 11",
            "my name is ÅNGSTRÖM ok?",
            "zoë ångström forever 99",
        ] {
            assert_eq!(
                NewPassword::parse(personal, Some(&e), name).map(|_| ()),
                Err(PasswordError::Personal),
                "{personal:?}"
            );
        }
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
        assert_eq!(
            PasswordError::TooShort.to_string(),
            "Use at least 12 characters."
        );
        assert_eq!(
            PasswordError::TooLong.to_string(),
            "Use at most 128 characters."
        );
        assert_eq!(
            PasswordError::TooWeak.to_string(),
            "This password is too easy to guess. Add more words or characters."
        );
        assert_eq!(
            PasswordError::Personal.to_string(),
            "Do not use your name or email address in your password."
        );
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
