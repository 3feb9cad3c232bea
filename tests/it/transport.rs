//! TLS, the HTTP→HTTPS redirect, certificates, slow and greedy clients.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::helpers::{Backend, TestApp};

/// A TLS connection to the app that trusts only its certificate.
pub async fn tls_connect(app: &TestApp) -> tokio_rustls::client::TlsStream<TcpStream> {
    tls_connect_with(app, &[&rustls::version::TLS13, &rustls::version::TLS12])
        .await
        .expect("TLS handshake")
}

pub async fn tls_connect_with(
    app: &TestApp,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(app.cert_pem()) {
        roots.add(cert.expect("pem")).expect("root");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(app.https_addr).await?;
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("name");
    connector.connect(name, tcp).await
}

#[tokio::test]
async fn https_serves_with_tls_12_and_13_and_a_cert_for_localhost() {
    let app = TestApp::spawn().await;
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let stream = tls_connect_with(&app, &[version]).await.expect("handshake");
        assert_eq!(stream.get_ref().1.protocol_version(), Some(version.version));
    }
    let res = app.visitor().get("/").await;
    assert_eq!(res.status, 200);
    // The certificate also names localhost.
    let cert = reqwest::Certificate::from_pem(app.cert_pem()).expect("cert");
    let client = reqwest::Client::builder()
        .tls_certs_only([cert])
        .build()
        .expect("client");
    let port = app.https_addr.port();
    let via_name = client
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .map(|r| r.status().as_u16());
    assert_eq!(via_name.ok(), Some(200));
}

#[tokio::test]
async fn plain_http_answers_only_with_a_308_to_the_same_path_on_https() {
    let app = TestApp::spawn().await;
    let http_addr = app.http_addr.expect("redirect listener");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for (path, method) in [
        ("/x?y=1", "GET"),
        ("/products/3?a=b&c=d", "GET"),
        ("/cart/items", "POST"),
        ("/", "GET"),
    ] {
        let res = client
            .request(
                method.parse().expect("method"),
                format!("http://{http_addr}{path}"),
            )
            .header("host", "evil.example")
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 308, "{method} {path}");
        assert_eq!(
            res.headers()["location"].to_str().expect("location"),
            format!("{}{path}", app.origin),
            "built from configuration, never from Host"
        );
    }
}

#[tokio::test]
async fn the_self_signed_certificate_is_made_once_and_reused_across_restarts() {
    let mut app = TestApp::spawn().await;
    let first = app.cert_pem().to_vec();
    let key = app.data_dir.join("tls/key.pem");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&key).expect("key").permissions().mode() & 0o777,
        0o600
    );
    app.stop().await;
    let again = TestApp::start(&app.data_dir, &app.database_url, Box::new(|_| {})).await;
    assert_eq!(again.cert_pem(), first.as_slice());
    assert_eq!(again.visitor().get("/healthz").await.status, 200);
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Box::new(|s| {
            s.limits.header_read_timeout = Duration::from_secs(1);
            s.limits.tls_handshake_timeout = Duration::from_secs(1);
        }),
    )
    .await;
    // Over TLS: half a request line, then silence.
    let mut stream = tls_connect(&app).await;
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let mut buf = [0u8; 1024];
    let closed = tokio::time::timeout(Duration::from_secs(8), stream.read(&mut buf)).await;
    assert!(closed.is_ok(), "the server closes a slow-loris connection");
    // Plain TCP that never starts TLS.
    let mut tcp = TcpStream::connect(app.https_addr).await.expect("tcp");
    let closed = tokio::time::timeout(Duration::from_secs(8), tcp.read(&mut buf)).await;
    assert!(
        matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
        "a silent connection is dropped"
    );
    // And the shop still serves others.
    assert_eq!(app.visitor().get("/healthz").await.status, 200);
}

#[tokio::test]
async fn one_address_cannot_hold_more_than_its_share_of_connections() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Box::new(|s| s.limits.max_connections_per_ip = 2),
    )
    .await;
    let _a = TcpStream::connect(app.https_addr).await.expect("first");
    let _b = TcpStream::connect(app.https_addr).await.expect("second");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut third = TcpStream::connect(app.https_addr)
        .await
        .expect("tcp accept");
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(3), third.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the third connection is closed at once"
    );
    drop((_a, _b));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.visitor().get("/healthz").await.status, 200);
}
