//! The hub: whoever changes stock or a cart calls [`Hub::publish`]; every
//! open socket of this instance gets the event through one
//! `tokio::sync::broadcast` channel and keeps what its page shows.
//!
//! With Redis configured, each event also goes out on the channel
//! [`CHANNEL`], tagged with this instance's random id; a background task
//! subscribes to it and re-broadcasts other instances' events here. Our
//! own come back too and are dropped by the tag, so nothing is delivered
//! twice. Events missed while Redis is unreachable are not replayed: they
//! only refresh what a page shows, and the next page load is exact.
//!
//! Pub/sub ignores Redis database numbers, so messages also carry the one
//! in the URL: two shops may share a server with different numbers (as
//! their sessions already must), and never see each other's carts.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::ws::Utf8Bytes;
use futures_util::StreamExt as _;
use redis::aio::{ConnectionManager, PubSub};
use secrecy::SecretString;
use serde::{Deserialize, Serialize, Serializer};
use tokio::sync::{broadcast, mpsc, watch};

use sha2::{Digest as _, Sha256};
use tower_sessions::session::Id;

use crate::domain::{ProductId, Stock, UserId};
use crate::redis::{self as link, Timeouts};

/// The Redis pub/sub channel every instance of the shop shares.
pub const CHANNEL: &str = "webstore:live";

/// Events a slow socket may fall behind by before it skips some.
const LOCAL_BACKLOG: usize = 1024;
/// Events waiting to go out to Redis; beyond this they are dropped (and
/// logged) rather than slowing down a checkout.
const RELAY_BACKLOG: usize = 1024;
/// A relayed message longer than this is not ours.
const MAX_RELAYED_BYTES: usize = 4096;
const REDIS: Timeouts = Timeouts::STANDARD;
/// The subscription is pinged this often; no answer means reconnect.
const SUBSCRIPTION_PING_EVERY: Duration = Duration::from_secs(30);
const RECONNECT_MIN: Duration = Duration::from_secs(1);
const RECONNECT_MAX: Duration = Duration::from_secs(30);

/// Whose cart an event is about, and what a socket is bound to: an
/// account (on every device it is signed in on), or a visitor's browser
/// (or session). A socket bound before its cart existed still gets the
/// first count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "key", rename_all = "lowercase")]
pub enum CartOwner {
    Account(UserId),
    /// A digest of the browser secret or session id: neither leaves the
    /// request, not even to Redis.
    Visitor([u8; 16]),
}

impl CartOwner {
    /// A visitor's pages in a browser: bound by the browser's CSRF secret
    /// (its cookie), which pages have before any session exists.
    pub fn browser(secret: &str) -> Self {
        Self::visitor_key(b"browser", secret.as_bytes())
    }

    /// A visitor known only by the session (a client without the browser
    /// cookie).
    pub fn session(id: &Id) -> Self {
        Self::visitor_key(b"session", id.to_string().as_bytes())
    }

    fn visitor_key(kind: &[u8], value: &[u8]) -> Self {
        let digest = Sha256::new()
            .chain_update(b"webstore live cart owner\0")
            .chain_update(kind)
            .chain_update(b"\0")
            .chain_update(value)
            .finalize();
        let mut key = [0; 16];
        key.copy_from_slice(&digest[..16]);
        Self::Visitor(key)
    }
}

/// Something a page may show has changed. Serialises to what the browser
/// receives: `{"type":"stock","product_id":7,"stock":3}` or
/// `{"type":"cart","count":2}` (whose cart it is stays on the server).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Event {
    Stock {
        product_id: ProductId,
        #[serde(serialize_with = "units")]
        stock: Stock,
    },
    Cart {
        #[serde(skip)]
        owner: CartOwner,
        count: i64,
    },
}

fn units<S: Serializer>(stock: &Stock, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_i64(stock.get())
}

/// An event and the text every socket that wants it sends, made once.
#[derive(Debug)]
pub struct Delivery {
    pub event: Event,
    pub text: Utf8Bytes,
}

