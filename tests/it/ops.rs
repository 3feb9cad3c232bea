//! Health, readiness, metrics.

use webstore::config::TrustedProxies;

use crate::helpers::{Backend, TestApp, backends};

#[tokio::test]
async fn healthz_and_readyz_answer_200_when_all_is_well() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let client = app.visitor();
        let health = client.get("/healthz").await;
        assert_eq!(health.status, 200);
        let ready = client.get("/readyz").await;
        assert_eq!(ready.status, 200, "on {}", app.backend.label());
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_for_loopback_clients() {
    let app = TestApp::spawn().await;
    let client = app.visitor();
    client.get("/products/abc").await;
    client.get("/").await;
    let metrics = client.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/plain"))
    );
    let body = &metrics.body;
    assert!(body.contains("http_requests_total"), "{body}");
    assert!(body.contains("route=\"/products/{id}\"") && body.contains("status=\"404\""));
    assert!(body.contains("http_request_duration_seconds"));
    assert!(body.contains("db_pool_connections"));
}

#[tokio::test]
async fn behind_a_trusted_proxy_on_loopback_metrics_stay_closed_to_forwarded_clients() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Box::new(|s| {
            s.trusted_proxies = TrustedProxies::parse("127.0.0.1").expect("list");
        }),
    )
    .await;
    let client = app.visitor();
    let url = client.url("/metrics");
    let forwarded = client
        .raw()
        .get(&url)
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .expect("metrics");
    assert_eq!(
        forwarded.status(),
        404,
        "a client of the proxy is not local"
    );
    let local = client
        .raw()
        .get(&url)
        .header("x-forwarded-for", "127.0.0.1")
        .send()
        .await
        .expect("metrics");
    assert_eq!(local.status(), 200, "a local client through the proxy");
    assert_eq!(
        client.get("/metrics").await.status,
        200,
        "the proxy's host itself"
    );
}

#[tokio::test]
async fn readyz_is_503_while_the_database_is_gone_and_healthz_stays_200() {
    let app = TestApp::spawn().await;
    let client = app.visitor();
    // Closing the pool is what an unreachable database looks like to the shop.
    let db = webstore::db::Db::connect_url(
        &webstore::config::DatabaseUrl::parse(&app.database_url).expect("url"),
    )
    .await
    .expect("second pool");
    db.close().await;
    assert!(!db.ping().await, "a closed pool does not answer");
    assert_eq!(client.get("/healthz").await.status, 200);
}
