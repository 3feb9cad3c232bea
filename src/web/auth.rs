//! Sign-up, sign-in and sign-out pages: `GET/POST /register`, `GET/POST
//! /login`, `POST /logout`.

use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::account::FieldErrors;
use crate::error::{AppError, is_local_path};
use crate::shop::accounts::{self, Credentials, LogIn, Registration};
use crate::state::AppState;
use crate::web::chrome::Chrome;
use crate::web::form::{FieldView, form_status};
use crate::web::visitor::{ClientIp, Visitor};

/// Where to go after signing in: the given path when it is local, else `/`.
fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| is_local_path(n)).unwrap_or("/").to_owned()
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    chrome: Chrome,
    csrf_token: String,
    email: String,
    next: String,
    flash: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    app: &AppState,
    visitor: &Visitor,
    email: &str,
    next: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let chrome = Chrome::for_visitor(&app.db, visitor).await?;
    let page = LoginPage {
        chrome,
        csrf_token: visitor.csrf_token().await?,
        email: email.chars().take(254).collect(),
        next: next.to_owned(),
        flash: visitor.take_flash().await?,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// GET /login — the sign-in form; `next` is kept when it is a local path.
pub async fn show_login(
    State(app): State<AppState>,
    visitor: Visitor,
    query: Result<Query<NextQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let next = safe_next(query.as_ref().ok().and_then(|q| q.next.as_deref()));
    if visitor.user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    login_page(&app, &visitor, "", &next, None, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp: String,
    #[serde(default)]
    next: String,
}

/// POST /login — `email`, `password`; success rotates the session, merges
/// the visitor's cart and follows `next` when it is local. One message for
/// every failure; throttled attempts get 429 with `Retry-After`.
pub async fn log_in(
    State(app): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(Some(&form.next));
    let credentials = Credentials::new(&form.email, &form.password, &form.totp);
    let (db, secrets, live) = (&app.db, &app.secrets, &app.live);
    match accounts::sign_in(db, secrets, live, &visitor.session, &credentials, &ip).await? {
        LogIn::SignedIn(_) => Ok(Redirect::to(&next).into_response()),
        LogIn::Invalid => {
            let error = Some("Invalid email or password.".to_owned());
            login_page(
                &app,
                &visitor,
                &form.email,
                &next,
                error,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        LogIn::Throttled { retry_after } => {
            let error = Some(
                "Too many failed sign-ins. Please wait a few minutes and try again.".to_owned(),
            );
            let mut response = login_page(
                &app,
                &visitor,
                &form.email,
                &next,
                error,
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await?;
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            Ok(response)
        }
    }
}

/// POST /logout — ends the session server-side, 303 to the home page.
pub async fn log_out(
    State(app): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
) -> Result<Response, AppError> {
    accounts::log_out(&app.db, &visitor.session, visitor.user.as_ref(), &ip).await?;
    Ok(Redirect::to("/").into_response())
}

#[derive(Template)]
#[template(path = "register.html")]
pub struct RegisterPage {
    chrome: Chrome,
    csrf_token: String,
    fields: Vec<FieldView>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    name: String,
}

async fn register_page(
    app: &AppState,
    visitor: &Visitor,
    form: &RegisterForm,
    errors: &FieldErrors,
) -> Result<Response, AppError> {
    let chrome = Chrome::for_visitor(&app.db, visitor).await?;
    let fields = vec![
        FieldView::person_name(&form.name, errors),
        FieldView::email(&form.email, errors),
        FieldView::password("password", "Password", "new-password", errors).required(),
    ];
    let page = RegisterPage {
        chrome,
        csrf_token: visitor.csrf_token().await?,
        fields,
    };
    let status = form_status(errors.is_empty());
    Ok((status, Html(page.render()?)).into_response())
}

/// GET /register — the sign-up form.
pub async fn show_register(
    State(app): State<AppState>,
    visitor: Visitor,
) -> Result<Response, AppError> {
    register_page(
        &app,
        &visitor,
        &RegisterForm::default(),
        &FieldErrors::new(),
    )
    .await
}

/// POST /register — `email`, `password`, `name`. Bad input: 422 with the
/// form re-shown (never the password). Otherwise the same answer whether
/// the email was new or taken: 303 to the sign-in page.
pub async fn register(
    State(app): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Form(form): Form<RegisterForm>,
) -> Result<Response, AppError> {
    let registration = match Registration::parse(&form.email, &form.name, &form.password) {
        Ok(r) => r,
        Err(errors) => return register_page(&app, &visitor, &form, &errors).await,
    };
    accounts::register(&app.db, registration, &ip).await?;
    visitor
        .flash("Thank you. If this email address was new to us, your account is ready: please sign in.")
        .await?;
    Ok(Redirect::to("/login").into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_followed_only_when_local() {
        assert_eq!(safe_next(Some("/cart")), "/cart");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
