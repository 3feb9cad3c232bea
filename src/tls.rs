//! TLS: the server's rustls configuration (TLS 1.2 and 1.3, ring's safe
//! default suites, h2 and http/1.1), the self-signed certificate made once
//! and renewed before it expires, and the connection limits that keep slow
//! or greedy clients from starving everyone else.
//!
//! May import: config.

use std::collections::HashMap;
use std::io::{self, Write as _};
use std::net::IpAddr;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use anyhow::{Context as _, bail};
use axum_server::accept::Accept;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::OffsetDateTime;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::{ConfigError, TlsSource, TrustedProxies};

/// Validity of a generated certificate (the contract allows at most 365 days).
const SELF_SIGNED_VALIDITY: time::Duration = time::Duration::days(360);
/// A generated certificate is replaced once fewer days than this remain.
pub const RENEW_BEFORE: time::Duration = time::Duration::days(30);
pub const CERT_FILE: &str = "cert.pem";
pub const KEY_FILE: &str = "key.pem";

/// Installs ring as the process's one crypto provider (idempotent).
pub fn install_crypto_provider() {
    let _already = rustls::crypto::ring::default_provider().install_default();
}

/// The certificate and key files a source uses.
pub fn files(source: &TlsSource) -> (PathBuf, PathBuf) {
    match source {
        TlsSource::SelfSigned { dir } => (dir.join(CERT_FILE), dir.join(KEY_FILE)),
        TlsSource::Files { cert, key } => (cert.clone(), key.clone()),
    }
}

