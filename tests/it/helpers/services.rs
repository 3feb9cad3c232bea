//! The outside services some tests need (MariaDB, Redis, and a browser
//! with its driver and axe-core), looked for in one place. A test asks
//! [`require`] first: where the service is missing the test is skipped with
//! a note, or fails when `WEBSTORE_REQUIRE_SERVICES=1` (as in CI), so a
//! required service can never be skipped quietly.
//!
//! MariaDB is `WEBSTORE_TEST_DATABASE_URL` (a server URL such as
//! `mysql://root@127.0.0.1:3306`), else that default address; naming it
//! explicitly makes it required too. `WEBSTORE_CHROMIUM`,
//! `WEBSTORE_CHROMEDRIVER` and `WEBSTORE_AXE_JS` point at browser tools
//! outside their usual places.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use sqlx::Connection as _;

const DEFAULT_MARIADB: &str = "mysql://root@127.0.0.1:3306";

/// The Redis these tests use.
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// An outside service a test may need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    MariaDb,
    Redis,
    /// chromium, chromedriver and axe-core, for the end-to-end tests.
    Browser,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::MariaDb => "MariaDB",
            Service::Redis => "Redis",
            Service::Browser => "the browser tools",
        })
    }
}

/// Whether `service` is here for `what` (a test, or the part of one that
/// needs it). Where it is not, this fails when services are required and
/// otherwise notes that `what` is skipped and returns `false`.
pub async fn require(service: Service, what: &str) -> bool {
    let Some(missing) = missing(service).await else {
        return true;
    };
    let required = std::env::var("WEBSTORE_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
        || (service == Service::MariaDb && mariadb_named());
    assert!(
        !required,
        "{service} is required here (for {what}) but missing: {missing}"
    );
    eprintln!("skipped {what}, {service} missing: {missing}");
    false
}

/// What is missing and how to get it; `None` when the service is here.
async fn missing(service: Service) -> Option<String> {
    match service {
        Service::MariaDb => {
            (!mariadb_answers().await).then(|| format!("no server answers at {}", mariadb_url()))
        }
        Service::Redis => std::net::TcpStream::connect("127.0.0.1:6379")
            .is_err()
            .then(|| "no server answers on 127.0.0.1:6379".to_owned()),
        Service::Browser => {
            let tools = BrowserTools::here();
            let absent: Vec<String> = [&tools.chromium, &tools.chromedriver, &tools.axe_js]
                .into_iter()
                .filter(|p| !p.is_file())
                .map(|p| p.display().to_string())
                .collect();
            (!absent.is_empty()).then(|| {
                format!(
                    "{} not found (apt-get install chromium chromium-driver; \
                     npm ci --prefix tests/browser)",
                    absent.join(", ")
                )
            })
        }
    }
}

/// The MariaDB server the tests create their databases on, without a
/// trailing slash.
pub fn mariadb_url() -> String {
    std::env::var("WEBSTORE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_MARIADB.to_owned())
        .trim_end_matches('/')
        .to_owned()
}

fn mariadb_named() -> bool {
    std::env::var("WEBSTORE_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

/// Asked once per run: every database test asks, and a server that is not
/// there would cost each of them the timeout. The first answer also sweeps
/// away databases an earlier, killed run left behind.
async fn mariadb_answers() -> bool {
    static ANSWERS: tokio::sync::OnceCell<bool> = tokio::sync::OnceCell::const_new();
    *ANSWERS
        .get_or_init(|| async {
            let url = mariadb_url();
            let answers =
                tokio::time::timeout(Duration::from_secs(3), sqlx::MySqlConnection::connect(&url))
                    .await
                    .is_ok_and(|r| r.is_ok());
            if answers {
                super::sweep_stale_databases(&url).await;
            }
            answers
        })
        .await
}

/// Where the browser tools are.
pub struct BrowserTools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    pub axe_js: PathBuf,
}

impl BrowserTools {
    pub fn here() -> Self {
        let setting = |var: &str, default: &str| {
            std::env::var_os(var)
                .filter(|v| !v.is_empty())
                .map_or_else(|| PathBuf::from(default), PathBuf::from)
        };
        Self {
            chromium: setting("WEBSTORE_CHROMIUM", "/usr/bin/chromium"),
            chromedriver: setting("WEBSTORE_CHROMEDRIVER", "/usr/bin/chromedriver"),
            axe_js: setting(
                "WEBSTORE_AXE_JS",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/browser/node_modules/axe-core/axe.min.js"
                ),
            ),
        }
    }
}
