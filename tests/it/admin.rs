//! The back office: hidden from everyone but admins with a second factor,
//! products, images, orders, users, audit.

use crate::helpers::{Client, STRONG_PASSWORD, TestApp, backends};

const ADMIN_GETS: &[&str] = &[
    "/admin",
    "/admin/products",
    "/admin/products/new",
    "/admin/products/1",
    "/admin/orders",
    "/admin/orders/1",
    "/admin/users",
    "/admin/audit",
    "/admin/outbox",
];

const ADMIN_POSTS: &[&str] = &[
    "/admin/products/new",
    "/admin/products/1",
    "/admin/products/1/delete",
    "/admin/products/1/stock",
    "/admin/orders/1/status",
    "/admin/users/1/role",
];

async fn assert_hidden(client: &Client, who: &str) {
    for path in ADMIN_GETS {
        assert_eq!(client.get(path).await.status, 404, "{who}: GET {path}");
    }
    for path in ADMIN_POSTS {
        let res = client
            .form(
                path,
                &[
                    ("stock", "0"),
                    ("role", "admin"),
                    ("status", "paid"),
                    ("name", "x"),
                ],
            )
            .await;
        assert_eq!(res.status, 404, "{who}: POST {path}");
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let pool = app.db().await;
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.expect("count");
    n
}

#[tokio::test]
async fn the_back_office_is_404_for_visitors_customers_and_admins_without_a_second_factor() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        assert_hidden(&app.visitor(), "visitor").await;
        assert_hidden(&app.customer("shopper@example.com").await, "customer").await;
        // A customer promoted in the database without enrolling: still hidden.
        let pool = app.db().await;
        sqlx::query("UPDATE users SET role = 'admin', session_epoch = session_epoch WHERE email = 'shopper@example.com'")
            .execute(&pool)
            .await
            .expect("promote");
        let half = app.visitor();
        assert_eq!(
            half.login("shopper@example.com", STRONG_PASSWORD)
                .await
                .status,
            303
        );
        assert_hidden(&half, "admin without two-factor sign-in").await;
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM products WHERE name = 'x'").await,
            0
        );
    }
}

#[tokio::test]
async fn an_admin_signs_in_with_a_totp_code_and_only_with_it() {
    let app = TestApp::spawn().await;
    let secret = app.make_admin("boss@example.com").await;
    let without = app
        .visitor()
        .login("boss@example.com", STRONG_PASSWORD)
        .await;
    assert_eq!(without.status, 422, "a password alone is not enough");
    let wrong = app
        .visitor()
        .form(
            "/login",
            &[
                ("email", "boss@example.com"),
                ("password", STRONG_PASSWORD),
                ("totp", "000000"),
            ],
        )
        .await;
    let right_code = webstore::auth::totp::current_code(&secret, "boss@example.com").expect("code");
    if right_code != "000000" {
        assert_eq!(wrong.status, 422);
    }
    let (admin, _) = app.admin("boss@example.com").await;
    let home = admin.get("/admin").await;
    assert_eq!(home.status, 200);
    assert_eq!(home.header("cache-control"), Some("no-store"));
    for path in ADMIN_GETS.iter().filter(|p| !p.ends_with("/1")) {
        assert_eq!(admin.get(path).await.status, 200, "{path}");
    }
    let (stored,): (Vec<u8>,) =
        sqlx::query_as("SELECT totp_secret FROM users WHERE email = 'boss@example.com'")
            .fetch_one(&app.db().await)
            .await
            .expect("secret");
    assert!(
        !stored.windows(secret.len()).any(|w| w == secret.as_slice()),
        "the secret is encrypted at rest"
    );
}