/// An event as instances tell each other, cart owner included.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Relayed {
    Stock { product_id: ProductId, stock: i64 },
    Cart { owner: CartOwner, count: i64 },
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    /// The publishing instance's id.
    from: String,
    /// The Redis database number the shop is configured with.
    db: i64,
    event: Relayed,
}

impl From<Event> for Relayed {
    fn from(event: Event) -> Self {
        match event {
            Event::Stock { product_id, stock } => Self::Stock {
                product_id,
                stock: stock.get(),
            },
            Event::Cart { owner, count } => Self::Cart { owner, count },
        }
    }
}

impl TryFrom<Relayed> for Event {
    type Error = ();

    fn try_from(relayed: Relayed) -> Result<Self, ()> {
        match relayed {
            Relayed::Stock { product_id, stock } => Ok(Self::Stock {
                product_id,
                stock: Stock::new(stock).map_err(|_| ())?,
            }),
            Relayed::Cart { owner, count } if count >= 0 => Ok(Self::Cart { owner, count }),
            Relayed::Cart { .. } => Err(()),
        }
    }
}

#[derive(Clone, Debug)]
struct Instance {
    id: String,
    db: i64,
}

/// Fans events out to this instance's sockets and, with Redis, to the
/// other instances'. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    local: broadcast::Sender<Arc<Delivery>>,
    /// Who we are on the channel: this instance's id and database number.
    instance: Instance,
    relay: Option<mpsc::Sender<String>>,
    /// Turns true when the shop shuts down: every socket says goodbye.
    closing: watch::Sender<bool>,
}

// By hand: the Redis URL (it may hold a password) is never kept, and
// nothing else here is worth a log line.
impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("redis", &self.inner.relay.is_some())
            .finish_non_exhaustive()
    }
}

impl Hub {
    /// A hub for this process only.
    pub fn local() -> Self {
        Self::with_relay(None, 0)
    }

    fn with_relay(relay: Option<mpsc::Sender<String>>, db: i64) -> Self {
        let (local, _) = broadcast::channel(LOCAL_BACKLOG);
        let (closing, _) = watch::channel(false);
        Self {
            inner: Arc::new(Inner {
                local,
                instance: Instance {
                    id: uuid::Uuid::new_v4().simple().to_string(),
                    db,
                },
                relay,
                closing,
            }),
        }
    }

    /// The hub for the configured deployment: local only, or shared
    /// through Redis at `redis_url`. With Redis, returns once the
    /// subscription stands, so nothing published after startup is missed.
    pub async fn start(redis_url: Option<&SecretString>) -> anyhow::Result<Self> {
        let Some(url) = redis_url else {
            return Ok(Self::local());
        };
        let client = link::client(url)?;
        let publisher = link::connect(&client, REDIS)
            .await
            .context("connecting to Redis for live updates")?;
        let subscription = subscribe(&client)
            .await
            .context("subscribing to live updates on Redis")?;

        let (relay, queue) = mpsc::channel(RELAY_BACKLOG);
        let db = client.get_connection_info().redis_settings().db();
        let hub = Self::with_relay(Some(relay), db);
        tokio::spawn(relay_out(publisher, queue));
        tokio::spawn(relay_in(
            client,
            subscription,
            hub.inner.local.clone(),
            hub.inner.instance.clone(),
            hub.inner.closing.subscribe(),
        ));
        Ok(hub)
    }

    /// Sends the event to every interested socket, here and on the other
    /// instances. Never waits and never fails: a page that misses an
    /// update is exact again on its next load.
    pub fn publish(&self, event: Event) {
        let Some(delivery) = Delivery::of(event) else {
            return;
        };
        // No receiver (no socket open) is not an error.
        let _ = self.inner.local.send(Arc::new(delivery));
        if let Some(relay) = &self.inner.relay {
            let envelope = Envelope {
                from: self.inner.instance.id.clone(),
                db: self.inner.instance.db,
                event: event.into(),
            };
            let Ok(payload) = serde_json::to_string(&envelope) else {
                return;
            };
            if let Err(mpsc::error::TrySendError::Full(_)) = relay.try_send(payload) {
                tracing::warn!("live updates to Redis are backed up; one was dropped");
            }
        }
    }

