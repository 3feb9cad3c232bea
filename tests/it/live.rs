//! Live updates over `GET /ws`: the Origin check, stock for watched
//! products, cart counts for the socket's own session only, fan-out across
//! instances through Redis, and the limits on what a client may send.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::{self, Message};
use webstore::seed::catalogue::PRODUCTS;

use crate::helpers::{Client, STRONG_PASSWORD, TestApp, backends, cluster};
use crate::transport::tls_connect;

const COOKIE: &str = webstore::auth::session::COOKIE_NAME;
/// How long anything expected may take.
const WAIT: Duration = Duration::from_secs(10);
/// How long to listen for something that must not come.
const QUIET: Duration = Duration::from_millis(700);

type Socket = WebSocketStream<TlsStream<TcpStream>>;

/// The WebSocket handshake over the app's TLS, with these headers.
async fn open(
    app: &TestApp,
    origin: Option<&str>,
    cookie: Option<&str>,
) -> Result<Socket, tungstenite::Error> {
    open_with(app, origin, cookie.map(|c| format!("{COOKIE}={c}"))).await
}

/// The same with a whole `Cookie` header.
async fn open_with(
    app: &TestApp,
    origin: Option<&str>,
    cookie: Option<String>,
) -> Result<Socket, tungstenite::Error> {
    let mut request = format!("wss://{}/ws", app.https_addr)
        .into_client_request()
        .expect("request");
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().expect("origin header"));
    }
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().expect("cookie header"));
    }
    let tls = timeout(WAIT, tls_connect(app)).await.expect("TLS in time");
    timeout(WAIT, tokio_tungstenite::client_async(request, tls))
        .await
        .expect("handshake in time")
        .map(|(socket, _response)| socket)
}

/// A socket from the shop's own pages.
async fn connect(app: &TestApp, cookie: Option<&str>) -> Socket {
    open(app, Some(&app.origin), cookie)
        .await
        .expect("the shop's origin upgrades")
}

async fn send_text(socket: &mut Socket, text: String) {
    timeout(WAIT, socket.send(Message::text(text)))
        .await
        .expect("send in time")
        .expect("send");
}

/// Returns once the server has read everything sent before: it answers a
/// ping only after the messages ahead of it.
async fn sync(socket: &mut Socket) {
    send_ping(socket, b"sync").await;
    loop {
        match next_frame(socket).await {
            Message::Pong(payload) if payload.as_ref() == b"sync" => return,
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected before the pong: {other:?}"),
        }
    }
}

async fn send_ping(socket: &mut Socket, payload: &'static [u8]) {
    timeout(WAIT, socket.send(Message::Ping(payload.into())))
        .await
        .expect("ping in time")
        .expect("ping");
}

/// Asks for stock updates of these products and waits until that counts.
async fn watch(socket: &mut Socket, ids: &[i64]) {
    send_text(
        socket,
        json!({"type": "watch", "product_ids": ids}).to_string(),
    )
    .await;
    sync(socket).await;
}

async fn next_frame(socket: &mut Socket) -> Message {
    timeout(WAIT, socket.next())
        .await
        .expect("a frame in time")
        .expect("the socket is open")
        .expect("a readable frame")
}

/// The next event the server pushes, as JSON.
async fn next_event(socket: &mut Socket) -> Value {
    loop {
        match next_frame(socket).await {
            Message::Text(text) => return serde_json::from_str(text.as_str()).expect("JSON"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected an event, got {other:?}"),
        }
    }
}

/// Nothing is pushed for a while.
async fn no_event(socket: &mut Socket) {
    let pushed = timeout(QUIET, async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => return text.to_string(),
                Some(Ok(_)) => {}
                other => panic!("the socket ended: {other:?}"),
            }
        }
    })
    .await;
    if let Ok(text) = pushed {
        panic!("nothing should arrive here, got {text}");
    }
}

/// Waits for the server to end the socket; the close code, if it sent one.
async fn closed(socket: &mut Socket) -> Option<u16> {
    loop {
        match timeout(WAIT, socket.next()).await.expect("closed in time") {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(Message::Text(text))) => panic!("expected a close, got {text}"),
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return None,
        }
    }
}

