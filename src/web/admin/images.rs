//! `POST /admin/products/{id}/images`: one image from a multipart form,
//! read with a bound, handed to `shop::images`; any refusal shows the
//! product form again with the reason.
//!
//! The form's first field is `csrf_token`, checked by `http::csrf` before
//! this handler runs; only the field `image` is read here.
//!
//! May import: shop, domain, auth, error, state, uploads (the size limit),
//! web.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::auth::AdminUser;
use crate::domain::ProductId;
use crate::domain::account::FieldErrors;
use crate::error::AppError;
use crate::shop;
use crate::state::AppState;
use crate::uploads::MAX_UPLOAD_BYTES;
use crate::web::admin::products::{ProductForm, form_page};
use crate::web::admin::{actor, saved};
use crate::web::extract::PathId;
use crate::web::visitor::{ClientIp, Visitor};

/// POST /admin/products/{id}/images — multipart field `image`: sniffed,
/// bounded, decoded and re-encoded; nothing is stored on any rejection.
pub async fn upload_image(
    State(app): State<AppState>,
    admin: AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    PathId(id): PathId<ProductId>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let product = shop::admin::products::find_product(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let refused = match read_image_field(multipart).await? {
        Ok(bytes) => {
            let by = actor(&admin, &ip);
            match shop::images::add_product_image(&app.db, by, id, bytes).await? {
                Ok(()) => {
                    let to = format!("/admin/products/{id}");
                    return saved(&visitor, "Image added.", &to).await;
                }
                Err(e) => e.to_string(),
            }
        }
        Err(message) => message,
    };
    let form = ProductForm::of(&product);
    form_page(
        &app,
        &visitor,
        Some(id),
        &form,
        &FieldErrors::new(),
        Some(refused),
    )
    .await
}

/// Reads the multipart field `image`, never more than the upload limit;
/// a body that cannot be read is a message for the uploader.
async fn read_image_field(mut multipart: Multipart) -> Result<Result<Vec<u8>, String>, AppError> {
    let unreadable = || Ok(Err("The upload could not be read.".to_owned()));
    let mut field = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("image") => break field,
            Ok(Some(_)) => continue,
            Ok(None) => return Ok(Err("Choose an image to upload.".into())),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::PayloadTooLarge);
            }
            Err(_) => return unreadable(),
        }
    };
    let mut bytes = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES => {
                return Err(AppError::PayloadTooLarge);
            }
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => return Ok(Ok(bytes)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::PayloadTooLarge);
            }
            Err(_) => return unreadable(),
        }
    }
}
