//! Real browsers for the end-to-end tests: Debian's chromium, driven by
//! chromedriver over WebDriver (fantoccini), against a [`super::TestApp`].
//!
//! The tests run where [`super::services`] finds chromium, chromedriver and
//! axe-core (`npm ci` in `tests/browser`). Screenshots, axe reports and the browser's console go to
//! `<target>/tmp/browser/<test>/` and stay there as the run's artifacts.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::sync::{Mutex, MutexGuard};

use super::services::{self, BrowserTools, Service};

/// The flags every browser starts with: headless, and no connection of its
/// own to anything but the shop under test.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
];

/// How long a page may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(20);

/// One browser test at a time: two cores do not run several chromiums and
/// the rest of the suite well.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// A running chromedriver, killed when dropped.
pub struct Driver {
    url: String,
    chromium: PathBuf,
    axe: String,
    artifacts: PathBuf,
    _process: tokio::process::Child,
    _turn: MutexGuard<'static, ()>,
}

/// Starts chromedriver for the test `name`, or `None` when the browser
/// tools are not installed here (a failure when they are required).
pub async fn driver(name: &str) -> Option<Driver> {
    if !services::require(Service::Browser, &format!("the browser test {name}")).await {
        return None;
    }
    let BrowserTools {
        chromium,
        chromedriver,
        axe_js,
    } = BrowserTools::here();
    let axe = std::fs::read_to_string(&axe_js).expect("axe-core");
    let turn = ONE_AT_A_TIME.lock().await;

    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("browser")
        .join(name);
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let process = tokio::process::Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .arg(format!(
            "--log-path={}",
            artifacts.join("chromedriver.log").display()
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver starts");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "chromedriver did not listen on port {port}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Some(Driver {
        url: format!("http://127.0.0.1:{port}"),
        chromium,
        axe,
        artifacts,
        _process: process,
        _turn: turn,
    })
}

impl Driver {
    /// A new browser with an empty profile, pointed at `origin`; `who`
    /// names its screenshots.
    pub async fn browser(&self, origin: &str, who: &str) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({
            "browserName": "chrome",
            // The shop's certificate is its own self-signed one.
            "acceptInsecureCerts": true,
            "goog:chromeOptions": {
                "binary": self.chromium.display().to_string(),
                "args": args,
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("an object");
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a browser session");
        Browser {
            client,
            origin: origin.trim_end_matches('/').to_owned(),
            who: who.to_owned(),
            axe: self.axe.clone(),
            artifacts: self.artifacts.clone(),
            shots: AtomicU32::new(0),
            console: std::sync::Mutex::new(Vec::new()),
            _profile: profile,
        }
    }

    pub fn artifacts(&self) -> &Path {
        &self.artifacts
    }
}

/// One browser window on the shop.
pub struct Browser {
    pub client: Client,
    origin: String,
    who: String,
    axe: String,
    artifacts: PathBuf,
    shots: AtomicU32,
    console: std::sync::Mutex<Vec<Value>>,
    _profile: tempfile::TempDir,
}

/// WebDriver's command for the browser's console log (chromedriver's
/// `se/log` endpoint), which fantoccini does not wrap.
#[derive(Debug)]
struct ConsoleLog;

impl WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or("")))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

impl Browser {
    /// Opens a path of the shop and waits for the page to load.
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.origin))
            .await
            .unwrap_or_else(|e| panic!("{}: open {path}: {e}", self.who));
    }

    /// The path and query of the page the browser shows.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits until the browser shows a page whose path starts with `prefix`.
    pub async fn wait_for_path(&self, prefix: &str) -> String {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let path = self.path().await;
            let ready: bool = self
                .client
                .execute("return document.readyState === 'complete';", vec![])
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if path.starts_with(prefix) && ready {
                return path;
            }
            if tokio::time::Instant::now() > deadline {
                self.screenshot("timeout").await;
                panic!(
                    "{}: expected a page under {prefix}, still on {path}",
                    self.who
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for an element (CSS selector) and returns it.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                self.screenshot("missing-element").await;
                panic!(
                    "{}: no element {css} on {}: {e}",
                    self.who,
                    self.path().await
                )
            }
        }
    }

    pub async fn find_all(&self, css: &str) -> Vec<fantoccini::elements::Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .expect("find_all")
    }

    /// The visible text of an element.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// Types into a field as a person would, after clearing it.
    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("typing");
    }

    /// Clicks an element (a link or a submit button).
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Clicks the element an XPath expression finds (for matching on text).
    pub async fn click_xpath(&self, xpath: &str) {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(xpath))
            .await
        {
            Ok(element) => element.click().await.expect("click"),
            Err(e) => {
                self.screenshot("missing-element").await;
                panic!("{}: nothing at {xpath}: {e}", self.who)
            }
        }
    }

    /// Runs a script in the page and returns its value.
    pub async fn script(&self, js: &str) -> Value {
        self.client.execute(js, vec![]).await.expect("script")
    }

    /// Polls `condition` (a JS expression) until it is true, without
    /// touching the page.
    pub async fn wait_until(&self, what: &str, condition: &str) {
        let script = format!("return Boolean({condition});");
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while self.script(&script).await != Value::Bool(true) {
            if tokio::time::Instant::now() > deadline {
                self.screenshot("timeout").await;
                panic!("{}: waited in vain for {what}", self.who);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Resizes the window; headless, the page's viewport is this size.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .unwrap_or_else(|e| panic!("{}: resize to {width}x{height}: {e}", self.who));
    }

    /// Saves a PNG of the window as `NN-<who>-<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let n = self.shots.fetch_add(1, Ordering::Relaxed);
        let path = self
            .artifacts
            .join(format!("{:02}-{}-{name}.png", n, self.who));
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(&path, png);
        }
        path
    }

    /// Runs axe-core on the page and fails on any serious or critical
    /// violation; the whole report is saved beside the screenshots.
    pub async fn assert_accessible(&self, page: &str) {
        let violations = self.axe_violations(page).await;
        let grave: Vec<&Value> = violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            grave.is_empty(),
            "serious accessibility violations on the {page} page: {}",
            serde_json::to_string_pretty(&grave).unwrap_or_default()
        );
        self.screenshot(page).await;
    }

    /// What axe-core finds wrong with the page (id, impact, help, nodes).
    pub async fn axe_violations(&self, page: &str) -> Vec<Value> {
        let script = format!(
            "const done = arguments[arguments.length - 1];\n{}\n\
             window.axe.run(document, {{ resultTypes: ['violations'] }})\
               .then(r => done(r.violations.map(v => ({{ id: v.id, impact: v.impact, \
                 help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) }}))))\
               .catch(e => done({{ error: String(e) }}));",
            self.axe
        );
        let violations = self
            .client
            .execute_async(&script, vec![])
            .await
            .expect("axe runs");
        let report = serde_json::to_string_pretty(&violations).unwrap_or_default();
        let _ = std::fs::write(
            self.artifacts.join(format!("axe-{}-{page}.json", self.who)),
            &report,
        );
        match violations {
            Value::Array(list) => list,
            _ => panic!("axe failed on {page}: {report}"),
        }
    }

    /// The console messages since the last call (and keeps them for the
    /// artifacts).
    pub async fn console(&self) -> Vec<Value> {
        let entries = match self.client.issue_cmd(ConsoleLog).await {
            Ok(Value::Array(entries)) => entries,
            other => panic!("{}: the console log is unreadable: {other:?}", self.who),
        };
        if let Ok(mut all) = self.console.lock() {
            all.extend(entries.iter().cloned());
        }
        entries
    }

    /// Fails on any error in the console: a script that did not run, a
    /// resource the CSP blocked, a request that failed.
    pub async fn assert_clean_console(&self) {
        let errors: Vec<Value> = self
            .console()
            .await
            .into_iter()
            .filter(|e| e["level"] == "SEVERE")
            .collect();
        assert!(
            errors.is_empty(),
            "{}: errors in the browser console: {}",
            self.who,
            serde_json::to_string_pretty(&errors).unwrap_or_default()
        );
    }

    /// Ends the browser and writes its console to the artifacts.
    pub async fn close(self) {
        let _ = self.console().await;
        if let Ok(all) = self.console.lock() {
            let _ = std::fs::write(
                self.artifacts.join(format!("console-{}.json", self.who)),
                serde_json::to_string_pretty(&*all).unwrap_or_default(),
            );
        }
        let _ = self.client.close().await;
    }
}
