//! The JSON API: every endpoint's happy path and its errors, CSRF on
//! cookie-authenticated calls, cursor tampering, the OpenAPI snapshot.

use serde_json::{Value, json};

use crate::helpers::{Client, STRONG_PASSWORD, TestApp, backends};

struct Api<'a> {
    client: Client,
    app: &'a TestApp,
    token: String,
}

impl<'a> Api<'a> {
    async fn new(app: &'a TestApp) -> Self {
        let client = app.visitor();
        let session = client.get("/api/v1/session").await;
        assert_eq!(session.status, 200);
        assert_eq!(session.header("cache-control"), Some("no-store"));
        let token = serde_json::from_str::<Value>(&session.body).expect("json")["csrf_token"]
            .as_str()
            .expect("token")
            .to_owned();
        Self { client, app, token }
    }

    async fn get(&self, path: &str) -> (u16, Value, reqwest::header::HeaderMap) {
        let res = self
            .client
            .http
            .get(self.client.url(path))
            .send()
            .await
            .expect("get");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::Null),
            headers,
        )
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut req = self
            .client
            .http
            .request(method, self.client.url(path))
            .header("x-csrf-token", &self.token)
            .header("origin", self.app.origin.as_str());
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("send");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            headers,
        )
    }

    async fn refresh_token(&mut self) {
        let (_, session, _) = self.get("/api/v1/session").await;
        self.token = session["csrf_token"].as_str().expect("token").to_owned();
    }

    async fn sign_up_and_in(&mut self, email: &str) {
        let (status, _, _) = self
            .send(
                reqwest::Method::POST,
                "/api/v1/auth/register",
                Some(json!({"email": email, "password": STRONG_PASSWORD, "name": "Api User"})),
            )
            .await;
        assert_eq!(status, 202);
        let (status, body, _) = self
            .send(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                Some(json!({"email": email, "password": STRONG_PASSWORD})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["user"]["email"], email);
        self.token = body["csrf_token"].as_str().expect("new token").to_owned();
    }
}

fn assert_problem(headers: &reqwest::header::HeaderMap, body: &Value, status: u16) {
    assert_eq!(
        headers["content-type"], "application/problem+json",
        "{body}"
    );
    assert_eq!(body["status"], status);
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("/problems/")),
        "{body}"
    );
    let text = body.to_string();
    assert!(
        !text.contains("SELECT") && !text.contains("sqlx") && !text.contains("panicked"),
        "{text}"
    );
}