#[tokio::test]
async fn an_admin_adds_and_edits_a_product_and_shoppers_see_it() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let (admin, _) = app.admin("boss@example.com").await;
        let created = admin
            .form(
                "/admin/products/new",
                &[
                    ("sku", "NEW-001"),
                    ("name", "Walnut Serving Board"),
                    ("description", "Oiled walnut, 40 cm."),
                    ("price", "39.50"),
                    ("stock", "7"),
                    ("category", "kitchen"),
                ],
            )
            .await;
        assert_eq!(created.status, 303, "{}", created.body);
        let edit = created.header("location").expect("location").to_owned();
        let id: i64 = edit
            .rsplit('/')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("id");
        let page = app.visitor().get(&format!("/products/{id}")).await;
        assert!(page.body.contains("Walnut Serving Board") && page.body.contains("€39.50"));
        let bad = admin
            .form(
                &edit,
                &[
                    ("name", ""),
                    ("price", "-3"),
                    ("stock", "lots"),
                    ("description", "x"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        let saved = admin
            .form(
                &edit,
                &[
                    ("name", "Walnut Board"),
                    ("price", "41"),
                    ("stock", "2"),
                    ("description", "Oiled."),
                    ("category", "kitchen"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303);
        let page = app.visitor().get(&format!("/products/{id}")).await;
        assert!(page.body.contains("€41.00") && page.body.contains("data-stock=\"2\""));
        assert_eq!(
            admin
                .form(&format!("/admin/products/{id}/stock"), &[("stock", "9")])
                .await
                .status,
            303
        );
        assert!(
            app.visitor()
                .get(&format!("/products/{id}"))
                .await
                .body
                .contains("data-stock=\"9\"")
        );
        assert_eq!(
            admin
                .form(&format!("/admin/products/{id}/delete"), &[])
                .await
                .status,
            303
        );
        assert_eq!(
            app.visitor().get(&format!("/products/{id}")).await.status,
            404
        );
        assert!(
            count(
                &app,
                "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'admin.product.%'"
            )
            .await
                >= 4
        );
    }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 255) as u8, (y % 255) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

fn image_part(bytes: Vec<u8>, name: &str, mime: &str) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .expect("mime")
}

/// Posts `form` to the product's image upload from the shop's own origin;
/// `query` goes after the path as it is.
async fn post_upload(
    app: &TestApp,
    admin: &Client,
    product: i64,
    query: &str,
    form: reqwest::multipart::Form,
) -> reqwest::Response {
    admin
        .http
        .post(admin.url(&format!("/admin/products/{product}/images{query}")))
        .header("origin", app.origin.as_str())
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

/// Uploads as the product form does: the token first, then the file.
async fn upload(
    app: &TestApp,
    admin: &Client,
    product: i64,
    bytes: Vec<u8>,
    name: &str,
    mime: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", admin.csrf().await)
        .part("image", image_part(bytes, name, mime));
    post_upload(app, admin, product, "", form).await
}

#[tokio::test]
async fn uploads_are_re_encoded_and_hostile_files_leave_no_trace() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let (admin, _) = app.admin("boss@example.com").await;
        let product = app.demo_product_id().await;
        let files_before = count(&app, "SELECT COUNT(*) FROM image_files").await;

        let mut polyglot = png(64, 48);
        polyglot.extend_from_slice(b"<html><script>alert(1)</script></html>PK\x03\x04zipzip");
        let res = upload(&app, &admin, product, polyglot, "cat.png", "image/png").await;
        assert_eq!(res.status(), 303);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM image_files").await,
            files_before + 2
        );
        let (name,): (String,) = sqlx::query_as(
            "SELECT full_name FROM product_images WHERE product_id = ? ORDER BY id DESC LIMIT 1",
        )
        .bind(product)
        .fetch_one(&app.db().await)
        .await
        .expect("stored");
        let served = admin
            .http
            .get(admin.url(&format!("/uploads/{name}")))
            .send()
            .await
            .expect("get");
        assert_eq!(served.headers()["content-type"], "image/png");
        assert_eq!(
            served.headers()["content-security-policy"],
            "default-src 'none'; sandbox"
        );
        let bytes = served.bytes().await.expect("bytes");
        assert!(!bytes.windows(7).any(|w| w == b"<script"), "payload gone");
        assert!(!bytes.windows(4).any(|w| w == b"PK\x03\x04"), "zip gone");
        assert!(image::load_from_memory(&bytes).is_ok());

        let hostile: Vec<(&str, Vec<u8>, &str)> = vec![
            (
                "evil.svg",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(),
                "image/svg+xml",
            ),
            (
                "page.png",
                b"<!doctype html><script>alert(1)</script>".to_vec(),
                "image/png",
            ),
            (
                "doc.jpg",
                b"%PDF-1.7\n%\xe2\xe3\xcf\xd3".to_vec(),
                "image/jpeg",
            ),
            ("../../etc/passwd", png(8, 8)[..20].to_vec(), "image/png"),
        ];
        for (name, bytes, mime) in hostile {
            let res = upload(&app, &admin, product, bytes, name, mime).await;
            assert_eq!(res.status(), 422, "{name} is refused");
        }
        let big = vec![0u8; 5 * 1024 * 1024 + 10];
        let res = upload(&app, &admin, product, big, "big.png", "image/png").await;
        assert_eq!(res.status(), 413);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM image_files").await,
            files_before + 2,
            "nothing stored on rejection"
        );
        let no_token = post_upload(
            &app,
            &admin,
            product,
            "",
            reqwest::multipart::Form::new()
                .part("image", image_part(png(8, 8), "a.png", "image/png")),
        )
        .await;
        assert_eq!(no_token.status(), 403);
    }
}

