//! The catalogue: grid, search, category filter, pagination, product pages.

use std::collections::BTreeSet;

use webstore::seed::catalogue::{CATEGORIES, PRODUCTS};

use crate::helpers::{TestApp, backends};

/// The demo products a search should find: every word in name or
/// description, case-insensitively, matched literally.
fn expected_matches(q: &str) -> BTreeSet<String> {
    let terms: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
    PRODUCTS
        .iter()
        .filter(|p| {
            let text = format!("{} {}", p.name.to_lowercase(), p.description.to_lowercase());
            terms.iter().all(|t| text.contains(t.as_str()))
        })
        .map(|p| p.name.to_owned())
        .collect()
}

async fn all_titles(app: &TestApp, first_path: &str) -> Vec<String> {
    let shopper = app.visitor();
    let mut titles = Vec::new();
    let mut page = 1;
    loop {
        let sep = if first_path.contains('?') { '&' } else { '?' };
        let path = if page == 1 {
            first_path.to_owned()
        } else {
            format!("{first_path}{sep}page={page}")
        };
        let res = shopper.get(&path).await;
        if res.status == 404 && page > 1 {
            break;
        }
        assert_eq!(res.status, 200, "{path}");
        titles.extend(res.card_titles());
        page += 1;
        assert!(page < 20, "pagination never ends");
    }
    titles
}

#[tokio::test]
async fn home_shows_24_products_a_page_and_pages_cover_the_catalogue_once() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let first = app.visitor().get("/").await;
        assert_eq!(first.status, 200);
        assert_eq!(first.product_ids().len(), 24);
        assert!(first.body.contains("href=\"/?page=2\""), "a link to page 2");

        let titles = all_titles(&app, "/").await;
        let unique: BTreeSet<_> = titles.iter().cloned().collect();
        assert_eq!(titles.len(), PRODUCTS.len(), "every product exactly once");
        assert_eq!(unique, PRODUCTS.iter().map(|p| p.name.to_owned()).collect());
    }
}

#[tokio::test]
async fn pages_outside_the_catalogue_are_404() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    let last = PRODUCTS.len().div_ceil(24);
    assert_eq!(shopper.get(&format!("/?page={last}")).await.status, 200);
    for bad in [
        format!("{}", last + 1),
        "0".into(),
        "-1".into(),
        "abc".into(),
        "99999999999999999999".into(),
    ] {
        assert_eq!(
            shopper.get(&format!("/?page={bad}")).await.status,
            404,
            "page={bad}"
        );
    }
}

#[tokio::test]
async fn category_filter_shows_exactly_that_category() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        for category in CATEGORIES.iter().take(3) {
            let titles: BTreeSet<String> =
                all_titles(&app, &format!("/?category={}", category.slug))
                    .await
                    .into_iter()
                    .collect();
            let expected: BTreeSet<String> = PRODUCTS
                .iter()
                .filter(|p| p.category == category.slug)
                .map(|p| p.name.to_owned())
                .collect();
            assert_eq!(titles, expected, "category {}", category.slug);
        }
        let shopper = app.visitor();
        assert_eq!(shopper.get("/?category=no-such-thing").await.status, 404);
        assert_eq!(shopper.get("/?category=..%2F..%2Fetc").await.status, 404);
    }
}

#[tokio::test]
async fn search_matches_name_and_description_case_insensitively() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        for q in [
            "coffee",
            "COFFEE",
            "Linen",
            "café",
            "CAFÉ",
            "linen shirt",
            "müsli",
        ] {
            let expected = expected_matches(q);
            assert!(
                !expected.is_empty() || q == "linen shirt",
                "the demo data has {q}"
            );
            let path = format!("/?q={}", urlencode(q));
            let found: BTreeSet<String> = all_titles(&app, &path).await.into_iter().collect();
            assert_eq!(found, expected, "q={q} on {}", app.backend.label());
        }
    }
}

