//! Checkout and orders: the happy path, double submission, stock, other
//! people's orders, and the oversell race.

use std::sync::Arc;

use webstore::domain::{OrderId, OrderStatus, UserId};
use webstore::seed::catalogue::PRODUCTS;

use crate::helpers::{Client, STRONG_PASSWORD, TestApp, backends, mariadb};

async fn count(app: &TestApp, sql: &str) -> i64 {
    let pool = app.db().await;
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.expect("count");
    n
}

async fn checkout(client: &Client, key: &str) -> crate::helpers::Page {
    client.form("/checkout", &[("idempotency_key", key)]).await
}

#[tokio::test]
async fn a_customer_checks_out_and_sees_the_order() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.customer("buyer@example.com").await;
        let p = PRODUCTS.iter().find(|p| p.stock >= 10).expect("stock");
        let id = shopper.product_id_named(p.name).await;
        let before = app.stock_of(id).await;
        shopper.add_to_cart(id, "3").await;
        let cart = shopper.get("/cart").await;
        let key = cart
            .hidden_input("idempotency_key")
            .expect("the cart carries a checkout key");
        let placed = checkout(&shopper, &key).await;
        assert_eq!(placed.status, 303, "{}", placed.body);
        let location = placed.header("location").expect("location").to_owned();
        assert!(location.starts_with("/orders/"), "{location}");
        let order = shopper.get(&location).await;
        assert_eq!(order.status, 200);
        assert_eq!(order.header("cache-control"), Some("no-store"));
        assert!(order.body.contains(p.name));
        let total = p.price_cents * 3;
        assert!(
            order
                .body
                .contains(&format!("€{}.{:02}", total / 100, total % 100))
                || total >= 100_000
        );
        assert_eq!(app.stock_of(id).await, before - 3);
        assert_eq!(shopper.cart_count().await, 0, "the cart is emptied");
        assert!(shopper.get("/orders").await.body.contains(&location));
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM outbox WHERE kind = 'order_confirmation'"
            )
            .await,
            1
        );
    }
}

#[tokio::test]
async fn the_same_idempotency_key_places_one_order() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.customer("twice@example.com").await;
        let p = PRODUCTS.iter().find(|p| p.stock >= 10).expect("stock");
        let id = shopper.product_id_named(p.name).await;
        let before = app.stock_of(id).await;
        shopper.add_to_cart(id, "2").await;
        let key = "tab-one-0123456789abcdef";
        let first = checkout(&shopper, key).await;
        let second = checkout(&shopper, key).await;
        assert_eq!(first.status, 303);
        assert_eq!(second.status, 303);
        assert_eq!(first.header("location"), second.header("location"));
        assert_eq!(count(&app, "SELECT COUNT(*) FROM orders").await, 1);
        assert_eq!(app.stock_of(id).await, before - 2);
    }
}

#[tokio::test]
async fn out_of_stock_keeps_the_cart_and_places_nothing() {
    let app = TestApp::spawn().await;
    let shopper = app.customer("late@example.com").await;
    let p = PRODUCTS.iter().find(|p| p.stock >= 10).expect("stock");
    let id = shopper.product_id_named(p.name).await;
    shopper.add_to_cart(id, "4").await;
    let pool = app.db().await;
    sqlx::query("UPDATE products SET stock = 3 WHERE id = ?")
        .bind(id)
        .execute(&pool)
        .await
        .expect("update");
    let res = checkout(&shopper, "late-0123456789abcdef").await;
    assert_eq!(res.status, 409);
    assert!(
        res.body.contains("not have enough stock"),
        "a clear message"
    );
    assert_eq!(shopper.cart_count().await, 4, "the cart is kept");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders").await, 0);
    assert_eq!(app.stock_of(id).await, 3, "no partial order");
}

#[tokio::test]
async fn checkout_needs_sign_in_a_valid_key_and_a_non_empty_cart() {
    let app = TestApp::spawn().await;
    let visitor = app.visitor();
    let res = checkout(&visitor, "anon-0123456789abcdef").await;
    assert_eq!(res.status, 303);
    assert!(
        res.header("location")
            .is_some_and(|l| l.starts_with("/login"))
    );
    let shopper = app.customer("empty@example.com").await;
    assert_eq!(
        checkout(&shopper, "empty-0123456789abcdef").await.status,
        409
    );
    shopper.add_to_cart(app.demo_product_id().await, "1").await;
    assert_eq!(checkout(&shopper, "bad key!").await.status, 422);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders").await, 0);
}

#[tokio::test]
async fn another_customers_order_is_not_found() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let alice = app.customer("alice@example.com").await;
        alice.add_to_cart(app.demo_product_id().await, "1").await;
        let placed = checkout(&alice, "alice-0123456789abcdef").await;
        let location = placed.header("location").expect("order").to_owned();
        let bob = app.customer("bob@example.com").await;
        assert_eq!(bob.get(&location).await.status, 404);
        assert!(!bob.get("/orders").await.body.contains(&location));
        assert_eq!(bob.get("/orders/999999").await.status, 404);
        assert_eq!(bob.get("/orders/abc").await.status, 404);
        assert_eq!(
            app.visitor().get(&location).await.status,
            303,
            "visitors sign in first"
        );
    }
}