#[tokio::test]
async fn an_upload_takes_its_csrf_token_from_the_body_before_the_file_never_from_the_url() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.admin("boss@example.com").await;
    let product = app.demo_product_id().await;
    let page = admin.get(&format!("/admin/products/{product}")).await;
    assert!(!page.body.contains("csrf_token="), "no token in any URL");
    let upload_form = page
        .body
        .split("/images\"")
        .nth(1)
        .expect("the upload form");
    let token_at = upload_form
        .find("name=\"csrf_token\"")
        .expect("a token field");
    let file_at = upload_form.find("type=\"file\"").expect("a file field");
    assert!(token_at < file_at, "the token is sent before the file");

    let files_before = count(&app, "SELECT COUNT(*) FROM image_files").await;
    let token = admin.csrf().await;
    let image = || image_part(png(8, 8), "a.png", "image/png");
    let refused = [
        (
            "token in the URL only",
            format!("?csrf_token={token}"),
            reqwest::multipart::Form::new().part("image", image()),
        ),
        (
            "token after the file",
            String::new(),
            reqwest::multipart::Form::new()
                .part("image", image())
                .text("csrf_token", token.clone()),
        ),
        (
            "a forged token first",
            format!("?csrf_token={token}"),
            reqwest::multipart::Form::new()
                .text("csrf_token", "forged")
                .part("image", image()),
        ),
    ];
    for (what, query, form) in refused {
        let res = post_upload(&app, &admin, product, &query, form).await;
        assert_eq!(res.status(), 403, "{what}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM image_files").await,
        files_before,
        "nothing stored without the token in the body"
    );

    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .part("image", image());
    let res = post_upload(&app, &admin, product, "", form).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM image_files").await,
        files_before + 2
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.product.image'"
        )
        .await,
        1,
        "the upload is audited"
    );
}

#[tokio::test]
async fn orders_move_only_along_valid_transitions_in_the_back_office() {
    let app = TestApp::spawn().await;
    let shopper = app.customer("buyer@example.com").await;
    shopper.add_to_cart(app.demo_product_id().await, "1").await;
    let placed = shopper
        .form("/checkout", &[("idempotency_key", "admin-flow-0123456789")])
        .await;
    let order: String = placed
        .header("location")
        .and_then(|l| l.rsplit('/').next())
        .expect("id")
        .to_owned();
    let (admin, _) = app.admin("boss@example.com").await;
    let list = admin.get("/admin/orders?status=awaiting_payment").await;
    assert!(list.body.contains(&format!("/admin/orders/{order}")));
    let skip = admin
        .form(
            &format!("/admin/orders/{order}/status"),
            &[("status", "delivered")],
        )
        .await;
    assert_eq!(
        skip.status, 422,
        "awaiting payment cannot jump to delivered"
    );
    for step in ["paid", "shipped", "delivered"] {
        assert_eq!(
            admin
                .form(
                    &format!("/admin/orders/{order}/status"),
                    &[("status", step)]
                )
                .await
                .status,
            303,
            "{step}"
        );
    }
    assert!(
        shopper
            .get(&format!("/orders/{order}"))
            .await
            .body
            .contains("Delivered")
    );
    assert!(
        admin
            .get("/admin/outbox")
            .await
            .body
            .contains(&format!("Your order #{order}"))
    );
}

