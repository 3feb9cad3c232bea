//! The cart: arithmetic, limits, stock, tampering, merge at sign-in.

use webstore::seed::catalogue::PRODUCTS;

use crate::helpers::{STRONG_PASSWORD, TestApp, backends};

/// The shop id of a demo product, found by searching its name.
fn cents_text(cents: i64) -> String {
    let major = cents / 100;
    let grouped = if major >= 1000 {
        format!("{},{:03}", major / 1000, major % 1000)
    } else {
        major.to_string()
    };
    format!("€{grouped}.{:02}", cents % 100)
}

fn cart_total(page: &crate::helpers::Page) -> String {
    page.body
        .split("cart-total\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn totals_are_quantities_times_current_prices_and_tampered_prices_are_ignored() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.visitor();
        let in_stock: Vec<_> = PRODUCTS.iter().filter(|p| p.stock >= 10).take(2).collect();
        let (a, b) = (in_stock[0], in_stock[1]);
        let (ida, idb) = (
            shopper.product_id_named(a.name).await,
            shopper.product_id_named(b.name).await,
        );
        let res = shopper
            .form(
                "/cart/items",
                &[
                    ("product_id", &ida.to_string()),
                    ("quantity", "2"),
                    ("price_cents", "1"),
                    ("price", "0.01"),
                    ("total", "1"),
                ],
            )
            .await;
        assert_eq!(res.status, 303);
        assert_eq!(res.header("location"), Some("/cart"));
        shopper.add_to_cart(idb, "1").await;
        shopper.add_to_cart(ida, "1").await;
        let cart = shopper.get("/cart").await;
        assert_eq!(cart.status, 200);
        assert_eq!(cart.header("cache-control"), Some("no-store"));
        assert_eq!(
            cart_total(&cart),
            cents_text(3 * a.price_cents + b.price_cents),
            "on {}",
            app.backend.label()
        );
        assert_eq!(shopper.cart_count().await, 4);
    }
}

#[tokio::test]
async fn quantities_outside_1_to_99_are_422_and_leave_the_cart_unchanged() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    let big = PRODUCTS
        .iter()
        .find(|p| p.stock >= 120)
        .expect("a well-stocked product");
    let id = shopper.product_id_named(big.name).await;
    for bad in [
        "0",
        "100",
        "-1",
        "abc",
        "",
        "1.5",
        "99999999999999999999",
        "1e2",
    ] {
        let res = shopper.add_to_cart(id, bad).await;
        assert_eq!(res.status, 422, "quantity {bad:?}");
        assert!(res.body.contains("notice-error"), "the reason is shown");
    }
    assert_eq!(shopper.cart_count().await, 0);
    assert_eq!(shopper.add_to_cart(id, "99").await.status, 303);
    let again = shopper.add_to_cart(id, "1").await;
    assert_eq!(again.status, 422, "a line never exceeds 99");
    assert_eq!(shopper.cart_count().await, 99);
}

#[tokio::test]
async fn setting_a_quantity_changes_the_line_and_zero_or_remove_deletes_it() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    let p = PRODUCTS.iter().find(|p| p.stock >= 10).expect("stock");
    let id = shopper.product_id_named(p.name).await;
    shopper.add_to_cart(id, "1").await;
    let set = shopper
        .form(&format!("/cart/items/{id}"), &[("quantity", "5")])
        .await;
    assert_eq!(set.status, 303);
    assert_eq!(shopper.cart_count().await, 5);
    let bad = shopper
        .form(&format!("/cart/items/{id}"), &[("quantity", "100")])
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(shopper.cart_count().await, 5);
    let zero = shopper
        .form(&format!("/cart/items/{id}"), &[("quantity", "0")])
        .await;
    assert_eq!(zero.status, 303);
    assert_eq!(shopper.cart_count().await, 0);
    shopper.add_to_cart(id, "2").await;
    let removed = shopper.form(&format!("/cart/items/{id}/remove"), &[]).await;
    assert_eq!(removed.status, 303);
    assert_eq!(shopper.cart_count().await, 0);
    assert_eq!(
        shopper
            .form("/cart/items/abc", &[("quantity", "1")])
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn the_cart_never_holds_more_than_the_stock() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.visitor();
        let low = PRODUCTS
            .iter()
            .find(|p| (2..=5).contains(&p.stock))
            .expect("a low-stock product");
        let id = shopper.product_id_named(low.name).await;
        let too_many = shopper.add_to_cart(id, &(low.stock + 1).to_string()).await;
        assert_eq!(too_many.status, 422);
        assert!(
            too_many.body.contains(&format!("Only {} left", low.stock)),
            "clear message"
        );
        assert_eq!(
            shopper.add_to_cart(id, &low.stock.to_string()).await.status,
            303
        );
        assert_eq!(
            shopper.add_to_cart(id, "1").await.status,
            422,
            "stock is counted with what is in the cart"
        );
        let sold_out = PRODUCTS
            .iter()
            .find(|p| p.stock == 0)
            .expect("a sold-out product");
        let sid = shopper.product_id_named(sold_out.name).await;
        let res = shopper.add_to_cart(sid, "1").await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains("sold out"));
        assert_eq!(shopper.cart_count().await, low.stock);
        assert_eq!(
            shopper.add_to_cart(99_999_999, "1").await.status,
            404,
            "unknown product"
        );
    }
}

#[tokio::test]
async fn a_product_that_sells_out_while_in_the_cart_is_shown_as_such() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    let p = PRODUCTS.iter().find(|p| p.stock >= 10).expect("stock");
    let id = shopper.product_id_named(p.name).await;
    shopper.add_to_cart(id, "3").await;
    let pool = app.db().await;
    sqlx::query("UPDATE products SET stock = 0 WHERE id = ?")
        .bind(id)
        .execute(&pool)
        .await
        .expect("update");
    let cart = shopper.get("/cart").await;
    assert!(cart.body.contains(p.name), "still listed");
    assert!(cart.body.contains("Sold out"), "marked sold out");
    sqlx::query("UPDATE products SET deleted_at = 1 WHERE id = ?")
        .bind(id)
        .execute(&pool)
        .await
        .expect("update");
    let cart = shopper.get("/cart").await;
    assert!(cart.body.contains("No longer available"));
}

#[tokio::test]
async fn the_visitor_cart_is_merged_into_the_account_cart_at_sign_in() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let stocked: Vec<_> = PRODUCTS.iter().filter(|p| p.stock >= 20).take(2).collect();
        // The account already has 2 of A.
        let device = app.customer("merge@example.com").await;
        let a = device.product_id_named(stocked[0].name).await;
        let b = device.product_id_named(stocked[1].name).await;
        device.add_to_cart(a, "2").await;
        // On another device, as a visitor: 3 of A and 1 of B, then sign in.
        let visitor = app.visitor();
        visitor.add_to_cart(a, "3").await;
        visitor.add_to_cart(b, "1").await;
        let login = visitor.login("merge@example.com", STRONG_PASSWORD).await;
        assert_eq!(login.status, 303);
        assert_eq!(visitor.cart_count().await, 6, "2 + 3 of A, 1 of B");
        assert_eq!(device.cart_count().await, 6, "one cart per account");
        // After sign-out the account's cart stays with the account.
        visitor.form("/logout", &[]).await;
        assert_eq!(visitor.cart_count().await, 0);
        assert_eq!(device.cart_count().await, 6);
    }
}