/// Builds the rustls configuration, generating the self-signed certificate
/// first when it is missing, unreadable or close to expiry.
pub fn server_config(source: &TlsSource) -> anyhow::Result<Arc<ServerConfig>> {
    if let TlsSource::SelfSigned { dir } = source {
        ensure_self_signed(dir)?;
    }
    let (cert_path, key_path) = files(source);
    let certs = CertificateDer::pem_file_iter(&cert_path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            ConfigError(format!(
                "cannot read TLS certificate {}: {e}",
                cert_path.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(ConfigError(format!("no certificate in {}", cert_path.display())).into());
    }
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .map_err(|e| ConfigError(format!("cannot read TLS key {}: {e}", key_path.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("choosing TLS versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ConfigError(format!("TLS certificate and key do not fit together: {e}")))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// When the certificate in `path` stops being valid.
pub fn cert_not_after(path: &Path) -> anyhow::Result<OffsetDateTime> {
    let der = CertificateDer::from_pem_file(path)
        .with_context(|| format!("reading {}", path.display()))?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der)
        .map_err(|e| anyhow::anyhow!("parsing {}: {e}", path.display()))?;
    Ok(cert.validity().not_after.to_datetime())
}

/// True when the self-signed certificate in `dir` must be (re)made.
pub fn needs_new_certificate(dir: &Path) -> bool {
    let (cert, key) = (dir.join(CERT_FILE), dir.join(KEY_FILE));
    if !cert.exists() || !key.exists() {
        return true;
    }
    match cert_not_after(&cert) {
        Ok(not_after) => not_after - OffsetDateTime::now_utc() < RENEW_BEFORE,
        Err(_) => true,
    }
}

/// Generates the certificate unless a usable one is there. The key file is
/// created with mode 0600 and both files are written to temporary names and
/// renamed, so a crash never leaves half a key.
pub fn ensure_self_signed(dir: &Path) -> anyhow::Result<bool> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("restricting {}", dir.display()))?;
    let key_path = dir.join(KEY_FILE);
    if !needs_new_certificate(dir) {
        // Tighten a key someone loosened by hand.
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600))?;
        return Ok(false);
    }
    let (cert_pem, key_pem) = generate_self_signed()?;
    write_atomically(&key_path, key_pem.as_bytes(), 0o600)?;
    write_atomically(&dir.join(CERT_FILE), cert_pem.as_bytes(), 0o644)?;
    tracing::info!(tls.dir = %dir.display(), "generated a self-signed certificate");
    Ok(true)
}

fn generate_self_signed() -> anyhow::Result<(String, String)> {
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    if !host.is_empty() && host != "localhost" && host.is_ascii() {
        names.push(host.clone());
    }
    let mut params = rcgen::CertificateParams::new(names).context("certificate names")?;
    let now = OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::minutes(5);
    params.not_after = now + SELF_SIGNED_VALIDITY;
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, format!("webstore on {host}"));
    dn.push(rcgen::DnType::OrganizationName, "webstore (self-signed)");
    params.distinguished_name = dn;
    params.is_ca = rcgen::IsCa::NoCa;
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = rcgen::KeyPair::generate().context("generating a key")?;
    let cert = params
        .self_signed(&key)
        .context("signing the certificate")?;
    Ok((cert.pem(), key.serialize_pem()))
}

fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let result = (|| -> io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing {}", path.display()))
}

/// Checks once in a while whether the self-signed certificate nears expiry
/// and, if so, makes a new one and swaps it in without a restart.
pub async fn renew_self_signed(dir: PathBuf, config: axum_server::tls_rustls::RustlsConfig) {
    let mut tick = tokio::time::interval(Duration::from_secs(6 * 3600));
    tick.tick().await;
    loop {
        tick.tick().await;
        let source = TlsSource::SelfSigned { dir: dir.clone() };
        if !needs_new_certificate(&dir) {
            continue;
        }
        match tokio::task::spawn_blocking(move || server_config(&source)).await {
            Ok(Ok(new)) => {
                config.reload_from_config(new);
                tracing::info!("renewed the self-signed certificate");
            }
            Ok(Err(e)) => {
                tracing::error!(error = format!("{e:#}"), "renewing the certificate failed")
            }
            Err(e) => tracing::error!(error = %e, "renewing the certificate failed"),
        }
    }
}

/// Caps open connections, in total and per client address. A connection
/// over either cap is closed at once, before any TLS work. Trusted proxies
/// carry everyone's connections, so only the total caps theirs.
#[derive(Clone)]
pub struct ConnectionLimiter {
    total: Arc<Semaphore>,
    per_ip: Arc<Mutex<HashMap<IpAddr, usize>>>,
    max_per_ip: usize,
    proxies: TrustedProxies,
}

impl ConnectionLimiter {
    pub fn new(max_total: usize, max_per_ip: usize, proxies: TrustedProxies) -> Self {
        Self {
            total: Arc::new(Semaphore::new(max_total)),
            per_ip: Arc::new(Mutex::new(HashMap::new())),
            max_per_ip,
            proxies,
        }
    }

    fn admit(&self, ip: IpAddr) -> Option<ConnectionGuard> {
        let permit = self.total.clone().try_acquire_owned().ok()?;
        let mut map = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        let count = map.entry(ip).or_insert(0);
        if *count >= self.max_per_ip && !self.proxies.trusts(ip) {
            return None;
        }
        *count += 1;
        Some(ConnectionGuard {
            ip,
            per_ip: self.per_ip.clone(),
            _permit: permit,
        })
    }
}

/// Held by a connection while it lives; gives its slots back on drop.
pub struct ConnectionGuard {
    ip: IpAddr,
    per_ip: Arc<Mutex<HashMap<IpAddr, usize>>>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let mut map = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = map.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// A TCP stream that holds its connection slot.
pub struct LimitedStream {
    inner: TcpStream,
    _guard: ConnectionGuard,
}

impl AsyncRead for LimitedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for LimitedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

impl<S: Send + 'static> Accept<TcpStream, S> for ConnectionLimiter {
    type Stream = LimitedStream;
    type Service = S;
    type Future = std::future::Ready<io::Result<(LimitedStream, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let admitted = stream
            .peer_addr()
            .ok()
            .and_then(|peer| self.admit(peer.ip()));
        std::future::ready(match admitted {
            Some(guard) => {
                let _ = stream.set_nodelay(true);
                Ok((
                    LimitedStream {
                        inner: stream,
                        _guard: guard,
                    },
                    service,
                ))
            }
            None => {
                metrics::counter!("connections_refused_total").increment(1);
                Err(io::Error::other("connection limit reached"))
            }
        })
    }
}

/// Fails with a clear message when a PEM file cannot be used.
pub fn ensure_readable(path: &Path) -> anyhow::Result<()> {
    if !path.exists() {
        bail!("{} does not exist", path.display());
    }
    std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_caps_per_ip_and_frees_on_drop() {
        let limiter = ConnectionLimiter::new(10, 2, TrustedProxies::default());
        let ip: IpAddr = "10.0.0.1".parse().expect("ip");
        let other: IpAddr = "10.0.0.2".parse().expect("ip");
        let a = limiter.admit(ip).expect("first");
        let _b = limiter.admit(ip).expect("second");
        assert!(limiter.admit(ip).is_none());
        assert!(limiter.admit(other).is_some());
        drop(a);
        assert!(limiter.admit(ip).is_some());
    }

    #[test]
    fn a_trusted_proxy_is_capped_by_the_total_only() {
        let proxies = TrustedProxies::parse("10.0.0.9").expect("list");
        let limiter = ConnectionLimiter::new(4, 1, proxies);
        let proxy: IpAddr = "10.0.0.9".parse().expect("ip");
        let held: Vec<_> = (0..4)
            .map(|_| limiter.admit(proxy).expect("within the total"))
            .collect();
        assert!(limiter.admit(proxy).is_none(), "the total still holds");
        drop(held);
        let _one = limiter
            .admit("10.0.0.1".parse().expect("ip"))
            .expect("first");
        assert!(limiter.admit("10.0.0.1".parse().expect("ip")).is_none());
    }

    #[test]
    fn limiter_caps_the_total() {
        let limiter = ConnectionLimiter::new(1, 5, TrustedProxies::default());
        let _a = limiter
            .admit("10.0.0.1".parse().expect("ip"))
            .expect("first");
        assert!(limiter.admit("10.0.0.2".parse().expect("ip")).is_none());
    }

    #[test]
    fn generated_certificate_is_reused_and_key_is_private() {
        install_crypto_provider();
        let dir = tempfile::tempdir().expect("dir");
        assert!(ensure_self_signed(dir.path()).expect("made"));
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let first = std::fs::read(dir.path().join(CERT_FILE)).expect("cert");
        assert!(!ensure_self_signed(dir.path()).expect("reused"));
        assert_eq!(
            first,
            std::fs::read(dir.path().join(CERT_FILE)).expect("cert")
        );
        let left =
            cert_not_after(&dir.path().join(CERT_FILE)).expect("date") - OffsetDateTime::now_utc();
        assert!(left <= time::Duration::days(365) && left > RENEW_BEFORE);
        server_config(&TlsSource::SelfSigned {
            dir: dir.path().to_owned(),
        })
        .expect("config");
    }
}
