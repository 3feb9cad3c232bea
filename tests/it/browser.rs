//! The shop in a real browser (headless chromium): a shopper's whole visit,
//! and an admin's changes reaching another shopper's open page live. Every
//! page on the way is checked with axe-core, and the console must stay free
//! of errors (a script the CSP blocked, a failed request).

use webstore::seed::catalogue::PRODUCTS;

use crate::helpers::{STRONG_PASSWORD, TestApp, backends, browser};

/// The checks the other tests lean on can fail: axe-core sees a broken
/// page, the console log shows a script error, and the CSP blocks an
/// inline script.
#[tokio::test]
async fn the_accessibility_console_and_csp_checks_catch_a_broken_page() {
    let Some(driver) = browser::driver("self-check").await else {
        return;
    };
    let app = TestApp::spawn().await;
    let browser = driver.browser(&app.origin, "self-check").await;
    browser.goto("/").await;
    browser.assert_accessible("home").await;
    assert!(browser.console().await.is_empty());

    browser
        .script(
            "const b = document.createElement('button'); \
             document.querySelector('main').append(b); \
             const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; \
             document.head.append(s); \
             console.error('a deliberate error'); return null;",
        )
        .await;
    let found = browser.axe_violations("broken").await;
    assert!(
        found
            .iter()
            .any(|v| v["id"] == "button-name" && v["impact"] == "critical"),
        "axe reports the nameless button: {found:?}"
    );
    assert_eq!(
        browser.script("return window.inlineRan === true;").await,
        serde_json::Value::Bool(false),
        "the CSP blocks inline scripts"
    );
    let console = browser.console().await;
    let text = serde_json::to_string(&console).expect("json");
    assert!(text.contains("a deliberate error"), "{text}");
    assert!(text.contains("Content Security Policy"), "{text}");
    browser.close().await;
}

