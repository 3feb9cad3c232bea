//! Per-address rate limits across instances: with `--redis-url` the
//! instances spend one budget, without it each counts on its own; behind a
//! trusted proxy the address is the client's the proxy names. Each test
//! signs in from an address of its own in 127.0.0.0/8, so budgets left in
//! Redis by other tests or earlier runs never meet it.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use serde_json::{Value, json};
use webstore::config::{Settings, TrustedProxies};

use crate::helpers::{Backend, REDIS_URL, Service, TestApp, services};

/// Sign-in attempts per minute and address in these tests.
const SIGN_INS_PER_MINUTE: u32 = 4;

/// A loopback address no other test uses (all of 127.0.0.0/8 reaches
/// the shop's 127.0.0.1 listener).
fn fresh_loopback() -> IpAddr {
    let [a, b, c, ..] = uuid::Uuid::new_v4().into_bytes();
    IpAddr::V4(Ipv4Addr::new(127, a.max(1), b, c.max(1)))
}

/// An API client connecting from `from`, with its session's CSRF token.
struct SignIn {
    http: reqwest::Client,
    base: String,
    origin: String,
    token: String,
}

impl SignIn {
    async fn new(app: &TestApp, from: IpAddr) -> Self {
        let cert = reqwest::Certificate::from_pem(app.cert_pem()).expect("certificate");
        let http = reqwest::Client::builder()
            .tls_certs_only([cert])
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(from)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        let base = format!("https://{}", app.https_addr);
        let session: Value = http
            .get(format!("{base}/api/v1/session"))
            .send()
            .await
            .expect("session")
            .json()
            .await
            .expect("json");
        let token = session["csrf_token"].as_str().expect("token").to_owned();
        Self {
            http,
            base,
            origin: app.origin.clone(),
            token,
        }
    }

    /// A sign-in with a wrong password: 401 unless refused.
    async fn attempt(&self) -> reqwest::Response {
        self.attempt_forwarded_for(None).await
    }

    /// The same, through a proxy that names the client `forwarded_for`.
    async fn attempt_forwarded_for(&self, forwarded_for: Option<&str>) -> reqwest::Response {
        let mut request = self.http.post(format!("{}/api/v1/auth/login", self.base));
        if let Some(client) = forwarded_for {
            request = request.header("x-forwarded-for", client);
        }
        request
            .header("x-csrf-token", &self.token)
            .header("origin", &self.origin)
            .json(&json!({"email": "nobody@example.com", "password": "wrong wrong wrong"}))
            .send()
            .await
            .expect("sign-in")
    }
}

fn low_sign_in_limit(redis: bool) -> impl FnOnce(&mut Settings) + Send {
    move |s: &mut Settings| {
        s.limits.auth_rate_per_minute = SIGN_INS_PER_MINUTE;
        if redis {
            s.redis_url = Some(secrecy::SecretString::from(REDIS_URL.to_owned()));
        }
    }
}

#[tokio::test]
async fn with_redis_sign_ins_spread_over_two_instances_share_one_budget() {
    if !services::require(Service::Redis, "the cross-instance rate-limit test").await {
        return;
    }
    let first = TestApp::spawn_with(Backend::Sqlite, Box::new(low_sign_in_limit(true))).await;
    let second = TestApp::spawn_with(Backend::Sqlite, Box::new(low_sign_in_limit(true))).await;
    let from = fresh_loopback();
    let at_first = SignIn::new(&first, from).await;
    let at_second = SignIn::new(&second, from).await;

    // Two attempts on each instance: the whole budget, half of each's own.
    for (n, client) in [&at_first, &at_second, &at_first, &at_second]
        .into_iter()
        .enumerate()
    {
        let status = client.attempt().await.status();
        assert_eq!(status, 401, "attempt {} is within the budget", n + 1);
    }
    // The first instance has seen two of its four: Redis refuses the third.
    let refused = at_first.attempt().await;
    assert_eq!(refused.status(), 429);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(
        (1..=15).contains(&retry_after),
        "one period of 15 s at most: {retry_after}"
    );
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(problem["type"], "/problems/too-many-requests");
    assert_eq!(at_second.attempt().await.status(), 429, "and the second");
    // Another address still has its whole budget, on both instances.
    let elsewhere = fresh_loopback();
    assert_eq!(
        SignIn::new(&first, elsewhere)
            .await
            .attempt()
            .await
            .status(),
        401
    );
    assert_eq!(
        SignIn::new(&second, elsewhere)
            .await
            .attempt()
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn without_redis_each_instance_keeps_a_sign_in_budget_of_its_own() {
    let first = TestApp::spawn_with(Backend::Sqlite, Box::new(low_sign_in_limit(false))).await;
    let second = TestApp::spawn_with(Backend::Sqlite, Box::new(low_sign_in_limit(false))).await;
    let from = fresh_loopback();
    let at_first = SignIn::new(&first, from).await;
    let at_second = SignIn::new(&second, from).await;

    let mut statuses = Vec::new();
    for client in [&at_first, &at_second].repeat(3) {
        statuses.push(client.attempt().await.status().as_u16());
    }
    assert_eq!(statuses, [401; 6], "three of four on each instance");
    for _ in 0..SIGN_INS_PER_MINUTE {
        statuses.push(at_first.attempt().await.status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|&&s| s == 429).count(),
        3,
        "the first instance refuses beyond its own four: {statuses:?}"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_a_budget_and_others_cannot_pick_one() {
    let proxy = fresh_loopback();
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Box::new(move |s: &mut Settings| {
            low_sign_in_limit(false)(s);
            s.trusted_proxies =
                TrustedProxies::parse(&proxy.to_string()).expect("the proxy's address");
        }),
    )
    .await;
    let via_proxy = SignIn::new(&app, proxy).await;
    // A client that names itself first is not believed: the proxy appends
    // the address it saw, and that one counts.
    let first = Some("198.51.100.66, 203.0.113.1");
    for n in 0..SIGN_INS_PER_MINUTE {
        let status = via_proxy.attempt_forwarded_for(first).await.status();
        assert_eq!(status, 401, "attempt {} of 203.0.113.1", n + 1);
    }
    assert_eq!(via_proxy.attempt_forwarded_for(first).await.status(), 429);
    assert_eq!(
        via_proxy
            .attempt_forwarded_for(Some("203.0.113.1"))
            .await
            .status(),
        429,
        "the same client, whatever it wrote before"
    );
    // Another client behind the same proxy has its own budget.
    assert_eq!(
        via_proxy
            .attempt_forwarded_for(Some("203.0.113.2"))
            .await
            .status(),
        401
    );

    // A direct client's header is ignored: a new name every time does not
    // buy new attempts.
    let direct = SignIn::new(&app, fresh_loopback()).await;
    let mut statuses = Vec::new();
    for n in 0..=SIGN_INS_PER_MINUTE {
        let claimed = format!("203.0.113.{}", 100 + n);
        statuses.push(
            direct
                .attempt_forwarded_for(Some(&claimed))
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [401, 401, 401, 401, 429]);

    // The audit log names the client, not the proxy.
    let db = app.db().await;
    let addresses: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT client_ip FROM audit_log")
        .fetch_all(&db)
        .await
        .expect("audit log");
    let addresses: Vec<String> = addresses.into_iter().map(|(a,)| a).collect();
    assert!(
        addresses.contains(&"203.0.113.1".to_owned()),
        "{addresses:?}"
    );
    assert!(!addresses.contains(&proxy.to_string()), "{addresses:?}");
}
