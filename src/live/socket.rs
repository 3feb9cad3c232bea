//! `GET /ws`: the Origin check, the upgrade, and one socket's life.
//!
//! A socket is bound at connect to the account, or else to the visitor's
//! browser (or session); no session is made for it. It gets `cart` events
//! for that cart only and `stock` events for the products its page
//! watches. Hostile clients are bounded: 4 KiB per message, 20 messages
//! per 10 s, a few malformed ones, a pong within 60 s; a socket whose
//! session ends is closed.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::extract::ws::{
    CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade, close_code,
    rejection::WebSocketUpgradeRejection,
};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;
use tower_sessions::session::Id;
use tower_sessions::{Session, SessionStore as _};
use tracing::Instrument as _;

use crate::auth::session;
use crate::auth::store::AppSessionStore;
use crate::domain::ProductId;
use crate::error::AppError;
use crate::http::csrf::{BrowserSecret, CsrfPolicy};
use crate::live::LiveState;
use crate::live::hub::{self, CartOwner, Event, Hub};

/// The largest message (and frame) a client may send.
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// Products one page may watch.
pub const MAX_WATCHED: usize = 100;
/// At most this many client messages per [`RATE_WINDOW`]; more closes the
/// socket with 1008.
pub const MAX_MESSAGES: usize = 20;
pub const RATE_WINDOW: Duration = Duration::from_secs(10);
/// Malformed or unknown messages tolerated before the socket is closed.
const MAX_STRIKES: u32 = 5;
/// A ping goes out this often; the session is re-checked at the same time.
const HEARTBEAT: Duration = Duration::from_secs(25);
/// Without any frame from the client for this long, the socket is dropped.
const PONG_TIMEOUT: Duration = Duration::from_secs(60);
/// A client that does not take a message within this long is dropped.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a session lookup may take before it counts as failed.
const STORE_TIMEOUT: Duration = Duration::from_secs(5);
/// Session lookups that may fail in a row (the store blinking) before
/// the socket is closed rather than trusted further.
const MAX_STORE_FAILURES: u32 = 2;

/// GET /ws — upgrades to a WebSocket (wss: served on the HTTPS listener
/// only) when `Origin` is exactly the shop's; missing or foreign → 403.
pub async fn open_socket(
    State(LiveState {
        db,
        hub,
        sessions: store,
    }): State<LiveState>,
    Extension(policy): Extension<CsrfPolicy>,
    headers: HeaderMap,
    session: Session,
    browser: Option<BrowserSecret>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    // Browsers always send Origin on a WebSocket handshake, and cookies
    // ride along cross-site: this check is what stops another site from
    // reading a shopper's cart over their session (CSWSH).
    let same_origin = headers
        .get(header::ORIGIN)
        .is_some_and(|o| o.as_bytes() == policy.origin.as_bytes());
    if !same_origin {
        return Err(AppError::Forbidden);
    }
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return Ok(rejection.into_response()),
    };
    let user = session::signed_in_user(&session, &db).await?;
    // Reading the session above loaded it: the id is there only if a
    // stored session stands behind it.
    let id = session.id();
    let binding = Binding {
        owner: match (&user, browser.as_ref().and_then(BrowserSecret::sent)) {
            (Some(user), _) => Some(CartOwner::Account(user.id)),
            (None, Some(secret)) => Some(CartOwner::browser(secret)),
            (None, None) => id.as_ref().map(CartOwner::session),
        },
        session: id,
    };
    tracing::debug!(live.signed_in = user.is_some(), "live socket opening");
    let span = tracing::Span::current();
    Ok(upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_failed_upgrade(|error| tracing::debug!(%error, "live socket upgrade failed"))
        .on_upgrade(move |socket| serve(socket, hub, store, binding).instrument(span)))
}

/// What a socket was bound to at connect.
struct Binding {
    /// The session to re-check; kept in memory only, never logged.
    session: Option<Id>,
    /// Whose cart counts it gets; none without a session.
    owner: Option<CartOwner>,
}

/// The one message a client sends.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ClientMessage {
    Watch { product_ids: Vec<ProductId> },
}

/// The products a `watch` message asks for; `None` for anything else.
fn parse_watch(text: &str) -> Option<HashSet<ProductId>> {
    match serde_json::from_str::<ClientMessage>(text) {
        Ok(ClientMessage::Watch { product_ids }) if product_ids.len() <= MAX_WATCHED => {
            Some(product_ids.into_iter().collect())
        }
        _ => None,
    }
}

