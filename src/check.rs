//! `webstore check`: audits the configuration an operator is about to run
//! and prints one line per finding. Any `FAIL` makes the command exit 1.
//! `webstore check --health` asks the running shop's `/healthz` instead,
//! for container health checks in an image that has no curl.
//!
//! May import: config, db, tls.

use std::fmt;
use std::io::{Read as _, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::config::{Settings, TlsSource};
use crate::db::Db;
use crate::tls;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub level: Level,
    pub subject: &'static str,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.level {
            Level::Ok => "ok  ",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        };
        write!(f, "{tag} {}: {}", self.subject, self.message)
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    fn push(&mut self, level: Level, subject: &'static str, message: impl Into<String>) {
        self.findings.push(Finding {
            level,
            subject,
            message: message.into(),
        });
    }

    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Fail)
    }
}

/// Runs every check; never panics, never changes anything.
pub async fn run(settings: &Settings) -> Report {
    let mut report = Report::default();
    check_data_dir(&settings.data_dir, &mut report);
    check_tls(&settings.tls, &mut report);
    check_database(settings, &mut report).await;
    if settings.public_origin.is_none() {
        report.push(
            Level::Warn,
            "public-origin",
            "not set: Origin checks and links use the bound address; set it behind a proxy or load balancer",
        );
    }
    report
}

fn mode_of(path: &Path) -> Option<u32> {
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}

fn check_data_dir(dir: &Path, report: &mut Report) {
    match mode_of(dir) {
        None => report.push(
            Level::Fail,
            "data-dir",
            format!("{} does not exist", dir.display()),
        ),
        Some(mode) if mode & 0o002 != 0 => report.push(
            Level::Fail,
            "data-dir",
            format!("{} is world-writable (mode {mode:o})", dir.display()),
        ),
        Some(mode) if mode & 0o077 != 0 => report.push(
            Level::Warn,
            "data-dir",
            format!(
                "{} is readable by other users (mode {mode:o}); 700 is advised",
                dir.display()
            ),
        ),
        Some(mode) => report.push(
            Level::Ok,
            "data-dir",
            format!("{} (mode {mode:o})", dir.display()),
        ),
    }
}

fn check_tls(source: &TlsSource, report: &mut Report) {
    let (cert, key) = tls::files(source);
    match mode_of(&key) {
        None => report.push(
            Level::Fail,
            "tls-key",
            format!("{} is missing", key.display()),
        ),
        Some(mode) if mode & 0o077 != 0 => report.push(
            Level::Fail,
            "tls-key",
            format!(
                "{} is readable by group or others (mode {mode:o}); chmod 600 it",
                key.display()
            ),
        ),
        Some(mode) => report.push(
            Level::Ok,
            "tls-key",
            format!("{} (mode {mode:o})", key.display()),
        ),
    }
    match tls::cert_not_after(&cert) {
        Err(e) => report.push(Level::Fail, "tls-cert", format!("{e:#}")),
        Ok(not_after) => {
            let left = not_after - time::OffsetDateTime::now_utc();
            if left.is_negative() {
                report.push(
                    Level::Fail,
                    "tls-cert",
                    format!("{} has expired", cert.display()),
                );
            } else if left < tls::RENEW_BEFORE {
                let level = if matches!(source, TlsSource::SelfSigned { .. }) {
                    Level::Warn
                } else {
                    Level::Fail
                };
                report.push(
                    level,
                    "tls-cert",
                    format!("{} expires in {} days", cert.display(), left.whole_days()),
                );
            } else {
                report.push(
                    Level::Ok,
                    "tls-cert",
                    format!(
                        "{} valid for {} more days",
                        cert.display(),
                        left.whole_days()
                    ),
                );
            }
        }
    }
    if tls::server_config(source).is_err() && matches!(source, TlsSource::Files { .. }) {
        report.push(
            Level::Fail,
            "tls",
            "certificate and key cannot be loaded together",
        );
    }
}

async fn check_database(settings: &Settings, report: &mut Report) {
    let db = match tokio::time::timeout(std::time::Duration::from_secs(10), Db::connect(settings))
        .await
    {
        Ok(Ok(db)) => db,
        Ok(Err(e)) => {
            report.push(Level::Fail, "database", format!("unreachable: {e:#}"));
            return;
        }
        Err(_) => {
            report.push(Level::Fail, "database", "no answer within 10 s");
            return;
        }
    };
    match db.is_migrated().await {
        Ok(true) => report.push(Level::Ok, "database", "reachable, migrations applied"),
        Ok(false) => report.push(
            Level::Fail,
            "database",
            "reachable but not migrated: run `webstore migrate`",
        ),
        Err(e) => report.push(Level::Fail, "database", format!("query failed: {e}")),
    }
    db.close().await;
}

/// How long the probe waits for each of connect, write and read.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// Asks the shop this configuration describes for `GET /healthz` over
/// HTTPS and succeeds only on a 200 from the server holding the configured
/// certificate.
pub fn health(settings: &Settings) -> anyhow::Result<()> {
    let (cert_path, _) = tls::files(&settings.tls);
    let pinned = CertificateDer::from_pem_file(&cert_path)
        .with_context(|| format!("reading {}", cert_path.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .context("choosing TLS versions")?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedCertificate {
            certificate: pinned,
            algorithms: provider.signature_verification_algorithms,
        }))
        .with_no_client_auth();

    let addr = probe_address(settings.bind);
    let tcp = TcpStream::connect_timeout(&addr, HEALTH_TIMEOUT)
        .with_context(|| format!("connecting to {addr}"))?;
    tcp.set_read_timeout(Some(HEALTH_TIMEOUT))?;
    tcp.set_write_timeout(Some(HEALTH_TIMEOUT))?;
    let name = ServerName::IpAddress(addr.ip().into());
    let client = rustls::ClientConnection::new(Arc::new(config), name)?;
    let mut stream = rustls::StreamOwned::new(client, tcp);
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .with_context(|| format!("asking {addr} for /healthz"))?;

    let mut buf = vec![0u8; 8 * 1024];
    let mut len = 0;
    while len < buf.len() {
        let n = stream.read(&mut buf[len..]).context("reading the answer")?;
        if n == 0 {
            break;
        }
        len += n;
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        if response.parse(&buf[..len])?.is_complete() {
            return match response.code {
                Some(200) => Ok(()),
                other => bail!("/healthz answered {}", other.unwrap_or_default()),
            };
        }
    }
    bail!("no complete answer from {addr}")
}

/// The address a local probe reaches the listener on: a wildcard bind is
/// asked through loopback, a specific address directly.
fn probe_address(bind: SocketAddr) -> SocketAddr {
    let ip = match bind.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, bind.port())
}

/// Trusts exactly the certificate the shop is configured with, whatever
/// names it carries: the probe dials an address, which an operator's
/// certificate for the public host name would not match, and a CA-signed
/// chain would add nothing when the file itself is the reference.
#[derive(Debug)]
struct PinnedCertificate {
    certificate: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.certificate.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