#[tokio::test]
async fn products_page_through_with_an_opaque_cursor_and_tampering_is_a_400() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let api = Api::new(&app).await;
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/products?limit=25&cursor={c}"),
                None => "/api/v1/products?limit=25".to_owned(),
            };
            let (status, body, _) = api.get(&path).await;
            assert_eq!(status, 200);
            for item in body["items"].as_array().expect("items") {
                assert!(item["price_cents"].is_i64() && item["currency"] == "EUR");
                seen.push(item["id"].as_i64().expect("id"));
            }
            match body["next_cursor"].as_str() {
                Some(next) => {
                    assert!(
                        !next.chars().all(|c| c.is_ascii_digit()),
                        "the cursor is opaque"
                    );
                    cursor = Some(next.to_owned());
                }
                None => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.dedup();
        assert_eq!(seen.len(), webstore::seed::catalogue::PRODUCTS.len());
        assert_eq!(sorted.len(), seen.len(), "no repeats");
        let good = {
            let (_, body, _) = api.get("/api/v1/products?limit=2").await;
            body["next_cursor"].as_str().expect("cursor").to_owned()
        };
        let mut tampered = good.clone().into_bytes();
        tampered[5] = if tampered[5] == b'A' { b'B' } else { b'A' };
        for bad in [
            String::from_utf8(tampered).expect("ascii"),
            "1".into(),
            "' OR 1=1 --".into(),
            "%%%".into(),
            "AAAA".into(),
        ] {
            let (status, body, headers) = api
                .get(&format!("/api/v1/products?cursor={}", urlencode(&bad)))
                .await;
            assert_eq!(status, 400, "cursor {bad}");
            assert_problem(&headers, &body, 400);
            assert_eq!(body["type"], "/problems/invalid-cursor");
        }
        for bad in ["0", "101", "-1", "abc"] {
            let (status, _, _) = api.get(&format!("/api/v1/products?limit={bad}")).await;
            assert_eq!(status, 400, "limit {bad}");
        }
        let (status, body, _) = api.get("/api/v1/products?q=coffee&category=kitchen").await;
        assert_eq!(status, 200);
        assert!(body["items"].as_array().is_some_and(|i| !i.is_empty()));
        let (status, _, _) = api.get("/api/v1/products?category=nope").await;
        assert_eq!(status, 404);
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn one_product_and_malformed_ids() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let id = app.demo_product_id().await;
    let (status, body, _) = api.get(&format!("/api/v1/products/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["id"], id);
    assert!(body["images"].as_array().is_some_and(|i| !i.is_empty()));
    for bad in ["abc", "-1", "0", "99999999999999999999", "999999"] {
        let (status, body, headers) = api.get(&format!("/api/v1/products/{bad}")).await;
        assert_eq!(status, 404, "{bad}");
        assert_problem(&headers, &body, 404);
    }
}

#[tokio::test]
async fn malformed_ids_in_cart_and_order_paths_are_404_problems_and_visitors_get_401_first() {
    let app = TestApp::spawn().await;
    let mut api = Api::new(&app).await;
    let not_found = json!({"type": "/problems/not-found", "title": "Not found", "status": 404});
    let unauthenticated =
        json!({"type": "/problems/unauthenticated", "title": "Sign-in required", "status": 401});
    for bad in ["abc", "0", "-1", "99999999999999999999"] {
        let (status, body, headers) = api.get(&format!("/api/v1/orders/{bad}")).await;
        assert_eq!(status, 401, "a visitor learns nothing about {bad}");
        assert_problem(&headers, &body, 401);
        assert_eq!(body, unauthenticated);
    }
    api.sign_up_and_in("ids@example.com").await;
    for bad in ["abc", "0", "-1", "99999999999999999999"] {
        let path = format!("/api/v1/cart/items/{bad}");
        let (status, body, headers) = api
            .send(reqwest::Method::PUT, &path, Some(json!({"quantity": 1})))
            .await;
        assert_eq!((status, &body), (404, &not_found), "PUT {bad}");
        assert_problem(&headers, &body, 404);
        let (status, body, _) = api.send(reqwest::Method::DELETE, &path, None).await;
        assert_eq!((status, &body), (404, &not_found), "DELETE {bad}");
        let (status, body, _) = api.get(&format!("/api/v1/orders/{bad}")).await;
        assert_eq!((status, &body), (404, &not_found), "GET order {bad}");
    }
    let (_, cart, _) = api.get("/api/v1/cart").await;
    assert_eq!(cart["count"], 0, "refused calls changed nothing");
}

#[tokio::test]
async fn the_cart_api_follows_the_shop_rules_and_needs_the_csrf_header() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let api = Api::new(&app).await;
        let product = webstore::seed::catalogue::PRODUCTS
            .iter()
            .find(|p| p.stock >= 10)
            .expect("stock");
        let (_, list, _) = api
            .get(&format!("/api/v1/products?q={}", urlencode(product.name)))
            .await;
        let id = list["items"][0]["id"].as_i64().expect("id");
        let post = reqwest::Method::POST;
        let (status, cart, _) = api
            .send(
                post.clone(),
                "/api/v1/cart/items",
                Some(json!({"product_id": id, "quantity": 2})),
            )
            .await;
        assert_eq!(status, 201);
        assert_eq!(cart["count"], 2);
        assert_eq!(cart["total_cents"], 2 * product.price_cents);
        // Tampered price, unknown fields, bad quantities.
        let (status, body, headers) = api
            .send(
                post.clone(),
                "/api/v1/cart/items",
                Some(json!({"product_id": id, "quantity": 1, "price_cents": 1})),
            )
            .await;
        assert_eq!(status, 422);
        assert_problem(&headers, &body, 422);
        for quantity in [0, 100, -5] {
            let (status, body, _) = api
                .send(
                    post.clone(),
                    "/api/v1/cart/items",
                    Some(json!({"product_id": id, "quantity": quantity})),
                )
                .await;
            assert_eq!(status, 422, "quantity {quantity}: {body}");
        }
        let (status, body, _) = api
            .send(
                post.clone(),
                "/api/v1/cart/items",
                Some(json!({"product_id": id, "quantity": 99})),
            )
            .await;
        assert_eq!(status, 409, "stock is enforced: {body}");
        assert_eq!(body["type"], "/problems/out-of-stock");
        let (status, _, _) = api
            .send(
                post.clone(),
                "/api/v1/cart/items",
                Some(json!({"product_id": 99_999_999, "quantity": 1})),
            )
            .await;
        assert_eq!(status, 404);
        // Not JSON → 415; broken JSON → 400.
        let res = api
            .client
            .http
            .post(api.client.url("/api/v1/cart/items"))
            .header("x-csrf-token", &api.token)
            .form(&[("product_id", "1"), ("quantity", "1")])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), 415);
        let res = api
            .client
            .http
            .post(api.client.url("/api/v1/cart/items"))
            .header("x-csrf-token", &api.token)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), 400);
        // CSRF: missing and wrong tokens.
        let res = api
            .client
            .http
            .post(api.client.url("/api/v1/cart/items"))
            .json(&json!({"product_id": id, "quantity": 1}))
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), 403);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let res = api
            .client
            .http
            .post(api.client.url("/api/v1/cart/items"))
            .header("x-csrf-token", "forged")
            .json(&json!({"product_id": id, "quantity": 1}))
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), 403);
        let (_, cart, _) = api.get("/api/v1/cart").await;
        assert_eq!(cart["count"], 2, "refused calls changed nothing");
        // PUT and DELETE.
        let (status, cart, _) = api
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/cart/items/{id}"),
                Some(json!({"quantity": 5})),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(cart["count"], 5);
        let (status, cart, _) = api
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/cart/items/{id}"),
                Some(json!({"quantity": 0})),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(cart["count"], 0);
        let (status, _, _) = api
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/cart/items/{id}"),
                Some(json!({"quantity": 1})),
            )
            .await;
        assert_eq!(status, 404, "not in the cart any more");
        api.send(
            post,
            "/api/v1/cart/items",
            Some(json!({"product_id": id, "quantity": 1})),
        )
        .await;
        let (status, cart, _) = api
            .send(
                reqwest::Method::DELETE,
                &format!("/api/v1/cart/items/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(cart["count"], 0);
    }
}

