//! What operations share in their descriptions, written once: the problem
//! answers as utoipa `IntoResponses` types (an operation lists the kinds it
//! can answer with: `NotFound`, `JsonBody`, `TooManyRequests`…), each
//! `application/problem+json` with the `Problem` schema; and the CSRF header
//! of every unsafe operation.
//!
//! May import: no other module (utoipa only).

use std::collections::BTreeMap;

use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::{IntoParams, IntoResponses};

/// The header the CSRF guard checks on every unsafe request.
#[derive(IntoParams)]
#[into_params(names("X-CSRF-Token"), parameter_in = Header)]
pub struct CsrfHeader(
    /// From GET /api/v1/session
    pub String,
);

type Responses = BTreeMap<String, RefOr<Response>>;

fn problem(status: &str, description: &str) -> Responses {
    let content = Content::new(Some(Ref::from_schema_name("Problem")));
    let response = ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", content)
        .build();
    BTreeMap::from([(status.to_owned(), response.into())])
}

/// 400: the body is not valid JSON.
pub struct MalformedJson;

impl IntoResponses for MalformedJson {
    fn responses() -> Responses {
        problem("400", "Malformed JSON")
    }
}

/// 400: a query parameter (`limit`, `cursor`…) is not valid.
pub struct BadQuery;

impl IntoResponses for BadQuery {
    fn responses() -> Responses {
        problem("400", "Bad limit, cursor or query string")
    }
}

/// 401: the operation needs a signed-in account.
pub struct Unauthenticated;

impl IntoResponses for Unauthenticated {
    fn responses() -> Responses {
        problem("401", "Not signed in")
    }
}

/// 401: the one answer for every wrong sign-in combination.
pub struct InvalidCredentials;

impl IntoResponses for InvalidCredentials {
    fn responses() -> Responses {
        problem("401", "Invalid email or password")
    }
}

/// 403: the CSRF guard refused an unsafe request.
pub struct Forbidden;

impl IntoResponses for Forbidden {
    fn responses() -> Responses {
        problem("403", "Missing or wrong CSRF token, or a foreign Origin")
    }
}

/// 404: nothing by that id or name, or not the caller's; a malformed id too.
pub struct NotFound;

impl IntoResponses for NotFound {
    fn responses() -> Responses {
        problem(
            "404",
            "Not found: no such id or category, not the caller's, or a malformed id",
        )
    }
}

/// 409: a cart change asks for more than the stock.
pub struct OutOfStock;

impl IntoResponses for OutOfStock {
    fn responses() -> Responses {
        problem("409", "Not enough stock")
    }
}

/// 409: checkout refused.
pub struct CheckoutRefused;

impl IntoResponses for CheckoutRefused {
    fn responses() -> Responses {
        problem("409", "Empty cart or not enough stock")
    }
}

/// 413: the body is over the limit.
pub struct PayloadTooLarge;

impl IntoResponses for PayloadTooLarge {
    fn responses() -> Responses {
        problem("413", "Body too large")
    }
}

/// 415: the body is not `application/json`.
pub struct UnsupportedMediaType;

impl IntoResponses for UnsupportedMediaType {
    fn responses() -> Responses {
        problem("415", "The body is not application/json")
    }
}

/// 422: fields, query values or headers that do not pass the shop's rules.
pub struct Validation;

impl IntoResponses for Validation {
    fn responses() -> Responses {
        problem("422", "Invalid or unknown fields, query values or headers")
    }
}

/// 429: rate-limited or throttled; `Retry-After` says when to try again.
pub struct TooManyRequests;

impl IntoResponses for TooManyRequests {
    fn responses() -> Responses {
        problem("429", "Too many requests from this address")
    }
}

/// Everything a JSON body can be refused for: 400, 413, 415, 422.
pub struct JsonBody;

impl IntoResponses for JsonBody {
    fn responses() -> Responses {
        let mut all = MalformedJson::responses();
        all.append(&mut PayloadTooLarge::responses());
        all.append(&mut UnsupportedMediaType::responses());
        all.append(&mut Validation::responses());
        all
    }
}
