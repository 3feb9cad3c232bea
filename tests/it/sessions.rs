//! Sessions and CSRF: cookie attributes, fixation, logout, forged cookies,
//! forged requests.

use crate::helpers::{STRONG_PASSWORD, TestApp, backends, cluster};

const COOKIE: &str = webstore::auth::session::COOKIE_NAME;
const BROWSER: &str = webstore::auth::csrf::BROWSER_COOKIE;

/// A client without a cookie jar, to replay a cookie by hand.
fn bare_client(app: &TestApp) -> reqwest::Client {
    let cert = reqwest::Certificate::from_pem(app.cert_pem()).expect("cert");
    reqwest::Client::builder()
        .tls_certs_only([cert])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn status_with_cookie(app: &TestApp, path: &str, cookie: &str) -> u16 {
    bare_client(app)
        .get(format!("https://{}{path}", app.https_addr))
        .header("cookie", format!("{COOKIE}={cookie}"))
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_session_and_csrf_cookies_are_host_prefixed_secure_httponly_and_lax() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    let form = shopper.get("/register").await;
    let browser = form
        .set_cookie_header(BROWSER)
        .expect("the browser's CSRF secret");
    let added = shopper.add_to_cart(app.demo_product_id().await, "1").await;
    let session = added.set_cookie_header(COOKIE).expect("a session cookie");
    for (name, header) in [(COOKIE, &session), (BROWSER, &browser)] {
        let lower = header.to_ascii_lowercase();
        assert!(name.starts_with("__Host-"));
        for attr in ["secure", "httponly", "samesite=lax", "path=/"] {
            assert!(lower.contains(attr), "{header} has {attr}");
        }
        assert!(!lower.contains("domain="), "no Domain on a __Host- cookie");
    }
    let id = added.set_cookie(COOKIE).expect("value");
    assert!(id.len() >= 22, "at least 128 bits: {id}");
    let secret = form.set_cookie(BROWSER).expect("value");
    assert_eq!(secret.len(), 43, "256 bits: {secret}");
}

#[tokio::test]
async fn a_form_token_works_only_with_the_browser_cookie_it_was_made_for() {
    let app = TestApp::spawn().await;
    let product = app.demo_product_id().await;
    let shopper = app.visitor();
    let page = shopper.get(&format!("/products/{product}")).await;
    let token = page.hidden_input("csrf_token").expect("a token");
    let secret = page.set_cookie(BROWSER).expect("the browser's secret");
    let post = |cookie: Option<String>, token: String| {
        let mut request = bare_client(&app)
            .post(format!("https://{}/cart/items", app.https_addr))
            .header("origin", &app.origin)
            .form(&[
                ("csrf_token", token),
                ("product_id", product.to_string()),
                ("quantity", "1".to_owned()),
            ]);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        async move { request.send().await.expect("post").status().as_u16() }
    };
    let other = webstore::auth::csrf::new_token();
    assert_eq!(post(None, token.clone()).await, 403, "without the cookie");
    assert_eq!(
        post(Some(format!("{BROWSER}={other}")), token.clone()).await,
        403,
        "beside another browser's cookie"
    );
    assert_eq!(
        post(Some(format!("{BROWSER}={secret}")), secret.clone()).await,
        403,
        "the cookie's value itself is no token"
    );
    assert_eq!(
        post(Some(format!("{BROWSER}={secret}")), token).await,
        303,
        "with its own cookie"
    );
}

#[tokio::test]
async fn browsing_the_catalogue_sets_no_cookie() {
    let app = TestApp::spawn().await;
    let home = app.visitor().get("/").await;
    assert!(
        home.set_cookie(COOKIE).is_none(),
        "no session until one is needed"
    );
}

#[tokio::test]
async fn signing_in_gives_a_new_session_id_and_the_old_one_is_worthless() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.visitor();
        shopper
            .register("fix@example.com", "Fix Ation", STRONG_PASSWORD)
            .await;
        let before = shopper.get("/register").await;
        let old = before.set_cookie(COOKIE);
        let login = shopper.login("fix@example.com", STRONG_PASSWORD).await;
        assert_eq!(login.status, 303);
        let new = login.set_cookie(COOKIE).expect("a new cookie at sign-in");
        if let Some(old) = &old {
            assert_ne!(old, &new);
            assert_eq!(
                status_with_cookie(&app, "/account", old).await,
                303,
                "old id is not signed in"
            );
        }
        assert_eq!(status_with_cookie(&app, "/account", &new).await, 200);
    }
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.visitor();
        shopper
            .register("out@example.com", "Log Out", STRONG_PASSWORD)
            .await;
        let login = shopper.login("out@example.com", STRONG_PASSWORD).await;
        let cookie = login.set_cookie(COOKIE).expect("cookie");
        assert_eq!(status_with_cookie(&app, "/account", &cookie).await, 200);
        let out = shopper.form("/logout", &[]).await;
        assert_eq!(out.status, 303);
        assert_eq!(out.header("location"), Some("/"));
        // Replaying the old cookie no longer works: the record is gone.
        assert_eq!(status_with_cookie(&app, "/account", &cookie).await, 303);
    }
}