#[tokio::test]
async fn auth_checkout_and_orders_over_the_api() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let mut api = Api::new(&app).await;
        let (status, body, headers) = api
            .send(reqwest::Method::POST, "/api/v1/checkout", None)
            .await;
        assert_eq!(status, 401);
        assert_problem(&headers, &body, 401);
        let (status, body, _) = api
            .send(
                reqwest::Method::POST,
                "/api/v1/auth/register",
                Some(json!({"email": "bad", "password": "x", "name": ""})),
            )
            .await;
        assert_eq!(status, 422);
        assert!(
            body["errors"].as_array().is_some_and(|e| e.len() == 3),
            "{body}"
        );
        let (status, body, _) = api
            .send(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                Some(json!({"email": "nobody@example.com", "password": STRONG_PASSWORD})),
            )
            .await;
        assert_eq!(status, 401);
        assert_eq!(body["type"], "/problems/invalid-credentials");
        api.refresh_token().await;
        api.sign_up_and_in("api@example.com").await;
        let id = app.demo_product_id().await;
        api.send(
            reqwest::Method::POST,
            "/api/v1/cart/items",
            Some(json!({"product_id": id, "quantity": 1})),
        )
        .await;
        let key = "api-key-0123456789abcdef";
        let checkout = || {
            api.client
                .http
                .post(api.client.url("/api/v1/checkout"))
                .header("x-csrf-token", &api.token)
                .header("idempotency-key", key)
                .send()
        };
        let first = checkout().await.expect("checkout");
        assert_eq!(first.status(), 201);
        let order: Value = first.json().await.expect("order");
        assert_eq!(order["status"], "awaiting_payment");
        let again: Value = checkout()
            .await
            .expect("again")
            .json()
            .await
            .expect("order");
        assert_eq!(again["id"], order["id"], "same key, same order");
        let (status, orders, _) = api.get("/api/v1/orders").await;
        assert_eq!(status, 200);
        assert_eq!(orders.as_array().map(Vec::len), Some(1));
        let (status, one, headers) = api.get(&format!("/api/v1/orders/{}", order["id"])).await;
        assert_eq!(status, 200);
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(one["items"][0]["product_id"], id);
        // Someone else sees nothing.
        let mut other = Api::new(&app).await;
        other.sign_up_and_in("other-api@example.com").await;
        let (status, _, _) = other.get(&format!("/api/v1/orders/{}", order["id"])).await;
        assert_eq!(status, 404);
        let (status, _, _) = api
            .send(reqwest::Method::POST, "/api/v1/auth/logout", None)
            .await;
        assert_eq!(status, 204);
        let (status, _, _) = api.get("/api/v1/orders").await;
        assert_eq!(status, 401);
    }
}

