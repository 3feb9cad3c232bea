//! The catalogue kept in memory: what one visitor sees never reaches
//! another, a change shows at once on the instance that made it and within
//! a second on every other instance of the same database.

use std::time::{Duration, Instant};

use webstore::seed::catalogue::PRODUCTS;

use crate::helpers::{Client, STRONG_PASSWORD, TestApp, backends};

/// The name shown in the header's account link, if someone is signed in.
fn account_name(body: &str) -> Option<String> {
    let after = body.split("<a href=\"/account\">").nth(1)?;
    after.split('<').next().map(|n| n.trim().to_owned())
}

fn badge(body: &str) -> Option<i64> {
    body.split("data-cart-count")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .and_then(|n| n.trim().parse().ok())
}

#[tokio::test]
async fn nothing_of_one_visitor_reaches_another_through_cached_pages() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let id = app.demo_product_id().await;
        let product = format!("/products/{id}");

        let shopper = app.visitor();
        shopper
            .register("carter@example.com", "Carla Cartwright", STRONG_PASSWORD)
            .await;
        assert_eq!(
            shopper
                .login("carter@example.com", STRONG_PASSWORD)
                .await
                .status,
            303
        );
        assert_eq!(shopper.add_to_cart(id, "3").await.status, 303);
        let (admin, _) = app.admin("boss@example.com").await;

        let mut seen_tokens = Vec::new();
        for (who, client) in [("shopper", &shopper), ("admin", &admin)] {
            for path in ["/", product.as_str()] {
                let page = client.get(path).await;
                assert_eq!(page.status, 200, "{who} {path}");
                assert!(
                    account_name(&page.body).is_some(),
                    "{who} signed in on {path}"
                );
            }
            let page = client.get(&product).await;
            seen_tokens.push(page.hidden_input("csrf_token").expect("a token"));
        }
        assert_eq!(badge(&shopper.get("/").await.body), Some(3));
        let shopper_name = account_name(&shopper.get("/").await.body).expect("name");
        let admin_name = account_name(&admin.get("/").await.body).expect("name");

        let fresh = app.visitor();
        for path in ["/", product.as_str(), "/?q=a"] {
            let page = fresh.get(path).await;
            assert_eq!(page.status, 200, "{path}");
            assert_eq!(badge(&page.body), Some(0), "no badge count on {path}");
            assert_eq!(account_name(&page.body), None, "nobody signed in on {path}");
            assert!(page.body.contains("href=\"/login\""), "{path}");
            for name in [&shopper_name, &admin_name] {
                assert!(!page.body.contains(name.as_str()), "{name} on {path}");
            }
            if let Some(token) = page.hidden_input("csrf_token") {
                assert!(!seen_tokens.contains(&token), "another's token on {path}");
            }
        }
        let own = fresh
            .get(&product)
            .await
            .hidden_input("csrf_token")
            .expect("the fresh visitor's own token");
        assert!(!seen_tokens.contains(&own));
    }
}

/// Edits product `id` through the back office of `admin`'s instance.
async fn edit(admin: &Client, id: i64, name: &str, price: &str, stock: &str) {
    let saved = admin
        .form(
            &format!("/admin/products/{id}"),
            &[
                ("name", name),
                ("price", price),
                ("stock", stock),
                ("description", "Changed for the cache test."),
                ("category", "kitchen"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
}

/// Whether every catalogue read of `client` shows product `id` as `name`
/// at `price` with `stock` units: page, grid, search and the API.
async fn shows(client: &Client, id: i64, name: &str, price: &str, stock: i64) -> bool {
    let page = client.get(&format!("/products/{id}")).await;
    if !(page.body.contains(name)
        && page.body.contains(price)
        && page.body.contains(&format!("data-stock=\"{stock}\"")))
    {
        return false;
    }
    let q: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let found = client.get(&format!("/?q={q}")).await;
    if !found.card_titles().iter().any(|t| t == name) {
        return false;
    }
    let all = client.get("/").await.body;
    if all.contains(&format!("href=\"/products/{id}\"")) && !all.contains(name) {
        return false;
    }
    let api = client.get(&format!("/api/v1/products/{id}")).await;
    let json: serde_json::Value = serde_json::from_str(&api.body).expect("json");
    json["name"] == name && json["stock"] == stock
}

/// Reads everything about product `id` once, so that it is cached.
async fn warm(client: &Client, id: i64, old_name: &str) {
    let old_stock = PRODUCTS
        .iter()
        .find(|p| p.name == old_name)
        .map(|p| p.stock)
        .expect("demo product");
    assert!(
        client
            .get(&format!("/products/{id}"))
            .await
            .body
            .contains(old_name)
    );
    let q: String = url::form_urlencoded::byte_serialize(old_name.as_bytes()).collect();
    assert!(
        !client
            .get(&format!("/?q={q}"))
            .await
            .card_titles()
            .is_empty()
    );
    client.get("/").await;
    let api = client.get(&format!("/api/v1/products/{id}")).await;
    assert!(api.body.contains(&format!("\"stock\":{old_stock}")));
}

#[tokio::test]
async fn a_change_shows_at_once_on_its_own_instance() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.visitor();
        let demo = &PRODUCTS[0];
        let id = shopper.product_id_named(demo.name).await;
        warm(&shopper, id, demo.name).await;
        let (admin, _) = app.admin("boss@example.com").await;
        edit(&admin, id, "Renamed Kettle", "12.34", "6").await;
        assert!(shows(&shopper, id, "Renamed Kettle", "€12.34", 6).await);

        // Stock taken by a checkout shows at once too.
        let buyer = app.customer("buyer@example.com").await;
        assert_eq!(buyer.add_to_cart(id, "2").await.status, 303);
        let key = buyer
            .get("/cart")
            .await
            .hidden_input("idempotency_key")
            .expect("a checkout key");
        let placed = buyer
            .form("/checkout", &[("idempotency_key", key.as_str())])
            .await;
        assert_eq!(placed.status, 303, "{}", placed.body);
        assert!(shows(&shopper, id, "Renamed Kettle", "€12.34", 4).await);
    }
}

#[tokio::test]
async fn a_change_on_one_instance_shows_on_another_within_a_second() {
    for backend in backends().await {
        let first = TestApp::spawn_on(backend.clone()).await;
        let dir = tempfile::tempdir().expect("dir");
        let second = TestApp::start(
            &dir.path().join("data"),
            &first.database_url,
            Box::new(|_| {}),
        )
        .await;
        let on_second = second.visitor();
        let demo = &PRODUCTS[1];
        let id = on_second.product_id_named(demo.name).await;
        warm(&on_second, id, demo.name).await;

        let (admin, _) = first.admin("boss@example.com").await;
        for (round, (name, price, stock)) in
            [("Moved Mug", "7.10", 3_i64), ("Moved Mug Again", "8.20", 0)]
                .into_iter()
                .enumerate()
        {
            edit(&admin, id, name, price, &stock.to_string()).await;
            let changed = Instant::now();
            let shown = format!("€{price}");
            loop {
                let asked = changed.elapsed();
                if shows(&on_second, id, name, &shown, stock).await {
                    break;
                }
                assert!(
                    asked < Duration::from_millis(1500),
                    "{}: round {round} still stale on the second instance",
                    backend.label()
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            // Then the second instance keeps serving it from memory.
            assert!(shows(&on_second, id, name, &shown, stock).await);
        }
        drop(second);
    }
}