#[tokio::test]
async fn roles_change_with_an_audit_row_and_the_last_admin_stays() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.admin("boss@example.com").await;
    let pool = app.db().await;
    let (boss,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE email = 'boss@example.com'")
        .fetch_one(&pool)
        .await
        .expect("id");
    let res = admin
        .form(
            &format!("/admin/users/{boss}/role"),
            &[("role", "customer")],
        )
        .await;
    assert_eq!(res.status, 303);
    let (role,): (String,) = sqlx::query_as("SELECT role FROM users WHERE id = ?")
        .bind(boss)
        .fetch_one(&pool)
        .await
        .expect("role");
    assert_eq!(role, "admin", "the last admin cannot be demoted");
    let customer = app.customer("helper@example.com").await;
    let (helper,): (i64,) =
        sqlx::query_as("SELECT id FROM users WHERE email = 'helper@example.com'")
            .fetch_one(&pool)
            .await
            .expect("id");
    assert_eq!(
        admin
            .form(&format!("/admin/users/{helper}/role"), &[("role", "admin")])
            .await
            .status,
        303
    );
    assert_eq!(
        customer.get("/account").await.status,
        303,
        "a role change ends the account's sessions"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.user.role'"
        )
        .await,
        1
    );
    assert!(
        admin
            .get("/admin/audit?action=admin.user.role")
            .await
            .body
            .contains("admin.user.role")
    );
}

#[tokio::test]
async fn admins_demoted_all_at_once_leave_exactly_one_admin() {
    use webstore::domain::{Role, UserId};
    use webstore::shop::admin::{Actor, users};
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        for n in 0..5 {
            app.make_admin(&format!("admin{n}@example.com")).await;
        }
        let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE role = 'admin'")
            .fetch_all(&app.db().await)
            .await
            .expect("admins");
        assert_eq!(ids.len(), 5);
        let url = webstore::config::DatabaseUrl::parse(&app.database_url).expect("url");
        let db = webstore::db::Db::connect_url(&url).await.expect("db");
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(ids.len()));
        let tasks: Vec<_> = ids
            .iter()
            .map(|&(id,)| {
                let (db, start) = (db.clone(), start.clone());
                tokio::spawn(async move {
                    let id = UserId::try_from(id).expect("id");
                    let actor = Actor {
                        user: id,
                        client_ip: "127.0.0.1",
                    };
                    start.wait().await;
                    users::change_role(&db, actor, id, Role::Customer).await
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.expect("task").expect("role change"));
        }
        db.close().await;
        let refused = outcomes
            .iter()
            .filter(|o| **o == users::RoleChange::LastAdmin)
            .count();
        assert_eq!(refused, 1, "{}: {outcomes:?}", app.backend.label());
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM users WHERE role = 'admin'").await,
            1
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.user.role'"
            )
            .await,
            4
        );
    }
}

#[tokio::test]
async fn a_promoted_admin_enrols_two_factor_in_the_shop_before_the_back_office_opens() {
    let app = TestApp::spawn().await;
    let client = app.customer("new-admin@example.com").await;
    let pool = app.db().await;
    sqlx::query("UPDATE users SET role = 'admin' WHERE email = 'new-admin@example.com'")
        .execute(&pool)
        .await
        .expect("promote");
    assert_eq!(client.get("/admin").await.status, 404);
    let enrol = client.get("/account/two-factor").await;
    assert_eq!(enrol.status, 200);
    assert!(
        enrol.body.contains("src=\"data:image/png;base64,"),
        "the QR code is drawn by the shop"
    );
    let key = enrol
        .body
        .split("by hand: <code>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("key");
    let secret = totp_rs::Secret::try_from_base32(key)
        .expect("base32")
        .as_bytes()
        .to_vec();
    let wrong = client
        .form("/account/two-factor", &[("code", "12345")])
        .await;
    assert_eq!(wrong.status, 422);
    let code = webstore::auth::totp::current_code(&secret, "new-admin@example.com").expect("code");
    let done = client.form("/account/two-factor", &[("code", &code)]).await;
    assert_eq!(done.status, 200);
    assert!(
        done.body.contains("recovery-codes"),
        "recovery codes shown once"
    );
    assert_eq!(
        client.get("/admin").await.status,
        200,
        "the back office opens"
    );
    // A recovery code works once in place of the app's code.
    let recovery = done
        .body
        .split("<li><code>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("a code")
        .to_owned();
    let again = app.visitor();
    let res = again
        .form(
            "/login",
            &[
                ("email", "new-admin@example.com"),
                ("password", STRONG_PASSWORD),
                ("totp", &recovery),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let reuse = app
        .visitor()
        .form(
            "/login",
            &[
                ("email", "new-admin@example.com"),
                ("password", STRONG_PASSWORD),
                ("totp", &recovery),
            ],
        )
        .await;
    assert_eq!(reuse.status, 422, "a recovery code works once");
}