#[tokio::test]
async fn search_and_category_combine() {
    let app = TestApp::spawn().await;
    let found: BTreeSet<String> = all_titles(&app, "/?q=coffee&category=kitchen")
        .await
        .into_iter()
        .collect();
    let expected: BTreeSet<String> = PRODUCTS
        .iter()
        .filter(|p| p.category == "kitchen")
        .filter(|p| {
            format!("{} {}", p.name, p.description)
                .to_lowercase()
                .contains("coffee")
        })
        .map(|p| p.name.to_owned())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(found, expected);
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn hostile_search_terms_never_fail_and_match_literally() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.visitor();
        for q in [
            "'",
            "\"",
            "%",
            "_",
            "!",
            "\\",
            "%%",
            "a%",
            "_a",
            "' OR 1=1 --",
            "\" OR \"\"=\"",
            "1; DROP TABLE products; --",
            "') UNION SELECT password_hash FROM users --",
            "*",
            "[a-z]",
        ] {
            let res = shopper.get(&format!("/?q={}", urlencode(q))).await;
            assert_eq!(res.status, 200, "q={q:?} on {}", app.backend.label());
            let found: BTreeSet<String> = res.card_titles().into_iter().collect();
            assert_eq!(
                found,
                expected_matches(q),
                "q={q:?} matches literally on {}",
                app.backend.label()
            );
        }
        // Still all there afterwards.
        assert_eq!(all_titles(&app, "/").await.len(), PRODUCTS.len());
    }
}

#[tokio::test]
async fn overlong_or_undecodable_queries_get_a_clear_4xx_never_a_500() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    let long = shopper.get(&format!("/?q={}", "a".repeat(10_000))).await;
    assert_eq!(long.status, 422);
    assert!(long.body.contains("at most 100 characters"));
    assert!(
        !long.body.contains(&"a".repeat(101)),
        "the long text is not echoed whole"
    );
    let control = shopper.get("/?q=a%00b").await;
    assert_eq!(control.status, 422, "control characters are refused");
    for raw in ["/?q=%", "/?q=%zz", "/?q=a&q=b"] {
        let res = shopper.get(raw).await;
        assert!(
            res.status.is_client_error() || res.status == 200,
            "{raw} gave {}",
            res.status
        );
    }
}

#[tokio::test]
async fn query_strings_that_are_not_utf8_are_refused_with_400_not_decoded_lossily() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    // Any parameter of any route: the check is at the edge, not in one handler.
    let page = "text/html; charset=utf-8";
    let problem = "application/problem+json";
    for (raw, kind) in [
        ("/?q=%C3%28", page),
        ("/?q=%FF%FE", page),
        ("/?category=%FF", page),
        ("/?page=%FF", page),
        ("/?q=mug&utm=%C3", page),
        ("/login?next=%FF", page),
        ("/cart?x=%C3%28", page),
        ("/api/v1/products?q=%C3%28", problem),
        ("/api/v1/products?category=%FF", problem),
        ("/api/v1/products?cursor=%FF%FE", problem),
    ] {
        let res = shopper.get(raw).await;
        assert_eq!(res.status, 400, "{raw}");
        assert_eq!(res.header("content-type"), Some(kind), "{raw}");
        assert!(!res.body.contains('\u{fffd}'), "{raw} was decoded lossily");
        if kind == problem {
            let body: serde_json::Value = serde_json::from_str(&res.body).expect("json");
            assert_eq!(body["status"], 400, "{raw}");
            assert_eq!(body["type"], "/problems/bad-request", "{raw}");
        }
    }
    // Valid UTF-8 and a `%` that starts no escape are still answered.
    for fine in ["/?q=caf%C3%A9", "/?q=100%", "/api/v1/products?q=caf%C3%A9"] {
        assert_eq!(shopper.get(fine).await.status, 200, "{fine}");
    }
}