/// A sliding window of the client's recent messages.
struct RateLimit {
    seen: VecDeque<Instant>,
}

impl RateLimit {
    fn new() -> Self {
        Self {
            seen: VecDeque::with_capacity(MAX_MESSAGES),
        }
    }

    /// Counts a message at `now`; false when it is one too many.
    fn allow(&mut self, now: Instant) -> bool {
        while self
            .seen
            .front()
            .is_some_and(|&at| now.duration_since(at) >= RATE_WINDOW)
        {
            self.seen.pop_front();
        }
        if self.seen.len() >= MAX_MESSAGES {
            return false;
        }
        self.seen.push_back(now);
        true
    }
}

/// Why a socket ended, for the log.
#[derive(Debug)]
enum End {
    ClientClosed,
    ReadFailed,
    SendFailed,
    TooMany,
    Malformed,
    NoPong,
    SessionEnded,
    SessionUnverifiable,
    ShuttingDown,
}

/// Counts open sockets for the metrics endpoint while alive.
struct OpenGauge;

impl OpenGauge {
    fn new() -> Self {
        metrics::gauge!("live_sockets_open").increment(1.0);
        Self
    }
}

impl Drop for OpenGauge {
    fn drop(&mut self) {
        metrics::gauge!("live_sockets_open").decrement(1.0);
    }
}

async fn serve(mut socket: WebSocket, hub: Hub, store: AppSessionStore, binding: Binding) {
    let _gauge = OpenGauge::new();
    let end = run(&mut socket, &hub, &store, &binding).await;
    match end {
        End::TooMany | End::Malformed => {
            tracing::warn!(live.end = ?end, "live socket closed for abuse");
        }
        _ => tracing::debug!(live.end = ?end, "live socket closed"),
    }
}

async fn run(socket: &mut WebSocket, hub: &Hub, store: &AppSessionStore, binding: &Binding) -> End {
    let mut events = hub.subscribe();
    let mut closing = hub.closing();
    let mut watched: HashSet<ProductId> = HashSet::new();
    let mut rate = RateLimit::new();
    let mut strikes = 0;
    let mut store_failures = 0;
    let mut heartbeat = tokio::time::interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let silence = tokio::time::sleep(PONG_TIMEOUT);
    tokio::pin!(silence);

    loop {
        tokio::select! {
            // Client frames first: a `watch` that has arrived applies
            // before the events that follow it.
            biased;
            incoming = socket.recv() => {
                let message = match incoming {
                    None => return End::ClientClosed,
                    Some(Err(error)) => {
                        let code = if error.to_string().contains("too long") {
                            close_code::SIZE
                        } else {
                            close_code::PROTOCOL
                        };
                        close(socket, code, "unreadable message").await;
                        return End::ReadFailed;
                    }
                    Some(Ok(message)) => message,
                };
                let now = Instant::now();
                silence.as_mut().reset(now + PONG_TIMEOUT);
                if !rate.allow(now) {
                    close(socket, close_code::POLICY, "too many messages").await;
                    return End::TooMany;
                }
                match message {
                    Message::Text(text) => match parse_watch(text.as_str()) {
                        Some(ids) => watched = ids,
                        None => strikes += 1,
                    },
                    Message::Binary(_) => strikes += 1,
                    // Pings are answered by the protocol layer; a pong only
                    // proves the client is there.
                    Message::Ping(_) | Message::Pong(_) => {}
                    Message::Close(_) => return End::ClientClosed,
                }
                if strikes >= MAX_STRIKES {
                    close(socket, close_code::POLICY, "malformed messages").await;
                    return End::Malformed;
                }
            }
            event = events.recv() => match event {
                Ok(delivery) => {
                    if wants(&delivery.event, &watched, binding.owner)
                        && !send(socket, Message::Text(delivery.text.clone())).await
                    {
                        return End::SendFailed;
                    }
                }
                // Too slow to keep up: some updates are skipped; the
                // next ones are current again.
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return End::ShuttingDown,
            },
            _ = heartbeat.tick() => {
                if !send(socket, Message::Ping(Default::default())).await {
                    return End::SendFailed;
                }
                if let Some(id) = &binding.session {
                    match session_exists(store, id).await {
                        Some(true) => store_failures = 0,
                        Some(false) => {
                            close(socket, close_code::NORMAL, "session ended").await;
                            return End::SessionEnded;
                        }
                        None => {
                            store_failures += 1;
                            if store_failures >= MAX_STORE_FAILURES {
                                close(socket, close_code::AGAIN, "try again later").await;
                                return End::SessionUnverifiable;
                            }
                        }
                    }
                }
            }
            () = &mut silence => return End::NoPong,
            () = hub::closed(&mut closing) => {
                close(socket, close_code::AWAY, "shop restarting").await;
                return End::ShuttingDown;
            }
        }
    }
}