#[tokio::test]
async fn a_shopper_searches_fills_the_cart_signs_up_and_sees_the_order() {
    for backend in backends().await {
        let Some(driver) = browser::driver(&format!("shopper-{}", backend.label())).await else {
            return;
        };
        let app = TestApp::spawn_on(backend).await;
        let shopper = driver.browser(&app.origin, "shopper").await;

        // The home page: the demo catalogue, styled and scripted.
        shopper.goto("/").await;
        assert!(shopper.find_all(".product-card a").await.len() >= 12);
        shopper
            .wait_until(
                "the live connection",
                "document.documentElement.dataset.live === 'open'",
            )
            .await;
        shopper.assert_accessible("home").await;

        // Searching narrows the grid to what was asked for.
        let wanted = &PRODUCTS[0];
        shopper.fill("#search-q", "stoneware mug").await;
        shopper.click("form.search button[type=submit]").await;
        let path = shopper.wait_for_path("/?q=").await;
        assert!(
            path.contains("stoneware+mug") || path.contains("stoneware%20mug"),
            "{path}"
        );
        let titles = card_titles(&shopper).await;
        assert!(titles.iter().any(|t| t == wanted.name), "{titles:?}");
        assert!(
            titles.len() < PRODUCTS.len(),
            "the search narrowed nothing: {titles:?}"
        );
        shopper.screenshot("search").await;

        // The product page, then two of it into the cart.
        shopper
            .click_xpath(&format!(
                "//li[contains(@class, 'product-card')]//a[.//span[@class='card-title' and normalize-space(.)='{}']]",
                wanted.name
            ))
            .await;
        let product_path = shopper.wait_for_path("/products/").await;
        assert_eq!(shopper.text("h1").await, wanted.name);
        shopper.assert_accessible("product").await;
        // A second window of the same browser (the same visitor) is open
        // on the home page: its cart badge follows without a reload.
        let first = shopper.client.window().await.expect("window");
        let second = shopper
            .client
            .new_window(false)
            .await
            .expect("a window")
            .handle;
        shopper
            .client
            .switch_to_window(second.clone())
            .await
            .expect("switch");
        shopper.goto("/").await;
        shopper
            .wait_until(
                "the live connection",
                "document.documentElement.dataset.live === 'open'",
            )
            .await;
        assert_eq!(shopper.text("[data-cart-count]").await, "0");
        shopper
            .script("window.stayedOnPage = true; return null;")
            .await;
        shopper
            .client
            .switch_to_window(first.clone())
            .await
            .expect("switch");

        shopper.fill("#quantity", "2").await;
        shopper.click("form.add-to-cart button[type=submit]").await;
        shopper.wait_for_path("/cart").await;
        assert_eq!(shopper.text("[data-cart-count]").await, "2");

        shopper
            .client
            .switch_to_window(second)
            .await
            .expect("switch");
        shopper
            .wait_until(
                "the new cart count in the other window",
                "document.querySelector('[data-cart-count]').textContent === '2' \
                 && window.stayedOnPage === true",
            )
            .await;
        shopper.screenshot("other-window").await;
        shopper.client.close_window().await.expect("close");
        shopper
            .client
            .switch_to_window(first)
            .await
            .expect("switch");
        let line = shopper.text(".cart-table tbody tr").await;
        assert!(line.contains(wanted.name), "{line}");
        shopper.assert_accessible("cart").await;
        assert_cart_fits_a_phone(&shopper).await;

        // Signing up from the cart, then signing in: the cart comes along.
        shopper.click("a[href='/login?next=%2Fcart']").await;
        shopper.wait_for_path("/login").await;
        shopper.assert_accessible("login").await;
        shopper.click("main a[href='/register']").await;
        shopper.wait_for_path("/register").await;
        shopper.fill("#name", "Ada Shopper").await;
        shopper.fill("#email", "ada@example.com").await;
        shopper.fill("#password", STRONG_PASSWORD).await;
        shopper.assert_accessible("register").await;
        shopper.click("main form button[type=submit]").await;
        shopper.wait_for_path("/login").await;
        shopper.fill("#email", "ada@example.com").await;
        shopper.fill("#password", STRONG_PASSWORD).await;
        shopper.click("main form button[type=submit]").await;
        shopper.wait_for_path("/").await;
        assert_eq!(
            shopper.text(".account-nav a[href='/account']").await,
            "Ada Shopper"
        );
        assert_eq!(shopper.text("[data-cart-count]").await, "2");

        // The account page.
        shopper.goto("/account").await;
        shopper.assert_accessible("account").await;

        // Checking out from the cart places the order.
        shopper.goto("/cart").await;
        shopper.assert_accessible("checkout").await;
        shopper
            .click(".checkout-box form[action='/checkout'] button")
            .await;
        let order_path = shopper.wait_for_path("/orders/").await;
        assert!(shopper.text("h1").await.starts_with("Order #"));
        let order = shopper.text(".data-table tbody").await;
        assert!(order.contains(wanted.name), "{order}");
        let unit = euros(wanted.price_cents);
        let total = euros(wanted.price_cents * 2);
        assert!(order.contains(&unit), "{order}");
        assert_eq!(shopper.text(".order-total").await, total);
        assert_eq!(shopper.text("[data-cart-count]").await, "0");
        shopper.assert_accessible("order").await;

        // The order is in the list of the shopper's orders.
        shopper.goto("/orders").await;
        let links = shopper
            .find_all(&format!("main a[href='{order_path}']"))
            .await;
        assert_eq!(links.len(), 1, "the order is listed once");
        shopper.screenshot("orders").await;

        // The product page still works after all that.
        shopper.goto(&product_path).await;
        shopper.assert_clean_console().await;
        shopper.close().await;
        eprintln!("browser artifacts: {}", driver.artifacts().display());
    }
}

/// On a 390 px wide phone the cart fits the screen: no part of it is
/// wider than the viewport, the page does not scroll sideways, and the
/// remove button and line total are on screen.
async fn assert_cart_fits_a_phone(browser: &browser::Browser) {
    browser.resize(390, 844).await;
    let seen = browser
        .script(
            "const width = document.documentElement.clientWidth;\n\
             const cart = document.querySelector('.cart-table');\n\
             const inside = r => r.left >= -0.5 && r.right <= width + 0.5;\n\
             const outside = [cart, ...cart.querySelectorAll('*')]\n\
               .filter(e => { const r = e.getBoundingClientRect(); return r.width > 1 && !inside(r); })\n\
               .map(e => `${e.tagName.toLowerCase()}.${e.className}`);\n\
             const on = css => { const e = cart.querySelector(css); \
               return e !== null && e.getBoundingClientRect().width > 1 && inside(e.getBoundingClientRect()); };\n\
             return { viewport: window.innerWidth, scroll: document.documentElement.scrollWidth, \
               outside, remove: on('form[action$=\"/remove\"] button'), \
               total: on('tbody td[data-label=\"Total\"]') };",
        )
        .await;
    browser.screenshot("cart-phone").await;
    assert_eq!(seen["viewport"], 390, "the window is a phone's: {seen}");
    assert!(
        seen["scroll"].as_i64().is_some_and(|w| w <= 390),
        "the page scrolls sideways: {seen}"
    );
    assert_eq!(
        seen["outside"],
        serde_json::json!([]),
        "parts of the cart are off screen"
    );
    assert_eq!(
        seen["remove"], true,
        "the remove button is on screen: {seen}"
    );
    assert_eq!(seen["total"], true, "the line total is on screen: {seen}");
    browser.assert_accessible("cart-phone").await;
    browser.resize(1280, 1000).await;
}

