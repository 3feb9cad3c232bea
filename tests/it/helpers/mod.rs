//! The test harness: `TestApp::spawn_on(backend)` starts the real shop (TLS,
//! both listeners on port 0) in a fresh temporary data dir with a fresh
//! database — a SQLite file in that dir, or a uniquely named MariaDB
//! database that is dropped again when the app is dropped.
//!
//! MariaDB runs where [`services`] finds a server (or requires one).

pub mod browser;
pub mod page;
pub mod services;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::Connection as _;
use tokio::sync::oneshot;
use webstore::config::{Overrides, Settings};
use webstore::startup::App;

pub use page::Page;
pub use services::{REDIS_URL, Service};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    MariaDb { server_url: String },
}

impl Backend {
    pub fn label(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::MariaDb { .. } => "mariadb",
        }
    }
}

/// The backends every database test runs on, SQLite first; MariaDB too
/// where it is there (or required).
pub async fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    if let Some(mariadb) = mariadb("the MariaDB runs of the database tests").await {
        list.push(mariadb);
    }
    list
}

/// MariaDB for `what`, a test that needs it; `None` where it is missing
/// and not required.
pub async fn mariadb(what: &str) -> Option<Backend> {
    services::require(Service::MariaDb, what)
        .await
        .then(|| Backend::MariaDb {
            server_url: services::mariadb_url(),
        })
}