/// Whether this socket's page shows what the event is about.
fn wants(event: &Event, watched: &HashSet<ProductId>, owner: Option<CartOwner>) -> bool {
    match event {
        Event::Stock { product_id, .. } => watched.contains(product_id),
        Event::Cart { owner: of, .. } => owner == Some(*of),
    }
}

/// `None` when the store could not say.
async fn session_exists(store: &AppSessionStore, id: &Id) -> Option<bool> {
    match tokio::time::timeout(STORE_TIMEOUT, store.load(id)).await {
        Ok(Ok(record)) => Some(record.is_some()),
        Ok(Err(error)) => {
            tracing::warn!(%error, "live socket: the session store failed");
            None
        }
        Err(_) => {
            tracing::warn!("live socket: the session store did not answer");
            None
        }
    }
}

async fn send(socket: &mut WebSocket, message: Message) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, socket.send(message)).await,
        Ok(Ok(()))
    )
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    };
    let _ = send(socket, Message::Close(Some(frame))).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_message_names_at_most_100_positive_ids() {
        let ids = parse_watch(r#"{"type":"watch","product_ids":[3,7,7]}"#).expect("watch");
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&ProductId::try_from(7).expect("id")));
        let hundred: Vec<i64> = (1..=100).collect();
        let json = serde_json::json!({"type": "watch", "product_ids": hundred}).to_string();
        assert_eq!(parse_watch(&json).map(|ids| ids.len()), Some(100));
        let too_many: Vec<i64> = (1..=101).collect();
        let json = serde_json::json!({"type": "watch", "product_ids": too_many}).to_string();
        assert!(parse_watch(&json).is_none());
        for bad in [
            "",
            "watch",
            "[]",
            r#"{"type":"watch"}"#,
            r#"{"type":"watch","product_ids":[0]}"#,
            r#"{"type":"watch","product_ids":[-4]}"#,
            r#"{"type":"watch","product_ids":["7"]}"#,
            r#"{"type":"watch","product_ids":[1.5]}"#,
            r#"{"type":"watch","product_ids":[99999999999999999999]}"#,
            r#"{"type":"cart","count":1}"#,
            r#"{"product_ids":[1]}"#,
        ] {
            assert!(parse_watch(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn the_rate_limit_allows_20_messages_in_any_10_seconds() {
        let start = Instant::now();
        let mut rate = RateLimit::new();
        for i in 0..20 {
            assert!(rate.allow(start + Duration::from_millis(i * 10)), "{i}");
        }
        assert!(!rate.allow(start + Duration::from_millis(300)));
        // Once the first ones are 10 s old, there is room again.
        assert!(rate.allow(start + Duration::from_millis(10_005)));
        assert!(!rate.allow(start + Duration::from_millis(10_006)));
    }

    #[test]
    fn sockets_get_their_own_cart_and_watched_products_only() {
        let p = |n| ProductId::try_from(n).expect("id");
        let c = |n| CartOwner::Account(crate::domain::UserId::try_from(n).expect("id"));
        let watched: HashSet<ProductId> = [p(1), p(2)].into();
        let stock = |n| Event::Stock {
            product_id: p(n),
            stock: crate::domain::Stock::new(1).expect("stock"),
        };
        assert!(wants(&stock(1), &watched, None));
        assert!(!wants(&stock(3), &watched, None));
        let cart = Event::Cart {
            owner: c(5),
            count: 1,
        };
        assert!(wants(&cart, &watched, Some(c(5))));
        assert!(!wants(&cart, &watched, Some(c(6))));
        assert!(!wants(&cart, &watched, None));
    }
}
