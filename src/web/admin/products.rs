//! Back-office products: list and search, create, edit (name, description,
//! price, stock, category), soft-delete, stock, and image uploads.

use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::AdminUser;
use crate::db::images::NewProductImage;
use crate::db::products::{NewProduct, ProductFilter, ProductUpdate};
use crate::db::{self, categories::Category};
use crate::domain::account::FieldErrors;
use crate::domain::ids::CategoryId;
use crate::domain::{
    CategorySlug, Currency, Money, PageNumber, PriceCents, ProductId, SearchQuery, Stock,
};
use crate::error::AppError;
use crate::state::AppState;
use crate::uploads;
use crate::web::admin::{admin_chrome, audit_admin};
use crate::web::chrome::Chrome;
use crate::web::extract::PathId;
use crate::web::form::{FieldView, form_status};
use crate::web::visitor::{ClientIp, Visitor};

pub struct ProductRow {
    pub id: ProductId,
    pub name: String,
    pub price: Money,
    pub stock: i64,
}

#[derive(Template)]
#[template(path = "admin/products.html")]
pub struct ProductsPage {
    chrome: Chrome,
    csrf_token: String,
    q: String,
    products: Vec<ProductRow>,
    flash: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
}

/// GET /admin/products — every product, searchable.
pub async fn list_products(
    State(app): State<AppState>,
    AdminUser(_admin): AdminUser,
    visitor: Visitor,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query.ok().and_then(|Query(q)| q.q).unwrap_or_default();
    let search =
        SearchQuery::parse(&q).map_err(|_| AppError::BadRequest("The search is too long."))?;
    let mut conn = app.db.conn().await?;
    let filter = ProductFilter {
        search: search.as_ref(),
        category: None,
    };
    let mut products = Vec::new();
    let total = db::products::count_products(&mut conn, &filter).await?;
    for n in 1..=PageNumber::count_for(total, crate::domain::catalogue::PAGE_SIZE).min(50) {
        let page = PageNumber::parse(&n.to_string()).map_err(|_| AppError::NotFound)?;
        products.extend(
            db::products::list_products(&mut conn, &filter, page)
                .await?
                .into_iter()
                .map(|c| ProductRow {
                    id: c.id,
                    name: c.name,
                    price: c.price,
                    stock: c.stock.get(),
                }),
        );
    }
    drop(conn);
    let page = ProductsPage {
        chrome: admin_chrome(&app, &visitor).await?,
        csrf_token: visitor.csrf_token().await?,
        q,
        products,
        flash: visitor.take_flash().await?,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "admin/product_form.html")]
pub struct ProductFormPage {
    chrome: Chrome,
    csrf_token: String,
    /// `None` for a new product.
    id: Option<ProductId>,
    fields: Vec<FieldView>,
    description: String,
    description_error: Option<String>,
    categories: Vec<(String, String)>,
    category: String,
    images: Vec<String>,
    flash: Option<String>,
    upload_error: Option<String>,
}

/// The product form, raw, so bad values can be shown back.
#[derive(Debug, Default, Deserialize)]
pub struct ProductForm {
    #[serde(default)]
    sku: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    price: String,
    #[serde(default)]
    stock: String,
    #[serde(default)]
    category: String,
}

/// A checked product form.
struct ProductInput {
    sku: String,
    name: String,
    description: String,
    price: Money,
    stock: Stock,
    category: Option<CategorySlug>,
}

impl ProductForm {
    /// The form filled in from a stored product.
    fn of(product: &db::products::ProductDetail) -> Self {
        Self {
            sku: product.sku.clone(),
            name: product.name.clone(),
            description: product.description.clone(),
            price: product.price.amount.to_decimal(),
            stock: product.stock.get().to_string(),
            category: product
                .category
                .as_ref()
                .map(|(slug, _)| slug.clone())
                .unwrap_or_default(),
        }
    }