/// Two products with stock to spare.
async fn two_products(client: &Client) -> (i64, i64) {
    let mut plenty = PRODUCTS.iter().filter(|p| p.stock >= 10);
    let first = plenty.next().expect("a product");
    let second = plenty.next().expect("another product");
    (
        client.product_id_named(first.name).await,
        client.product_id_named(second.name).await,
    )
}

async fn buy(shopper: &Client, product: i64, quantity: &str) {
    let added = shopper.add_to_cart(product, quantity).await;
    assert_eq!(added.status, 303, "{}", added.body);
    let key = shopper
        .get("/cart")
        .await
        .hidden_input("idempotency_key")
        .expect("a checkout key");
    let placed = shopper
        .form("/checkout", &[("idempotency_key", &key)])
        .await;
    assert_eq!(placed.status, 303, "{}", placed.body);
}

#[tokio::test]
async fn a_websocket_without_the_shops_exact_origin_is_refused_with_403() {
    let app = TestApp::spawn().await;
    let http_origin = app.origin.replacen("https://", "http://", 1);
    let lookalike = format!("{}.evil.example", app.origin);
    let upper = app.origin.to_uppercase();
    for origin in [
        None,
        Some("https://evil.example"),
        Some("null"),
        Some(""),
        Some(http_origin.as_str()),
        Some(lookalike.as_str()),
        Some(upper.as_str()),
    ] {
        match open(&app, origin, None).await {
            Err(tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 403, "Origin {origin:?}");
                assert!(response.headers().get("upgrade").is_none());
            }
            Err(other) => panic!("Origin {origin:?}: expected a 403, got {other}"),
            Ok(_) => panic!("Origin {origin:?} must not upgrade"),
        }
    }
}

#[tokio::test]
async fn the_shops_origin_upgrades_to_a_websocket() {
    let app = TestApp::spawn().await;
    let mut socket = connect(&app, None).await;
    sync(&mut socket).await;
    // A plain request to the same path is no upgrade either.
    let res = app.visitor().get("/ws").await;
    assert_eq!(res.status, 403, "no Origin");
    let res = app
        .visitor()
        .raw()
        .get(app.visitor().url("/ws"))
        .header("origin", &app.origin)
        .send()
        .await
        .expect("request");
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_ne!(res.status(), 101);
}

#[tokio::test]
async fn a_watcher_gets_the_new_stock_after_someone_else_checks_out() {
    for backend in backends().await {
        let app = TestApp::spawn_on(backend).await;
        let shopper = app.customer("live-buyer@example.com").await;
        let (bought, other) = two_products(&shopper).await;
        let before = app.stock_of(bought).await;
        let mut watcher = connect(&app, None).await;
        watch(&mut watcher, &[bought]).await;
        let mut elsewhere = connect(&app, None).await;
        watch(&mut elsewhere, &[other]).await;
        let mut idle = connect(&app, None).await;
        sync(&mut idle).await;

        buy(&shopper, bought, "2").await;

        assert_eq!(
            next_event(&mut watcher).await,
            json!({"type": "stock", "product_id": bought, "stock": before - 2}),
            "{}",
            app.backend.label()
        );
        no_event(&mut watcher).await;
        no_event(&mut elsewhere).await;
        no_event(&mut idle).await;
    }
}

#[tokio::test]
async fn a_new_watch_message_replaces_the_old_list() {
    let app = TestApp::spawn().await;
    let shopper = app.customer("rewatch@example.com").await;
    let (first, second) = two_products(&shopper).await;
    let mut socket = connect(&app, None).await;
    watch(&mut socket, &[first]).await;
    watch(&mut socket, &[second]).await;

    buy(&shopper, first, "1").await;
    no_event(&mut socket).await;
    buy(&shopper, second, "1").await;
    assert_eq!(next_event(&mut socket).await["product_id"], json!(second));
}

