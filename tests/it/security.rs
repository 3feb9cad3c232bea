//! The security baseline on every response, static files and uploads;
//! one-time second-factor codes.

use crate::helpers::{Backend, Client, Page, STRONG_PASSWORD, TestApp, backends};

fn assert_security_headers(page: &Page, what: &str) {
    let csp = page
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: CSP"));
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{what}: CSP has {directive}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: strict CSP"
    );
    let hsts = page.header("strict-transport-security").expect("HSTS");
    let max_age: u64 = hsts
        .split(';')
        .find_map(|p| p.trim().strip_prefix("max-age="))
        .and_then(|v| v.parse().ok())
        .expect("max-age");
    assert!(max_age >= 31_536_000, "{what}: HSTS a year at least");
    assert_eq!(
        page.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(page.header("x-frame-options"), Some("DENY"), "{what}");
    assert_eq!(
        page.header("referrer-policy"),
        Some("strict-origin-when-cross-origin"),
        "{what}"
    );
    assert!(
        page.header("permissions-policy").is_some(),
        "{what}: Permissions-Policy"
    );
    assert_eq!(
        page.header("cross-origin-opener-policy"),
        Some("same-origin"),
        "{what}"
    );
    assert!(page.header("server").is_none(), "{what}: no Server header");
    assert!(page.header("x-powered-by").is_none(), "{what}");
    assert!(
        page.header("x-request-id").is_some_and(|id| id.len() >= 32),
        "{what}: request id"
    );
}

#[tokio::test]
async fn pages_errors_and_static_files_carry_the_security_headers() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    let home = shopper.get("/").await;
    assert_security_headers(&home, "home");
    let css = home
        .body
        .split("href=\"/static/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("css link");
    let css = shopper
        .get(&format!("/static/{}", css.replace("&amp;", "&")))
        .await;
    assert_eq!(css.status, 200);
    assert_security_headers(&css, "static file");
    for (path, status) in [
        ("/products/abc", 404),
        ("/no/such/page", 404),
        ("/static/nope.css", 404),
    ] {
        let page = shopper.get(path).await;
        assert_eq!(page.status, status, "{path}");
        assert_security_headers(&page, path);
    }
    let post = shopper
        .raw()
        .post(shopper.url("/"))
        .send()
        .await
        .expect("post");
    assert_eq!(post.status(), 405);
    assert_security_headers(&Page::read(post).await, "405");
}

#[tokio::test]
async fn request_ids_differ_per_request() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    let a = shopper.get("/healthz").await;
    let b = shopper.get("/healthz").await;
    assert_ne!(a.header("x-request-id"), b.header("x-request-id"));
}

#[tokio::test]
async fn static_files_have_true_types_and_versioned_ones_cache_for_a_year() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    let home = shopper.get("/").await;
    let css_url = home
        .body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("stylesheet")
        .replace("&amp;", "&");
    let css = shopper.get(&css_url).await;
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(
        css.header("cache-control")
            .is_some_and(|c| c.contains("max-age=31536000"))
    );
    let unversioned = shopper.get("/static/css/shop.css").await;
    assert_eq!(unversioned.status, 200);
    assert!(
        unversioned
            .header("cache-control")
            .is_some_and(|c| !c.contains("immutable"))
    );
    let js = shopper.get("/static/js/shop.js").await;
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
}