#[tokio::test]
async fn the_api_reference_is_an_html_page_that_reads_the_openapi_document() {
    let app = TestApp::spawn().await;
    let page = app.visitor().get("/api/docs").await;
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        page.header("content-type")
    );
    assert!(page.body.contains(r#"data-spec-url="/api/openapi.json""#));
    assert!(
        page.body.contains("/static/js/api-docs"),
        "the script is served by the shop"
    );
}

#[tokio::test]
async fn the_openapi_document_is_3_1_covers_every_path_and_matches_its_snapshot() {
    let app = TestApp::spawn().await;
    let page = app.visitor().get("/api/openapi.json").await;
    assert_eq!(page.status, 200);
    let doc: Value = serde_json::from_str(&page.body).expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/products",
        "/api/v1/products/{id}",
        "/api/v1/cart",
        "/api/v1/cart/items",
        "/api/v1/cart/items/{product_id}",
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/checkout",
        "/api/v1/orders",
        "/api/v1/orders/{id}",
        "/api/v1/session",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    let snapshot =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots/openapi.json");
    let pretty = serde_json::to_string_pretty(&doc).expect("pretty") + "\n";
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&snapshot, &pretty).expect("write snapshot");
    }
    let stored =
        std::fs::read_to_string(&snapshot).expect("snapshot exists (UPDATE_SNAPSHOTS=1 writes it)");
    assert_eq!(
        stored, pretty,
        "the API changed: review and run with UPDATE_SNAPSHOTS=1"
    );
}

#[tokio::test]
async fn sign_in_and_the_api_are_rate_limited_per_address_with_retry_after() {
    let app = TestApp::spawn_with(
        crate::helpers::Backend::Sqlite,
        Box::new(|s| {
            s.limits.auth_rate_per_minute = 3;
            s.limits.api_rate_per_second = 2;
        }),
    )
    .await;
    let api = Api::new(&app).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let (status, body, headers) = api
            .send(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                Some(json!({"email": "x@example.com", "password": "nope nope nope"})),
            )
            .await;
        if status == 429 {
            assert_problem(&headers, &body, 429);
            assert!(headers.get("retry-after").is_some());
        }
        statuses.push(status);
    }
    assert!(statuses.contains(&429), "auth limited: {statuses:?}");
    let form = app.visitor();
    let mut form_statuses = Vec::new();
    for _ in 0..5 {
        form_statuses.push(
            form.login("y@example.com", "nope nope nope")
                .await
                .status
                .as_u16(),
        );
    }
    assert!(
        form_statuses.contains(&429),
        "the sign-in form too: {form_statuses:?}"
    );
    let mut api_statuses = Vec::new();
    for _ in 0..30 {
        api_statuses.push(api.get("/api/v1/products?limit=1").await.0);
    }
    assert!(api_statuses.contains(&429), "API limited: {api_statuses:?}");
    // Pages are not limited.
    assert_eq!(app.visitor().get("/").await.status, 200);
}