    fn parse(&self, new: bool) -> Result<ProductInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let sku = self.sku.trim().to_uppercase();
        if new
            && (sku.is_empty()
                || sku.len() > 64
                || !sku
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            errors.add("sku", "Use 1–64 letters, digits, - or _.");
        }
        let name = self.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > 200 {
            errors.add("name", "Enter a name of at most 200 characters.");
        }
        let description = self.description.trim().replace("\r\n", "\n");
        if description.chars().count() > 5000
            || description.chars().any(|c| c.is_control() && c != '\n')
        {
            errors.add(
                "description",
                "At most 5000 characters, no control characters.",
            );
        }
        let price = errors.check("price", PriceCents::parse_decimal(&self.price));
        let stock = errors.check(
            "stock",
            self.stock
                .trim()
                .parse::<i64>()
                .map_err(|_| "Enter a whole number.")
                .and_then(|n| Stock::new(n).map_err(|_| "Enter a number from 0 to 1000000.")),
        );
        let category = match self.category.trim() {
            "" => None,
            slug => errors.check(
                "category",
                CategorySlug::parse(slug).map_err(|_| "Choose a category."),
            ),
        };
        match (price, stock) {
            (Some(price), Some(stock)) if errors.is_empty() => Ok(ProductInput {
                sku,
                name,
                description,
                price: Money::new(price, Currency::EUR),
                stock,
                category,
            }),
            _ => Err(errors),
        }
    }
}

