//! One text field of a form as a template shows it: label, the user's
//! value (escaped by the template), and its error; and a form page's
//! status.

use axum::http::StatusCode;

use crate::domain::account::FieldErrors;

pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub autocomplete: &'static str,
    pub max: usize,
    pub required: bool,
    pub error: Option<String>,
}

impl FieldView {
    pub fn new(name: &'static str, label: &'static str, value: &str, errors: &FieldErrors) -> Self {
        Self {
            name,
            label,
            kind: "text",
            // Re-shown bounded: an oversized submission is not echoed whole.
            value: value.chars().take(300).collect(),
            autocomplete: "off",
            max: 200,
            required: false,
            error: errors.get(name).map(str::to_owned),
        }
    }

    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }

    pub fn autocomplete(mut self, token: &'static str) -> Self {
        self.autocomplete = token;
        self
    }

    pub fn max(mut self, max: usize) -> Self {
        self.max = max;
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The person's name, as the sign-up and account forms ask for it.
    pub fn person_name(value: &str, errors: &FieldErrors) -> Self {
        Self::new("name", "Name", value, errors)
            .autocomplete("name")
            .max(100)
            .required()
    }

    /// The email address, as the sign-up and account forms ask for it.
    pub fn email(value: &str, errors: &FieldErrors) -> Self {
        Self::new("email", "Email", value, errors)
            .kind("email")
            .autocomplete("email")
            .max(254)
            .required()
    }

    /// A password field never shows what was typed.
    pub fn password(
        name: &'static str,
        label: &'static str,
        autocomplete: &'static str,
        errors: &FieldErrors,
    ) -> Self {
        Self::new(name, label, "", errors)
            .kind("password")
            .autocomplete(autocomplete)
            .max(128)
    }
}

/// The status of a form page: 200 when shown fresh, 422 when shown again
/// with what was wrong.
pub fn form_status(valid: bool) -> StatusCode {
    if valid {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}
