//! `App::build` turns `Settings` into a running shop: data dir, database
//! (migrated, seeded when empty), TLS, both listeners bound (port 0 allowed,
//! the bound ports reported), router and pipeline. `run_until_stopped`
//! serves until the shutdown future resolves, lets in-flight requests
//! finish, then closes the pool.
//!
//! May import: everything below it.

use std::future::Future;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt as _;
use std::sync::Arc;

use anyhow::Context as _;
use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Redirect, Response};
use axum_server::Handle;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};

use secrecy::ExposeSecret as _;

use crate::auth::session;
use crate::auth::store::{AppSessionStore, DbSessionStore, RedisSessionStore};
use crate::auth::totp::SecretBox;
use crate::config::{ConfigError, PublicOrigin, Settings, TlsSource};
use crate::db::Db;
use crate::state::AppState;
use crate::tls::ConnectionLimiter;
use crate::{api, http, live, ops, seed, tls, web};

/// A built shop whose listeners are bound but not yet serving.
pub struct App {
    state: AppState,
    https: std::net::TcpListener,
    http: Option<std::net::TcpListener>,
    https_addr: SocketAddr,
    http_addr: Option<SocketAddr>,
    rustls: RustlsConfig,
}

/// What startup does with the database schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    /// Applies the missing migrations (one instance, or one database server).
    Migrate,
    /// Refuses to start unless every migration is applied: on a Galera
    /// cluster the migrator's `GET_LOCK` is node-local, so instances
    /// starting at once on different nodes would each migrate.
    RequireMigrated,
}

