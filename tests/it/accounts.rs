//! Registration, sign-in, the user form and password changes.

use crate::helpers::{STRONG_PASSWORD, TestApp, backends};

#[tokio::test]
async fn registration_rejects_bad_input_with_422_and_never_echoes_the_password() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    let cases = [
        ("not-an-email", "Ann", STRONG_PASSWORD, "email"),
        ("ann@example.com", "", STRONG_PASSWORD, "name"),
        ("ann@example.com", "Ann", "short pw 1!", "password"),
        ("ann@example.com", "Ann", "password1234", "password"),
        ("ann@example.com", "Ann", &"x".repeat(129), "password"),
        (
            "annabelle@example.com",
            "Ann",
            "annabelle rides 47 horses!",
            "password",
        ),
    ];
    for (email, name, password, field) in cases {
        let res = shopper.register(email, name, password).await;
        assert_eq!(res.status, 422, "{field}: {email} {name}");
        assert!(
            res.body.contains(&format!("id=\"{field}-error\"")),
            "error shown next to {field}"
        );
        assert!(!res.body.contains(password), "the password is never echoed");
        if !email.is_empty() {
            assert!(
                res.body.contains(&format!("value=\"{email}\"")),
                "the email is re-shown"
            );
        }
    }
    let pool = app.db().await;
    let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(users, 0, "no trace of bad input");
}

#[tokio::test]
async fn registering_a_taken_email_looks_exactly_like_registering_a_new_one() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let first = app
            .visitor()
            .register("Taken@Example.com", "First", STRONG_PASSWORD)
            .await;
        let again = app
            .visitor()
            .register("taken@example.com", "Second", "another strong 93 phrase!")
            .await;
        assert_eq!(first.status, 303);
        assert_eq!(again.status, first.status);
        assert_eq!(again.header("location"), first.header("location"));
        let pool = app.db().await;
        let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(users, 1, "emails are unique regardless of case");
        // The first password still works; the second never took effect.
        let ok = app
            .visitor()
            .login("TAKEN@example.com", STRONG_PASSWORD)
            .await;
        assert_eq!(ok.status, 303);
        assert_eq!(
            app.visitor()
                .login("taken@example.com", "another strong 93 phrase!")
                .await
                .status,
            422
        );
    }
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.visitor()
        .register("known@example.com", "Known", STRONG_PASSWORD)
        .await;
    let unknown = app
        .visitor()
        .login("nobody@example.com", STRONG_PASSWORD)
        .await;
    let wrong = app
        .visitor()
        .login("known@example.com", "wrong password here 1")
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(wrong.status, unknown.status);
    let message = |body: &str| {
        body.split("notice-error\" role=\"alert\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .map(str::to_owned)
    };
    assert_eq!(
        message(&unknown.body),
        Some("Invalid email or password.".to_owned())
    );
    assert_eq!(message(&wrong.body), message(&unknown.body));
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_429_and_retry_after() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let owner = app.visitor();
        owner
            .register("target@example.com", "Target", STRONG_PASSWORD)
            .await;
        let attacker = app.visitor();
        let mut last = 0;
        for attempt in 0..12 {
            let res = attacker
                .login("target@example.com", &format!("guess number {attempt} !x"))
                .await;
            last = res.status.as_u16();
            if last == 429 {
                let retry: i64 = res
                    .header("retry-after")
                    .and_then(|v| v.parse().ok())
                    .expect("Retry-After");
                assert!(retry > 0 && retry <= 15 * 60);
                break;
            }
            assert_eq!(last, 422);
        }
        assert_eq!(last, 429, "throttled within 12 attempts");
        // Even the right password waits now; other accounts do not.
        assert_eq!(
            app.visitor()
                .login("target@example.com", STRONG_PASSWORD)
                .await
                .status,
            429
        );
        app.visitor()
            .register("other@example.com", "Other", STRONG_PASSWORD)
            .await;
        assert_eq!(
            app.visitor()
                .login("other@example.com", STRONG_PASSWORD)
                .await
                .status,
            303
        );
        let pool = app.db().await;
        let (throttled,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'login.throttled'")
                .fetch_one(&pool)
                .await
                .expect("audit");
        assert!(throttled >= 1, "throttling is audited");
    }
}