#[tokio::test]
async fn search_text_is_shown_back_escaped() {
    let app = TestApp::spawn().await;
    let payload = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    let res = app
        .visitor()
        .get(&format!("/?q={}", urlencode(payload)))
        .await;
    assert_eq!(res.status, 200);
    assert!(!res.body.contains("<script>alert(1)"));
    assert!(!res.body.contains("<img src=x"));
    assert!(
        res.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
    );
}

#[tokio::test]
async fn product_page_shows_name_price_stock_description_image_and_form() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.visitor();
        let demo = &PRODUCTS[0];
        let found = shopper.get(&format!("/?q={}", urlencode(demo.name))).await;
        let id = found.product_ids()[0];
        let page = shopper.get(&format!("/products/{id}")).await;
        assert_eq!(page.status, 200);
        let body = crate::helpers::page::unescape(&page.body);
        assert!(body.contains(demo.name));
        let euros = format!("€{}.{:02}", demo.price_cents / 100, demo.price_cents % 100);
        assert!(body.contains(&euros), "price {euros}");
        assert!(body.contains(&format!("data-stock=\"{}\"", demo.stock)));
        assert!(body.contains(&demo.description[..40]));
        assert!(page.body.contains("action=\"/cart/items\""));
        assert_eq!(page.hidden_input("product_id"), Some(id.to_string()));
        let img = page
            .body
            .split("class=\"gallery-main\" src=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("an image");
        let image = shopper
            .raw()
            .get(shopper.url(img))
            .send()
            .await
            .expect("image");
        assert_eq!(image.status(), 200);
        assert_eq!(image.headers()["content-type"], "image/jpeg");
        let bytes = image.bytes().await.expect("bytes");
        assert_eq!(&bytes[..3], &[0xff, 0xd8, 0xff], "a real JPEG");
    }
}

#[tokio::test]
async fn unknown_and_malformed_product_ids_are_404_pages() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.visitor();
        for id in [
            "abc",
            "-1",
            "0",
            "99999999999999999999",
            "9223372036854775807",
            "1%27%20OR%201=1",
            "1.0",
            "01",
            "%20",
            "1;DROP",
        ] {
            let res = shopper.get(&format!("/products/{id}")).await;
            assert_eq!(res.status, 404, "/products/{id}");
            assert!(
                res.body.contains("Page not found"),
                "a real 404 page for {id}"
            );
            assert!(res.header("content-security-policy").is_some());
        }
    }
}

#[tokio::test]
async fn a_deleted_product_disappears_from_grid_and_page() {
    let app = TestApp::spawn().await;
    let id = app.demo_product_id().await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.expect("db");
    sqlx::query("UPDATE products SET deleted_at = 1 WHERE id = ?")
        .bind(id)
        .execute(&pool)
        .await
        .expect("soft delete");
    let shopper = app.visitor();
    // Written beside the shop, not through it: the shop notices within a
    // second, as it would a change made through another instance.
    let deleted = std::time::Instant::now();
    loop {
        let asked = deleted.elapsed();
        if shopper.get(&format!("/products/{id}")).await.status == 404
            && !shopper.get("/").await.product_ids().contains(&id)
        {
            break;
        }
        assert!(
            asked < std::time::Duration::from_millis(1500),
            "still shown"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(all_titles(&app, "/").await.len(), PRODUCTS.len() - 1);
}

#[tokio::test]
async fn every_page_has_the_shop_frame() {
    let app = TestApp::spawn().await;
    let home = app.visitor().get("/").await;
    for needle in [
        "class=\"site-header\"",
        "role=\"search\"",
        "name=\"q\"",
        "href=\"/cart\"",
        "href=\"/login\"",
        "data-cart-count",
        "class=\"site-footer\"",
        "/static/css/shop.css?v=",
    ] {
        assert!(home.body.contains(needle), "home has {needle}");
    }
    for category in CATEGORIES {
        assert!(
            home.body
                .contains(&format!("href=\"/?category={}\"", category.slug))
        );
    }
    assert!(!home.body.contains("style="), "no inline styles");
    assert!(!home.body.contains("<script>"), "no inline scripts");
    assert!(!home.body.contains(" onclick="));
}