/// Drops test databases an earlier, killed run left behind (names carry
/// their creation time; anything older than an hour is stale).
async fn sweep_stale_databases(server_url: &str) {
    let Ok(mut conn) = sqlx::MySqlConnection::connect(server_url).await else {
        return;
    };
    let names: Vec<(String,)> = sqlx::query_as("SHOW DATABASES LIKE 'webstore\\_test\\_%'")
        .fetch_all(&mut conn)
        .await
        .unwrap_or_default();
    let now = unix_now();
    for (name,) in names {
        let created = name
            .strip_prefix("webstore_test_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|t| t.parse::<u64>().ok());
        if created.is_some_and(|t| t + 3600 < now) {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS `{name}`"))
                .execute(&mut conn)
                .await;
        }
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A MariaDB database made for one test and dropped with it.
struct TestDatabase {
    server_url: String,
    name: String,
}

impl TestDatabase {
    async fn create(server_url: &str) -> Self {
        let name = format!(
            "webstore_test_{}_{}",
            unix_now(),
            uuid::Uuid::new_v4().simple()
        );
        let mut conn = sqlx::MySqlConnection::connect(server_url)
            .await
            .expect("connect to MariaDB");
        sqlx::query(&format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        ))
        .execute(&mut conn)
        .await
        .expect("create test database");
        Self {
            server_url: server_url.to_owned(),
            name,
        }
    }

    fn url(&self) -> String {
        format!("{}/{}", self.server_url, self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.server_url.clone(), self.name.clone());
        // Drop runs outside async context guarantees: use a runtime of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut conn = sqlx::MySqlConnection::connect(&url).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS `{name}`"))
                    .execute(&mut conn)
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// Two instances of one shop, as behind a load balancer: one MariaDB
/// database and one Redis. Fields drop in order, so the second instance
/// stops before the first drops the database.
pub struct Cluster {
    pub second: TestApp,
    pub first: TestApp,
    _second_dir: tempfile::TempDir,
}

/// A [`Cluster`], or `None` (with a note naming `what`) where MariaDB or
/// Redis is missing and services are not required.
pub async fn cluster(what: &str) -> Option<Cluster> {
    if !services::require(Service::Redis, what).await {
        return None;
    }
    let backend = mariadb(what).await?;
    let redis = |s: &mut Settings| {
        s.redis_url = Some(secrecy::SecretString::from(REDIS_URL.to_owned()));
    };
    let first = TestApp::spawn_with(backend, Box::new(redis)).await;
    let dir = tempfile::tempdir().expect("dir");
    let second = TestApp::start(
        &dir.path().join("data"),
        &first.database_url,
        Box::new(redis),
    )
    .await;
    Some(Cluster {
        second,
        first,
        _second_dir: dir,
    })
}

/// How to change the settings a test app starts with.
pub type Tweak = Box<dyn FnOnce(&mut Settings) + Send>;

/// A running shop for one test.
pub struct TestApp {
    pub backend: Backend,
    pub https_addr: SocketAddr,
    pub http_addr: Option<SocketAddr>,
    pub origin: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    cert_pem: Vec<u8>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    // Field order matters on drop: the server stops before the database and
    // the directory disappear.
    _database: Option<TestDatabase>,
    _dir: Option<tempfile::TempDir>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_on(Backend::Sqlite).await
    }

    pub async fn spawn_on(backend: Backend) -> Self {
        Self::spawn_with(backend, Box::new(|_| {})).await
    }

    pub async fn spawn_with(backend: Backend, tweak: Tweak) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database, database_url) = match &backend {
            Backend::Sqlite => (
                None,
                format!("sqlite://{}", dir.path().join("shop.db").display()),
            ),
            Backend::MariaDb { server_url } => {
                let db = TestDatabase::create(server_url).await;
                let url = db.url();
                (Some(db), url)
            }
        };
        let data_dir = dir.path().join("data");
        let mut app = Self::start(&data_dir, &database_url, tweak).await;
        app.backend = backend;
        app._database = database;
        app._dir = Some(dir);
        app
    }

    /// Starts a shop on an existing data dir and database (restarts).
    pub async fn start(data_dir: &Path, database_url: &str, tweak: Tweak) -> Self {
        webstore::tls::install_crypto_provider();
        let overrides = Overrides {
            bind: Some("127.0.0.1:0".into()),
            http_bind: Some("127.0.0.1:0".into()),
            data_dir: Some(data_dir.display().to_string()),
            database_url: Some(database_url.to_owned()),
            ..Overrides::default()
        };
        let mut settings = Settings::load(&overrides, None, false).expect("test settings");
        // Every test client comes from 127.0.0.1: the per-address limits are
        // raised here and tested on their own with low values.
        settings.limits.auth_rate_per_minute = 100_000;
        settings.limits.api_rate_per_second = 100_000;
        tweak(&mut settings);
        let app = App::build(settings).await.expect("the shop starts");
        let https_addr = app.https_addr();
        let http_addr = app.http_addr();
        let origin = app.origin().to_string();
        let cert_pem = std::fs::read(data_dir.join("tls").join("cert.pem")).expect("certificate");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until_stopped(async {
            let _ = rx.await;
        }));
        Self {
            backend: Backend::Sqlite,
            https_addr,
            http_addr,
            origin,
            data_dir: data_dir.to_owned(),
            database_url: database_url.to_owned(),
            cert_pem,
            shutdown: Some(tx),
            task: Some(task),
            _database: None,
            _dir: None,
        }
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }

    pub fn cert_pem(&self) -> &[u8] {
        &self.cert_pem
    }

    /// A browser-like client: trusts this shop's certificate only, keeps
    /// cookies, never follows redirects.
    pub fn visitor(&self) -> Client {
        let cert = reqwest::Certificate::from_pem(&self.cert_pem).expect("certificate");
        let http = reqwest::Client::builder()
            .tls_certs_only([cert])
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Client {
            http,
            base: format!("https://{}", self.https_addr),
            origin: self.origin.clone(),
        }
    }

    /// A new visitor who registers and signs in; returns the client.
    pub async fn customer(&self, email: &str) -> Client {
        let client = self.visitor();
        client
            .register(email, "Test Customer", STRONG_PASSWORD)
            .await;
        let res = client.login(email, STRONG_PASSWORD).await;
        assert_eq!(res.status, 303, "customer signs in: {}", res.body);
        client
    }

    /// An admin with two-factor sign-in, signed in; returns the client and
    /// the TOTP secret.
    pub async fn admin(&self, email: &str) -> (Client, Vec<u8>) {
        let secret = self.make_admin(email).await;
        let client = self.visitor();
        let code = webstore::auth::totp::current_code(&secret, email).expect("code");
        let res = client
            .form(
                "/login",
                &[
                    ("email", email),
                    ("password", STRONG_PASSWORD),
                    ("totp", &code),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "the admin signs in: {}", res.body);
        (client, secret)
    }

    /// Creates (or promotes) an admin the way `webstore admin create` does;
    /// returns the TOTP secret.
    pub async fn make_admin(&self, email: &str) -> Vec<u8> {
        let url = webstore::config::DatabaseUrl::parse(&self.database_url).expect("url");
        let db = webstore::db::Db::connect_url(&url).await.expect("db");
        let secrets = webstore::auth::totp::SecretBox::load(None, &self.data_dir).expect("key");
        let email = webstore::domain::account::Email::parse(email).expect("email");
        let password =
            webstore::domain::account::NewPassword::parse(STRONG_PASSWORD, Some(&email), None)
                .expect("pw");
        let (uri, _codes) =
            webstore::shop::accounts::create_admin(&db, &secrets, &email, &password)
                .await
                .expect("admin");
        db.close().await;
        let encoded = uri
            .split("secret=")
            .nth(1)
            .and_then(|s| s.split('&').next())
            .expect("secret in the URI");
        totp_rs::Secret::try_from_base32(encoded)
            .expect("base32")
            .as_bytes()
            .to_vec()
    }

    /// A pool on the app's database, for checking effects directly.
    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database_url)
            .await
            .expect("test pool")
    }

    /// The units on hand of a product, read from the database.
    pub async fn stock_of(&self, id: i64) -> i64 {
        let pool = self.db().await;
        let (stock,): (i64,) = sqlx::query_as("SELECT stock FROM products WHERE id = ?")
            .bind(id)
            .fetch_one(&pool)
            .await
            .expect("stock");
        stock
    }

    /// A product id from the first page of the catalogue.
    pub async fn demo_product_id(&self) -> i64 {
        let page = self.visitor().get("/").await;
        page.product_ids()
            .first()
            .copied()
            .expect("a product on the home page")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// A password the policy accepts.
pub const STRONG_PASSWORD: &str = "violet tractor 47 harbour!";

/// One visitor's HTTP client.
pub struct Client {
    pub http: reqwest::Client,
    base: String,
    origin: String,
}

impl Client {
    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request");
        Page::read(response).await
    }

    pub fn raw(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The visitor's CSRF token, read from a form like a browser would.
    pub async fn csrf(&self) -> String {
        self.get("/register")
            .await
            .hidden_input("csrf_token")
            .expect("a csrf token")
    }

    /// Posts a form from the shop's own pages (Origin set, token added).
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.form_raw(path, &all).await
    }

    /// Posts exactly these fields, with the shop's Origin.
    pub async fn form_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self
            .http
            .post(self.url(path))
            .header("origin", &self.origin)
            .form(fields)
            .send()
            .await
            .expect("post");
        Page::read(res).await
    }

    pub async fn register(&self, email: &str, name: &str, password: &str) -> Page {
        self.form(
            "/register",
            &[("email", email), ("name", name), ("password", password)],
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Page {
        self.form("/login", &[("email", email), ("password", password)])
            .await
    }

    pub async fn add_to_cart(&self, product: i64, quantity: &str) -> Page {
        self.form(
            "/cart/items",
            &[("product_id", &product.to_string()), ("quantity", quantity)],
        )
        .await
    }

    /// The cart badge count shown in the header.
    /// The id of the product called `name`, found by searching for it.
    pub async fn product_id_named(&self, name: &str) -> i64 {
        let q: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
        let page = self.get(&format!("/?q={q}")).await;
        let at = page
            .card_titles()
            .iter()
            .position(|t| t == name)
            .expect("found by name");
        page.product_ids()[at]
    }

    pub async fn cart_count(&self) -> i64 {
        let page = self.get("/cart").await;
        page.body
            .split("data-cart-count")
            .nth(1)
            .and_then(|s| s.split('>').nth(1))
            .and_then(|s| s.split('<').next())
            .and_then(|n| n.trim().parse().ok())
            .expect("cart badge")
    }
}

/// The path of the built binary, for CLI tests.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_webstore")
}