#[tokio::test]
async fn cancelling_returns_the_stock_and_transitions_are_checked() {
    let app = TestApp::spawn().await;
    let shopper = app.customer("cancel@example.com").await;
    let p = PRODUCTS.iter().find(|p| p.stock >= 10).expect("stock");
    let id = shopper.product_id_named(p.name).await;
    let before = app.stock_of(id).await;
    shopper.add_to_cart(id, "2").await;
    let placed = checkout(&shopper, "cancel-0123456789abcdef").await;
    let order: i64 = placed
        .header("location")
        .and_then(|l| l.rsplit('/').next())
        .and_then(|n| n.parse().ok())
        .expect("id");
    let order = OrderId::try_from(order).expect("order id");
    let db = webstore::db::Db::connect_url(
        &webstore::config::DatabaseUrl::parse(&app.database_url).expect("url"),
    )
    .await
    .expect("db");
    let (admin,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE email = ?")
        .bind("cancel@example.com")
        .fetch_one(&app.db().await)
        .await
        .expect("user id");
    let actor = || webstore::shop::admin::Actor {
        user: UserId::try_from(admin).expect("user id"),
        client_ip: "127.0.0.1",
    };
    let live = webstore::live::Hub::local();
    let change = |to| webstore::shop::admin::orders::change_status(&db, &live, actor(), order, to);
    let shipped = change(OrderStatus::Shipped).await.expect("runs");
    assert!(shipped.is_err(), "awaiting payment cannot ship");
    let cancelled = change(OrderStatus::Cancelled).await.expect("runs");
    assert_eq!(cancelled, Ok(OrderStatus::Cancelled));
    assert_eq!(app.stock_of(id).await, before, "stock returned");
    let again = change(OrderStatus::Paid).await.expect("runs");
    assert!(again.is_err(), "a cancelled order stays cancelled");
    assert_eq!(app.stock_of(id).await, before);
}

/// Signs in `n` customers directly (one shared password hash keeps the
/// set-up fast), each with one unit of `product` in the cart.
async fn buyers(apps: &[&TestApp], product: i64, n: usize) -> Vec<Client> {
    let pool = apps[0].db().await;
    let hash = webstore::auth::password::hash(STRONG_PASSWORD.to_owned())
        .await
        .expect("hash");
    for i in 0..n {
        sqlx::query("INSERT INTO users (email, name, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, 'customer', 0, 0)")
            .bind(format!("racer{i}@example.com"))
            .bind(format!("Racer {i}"))
            .bind(&hash)
            .execute(&pool)
            .await
            .expect("user");
    }
    let mut clients = Vec::new();
    for i in 0..n {
        let app = apps[i % apps.len()];
        let client = app.visitor();
        let res = client
            .login(&format!("racer{i}@example.com"), STRONG_PASSWORD)
            .await;
        assert_eq!(res.status, 303, "racer {i} signs in");
        assert_eq!(client.add_to_cart(product, "1").await.status, 303);
        clients.push(client);
    }
    clients
}

async fn race(apps: &[&TestApp]) {
    let shopper = apps[0].visitor();
    let p = PRODUCTS.iter().find(|p| p.stock >= 10).expect("stock");
    let product = shopper.product_id_named(p.name).await;
    let clients = buyers(apps, product, 50).await;
    let pool = apps[0].db().await;
    sqlx::query("UPDATE products SET stock = 5 WHERE id = ?")
        .bind(product)
        .execute(&pool)
        .await
        .expect("stock 5");
    let start = Arc::new(tokio::sync::Barrier::new(clients.len()));
    let mut tasks = Vec::new();
    for (i, client) in clients.into_iter().enumerate() {
        let start = start.clone();
        tasks.push(tokio::spawn(async move {
            let token = client.csrf().await;
            start.wait().await;
            let key = format!("race-{i:04}-0123456789abcdef");
            client
                .form_raw(
                    "/checkout",
                    &[("csrf_token", &token), ("idempotency_key", &key)],
                )
                .await
                .status
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    let won = statuses.iter().filter(|s| **s == 303).count();
    let lost = statuses.iter().filter(|s| **s == 409).count();
    assert!(
        statuses.iter().all(|s| *s == 303 || *s == 409),
        "only orders or clear refusals: {statuses:?}"
    );
    assert_eq!(won, 5, "exactly five orders: {statuses:?}");
    assert_eq!(lost, 45);
    assert_eq!(count(apps[0], "SELECT COUNT(*) FROM orders").await, 5);
    assert_eq!(apps[0].stock_of(product).await, 0, "never negative");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_buyers_for_five_units_make_exactly_five_orders() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        race(&[&app]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_mariadb_never_oversell() {
    let Some(backend) = mariadb("the two-instance race").await else {
        return;
    };
    let first = TestApp::spawn_on(backend).await;
    let second_dir = tempfile::tempdir().expect("dir");
    let second = TestApp::start(
        &second_dir.path().join("data"),
        &first.database_url,
        Box::new(|_| {}),
    )
    .await;
    race(&[&first, &second]).await;
}