    /// Shorthand: a product's stock is now `stock`.
    pub fn stock_changed(&self, product_id: ProductId, stock: Stock) {
        self.publish(Event::Stock { product_id, stock });
    }

    /// Shorthand: a cart now holds `count` units.
    pub fn cart_changed(&self, owner: CartOwner, count: i64) {
        self.publish(Event::Cart { owner, count });
    }

    /// The events from now on, for one socket.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Delivery>> {
        self.inner.local.subscribe()
    }

    /// Becomes true when the shop shuts down.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    /// Closes every socket (going away) and stops the Redis subscriber.
    pub fn close_all(&self) {
        self.inner.closing.send_replace(true);
    }
}

impl Delivery {
    fn of(event: Event) -> Option<Self> {
        match serde_json::to_string(&event) {
            Ok(text) => Some(Self {
                event,
                text: text.into(),
            }),
            Err(error) => {
                tracing::error!(%error, "a live event could not be encoded");
                None
            }
        }
    }
}

/// Resolves when the hub closes (or is gone).
pub async fn closed(closing: &mut watch::Receiver<bool>) {
    let _ = closing.wait_for(|closing| *closing).await;
}

async fn subscribe(client: &redis::Client) -> anyhow::Result<PubSub> {
    let connect = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(CHANNEL).await?;
        Ok::<_, redis::RedisError>(pubsub)
    };
    tokio::time::timeout(REDIS.connect, connect)
        .await
        .map_err(|_| anyhow::anyhow!("Redis did not answer within 5 s"))?
        .map_err(|e| anyhow::anyhow!("Redis refused the subscription ({:?})", e.kind()))
}

/// Publishes queued events on Redis until the hub is gone.
async fn relay_out(mut conn: ConnectionManager, mut queue: mpsc::Receiver<String>) {
    while let Some(payload) = queue.recv().await {
        let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
            .arg(CHANNEL)
            .arg(payload)
            .query_async(&mut conn)
            .await;
        if let Err(error) = sent {
            // The kind only: a server reply may quote values.
            tracing::warn!(error.kind = ?error.kind(), "a live update did not reach Redis");
        }
    }
}

/// Re-broadcasts the other instances' events here; resubscribes with
/// backoff when the subscription breaks, until the hub closes.
async fn relay_in(
    client: redis::Client,
    first: PubSub,
    local: broadcast::Sender<Arc<Delivery>>,
    instance: Instance,
    mut closing: watch::Receiver<bool>,
) {
    let mut subscription = Some(first);
    let mut backoff = RECONNECT_MIN;
    loop {
        let pubsub = match subscription.take() {
            Some(pubsub) => pubsub,
            None => match subscribe(&client).await {
                Ok(pubsub) => {
                    tracing::info!("live updates: subscribed to Redis again");
                    backoff = RECONNECT_MIN;
                    pubsub
                }
                Err(error) => {
                    tracing::warn!(error = %error, "live updates: cannot subscribe to Redis");
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = closed(&mut closing) => return,
                    }
                    backoff = (backoff * 2).min(RECONNECT_MAX);
                    continue;
                }
            },
        };
        let (mut sink, mut messages) = pubsub.split();
        let start = tokio::time::Instant::now() + SUBSCRIPTION_PING_EVERY;
        let mut ping = tokio::time::interval_at(start, SUBSCRIPTION_PING_EVERY);
        loop {
            tokio::select! {
                message = messages.next() => match message {
                    Some(message) => deliver(message.get_payload_bytes(), &instance, &local),
                    None => {
                        tracing::warn!("live updates: the Redis subscription was closed");
                        break;
                    }
                },
                _ = ping.tick() => {
                    let pong = tokio::time::timeout(
                        REDIS.response,
                        sink.ping::<redis::Value>(),
                    )
                    .await;
                    if !matches!(pong, Ok(Ok(_))) {
                        tracing::warn!("live updates: Redis stopped answering");
                        break;
                    }
                }
                () = closed(&mut closing) => return,
            }
        }
    }
}