async fn form_page(
    app: &AppState,
    visitor: &Visitor,
    id: Option<ProductId>,
    form: &ProductForm,
    errors: &FieldErrors,
    upload_error: Option<String>,
) -> Result<Response, AppError> {
    let mut conn = app.db.conn().await?;
    let categories: Vec<Category> = db::categories::list_categories(&mut conn).await?;
    let images = match id {
        Some(id) => db::images::list_product_images(&mut conn, id)
            .await?
            .into_iter()
            .map(|i| crate::web::uploads_url(&i.thumb_name))
            .collect(),
        None => Vec::new(),
    };
    drop(conn);
    let mut fields = Vec::new();
    if id.is_none() {
        fields.push(
            FieldView::new("sku", "Article number (SKU)", &form.sku, errors)
                .max(64)
                .required(),
        );
    }
    fields.push(
        FieldView::new("name", "Name", &form.name, errors)
            .max(200)
            .required(),
    );
    fields.push(
        FieldView::new("price", "Price (EUR)", &form.price, errors)
            .max(12)
            .required(),
    );
    fields.push(
        FieldView::new("stock", "Stock", &form.stock, errors)
            .kind("number")
            .max(7)
            .required(),
    );
    let status = form_status(errors.is_empty() && upload_error.is_none());
    let page = ProductFormPage {
        chrome: admin_chrome(app, visitor).await?,
        csrf_token: visitor.csrf_token().await?,
        id,
        fields,
        description: form.description.chars().take(6000).collect(),
        description_error: errors.get("description").map(str::to_owned),
        categories: categories
            .into_iter()
            .map(|c| (c.slug.as_str().to_owned(), c.name))
            .collect(),
        category: form.category.clone(),
        images,
        flash: visitor.take_flash().await?,
        upload_error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// GET /admin/products/new — the empty product form.
pub async fn new_product(
    State(app): State<AppState>,
    AdminUser(_admin): AdminUser,
    visitor: Visitor,
) -> Result<Response, AppError> {
    let form = ProductForm {
        stock: "0".into(),
        ..ProductForm::default()
    };
    form_page(&app, &visitor, None, &form, &FieldErrors::new(), None).await
}

/// The form checked, with its category found; or what is wrong with it.
async fn read_form(
    app: &AppState,
    form: &ProductForm,
    new: bool,
) -> Result<Result<(ProductInput, Option<CategoryId>), FieldErrors>, AppError> {
    let input = match form.parse(new) {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    Ok(category_id(app, input.category.as_ref())
        .await?
        .map(|category| (input, category)))
}

async fn category_id(
    app: &AppState,
    slug: Option<&CategorySlug>,
) -> Result<Result<Option<CategoryId>, FieldErrors>, AppError> {
    let Some(slug) = slug else {
        return Ok(Ok(None));
    };
    let mut conn = app.db.conn().await?;
    match db::categories::find_category_by_slug(&mut conn, slug).await? {
        Some(c) => Ok(Ok(Some(c.id))),
        None => {
            let mut errors = FieldErrors::new();
            errors.add("category", "Choose a category.");
            Ok(Err(errors))
        }
    }
}

/// POST /admin/products/new — creates a product, 303 to its edit page.
pub async fn create_product(
    State(app): State<AppState>,
    AdminUser(admin): AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Form(form): Form<ProductForm>,
) -> Result<Response, AppError> {
    let (input, category) = match read_form(&app, &form, true).await? {
        Ok(read) => read,
        Err(errors) => return form_page(&app, &visitor, None, &form, &errors, None).await,
    };
    let mut conn = app.db.conn().await?;
    let new = NewProduct {
        sku: &input.sku,
        category,
        name: &input.name,
        description: &input.description,
        price: input.price,
        stock: input.stock,
    };
    let id = match db::products::insert_product(&mut conn, &new).await {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => {
            let mut errors = FieldErrors::new();
            errors.add("sku", "Another product has this article number.");
            return form_page(&app, &visitor, None, &form, &errors, None).await;
        }
        Err(e) => return Err(e.into()),
    };
    drop(conn);
    audit_product(&app, &admin, "admin.product.create", id, "", &ip).await?;
    visitor.flash("Product created.").await?;
    Ok(Redirect::to(&format!("/admin/products/{id}")).into_response())
}

/// GET /admin/products/{id} — the product form, filled in.
pub async fn edit_product(
    State(app): State<AppState>,
    AdminUser(_admin): AdminUser,
    visitor: Visitor,
    PathId(id): PathId<ProductId>,
) -> Result<Response, AppError> {
    let mut conn = app.db.conn().await?;
    let product = db::products::find_product(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    form_page(
        &app,
        &visitor,
        Some(id),
        &ProductForm::of(&product),
        &FieldErrors::new(),
        None,
    )
    .await
}

/// POST /admin/products/{id} — saves the product form.
pub async fn update_product(
    State(app): State<AppState>,
    AdminUser(admin): AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    PathId(id): PathId<ProductId>,
    Form(form): Form<ProductForm>,
) -> Result<Response, AppError> {
    let (input, category) = match read_form(&app, &form, false).await? {
        Ok(read) => read,
        Err(errors) => return form_page(&app, &visitor, Some(id), &form, &errors, None).await,
    };
    let mut conn = app.db.conn().await?;
    let update = ProductUpdate {
        category,
        name: &input.name,
        description: &input.description,
        price: input.price,
        stock: input.stock,
    };
    if !db::products::update_product(&mut conn, id, &update).await? {
        return Err(AppError::NotFound);
    }
    drop(conn);
    app.live.stock_changed(id, input.stock);
    let detail = format!(
        "price={} stock={}",
        input.price.amount.get(),
        input.stock.get()
    );
    audit_product(&app, &admin, "admin.product.update", id, &detail, &ip).await?;
    visitor.flash("Product saved.").await?;
    Ok(Redirect::to(&format!("/admin/products/{id}")).into_response())
}

/// POST /admin/products/{id}/delete — hides the product from the shop.
pub async fn delete_product(
    State(app): State<AppState>,
    AdminUser(admin): AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    PathId(id): PathId<ProductId>,
) -> Result<Response, AppError> {
    let mut conn = app.db.conn().await?;
    if !db::products::soft_delete_product(&mut conn, id).await? {
        return Err(AppError::NotFound);
    }
    drop(conn);
    audit_product(&app, &admin, "admin.product.delete", id, "", &ip).await?;
    visitor.flash("Product deleted.").await?;
    Ok(Redirect::to("/admin/products").into_response())
}

#[derive(Debug, Deserialize)]
pub struct StockForm {
    #[serde(default)]
    stock: String,
}

/// POST /admin/products/{id}/stock — sets the units on hand.
pub async fn set_stock(
    State(app): State<AppState>,
    AdminUser(admin): AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    PathId(id): PathId<ProductId>,
    Form(form): Form<StockForm>,
) -> Result<Response, AppError> {
    let stock = form
        .stock
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|n| Stock::new(n).ok())
        .ok_or(AppError::BadRequest(
            "Stock must be a whole number from 0 to 1000000.",
        ))?;
    let mut conn = app.db.conn().await?;
    if !db::products::set_stock(&mut conn, id, stock).await? {
        return Err(AppError::NotFound);
    }
    drop(conn);
    app.live.stock_changed(id, stock);
    let detail = format!("stock={}", stock.get());
    audit_product(&app, &admin, "admin.product.stock", id, &detail, &ip).await?;
    visitor.flash("Stock saved.").await?;
    Ok(Redirect::to("/admin/products").into_response())
}

/// Reads the multipart field `image`, never more than the upload limit.
async fn read_image_field(mut multipart: Multipart) -> Result<Result<Vec<u8>, String>, AppError> {
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(Err("Choose an image to upload.".into())),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::PayloadTooLarge);
            }
            Err(_) => return Ok(Err("The upload could not be read.".into())),
        };
        if field.name() != Some("image") {
            continue;
        }
        let mut field = field;
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > uploads::MAX_UPLOAD_BYTES {
                        return Err(AppError::PayloadTooLarge);
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(Ok(bytes)),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(AppError::PayloadTooLarge);
                }
                Err(_) => return Ok(Err("The upload could not be read.".into())),
            }
        }
    }
}