#[tokio::test]
async fn forged_or_malformed_cookies_make_a_new_visitor_not_an_error() {
    let app = TestApp::spawn().await;
    for cookie in [
        "garbage",
        "",
        "AAAAAAAAAAAAAAAAAAAAAA",
        "%00%ff",
        &"x".repeat(4000),
        "'; DROP TABLE sessions; --",
    ] {
        assert_eq!(
            status_with_cookie(&app, "/", cookie).await,
            200,
            "{cookie:?}"
        );
        assert_eq!(
            status_with_cookie(&app, "/account", cookie).await,
            303,
            "{cookie:?}"
        );
    }
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_with_next() {
    let app = TestApp::spawn().await;
    let res = app.visitor().get("/account").await;
    assert_eq!(res.status, 303);
    assert_eq!(res.header("location"), Some("/login?next=%2Faccount"));
    assert_eq!(res.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn unsafe_requests_without_a_valid_token_or_from_another_origin_are_403_and_change_nothing() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.visitor();
        let product = app.demo_product_id().await;
        let id = product.to_string();
        let token = shopper.csrf().await;
        let other = app.visitor();
        let other_token = other.csrf().await;

        let missing = shopper
            .form_raw("/cart/items", &[("product_id", &id), ("quantity", "1")])
            .await;
        assert_eq!(missing.status, 403, "no token");
        let wrong = shopper
            .form_raw(
                "/cart/items",
                &[
                    ("csrf_token", "not-the-token"),
                    ("product_id", &id),
                    ("quantity", "1"),
                ],
            )
            .await;
        assert_eq!(wrong.status, 403, "wrong token");
        let foreign = shopper
            .form_raw(
                "/cart/items",
                &[
                    ("csrf_token", &other_token),
                    ("product_id", &id),
                    ("quantity", "1"),
                ],
            )
            .await;
        assert_eq!(foreign.status, 403, "another session's token");
        let cross = shopper
            .http
            .post(shopper.url("/cart/items"))
            .header("origin", "https://evil.example")
            .form(&[
                ("csrf_token", token.as_str()),
                ("product_id", &id),
                ("quantity", "1"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(cross.status(), 403, "another origin");
        let cross_site = shopper
            .http
            .post(shopper.url("/cart/items"))
            .header("sec-fetch-site", "cross-site")
            .form(&[
                ("csrf_token", token.as_str()),
                ("product_id", &id),
                ("quantity", "1"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(cross_site.status(), 403, "Sec-Fetch-Site: cross-site");
        assert_eq!(shopper.cart_count().await, 0, "nothing was added");

        let ok = shopper
            .form_raw(
                "/cart/items",
                &[
                    ("csrf_token", &token),
                    ("product_id", &id),
                    ("quantity", "1"),
                ],
            )
            .await;
        assert_eq!(ok.status, 303, "the right token works");
        assert_eq!(shopper.cart_count().await, 1);
        // The header form of the token works too.
        let header = shopper
            .http
            .post(shopper.url("/logout"))
            .header("x-csrf-token", &token)
            .header("origin", app.origin.as_str())
            .send()
            .await
            .expect("post");
        assert_eq!(header.status(), 303);
    }
}

#[tokio::test]
async fn a_login_form_posted_from_another_site_is_refused() {
    let app = TestApp::spawn().await;
    let res = app
        .visitor()
        .http
        .post(app.visitor().url("/login"))
        .header("origin", "https://evil.example")
        .form(&[("email", "a@example.com"), ("password", STRONG_PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn every_unsafe_route_refuses_a_request_without_a_token() {
    let app = TestApp::spawn().await;
    let shopper = app.customer("routes@example.com").await;
    let product = app.demo_product_id().await;
    for path in [
        "/cart/items".to_owned(),
        format!("/cart/items/{product}"),
        format!("/cart/items/{product}/remove"),
        "/register".to_owned(),
        "/login".to_owned(),
        "/logout".to_owned(),
        "/account".to_owned(),
        "/account/password".to_owned(),
    ] {
        let res = shopper
            .form_raw(
                &path,
                &[("quantity", "1"), ("product_id", &product.to_string())],
            )
            .await;
        assert_eq!(res.status, 403, "POST {path} without a token");
    }
    assert_eq!(
        shopper.get("/account").await.status,
        200,
        "still signed in: logout was refused too"
    );
}

fn max_age(header: &str) -> i64 {
    header
        .split(';')
        .find_map(|p| {
            p.trim()
                .to_ascii_lowercase()
                .strip_prefix("max-age=")
                .map(str::to_owned)
        })
        .and_then(|v| v.parse().ok())
        .expect("Max-Age")
}

#[tokio::test]
async fn a_page_with_a_form_stores_no_session_and_a_cart_makes_one_that_lasts() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let product = app.demo_product_id().await;
        let db = app.db().await;
        let sessions = || async {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
                .fetch_one(&db)
                .await
                .expect("count");
            n
        };
        let shopper = app.visitor();
        for path in ["/register", "/login", &format!("/products/{product}")] {
            let page = shopper.get(path).await;
            assert_eq!(page.status, 200);
            assert!(
                page.body.contains("name=\"csrf_token\""),
                "{path} has a form"
            );
            assert!(page.set_cookie(COOKIE).is_none(), "no session for {path}");
        }
        assert_eq!(sessions().await, 0, "looking writes nothing");

        let added = shopper.add_to_cart(product, "1").await;
        assert_eq!(added.status, 303);
        let long = max_age(&added.set_cookie_header(COOKIE).expect("a session now"));
        assert!(
            long >= 29 * 86_400,
            "a visitor with a cart keeps it for 30 days: {long}"
        );
        assert_eq!(sessions().await, 1);
    }
}

#[tokio::test]
async fn with_redis_two_instances_share_sessions() {
    let Some(cluster) = cluster("shared-session").await else {
        return;
    };
    let (first, second) = (&cluster.first, &cluster.second);
    let shopper = first.visitor();
    shopper
        .register("shared@example.com", "Shared", STRONG_PASSWORD)
        .await;
    let login = shopper.login("shared@example.com", STRONG_PASSWORD).await;
    let cookie = login.set_cookie(COOKIE).expect("cookie");
    assert_eq!(
        status_with_cookie(second, "/account", &cookie).await,
        200,
        "instance two knows the session"
    );
    let pool = first.db().await;
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(rows, 0, "with Redis, sessions are not in the database");
}