/// One message from the channel: another instance's event goes to our
/// sockets; our own (already delivered), another shop's and anything
/// malformed do not.
fn deliver(payload: &[u8], instance: &Instance, local: &broadcast::Sender<Arc<Delivery>>) {
    if let Some(event) = relayed_event(payload, instance)
        && let Some(delivery) = Delivery::of(event)
    {
        let _ = local.send(Arc::new(delivery));
    }
}

fn relayed_event(payload: &[u8], instance: &Instance) -> Option<Event> {
    if payload.len() > MAX_RELAYED_BYTES {
        return None;
    }
    let Ok(envelope) = serde_json::from_slice::<Envelope>(payload) else {
        tracing::debug!("live updates: ignored a malformed message from Redis");
        return None;
    };
    if envelope.from == instance.id || envelope.db != instance.db {
        return None;
    }
    Event::try_from(envelope.event).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: i64) -> ProductId {
        ProductId::try_from(id).expect("id")
    }

    fn account(id: i64) -> CartOwner {
        CartOwner::Account(UserId::try_from(id).expect("id"))
    }

    #[test]
    fn events_serialise_to_the_contract_shape_without_the_cart_owner() {
        let stock = Event::Stock {
            product_id: product(7),
            stock: Stock::new(3).expect("stock"),
        };
        assert_eq!(
            serde_json::to_string(&stock).expect("json"),
            r#"{"type":"stock","product_id":7,"stock":3}"#
        );
        let count = Event::Cart {
            owner: account(41),
            count: 2,
        };
        assert_eq!(
            serde_json::to_string(&count).expect("json"),
            r#"{"type":"cart","count":2}"#
        );
    }

    fn instance(id: &str, db: i64) -> Instance {
        Instance { id: id.into(), db }
    }

    #[test]
    fn relayed_events_keep_the_cart_and_our_own_or_another_shops_are_dropped() {
        let event = Event::Cart {
            owner: account(41),
            count: 2,
        };
        let payload = serde_json::to_vec(&Envelope {
            from: "other".into(),
            db: 3,
            event: event.into(),
        })
        .expect("json");
        assert_eq!(relayed_event(&payload, &instance("me", 3)), Some(event));
        assert_eq!(
            relayed_event(&payload, &instance("other", 3)),
            None,
            "our own echo"
        );
        assert_eq!(
            relayed_event(&payload, &instance("me", 0)),
            None,
            "another shop on the same server"
        );
    }

    #[test]
    fn malformed_or_out_of_range_relayed_messages_are_ignored() {
        for payload in [
            &b"not json"[..],
            br#"{"from":"x","event":{"type":"cart","owner":{"kind":"account","key":1},"count":1}}"#,
            br#"{"from":"x","db":0,"event":{"type":"stock","product_id":0,"stock":1}}"#,
            br#"{"from":"x","db":0,"event":{"type":"stock","product_id":1,"stock":-1}}"#,
            br#"{"from":"x","db":0,"event":{"type":"cart","owner":{"kind":"account","key":1},"count":-5}}"#,
            br#"{"from":"x","db":0,"event":{"type":"reboot"}}"#,
        ] {
            assert_eq!(relayed_event(payload, &instance("me", 0)), None);
        }
        let fine = br#"{"from":"x","db":0,"event":{"type":"cart","owner":{"kind":"account","key":1},"count":1}}"#;
        assert!(relayed_event(fine, &instance("me", 0)).is_some());
        let long = format!(
            r#"{{"from":"{}","db":0,"event":{{"type":"cart","owner":{{"kind":"account","key":1}},"count":1}}}}"#,
            "x".repeat(5000)
        );
        assert_eq!(relayed_event(long.as_bytes(), &instance("me", 0)), None);
    }

    #[tokio::test]
    async fn local_subscribers_get_each_event_once() {
        let hub = Hub::local();
        let mut first = hub.subscribe();
        let mut second = hub.subscribe();
        hub.stock_changed(product(7), Stock::new(0).expect("stock"));
        for rx in [&mut first, &mut second] {
            let delivery = rx.recv().await.expect("event");
            assert_eq!(
                delivery.text.as_str(),
                r#"{"type":"stock","product_id":7,"stock":0}"#
            );
            assert!(rx.try_recv().is_err(), "exactly once");
        }
    }
}
