//! The profile an account keeps, checked field by field as one form.

use super::{AddressLine, City, Country, Email, FieldErrors, PersonName, Phone, PostalCode};

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
        // Every field was checked above, so the form shows all its
        // problems at once; the profile exists only when none had one.
        let all_valid = || {
            Some(Self {
                email: email?,
                name: name?,
                phone: phone?,
                address_line1: address_line1?,
                address_line2: address_line2?,
                city: city?,
                postal_code: postal_code?,
                country: country?,
            })
        };
        all_valid().ok_or(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