#[tokio::test]
async fn an_admin_stock_change_reaches_the_product_page() {
    let app = TestApp::spawn().await;
    let product = app.demo_product_id().await;
    let mut watcher = connect(&app, None).await;
    watch(&mut watcher, &[product]).await;
    let (admin, _secret) = app.admin("live-admin@example.com").await;

    let res = admin
        .form(
            &format!("/admin/products/{product}/stock"),
            &[("stock", "4")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    assert_eq!(
        next_event(&mut watcher).await,
        json!({"type": "stock", "product_id": product, "stock": 4})
    );
}

#[tokio::test]
async fn a_visitors_socket_gets_its_own_cart_count_and_no_one_elses() {
    let app = TestApp::spawn().await;
    let product = app.demo_product_id().await;
    let alice = app.visitor();
    let added = alice.add_to_cart(product, "1").await;
    assert_eq!(added.status, 303, "{}", added.body);
    let alice_cookie = added.set_cookie(COOKIE).expect("alice's session");
    let bob = app.visitor();
    let added = bob.add_to_cart(product, "1").await;
    let bob_cookie = added.set_cookie(COOKIE).expect("bob's session");

    let mut alice_socket = connect(&app, Some(&alice_cookie)).await;
    sync(&mut alice_socket).await;
    let mut bob_socket = connect(&app, Some(&bob_cookie)).await;
    sync(&mut bob_socket).await;
    let mut stranger = connect(&app, None).await;
    sync(&mut stranger).await;

    assert_eq!(alice.add_to_cart(product, "2").await.status, 303);
    // Exactly the contract's shape: the cart's id never leaves the server.
    assert_eq!(
        next_event(&mut alice_socket).await,
        json!({"type": "cart", "count": 3})
    );
    no_event(&mut bob_socket).await;
    no_event(&mut stranger).await;

    let path = format!("/cart/items/{product}");
    assert_eq!(alice.form(&path, &[("quantity", "1")]).await.status, 303);
    assert_eq!(next_event(&mut alice_socket).await["count"], json!(1));
    let removed = alice.form(&format!("{path}/remove"), &[]).await;
    assert_eq!(removed.status, 303);
    assert_eq!(next_event(&mut alice_socket).await["count"], json!(0));

    assert_eq!(bob.add_to_cart(product, "1").await.status, 303);
    assert_eq!(next_event(&mut bob_socket).await["count"], json!(2));
    no_event(&mut alice_socket).await;
}

#[tokio::test]
async fn a_socket_opened_before_the_cart_existed_gets_its_first_count() {
    let app = TestApp::spawn().await;
    let product = app.demo_product_id().await;
    let alice = app.visitor();
    let page = alice.get(&format!("/products/{product}")).await;
    assert!(page.set_cookie(COOKIE).is_none(), "no session yet");
    let browser = page
        .set_cookie(webstore::auth::csrf::BROWSER_COOKIE)
        .expect("the browser's secret for the form");
    let cookie = format!("{}={browser}", webstore::auth::csrf::BROWSER_COOKIE);
    let mut socket = open_with(&app, Some(&app.origin), Some(cookie))
        .await
        .expect("upgrades");
    sync(&mut socket).await;

    assert_eq!(alice.add_to_cart(product, "2").await.status, 303);
    assert_eq!(
        next_event(&mut socket).await,
        json!({"type": "cart", "count": 2})
    );
}

#[tokio::test]
async fn an_accounts_sockets_on_two_devices_both_get_its_cart_count() {
    let app = TestApp::spawn().await;
    let product = app.demo_product_id().await;
    let email = "two-devices@example.com";
    let phone = app.visitor();
    phone.register(email, "Two Devices", STRONG_PASSWORD).await;
    let mut sockets = Vec::new();
    let mut devices = Vec::new();
    for _ in 0..2 {
        let device = app.visitor();
        let signed_in = device.login(email, STRONG_PASSWORD).await;
        assert_eq!(signed_in.status, 303, "{}", signed_in.body);
        let cookie = signed_in.set_cookie(COOKIE).expect("a fresh session");
        let mut socket = connect(&app, Some(&cookie)).await;
        sync(&mut socket).await;
        sockets.push(socket);
        devices.push(device);
    }
    assert_eq!(devices[0].add_to_cart(product, "3").await.status, 303);
    for socket in &mut sockets {
        assert_eq!(next_event(socket).await["count"], json!(3));
    }
}

#[tokio::test]
async fn a_forged_session_cookie_binds_the_socket_to_no_cart() {
    let app = TestApp::spawn().await;
    let product = app.demo_product_id().await;
    let alice = app.visitor();
    assert_eq!(alice.add_to_cart(product, "1").await.status, 303);
    let mut forged = connect(&app, Some("AAAAAAAAAAAAAAAAAAAAAA")).await;
    sync(&mut forged).await;
    assert_eq!(alice.add_to_cart(product, "1").await.status, 303);
    no_event(&mut forged).await;
}

/// Slow: waits for one heartbeat (25 s).
#[tokio::test]
async fn the_server_pings_and_closes_a_socket_whose_session_has_ended() {
    let app = TestApp::spawn().await;
    let shopper = app.visitor();
    shopper
        .register("live-out@example.com", "Live Out", STRONG_PASSWORD)
        .await;
    let login = shopper.login("live-out@example.com", STRONG_PASSWORD).await;
    assert_eq!(login.status, 303);
    let cookie = login.set_cookie(COOKIE).expect("session");
    let mut leaving = connect(&app, Some(&cookie)).await;
    sync(&mut leaving).await;
    let staying = app.visitor();
    let added = staying.add_to_cart(app.demo_product_id().await, "1").await;
    let other_cookie = added.set_cookie(COOKIE).expect("session");
    let mut kept = connect(&app, Some(&other_cookie)).await;
    sync(&mut kept).await;

    assert_eq!(shopper.form("/logout", &[]).await.status, 303);

    let mut pinged = false;
    let code = timeout(Duration::from_secs(40), async {
        loop {
            match leaving.next().await {
                Some(Ok(Message::Ping(_))) => pinged = true,
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(other)) => panic!("unexpected {other:?}"),
                Some(Err(_)) | None => return None,
            }
        }
    })
    .await
    .expect("closed within a heartbeat");
    assert!(pinged, "a heartbeat ping came first");
    assert_eq!(code, Some(1000));
    // A socket whose session lives on is still served.
    sync(&mut kept).await;
}

#[tokio::test]
async fn with_redis_a_stock_change_on_one_instance_reaches_a_watcher_on_another() {
    let Some(cluster) = cluster("cross-instance live").await else {
        return;
    };
    let (first, second) = (&cluster.first, &cluster.second);
    let shopper = first.customer("live-redis@example.com").await;
    let (product, _) = two_products(&shopper).await;
    let before = first.stock_of(product).await;
    let mut far = connect(second, None).await;
    watch(&mut far, &[product]).await;
    let mut near = connect(first, None).await;
    watch(&mut near, &[product]).await;

    buy(&shopper, product, "3").await;

    let expected = json!({"type": "stock", "product_id": product, "stock": before - 3});
    assert_eq!(next_event(&mut far).await, expected, "through Redis");
    assert_eq!(next_event(&mut near).await, expected, "locally");
    // Our own message comes back from Redis, and is not delivered again.
    no_event(&mut near).await;
    no_event(&mut far).await;
}

#[tokio::test]
async fn a_message_over_4_kib_closes_the_socket() {
    let app = TestApp::spawn().await;
    let mut socket = connect(&app, None).await;
    let ids: Vec<String> = (0..1000).map(|i| format!("{}", 1_000_000 + i)).collect();
    let big = format!(r#"{{"type":"watch","product_ids":[{}]}}"#, ids.join(","));
    assert!(big.len() > 4096);
    // A message just under the limit is fine.
    send_text(&mut socket, format!("{:<4000}", "{}")).await;
    sync(&mut socket).await;

    send_text(&mut socket, big).await;
    let code = closed(&mut socket).await;
    assert_eq!(code, Some(1009));
}

#[tokio::test]
async fn more_than_20_messages_in_10_seconds_close_the_socket_with_1008() {
    let app = TestApp::spawn().await;
    let mut socket = connect(&app, None).await;
    for _ in 0..25 {
        let watch = json!({"type": "watch", "product_ids": [1]}).to_string();
        if socket.send(Message::text(watch)).await.is_err() {
            break;
        }
    }
    assert_eq!(closed(&mut socket).await, Some(1008));
}

#[tokio::test]
async fn repeated_malformed_messages_close_the_socket_with_1008() {
    let app = TestApp::spawn().await;
    let mut socket = connect(&app, None).await;
    // A few are ignored.
    for bad in ["hello", r#"{"type":"watch","product_ids":[-1]}"#] {
        send_text(&mut socket, bad.to_owned()).await;
    }
    sync(&mut socket).await;
    for bad in ["{", r#"{"type":"shout"}"#, "[1,2,3]"] {
        send_text(&mut socket, bad.to_owned()).await;
    }
    assert_eq!(closed(&mut socket).await, Some(1008));
}