#[tokio::test]
async fn traversal_attempts_on_static_and_uploads_are_404() {
    let app = TestApp::spawn().await;
    let http = app.visitor();
    for path in [
        "/static/../Cargo.toml",
        "/static/..%2f..%2fCargo.toml",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%5c..%5cetc%5cpasswd",
        "/static/css/../../src/main.rs",
        "/static/.gitignore",
        "/static//etc/passwd",
        "/uploads/..%2f..%2fetc%2fpasswd",
        "/uploads/../Cargo.toml",
        "/uploads/0123456789abcdef0123456789abcdef.jpg",
        "/uploads/x.svg",
    ] {
        // Sent as written: reqwest's URL parser would resolve the dots.
        let res = raw_get(&app, path).await;
        assert!(
            res.starts_with("HTTP/1.1 404") || res.starts_with("HTTP/1.1 400"),
            "{path}: {}",
            res.lines().next().unwrap_or_default()
        );
        assert!(
            !res.contains("root:") && !res.contains("[package]"),
            "{path} leaked a file"
        );
    }
    assert_eq!(http.get("/static/css/shop.css").await.status, 200);
}

/// Sends one HTTP/1.1 request over TLS with the path byte for byte.
pub async fn raw_get(app: &TestApp, path: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = crate::transport::tls_connect(app).await;
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn uploaded_images_are_served_with_their_type_and_a_sandbox() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    let home = shopper.get("/").await;
    let src = home
        .body
        .split("<img src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("thumbnail");
    let res = shopper
        .raw()
        .get(shopper.url(src))
        .send()
        .await
        .expect("image");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(
        res.headers()["content-security-policy"],
        "default-src 'none'; sandbox"
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .is_ok_and(|c| c.contains("max-age=31536000"))
    );
}

#[tokio::test]
async fn responses_are_compressed_for_clients_that_ask() {
    let app = TestApp::spawn().await;
    let client = app.visitor();
    for (encoding, expected) in [("br", "br"), ("gzip", "gzip")] {
        let res = client
            .raw()
            .get(client.url("/"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .expect("request");
        assert_eq!(
            res.headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some(expected)
        );
    }
}

#[tokio::test]
async fn oversized_request_bodies_are_refused_with_413() {
    let app = TestApp::spawn().await;
    let client = app.visitor();
    let res = client
        .raw()
        .post(client.url("/healthz"))
        .header("content-type", "application/octet-stream")
        .body(vec![b'x'; 2 * 1024 * 1024])
        .send()
        .await;
    // Either the method is refused before the body is read, or the limit
    // stops it; never a 2xx and never a 500.
    let status = res.map(|r| r.status().as_u16()).unwrap_or(413);
    assert!(status == 405 || status == 413, "got {status}");
}

/// The TOTP code of `secret` for the time step `steps_ahead` steps from now.
fn totp_code(secret: &[u8], email: &str, steps_ahead: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret.to_vec())
        .with_account_name(email)
        .build()
        .expect("totp")
        .generate(now + 30 * steps_ahead)
        .to_string()
}

async fn sign_in_with_code(client: &Client, email: &str, code: &str) -> Page {
    client
        .form(
            "/login",
            &[
                ("email", email),
                ("password", STRONG_PASSWORD),
                ("totp", code),
            ],
        )
        .await
}

/// `POST /api/v1/auth/login` with a code, from a fresh API client.
async fn api_sign_in_with_code(app: &TestApp, email: &str, code: &str) -> (u16, serde_json::Value) {
    let client = app.visitor();
    let session = client.get("/api/v1/session").await;
    let token =
        serde_json::from_str::<serde_json::Value>(&session.body).expect("json")["csrf_token"]
            .as_str()
            .expect("token")
            .to_owned();
    let res = client
        .raw()
        .post(client.url("/api/v1/auth/login"))
        .header("x-csrf-token", token)
        .header("origin", app.origin.as_str())
        .json(&serde_json::json!({"email": email, "password": STRONG_PASSWORD, "totp": code}))
        .send()
        .await
        .expect("login");
    let status = res.status().as_u16();
    let body = res.json().await.unwrap_or(serde_json::Value::Null);
    (status, body)
}

async fn login_outcomes(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT outcome FROM audit_log WHERE action = 'login' ORDER BY id")
            .fetch_all(&app.db().await)
            .await
            .expect("audit");
    rows.into_iter().map(|(o,)| o).collect()
}

/// A shop on `backend` with the admin `email`: their TOTP secret and the
/// code of now.
async fn shop_with_admin(backend: &Backend, email: &str) -> (TestApp, Vec<u8>, String) {
    let app = TestApp::spawn_on(backend.clone()).await;
    let secret = app.make_admin(email).await;
    let code = totp_code(&secret, email, 0);
    (app, secret, code)
}

/// The secret the enrolment page offers to type in by hand.
fn enrolment_secret(page: &Page) -> Vec<u8> {
    let (_, rest) = page.body.split_once("by hand: <code>").expect("the key");
    let (key, _) = rest.split_once('<').expect("the key's end");
    let secret = totp_rs::Secret::try_from_base32(key).expect("base32");
    secret.as_bytes().to_vec()
}

#[tokio::test]
async fn a_totp_code_that_signed_an_admin_in_is_refused_for_a_second_sign_in() {
    for backend in backends().await {
        let email = "boss@example.com";
        let (app, secret, code) = shop_with_admin(&backend, email).await;

        let first = sign_in_with_code(&app.visitor(), email, &code).await;
        assert_eq!(
            first.status,
            303,
            "{}: the first use signs in",
            backend.label()
        );

        let replay = sign_in_with_code(&app.visitor(), email, &code).await;
        assert_eq!(
            replay.status,
            422,
            "{}: the replay is refused",
            backend.label()
        );
        assert!(
            replay.body.contains("Invalid email or password."),
            "the usual sign-in failure message"
        );
        let (status, body) = api_sign_in_with_code(&app, email, &code).await;
        assert_eq!(status, 401, "{}: the API refuses it too", backend.label());
        assert_eq!(body["type"], "/problems/invalid-credentials");
        assert_eq!(
            login_outcomes(&app).await,
            ["success", "failure", "failure"],
            "{}: both replays are audited as failures",
            backend.label()
        );

        // The next time step's code is a new code, and it is good once.
        let next = totp_code(&secret, email, 1);
        if next != code {
            let later = sign_in_with_code(&app.visitor(), email, &next).await;
            assert_eq!(
                later.status,
                303,
                "{}: a later step signs in",
                backend.label()
            );
            let earlier = sign_in_with_code(&app.visitor(), email, &code).await;
            assert_eq!(
                earlier.status,
                422,
                "{}: an older step never again",
                backend.label()
            );
        }
    }
}

#[tokio::test]
async fn of_many_sign_ins_racing_with_one_totp_code_exactly_one_succeeds() {
    for backend in backends().await {
        let (app, _, code) = shop_with_admin(&backend, "racer@example.com").await;
        let email = "racer@example.com";
        let clients: Vec<Client> = (0..6).map(|_| app.visitor()).collect();
        let attempts = clients
            .iter()
            .map(|client| sign_in_with_code(client, email, &code));
        let statuses: Vec<u16> = futures_util::future::join_all(attempts)
            .await
            .iter()
            .map(|page| page.status.as_u16())
            .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 303).count(),
            1,
            "{}: {statuses:?}",
            backend.label()
        );
        assert!(
            statuses.iter().all(|s| *s == 303 || *s == 422),
            "{statuses:?}"
        );
    }
}

#[tokio::test]
async fn the_code_that_confirms_two_factor_enrolment_cannot_sign_in_again() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend.clone()).await;
        let email = "enrol@example.com";
        let client = app.customer(email).await;
        let secret = enrolment_secret(&client.get("/account/two-factor").await);
        let code = totp_code(&secret, email, 0);
        let done = client.form("/account/two-factor", &[("code", &code)]).await;
        assert_eq!(done.status, 200, "{}: enrolled", backend.label());
        assert!(done.body.contains("recovery-codes"));

        let replay = sign_in_with_code(&app.visitor(), email, &code).await;
        assert_eq!(
            replay.status,
            422,
            "{}: the confirming code is spent",
            backend.label()
        );
    }
}