/// The names on the product cards of the page shown.
async fn card_titles(browser: &browser::Browser) -> Vec<String> {
    let mut titles = Vec::new();
    for card in browser.find_all(".product-card .card-title").await {
        titles.push(card.text().await.expect("title"));
    }
    titles
}

/// An amount as the shop shows it.
fn euros(cents: i64) -> String {
    use webstore::domain::money::{Currency, Money, PriceCents};
    Money::new(PriceCents::new(cents).expect("a price"), Currency::EUR).to_string()
}

#[tokio::test]
async fn an_admin_signs_in_with_a_code_uploads_an_image_and_changes_stock_that_a_shopper_sees_live()
{
    for backend in backends().await {
        let Some(driver) = browser::driver(&format!("admin-{}", backend.label())).await else {
            return;
        };
        let app = TestApp::spawn_on(backend).await;
        let product = app.demo_product_id().await;
        let email = "owner@example.com";
        let secret = app.make_admin(email).await;
        let stock = format!("[data-stock-for='{product}']");

        // A shopper has the product page open and connected.
        let watcher = driver.browser(&app.origin, "watcher").await;
        watcher.goto(&format!("/products/{product}")).await;
        watcher
            .wait_until(
                "the live connection",
                "document.documentElement.dataset.live === 'open'",
            )
            .await;
        let name = watcher.text("h1").await;
        let before = watcher
            .find(&stock)
            .await
            .attr("data-stock")
            .await
            .expect("attr");
        assert_ne!(before.as_deref(), Some("3"));
        // Gone if the page reloads: the new figure must arrive in place.
        watcher
            .script("window.stayedOnPage = true; return null;")
            .await;
        watcher.screenshot("before").await;

        // The admin signs in with password and authenticator code.
        let admin = driver.browser(&app.origin, "admin").await;
        admin
            .goto(&format!("/login?next=%2Fadmin%2Fproducts%2F{product}"))
            .await;
        admin.fill("#email", email).await;
        admin.fill("#password", STRONG_PASSWORD).await;
        let code = webstore::auth::totp::current_code(&secret, email).expect("code");
        admin.fill("#totp", &code).await;
        admin.click("main form button[type=submit]").await;
        admin
            .wait_for_path(&format!("/admin/products/{product}"))
            .await;
        assert_eq!(admin.text("h1").await, "Edit product");
        admin.assert_accessible("admin-product").await;

        // An image upload through the file input.
        let thumbs = admin.find_all("main .gallery-thumbs img").await.len();
        let dir = tempfile::tempdir().expect("dir");
        let picture = dir.path().join("new-picture.png");
        image::RgbImage::from_fn(640, 480, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        })
        .save(&picture)
        .expect("a PNG");
        admin
            .find("#image")
            .await
            .send_keys(&picture.display().to_string())
            .await
            .expect("choose the file");
        admin
            .click("form[enctype='multipart/form-data'] button[type=submit]")
            .await;
        admin
            .wait_until(
                "the uploaded image",
                &format!(
                    "document.querySelectorAll('main .gallery-thumbs img').length === {}",
                    thumbs + 1
                ),
            )
            .await;
        admin.screenshot("uploaded").await;

        // The stock, changed on the product list.
        admin
            .goto(&format!("/admin/products?q={}", name.replace(' ', "+")))
            .await;
        admin.fill(&format!("#stock-{product}"), "3").await;
        admin
            .click(&format!(
                "form[action='/admin/products/{product}/stock'] button"
            ))
            .await;
        admin.wait_for_path("/admin/products").await;
        admin.assert_accessible("admin-products").await;

        // The shopper's page shows it without reloading.
        watcher
            .wait_until(
                "the new stock figure",
                &format!(
                    "document.querySelector(\"{stock}\").dataset.stock === '3' \
                     && window.stayedOnPage === true"
                ),
            )
            .await;
        assert_eq!(watcher.text(&stock).await, "Only 3 left");
        watcher.screenshot("after").await;

        // Reloaded, the page has the new picture too.
        let images = watcher.find_all(".gallery img").await.len();
        watcher.goto(&format!("/products/{product}")).await;
        assert!(
            watcher.find_all(".gallery img").await.len() > images,
            "the uploaded image is on the product page"
        );
        watcher.screenshot("reloaded").await;

        admin.assert_clean_console().await;
        watcher.assert_clean_console().await;
        admin.close().await;
        watcher.close().await;
        eprintln!("browser artifacts: {}", driver.artifacts().display());
    }
}
