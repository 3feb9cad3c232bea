//! The user form: `GET/POST /account` and `GET/POST /account/password`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::domain::account::{FieldErrors, Profile, ProfileInput};
use crate::domain::countries::COUNTRIES;
use crate::error::AppError;
use crate::shop::accounts::{self, User};
use crate::state::AppState;
use crate::web::chrome::Chrome;
use crate::web::form::{FieldView, form_status};
use crate::web::visitor::{ClientIp, Visitor};

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    chrome: Chrome,
    csrf_token: String,
    flash: Option<String>,
    has_errors: bool,
    fields: Vec<FieldView>,
    password_field: Vec<FieldView>,
    countries: &'static [(&'static str, &'static str)],
    country: String,
    country_error: Option<String>,
}

/// The user form as submitted (or as stored). Fields such as `role` or
/// `user_id` are not part of it and so have no effect.
#[derive(Debug, Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    address_line1: String,
    #[serde(default)]
    address_line2: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    current_password: String,
}

impl AccountForm {
    fn of(user: &User) -> Self {
        Self {
            name: user.name.clone(),
            email: user.email.clone(),
            phone: user.phone.clone(),
            address_line1: user.address_line1.clone(),
            address_line2: user.address_line2.clone(),
            city: user.city.clone(),
            postal_code: user.postal_code.clone(),
            country: user.country.clone(),
            current_password: String::new(),
        }
    }

    fn input(&self) -> ProfileInput<'_> {
        ProfileInput {
            email: &self.email,
            name: &self.name,
            phone: &self.phone,
            address_line1: &self.address_line1,
            address_line2: &self.address_line2,
            city: &self.city,
            postal_code: &self.postal_code,
            country: &self.country,
        }
    }
}

async fn account_page(
    app: &AppState,
    visitor: &Visitor,
    form: &AccountForm,
    errors: &FieldErrors,
) -> Result<Response, AppError> {
    let chrome = Chrome::for_visitor(&app.db, visitor).await?;
    let fields = vec![
        FieldView::person_name(&form.name, errors),
        FieldView::email(&form.email, errors),
        FieldView::new("phone", "Phone", &form.phone, errors)
            .kind("tel")
            .autocomplete("tel")
            .max(32),
        FieldView::new(
            "address_line1",
            "Address line 1",
            &form.address_line1,
            errors,
        )
        .autocomplete("address-line1"),
        FieldView::new(
            "address_line2",
            "Address line 2",
            &form.address_line2,
            errors,
        )
        .autocomplete("address-line2"),
        FieldView::new("city", "City", &form.city, errors)
            .autocomplete("address-level2")
            .max(100),
        FieldView::new("postal_code", "Postal code", &form.postal_code, errors)
            .autocomplete("postal-code")
            .max(16),
    ];
    let page = AccountPage {
        chrome,
        csrf_token: visitor.csrf_token().await?,
        flash: visitor.take_flash().await?,
        has_errors: !errors.is_empty(),
        fields,
        password_field: vec![FieldView::password(
            "current_password",
            "Current password",
            "current-password",
            errors,
        )],
        countries: COUNTRIES,
        country: form.country.trim().to_uppercase(),
        country_error: errors.get("country").map(str::to_owned),
    };
    let status = form_status(errors.is_empty());
    Ok((status, Html(page.render()?)).into_response())
}

/// GET /account — the user form, filled in.
pub async fn show_account(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    visitor: Visitor,
) -> Result<Response, AppError> {
    account_page(&app, &visitor, &AccountForm::of(&user), &FieldErrors::new()).await
}

/// POST /account — saves the user form; errors re-shown next to the fields
/// with 422; changing the email needs `current_password`.
pub async fn update_account(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Form(form): Form<AccountForm>,
) -> Result<Response, AppError> {
    let profile = match Profile::parse(&form.input()) {
        Ok(profile) => profile,
        Err(errors) => return account_page(&app, &visitor, &form, &errors).await,
    };
    match accounts::update_profile(&app.db, &user, &profile, &form.current_password, &ip).await? {
        Ok(()) => {
            visitor.flash("Your details are saved.").await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(errors) => account_page(&app, &visitor, &form, &errors).await,
    }
}

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    chrome: Chrome,
    csrf_token: String,
    fields: Vec<FieldView>,
}

async fn password_page(
    app: &AppState,
    visitor: &Visitor,
    errors: &FieldErrors,
) -> Result<Response, AppError> {
    let chrome = Chrome::for_visitor(&app.db, visitor).await?;
    let page = PasswordPage {
        chrome,
        csrf_token: visitor.csrf_token().await?,
        fields: vec![
            FieldView::password(
                "current_password",
                "Current password",
                "current-password",
                errors,
            )
            .required(),
            FieldView::password("new_password", "New password", "new-password", errors).required(),
        ],
    };
    let status = form_status(errors.is_empty());
    Ok((status, Html(page.render()?)).into_response())
}

/// GET /account/password — the password form.
pub async fn show_password(
    State(app): State<AppState>,
    CurrentUser(_user): CurrentUser,
    visitor: Visitor,
) -> Result<Response, AppError> {
    password_page(&app, &visitor, &FieldErrors::new()).await
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// POST /account/password — `current_password`, `new_password`; rotates
/// this session and ends every other session of the account.
pub async fn change_password(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    match accounts::change_password(
        &app.db,
        &visitor.session,
        &user,
        &form.current_password,
        &form.new_password,
        &ip,
    )
    .await?
    {
        Ok(()) => {
            visitor
                .flash("Your password is changed. Other devices have been signed out.")
                .await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(errors) => password_page(&app, &visitor, &errors).await,
    }
}
