//! Health, readiness, metrics.

use crate::helpers::{TestApp, backends};

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
