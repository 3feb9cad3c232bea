//! Back-office products: list and search, create, edit (name, description,
//! price, stock, category), soft-delete and stock. Image uploads are in
//! `images`.
//!
//! May import: shop, domain, auth, error, state, web, askama.

use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::auth::AdminUser;
use crate::domain::account::FieldErrors;
use crate::domain::{CategorySlug, Currency, Money, PriceCents, ProductId, SearchQuery, Stock};
use crate::error::AppError;
use crate::shop::admin::products::{self as shop_products, ProductDetail, ProductInput};
use crate::state::AppState;
use crate::web::admin::{actor, admin_chrome, saved};
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
    let products = shop_products::list_products(&app.db, search.as_ref())
        .await?
        .into_iter()
        .map(|c| ProductRow {
            id: c.id,
            name: c.name,
            price: c.price,
            stock: c.stock.get(),
        })
        .collect();
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

impl ProductForm {
    /// The form filled in from a stored product.
    pub(super) fn of(product: &ProductDetail) -> Self {
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

pub(super) async fn form_page(
    app: &AppState,
    visitor: &Visitor,
    id: Option<ProductId>,
    form: &ProductForm,
    errors: &FieldErrors,
    upload_error: Option<String>,
) -> Result<Response, AppError> {
    let choices = shop_products::form_choices(&app.db, id).await?;
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
        categories: choices.categories,
        category: form.category.clone(),
        images: choices
            .thumb_names
            .iter()
            .map(|name| crate::web::uploads_url(name))
            .collect(),
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

/// POST /admin/products/new — creates a product, 303 to its edit page.
pub async fn create_product(
    State(app): State<AppState>,
    admin: AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Form(form): Form<ProductForm>,
) -> Result<Response, AppError> {
    let created = match form.parse(true) {
        Ok(input) => shop_products::create_product(&app.db, actor(&admin, &ip), &input).await?,
        Err(errors) => Err(errors),
    };
    match created {
        Ok(id) => {
            saved(
                &visitor,
                "Product created.",
                &format!("/admin/products/{id}"),
            )
            .await
        }
        Err(errors) => form_page(&app, &visitor, None, &form, &errors, None).await,
    }
}

/// GET /admin/products/{id} — the product form, filled in.
pub async fn edit_product(
    State(app): State<AppState>,
    AdminUser(_admin): AdminUser,
    visitor: Visitor,
    PathId(id): PathId<ProductId>,
) -> Result<Response, AppError> {
    let product = shop_products::find_product(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = ProductForm::of(&product);
    form_page(&app, &visitor, Some(id), &form, &FieldErrors::new(), None).await
}

/// POST /admin/products/{id} — saves the product form.
pub async fn update_product(
    State(app): State<AppState>,
    admin: AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    PathId(id): PathId<ProductId>,
    Form(form): Form<ProductForm>,
) -> Result<Response, AppError> {
    let updated = match form.parse(false) {
        Ok(input) => {
            let by = actor(&admin, &ip);
            shop_products::update_product(&app.db, &app.live, by, id, &input).await?
        }
        Err(errors) => Err(errors),
    };
    match updated {
        Ok(()) => saved(&visitor, "Product saved.", &format!("/admin/products/{id}")).await,
        Err(errors) => form_page(&app, &visitor, Some(id), &form, &errors, None).await,
    }
}

/// POST /admin/products/{id}/delete — hides the product from the shop.
pub async fn delete_product(
    State(app): State<AppState>,
    admin: AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    PathId(id): PathId<ProductId>,
) -> Result<Response, AppError> {
    shop_products::delete_product(&app.db, actor(&admin, &ip), id).await?;
    saved(&visitor, "Product deleted.", "/admin/products").await
}

#[derive(Debug, Deserialize)]
pub struct StockForm {
    #[serde(default)]
    stock: String,
}

/// POST /admin/products/{id}/stock — sets the units on hand.
pub async fn set_stock(
    State(app): State<AppState>,
    admin: AdminUser,
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
    shop_products::set_stock(&app.db, &app.live, actor(&admin, &ip), id, stock).await?;
    saved(&visitor, "Stock saved.", "/admin/products").await
}
