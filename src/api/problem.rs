//! API errors as `application/problem+json` (RFC 9457) with a stable
//! `type` per error class, and the JSON body extractor whose rejections
//! (wrong content type, bad syntax, unknown fields) are problems too.
//!
//! May import: domain, error, utoipa.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::domain::account::FieldErrors;
use crate::error::AppError;

/// A problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the error class, e.g. `/problems/out-of-stock`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field name → message, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Set for internal errors: quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// An API error: either an `AppError` or a problem built here.
#[derive(Debug)]
pub enum ApiError {
    App(AppError),
    Problem {
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: Option<String>,
        errors: Vec<FieldProblem>,
    },
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        Self::App(AppError::Internal(e))
    }
}

impl ApiError {
    pub fn unauthenticated() -> Self {
        Self::App(AppError::Unauthenticated {
            next: String::new(),
        })
    }

    pub fn invalid(errors: &FieldErrors) -> Self {
        Self::Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            kind: "/problems/validation",
            title: "The request has invalid fields",
            detail: None,
            errors: errors
                .iter()
                .map(|(field, message)| FieldProblem {
                    field: field.to_owned(),
                    message: message.to_owned(),
                })
                .collect(),
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(leak_field(field), message);
        Self::invalid(&errors)
    }

    pub fn conflict(kind: &'static str, title: &'static str, detail: String) -> Self {
        Self::Problem {
            status: StatusCode::CONFLICT,
            kind,
            title,
            detail: Some(detail),
            errors: Vec::new(),
        }
    }

    pub fn bad_request(kind: &'static str, title: &'static str) -> Self {
        Self::Problem {
            status: StatusCode::BAD_REQUEST,
            kind,
            title,
            detail: None,
            errors: Vec::new(),
        }
    }
}

/// Field names in problems come from a closed set; anything else is "body".
fn leak_field(field: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "email",
        "password",
        "name",
        "quantity",
        "product_id",
        "totp",
        "idempotency_key",
        "body",
    ];
    KNOWN
        .iter()
        .find(|k| **k == field)
        .copied()
        .unwrap_or("body")
}

fn problem_response(status: StatusCode, problem: &Problem) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::App(error) => error.into_problem(),
            Self::Problem {
                status,
                kind,
                title,
                detail,
                errors,
            } => problem_response(
                status,
                &Problem {
                    kind: kind.to_owned(),
                    title: title.to_owned(),
                    status: status.as_u16(),
                    detail,
                    errors,
                    request_id: None,
                },
            ),
        }
    }
}

/// A JSON body: `application/json` only (else 415), valid JSON (else 400),
/// the declared fields and no others (else 422).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::Problem {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                kind: "/problems/unsupported-media-type",
                title: "The body must be application/json",
                detail: None,
                errors: Vec::new(),
            }),
            Err(JsonRejection::JsonSyntaxError(_)) => Err(ApiError::bad_request(
                "/problems/malformed-json",
                "The body is not valid JSON",
            )),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::Problem {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                kind: "/problems/validation",
                title: "The request has invalid fields",
                detail: Some(e.body_text().chars().take(300).collect()),
                errors: Vec::new(),
            }),
            Err(JsonRejection::BytesRejection(_)) => Err(ApiError::App(AppError::PayloadTooLarge)),
            Err(_) => Err(ApiError::bad_request(
                "/problems/bad-request",
                "The body could not be read",
            )),
        }
    }
}