#[tokio::test]
async fn cors_is_closed_by_default_and_opens_only_the_api_to_listed_origins() {
    let closed = TestApp::spawn().await;
    let res = closed
        .visitor()
        .http
        .get(closed.visitor().url("/api/v1/products"))
        .header("origin", "https://app.example")
        .send()
        .await
        .expect("get");
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let open = TestApp::spawn_with(
        crate::helpers::Backend::Sqlite,
        Box::new(|s| s.cors_origins = vec!["https://app.example".to_owned()]),
    )
    .await;
    let client = open.visitor();
    let api = client
        .http
        .get(client.url("/api/v1/products"))
        .header("origin", "https://app.example")
        .send()
        .await
        .expect("get");
    assert_eq!(
        api.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let other = client
        .http
        .get(client.url("/api/v1/products"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("get");
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let page = client
        .http
        .get(client.url("/"))
        .header("origin", "https://app.example")
        .send()
        .await
        .expect("get");
    assert!(
        page.headers().get("access-control-allow-origin").is_none(),
        "never the pages"
    );
    // A state-changing API call from the listed origin passes the Origin check (the
    // token is still needed); from another origin it does not.
    let session: Value = client
        .http
        .get(client.url("/api/v1/session"))
        .send()
        .await
        .expect("s")
        .json()
        .await
        .expect("json");
    let token = session["csrf_token"].as_str().expect("token");
    let id = open.demo_product_id().await;
    let ok = client
        .http
        .post(client.url("/api/v1/cart/items"))
        .header("origin", "https://app.example")
        .header("x-csrf-token", token)
        .json(&json!({"product_id": id, "quantity": 1}))
        .send()
        .await
        .expect("post");
    assert_eq!(ok.status(), 201);
    let refused = client
        .http
        .post(client.url("/api/v1/cart/items"))
        .header("origin", "https://evil.example")
        .header("x-csrf-token", token)
        .json(&json!({"product_id": id, "quantity": 1}))
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn a_client_without_a_session_cookie_signs_up_and_in_directly_and_then_needs_the_token() {
    let app = TestApp::spawn().await;
    let client = app.visitor();
    let register = client
        .http
        .post(client.url("/api/v1/auth/register"))
        .json(&json!({"email": "fresh@example.com", "password": STRONG_PASSWORD, "name": "Fresh"}))
        .send()
        .await
        .expect("register");
    let status = register.status();
    assert_eq!(status, 202, "{}", register.text().await.unwrap_or_default());
    let login = client
        .http
        .post(client.url("/api/v1/auth/login"))
        .json(&json!({"email": "fresh@example.com", "password": STRONG_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200, "no cookie yet, so no token needed");
    let session: Value = login.json().await.expect("json");
    // Now the cookie authenticates, and the token is required.
    let id = app.demo_product_id().await;
    let without = client
        .http
        .post(client.url("/api/v1/cart/items"))
        .json(&json!({"product_id": id, "quantity": 1}))
        .send()
        .await
        .expect("post");
    assert_eq!(without.status(), 403);
    let with = client
        .http
        .post(client.url("/api/v1/cart/items"))
        .header(
            "x-csrf-token",
            session["csrf_token"].as_str().expect("token"),
        )
        .json(&json!({"product_id": id, "quantity": 1}))
        .send()
        .await
        .expect("post");
    assert_eq!(with.status(), 201);
    // A cross-site browser request is still refused by its Origin.
    let cross = app
        .visitor()
        .http
        .post(client.url("/api/v1/auth/login"))
        .header("origin", "https://evil.example")
        .json(&json!({"email": "fresh@example.com", "password": STRONG_PASSWORD}))
        .send()
        .await
        .expect("post");
    assert_eq!(cross.status(), 403);
}