#[tokio::test]
async fn next_is_followed_only_to_local_paths() {
    let app = TestApp::spawn().await;
    app.visitor()
        .register("next@example.com", "Next", STRONG_PASSWORD)
        .await;
    for (next, expected) in [
        ("/cart", "/cart"),
        ("/orders?x=1", "/orders?x=1"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ] {
        let client = app.visitor();
        let res = client
            .form(
                "/login",
                &[
                    ("email", "next@example.com"),
                    ("password", STRONG_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{next}");
        assert_eq!(res.header("location"), Some(expected), "next={next}");
    }
    let page = app.visitor().get("/login?next=%2F%2Fevil.example").await;
    assert!(
        !page.body.contains("evil.example"),
        "a foreign next is not even carried in the form"
    );
}

const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "</title><script>alert(1)</script>",
];

#[tokio::test]
async fn script_in_any_user_form_field_comes_back_escaped() {
    let app = TestApp::spawn().await;
    let shopper = app.customer("xss@example.com").await;
    for payload in XSS {
        let fields = [
            ("name", format!("Eve {payload}")),
            ("email", "xss@example.com".to_owned()),
            ("phone", payload.to_string()),
            ("address_line1", payload.to_string()),
            ("address_line2", payload.to_string()),
            ("city", payload.to_string()),
            ("postal_code", payload.to_string()),
            ("country", payload.to_string()),
        ];
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = shopper.form("/account", &pairs).await;
        assert!(
            res.status == 422 || res.status == 303,
            "{payload}: {}",
            res.status
        );
        for page in [res, shopper.get("/account").await, shopper.get("/").await] {
            assert_inert(&page.body, payload);
        }
        // Address fields accept the text and store it inert.
        let fine = shopper
            .form(
                "/account",
                &[
                    ("name", &format!("Eve {payload}")),
                    ("email", "xss@example.com"),
                    ("address_line1", payload),
                ],
            )
            .await;
        assert_eq!(
            fine.status, 303,
            "{payload} is text, not an error, in a name or address"
        );
        let account = shopper.get("/account").await;
        assert_inert(&account.body, payload);
    }
    for payload in XSS {
        let q: String = url::form_urlencoded::byte_serialize(payload.as_bytes()).collect();
        let page = shopper.get(&format!("/?q={q}")).await;
        assert_inert(&page.body, payload);
    }
}

/// Markup in the payload never reaches the page unescaped, and a
/// `javascript:` text never becomes a link.
fn assert_inert(body: &str, payload: &str) {
    if payload.contains(['<', '>', '"', '\'']) {
        assert!(!body.contains(payload), "{payload} appears raw");
    }
    assert!(!body.contains("<script>alert"), "no live script");
    assert!(!body.contains("href=\"javascript:"), "no script link");
}

#[tokio::test]
async fn the_user_form_saves_valid_fields_and_shows_errors_next_to_fields() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.customer("form@example.com").await;
        let page = shopper.get("/account").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.header("cache-control"), Some("no-store"));
        let save = shopper
            .form(
                "/account",
                &[
                    ("name", "Zoë Ångström"),
                    ("email", "form@example.com"),
                    ("phone", "+49 30 1234567"),
                    ("address_line1", "Hauptstraße 5"),
                    ("address_line2", ""),
                    ("city", "Berlin"),
                    ("postal_code", "10115"),
                    ("country", "DE"),
                    ("role", "admin"),
                    ("user_id", "1"),
                    ("is_admin", "true"),
                ],
            )
            .await;
        assert_eq!(save.status, 303);
        let page = shopper.get("/account").await;
        assert!(page.body.contains("value=\"Zoë Ångström\""));
        assert!(page.body.contains("value=\"Hauptstraße 5\""));
        assert!(page.body.contains("<option value=\"DE\" selected>"));
        let pool = app.db().await;
        let (role,): (String,) =
            sqlx::query_as("SELECT role FROM users WHERE email = 'form@example.com'")
                .fetch_one(&pool)
                .await
                .expect("role");
        assert_eq!(role, "customer", "hidden role fields have no effect");

        let bad = shopper
            .form(
                "/account",
                &[
                    ("name", "Zoë"),
                    ("email", "form@example.com"),
                    ("phone", "call me"),
                    ("country", "XX"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("id=\"phone-error\""));
        assert!(bad.body.contains("id=\"country-error\""));
        assert!(bad.body.contains("value=\"call me\""), "input re-shown");
    }
}

#[tokio::test]
async fn changing_the_email_needs_the_current_password() {
    let app = TestApp::spawn().await;
    let shopper = app.customer("old@example.com").await;
    let without = shopper
        .form("/account", &[("name", "Old"), ("email", "new@example.com")])
        .await;
    assert_eq!(without.status, 422);
    assert!(without.body.contains("id=\"current_password-error\""));
    let wrong = shopper
        .form(
            "/account",
            &[
                ("name", "Old"),
                ("email", "new@example.com"),
                ("current_password", "not it at all 12"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    let right = shopper
        .form(
            "/account",
            &[
                ("name", "Old"),
                ("email", "New@Example.com"),
                ("current_password", STRONG_PASSWORD),
            ],
        )
        .await;
    assert_eq!(right.status, 303);
    assert_eq!(
        app.visitor()
            .login("new@example.com", STRONG_PASSWORD)
            .await
            .status,
        303
    );
    let pool = app.db().await;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'account.email_change' AND outcome = 'success'")
        .fetch_one(&pool)
        .await
        .expect("audit");
    assert_eq!(n, 1);
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let laptop = app.customer("pw@example.com").await;
        let phone = app.visitor();
        assert_eq!(
            phone.login("pw@example.com", STRONG_PASSWORD).await.status,
            303
        );
        assert_eq!(phone.get("/account").await.status, 200);

        let weak = laptop
            .form(
                "/account/password",
                &[
                    ("current_password", STRONG_PASSWORD),
                    ("new_password", "password1234"),
                ],
            )
            .await;
        assert_eq!(weak.status, 422);
        let wrong = laptop
            .form(
                "/account/password",
                &[
                    ("current_password", "not my password 1"),
                    ("new_password", "marble canyon 88 lantern"),
                ],
            )
            .await;
        assert_eq!(wrong.status, 422);
        let changed = laptop
            .form(
                "/account/password",
                &[
                    ("current_password", STRONG_PASSWORD),
                    ("new_password", "marble canyon 88 lantern"),
                ],
            )
            .await;
        assert_eq!(changed.status, 303);
        assert_eq!(
            laptop.get("/account").await.status,
            200,
            "this session stays signed in"
        );
        assert_eq!(
            phone.get("/account").await.status,
            303,
            "the other session is signed out"
        );
        assert_eq!(
            app.visitor()
                .login("pw@example.com", STRONG_PASSWORD)
                .await
                .status,
            422
        );
        assert_eq!(
            app.visitor()
                .login("pw@example.com", "marble canyon 88 lantern")
                .await
                .status,
            303
        );
    }
}

#[tokio::test]
async fn sign_in_events_are_audited_without_secrets() {
    let app = TestApp::spawn().await;
    let shopper = app.customer("audit@example.com").await;
    app.visitor()
        .login("audit@example.com", "wrong password 123")
        .await;
    shopper.form("/logout", &[]).await;
    let pool = app.db().await;
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT action, outcome, client_ip, detail FROM audit_log ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("audit");
    let actions: Vec<(String, String)> = rows.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
    for expected in [
        ("login", "success"),
        ("login", "failure"),
        ("logout", "success"),
        ("account.register", "success"),
    ] {
        assert!(
            actions.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {actions:?}"
        );
    }
    for row in &rows {
        assert_eq!(row.2, "127.0.0.1");
        assert!(!row.3.contains("wrong password") && !row.3.contains(STRONG_PASSWORD));
    }
}
