//! `webstore check --health`, the probe a scratch container image runs:
//! a real process asking a running shop for `/healthz`.

use std::net::SocketAddr;
use std::path::Path;

use crate::helpers::{TestApp, binary};

/// Runs `check --health` as a process, configured only by its flags.
async fn probe(data_dir: &Path, bind: SocketAddr) -> std::process::Output {
    let dir = tempfile::tempdir().expect("dir");
    let mut cmd = tokio::process::Command::new(binary());
    cmd.current_dir(dir.path())
        .args([
            "check",
            "--health",
            "--bind",
            &bind.to_string(),
            "--data-dir",
        ])
        .arg(data_dir)
        .stdin(std::process::Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("WEBSTORE_") {
            cmd.env_remove(k);
        }
    }
    cmd.output().await.expect("run webstore check --health")
}

#[tokio::test]
async fn health_probe_exits_0_when_the_shop_answers() {
    let app = TestApp::spawn().await;

    let out = probe(&app.data_dir, app.https_addr).await;

    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn health_probe_exits_1_when_nothing_listens() {
    let app = TestApp::spawn().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");

    let out = probe(&app.data_dir, closed).await;

    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unhealthy"));
}

#[tokio::test]
async fn health_probe_trusts_only_the_configured_certificate() {
    let ours = TestApp::spawn().await;
    let impostor = TestApp::spawn().await;

    let out = probe(&ours.data_dir, impostor.https_addr).await;

    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("certificate"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