/// POST /admin/products/{id}/images — multipart field `image`: sniffed,
/// bounded, decoded and re-encoded; nothing is stored on any rejection.
pub async fn upload_image(
    State(app): State<AppState>,
    AdminUser(admin): AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    PathId(id): PathId<ProductId>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let mut conn = app.db.conn().await?;
    let product = db::products::find_product(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let bytes = match read_image_field(multipart).await? {
        Ok(bytes) => bytes,
        Err(message) => {
            let form = ProductForm::of(&product);
            return form_page(
                &app,
                &visitor,
                Some(id),
                &form,
                &FieldErrors::new(),
                Some(message),
            )
            .await;
        }
    };
    let processed = match tokio::task::spawn_blocking(move || uploads::process(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
    {
        Ok(p) => p,
        Err(e) => {
            let form = ProductForm::of(&product);
            return form_page(
                &app,
                &visitor,
                Some(id),
                &form,
                &FieldErrors::new(),
                Some(e.to_string()),
            )
            .await;
        }
    };
    let full_name = uploads::stored_name(processed.kind);
    let thumb_name = uploads::stored_name(processed.thumb_kind);
    // One transaction: the image and its row appear together or not at all.
    let mut tx = app.db.begin().await?;
    let position = db::images::list_product_images(&mut tx, id).await?.len();
    db::images::insert_image_file(
        &mut tx,
        &full_name,
        processed.kind.content_type(),
        &processed.bytes,
    )
    .await?;
    db::images::insert_image_file(
        &mut tx,
        &thumb_name,
        processed.thumb_kind.content_type(),
        &processed.thumb,
    )
    .await?;
    db::images::insert_product_image(
        &mut tx,
        &NewProductImage {
            product: id,
            position: i64::try_from(position).unwrap_or(0),
            full_name: &full_name,
            thumb_name: &thumb_name,
            width: processed.width,
            height: processed.height,
            alt: &product.name,
        },
    )
    .await?;
    tx.commit().await?;
    audit_product(&app, &admin, "admin.product.image", id, &full_name, &ip).await?;
    visitor.flash("Image added.").await?;
    Ok(Redirect::to(&format!("/admin/products/{id}")).into_response())
}

/// An admin's change to product `id`, in the audit log.
async fn audit_product(
    app: &AppState,
    admin: &crate::db::users::User,
    action: &str,
    id: ProductId,
    detail: &str,
    ip: &str,
) -> Result<(), AppError> {
    audit_admin(app, admin, action, &format!("product:{id}"), detail, ip).await
}