impl App {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with(settings, Schema::Migrate).await
    }

    pub async fn build_with(settings: Settings, schema: Schema) -> anyhow::Result<Self> {
        tls::install_crypto_provider();
        ops::init_metrics();
        prepare_data_dir(&settings)?;

        let db = Db::connect(&settings).await?;
        match schema {
            Schema::Migrate => db.migrate().await?,
            Schema::RequireMigrated => {
                if !db.is_migrated().await? {
                    anyhow::bail!(
                        "the database schema is not up to date: run `webstore migrate` first \
                         (serve --no-migrate does not migrate)"
                    );
                }
            }
        }
        let seeded = seed::seed_if_empty(&db)
            .await
            .context("seeding the demo catalogue")?;
        if seeded > 0 {
            tracing::info!(products = seeded, "seeded the demo catalogue");
        }

        let tls_source = settings.tls.clone();
        let server_config = tokio::task::spawn_blocking(move || tls::server_config(&tls_source))
            .await
            .context("loading TLS")??;
        let rustls = RustlsConfig::from_config(server_config);

        let https = bind(settings.bind, "bind")?;
        let https_addr = https.local_addr()?;
        let http = settings
            .http_bind
            .map(|addr| bind(addr, "http-bind"))
            .transpose()?;
        let http_addr = http
            .as_ref()
            .map(std::net::TcpListener::local_addr)
            .transpose()?;

        let origin = settings
            .public_origin
            .clone()
            .unwrap_or_else(|| PublicOrigin::for_bound(https_addr));
        let sessions = match &settings.redis_url {
            Some(url) => AppSessionStore::Redis(
                RedisSessionStore::connect(url.expose_secret())
                    .await
                    .context("connecting to Redis")?,
            ),
            None => AppSessionStore::Db(DbSessionStore::new(db.clone())),
        };
        let secrets = Arc::new(
            SecretBox::load(
                settings.secret_key.as_ref().map(|k| k.expose_secret()),
                &settings.data_dir,
            )
            .map_err(|e| ConfigError(format!("{e:#}")))?,
        );
        let live = live::Hub::start(settings.redis_url.as_ref())
            .await
            .context("starting live updates")?;
        let rate =
            crate::http::rate::RateLimits::new(&settings.limits, settings.redis_url.as_ref())
                .context("setting up rate limits")?;
        let state = AppState {
            rate,
            db,
            settings: Arc::new(settings),
            origin,
            sessions,
            secrets,
            live,
        };
        Ok(Self {
            state,
            https,
            http,
            https_addr,
            http_addr,
            rustls,
        })
    }

    pub fn origin(&self) -> &PublicOrigin {
        &self.state.origin
    }

    pub fn https_addr(&self) -> SocketAddr {
        self.https_addr
    }

    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http_addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The whole shop as one router, pipeline included (tests may drive it
    /// with `oneshot`, without TLS).
    pub fn router(&self) -> Router {
        router(self.state.clone())
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets
    /// in-flight requests finish (bounded) and closes the database pool.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send,
    ) -> anyhow::Result<()> {
        let limits = self.state.settings.limits.clone();
        let limiter = ConnectionLimiter::new(
            limits.max_connections,
            limits.max_connections_per_ip,
            self.state.settings.trusted_proxies.clone(),
        );
        let handle: Handle<SocketAddr> = Handle::new();

        let mut https = axum_server::from_tcp(self.https)?
            .acceptor(
                RustlsAcceptor::new(self.rustls.clone())
                    .handshake_timeout(limits.tls_handshake_timeout)
                    .acceptor(limiter.clone()),
            )
            .handle(handle.clone())
            .first_request_timeout(limits.header_read_timeout);
        https
            .http_builder()
            .http1()
            .header_read_timeout(limits.header_read_timeout)
            .max_buf_size(64 * 1024);
        https
            .http_builder()
            .http2()
            .max_concurrent_streams(128)
            .max_header_list_size(64 * 1024);
        let app = router(self.state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let https_task = tokio::spawn(https.serve(app));

        let http_task = match self.http {
            Some(listener) => {
                let mut server = axum_server::from_tcp(listener)?
                    .acceptor(limiter.clone())
                    .handle(handle.clone())
                    .first_request_timeout(limits.header_read_timeout);
                server
                    .http_builder()
                    .http1()
                    .header_read_timeout(limits.header_read_timeout)
                    .max_buf_size(16 * 1024);
                let redirect = redirect_router(self.state.origin.clone())
                    .into_make_service_with_connect_info::<SocketAddr>();
                Some(tokio::spawn(server.serve(redirect)))
            }
            None => None,
        };

        let maintenance = tokio::spawn(maintain(self.state.clone()));
        let renewal = match &self.state.settings.tls {
            TlsSource::SelfSigned { dir } => Some(tokio::spawn(tls::renew_self_signed(
                dir.clone(),
                self.rustls.clone(),
            ))),
            TlsSource::Files { .. } => None,
        };

        shutdown.await;
        tracing::info!("shutting down: finishing requests in flight");
        self.state.live.close_all();
        handle.graceful_shutdown(Some(limits.shutdown_grace));
        if let Some(task) = renewal {
            task.abort();
        }
        maintenance.abort();
        https_task.await.context("the HTTPS server task")??;
        if let Some(task) = http_task {
            task.await.context("the redirect server task")??;
        }
        self.state.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// The shop's routes in the pipeline of layers.
pub fn router(state: AppState) -> Router {
    let limits = state.settings.limits.clone();
    let trusted = state.settings.trusted_proxies.clone();
    let policy = http::csrf::CsrfPolicy {
        origin: state.origin.as_str().to_owned(),
        max_body_bytes: limits.max_body_bytes,
        api_origins: state.settings.cors_origins.clone(),
        secrets: state.secrets.clone(),
    };
    // The CSRF guards inside the routers read the session and the policy,
    // so both layers wrap them.
    let routes = Router::new()
        .merge(web::router(&state.rate))
        .merge(api::router(&state.rate).layer(http::cors(&state.settings.cors_origins)))
        .merge(ops::router())
        .merge(live::router())
        .fallback(http::not_found)
        .layer(axum::Extension(policy))
        .layer(axum::middleware::from_fn(http::csrf::browser_secret))
        .layer(session::layer(state.sessions.clone()))
        .with_state(state);
    http::layer(routes, &limits, trusted)
}

/// Housekeeping every minute: expired sessions (database store) and
/// stale carts.
async fn maintain(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        state.rate.forget_quiet();
        if matches!(state.sessions, AppSessionStore::Db(_)) {
            crate::auth::store::purge_expired(&state.db).await;
        }
        let purged = async {
            let mut conn = state.db.conn().await?;
            crate::db::carts::purge_stale_carts(&mut conn).await
        }
        .await;
        match purged {
            Ok(0) => {}
            Ok(n) => tracing::info!(carts = n, "purged stale carts"),
            Err(e) => tracing::warn!(error = %e, "purging stale carts failed"),
        }
        // No mail server is configured: handing a message over means it is
        // ready for the back office's outbox page.
        let delivered = async {
            let mut conn = state.db.conn().await?;
            crate::db::outbox::mark_all_processed(&mut conn).await
        }
        .await;
        if let Ok(n @ 1..) = delivered {
            tracing::info!(messages = n, "outbox messages handed over");
        }
    }
}

/// The plain-HTTP listener: every request gets a 308 to the same path and
/// query on the configured HTTPS origin (never on the request's Host).
fn redirect_router(origin: PublicOrigin) -> Router {
    Router::new()
        .fallback(move |request: Request| {
            let origin = origin.clone();
            async move { redirect_to_https(&origin, &request) }
        })
        .layer(axum::middleware::map_response(
            http::headers::add_security_headers,
        ))
}

fn redirect_to_https(origin: &PublicOrigin, request: &Request) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .filter(|pq| pq.starts_with('/'))
        .unwrap_or("/");
    Redirect::permanent(&format!("{origin}{target}")).into_response()
}

fn bind(addr: SocketAddr, setting: &str) -> anyhow::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(addr)
        .with_context(|| format!("cannot listen on {addr} (--{setting})"))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Creates the data dir (mode 0700: it holds the database and keys).
fn prepare_data_dir(settings: &Settings) -> anyhow::Result<()> {
    let dir = &settings.data_dir;
    std::fs::create_dir_all(dir)
        .map_err(|e| ConfigError(format!("cannot create data-dir {}: {e}", dir.display())))?;
    let mode = std::fs::metadata(dir)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting {}", dir.display()))?;
    }
    if let TlsSource::Files { cert, key } = &settings.tls {
        for file in [cert, key] {
            tls::ensure_readable(file).map_err(|e| ConfigError(format!("{e:#}")))?;
        }
    }
    Ok(())
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is
/// called, not when the future is first polled, so a signal that arrives
/// while the shop is still starting is kept, not fatal.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send {
    use tokio::signal::unix::{SignalKind, signal};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        match (interrupt, terminate) {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {},
                    _ = terminate.recv() => {},
                }
            }
            _ => std::future::pending::<()>().await,
        }
    }
}
