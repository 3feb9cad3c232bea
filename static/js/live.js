// Live stock and cart counts: one WebSocket to the shop (GET /ws) updates
// every [data-stock-for] element and every [data-cart-count] badge on the
// page. Without it the page is still right as of its loading.

const LOW_STOCK = 5; // the server's Stock::LOW
const MAX_WATCHED = 100;
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60000;
const POLICY_VIOLATION = 1008;

let socket = null;
let delay = FIRST_DELAY_MS;
let retry = 0;

// The same words as the product page (Stock::label on the server).
function stockLabel(units) {
  if (units === 0) return "Sold out";
  if (units <= LOW_STOCK) return `Only ${units} left`;
  return "In stock";
}

function isCount(n) {
  return Number.isSafeInteger(n) && n >= 0;
}

function watchedIds() {
  const ids = new Set();
  for (const el of document.querySelectorAll("[data-stock-for]")) {
    const id = Number(el.dataset.stockFor);
    if (Number.isSafeInteger(id) && id > 0) ids.add(id);
  }
  return [...ids].slice(0, MAX_WATCHED);
}

function showStock(productId, units) {
  for (const el of document.querySelectorAll("[data-stock-for]")) {
    if (Number(el.dataset.stockFor) !== productId) continue;
    el.textContent = stockLabel(units);
    el.dataset.stock = String(units);
    el.classList.toggle("is-sold-out", units === 0);
  }
}

function showCartCount(count) {
  for (const el of document.querySelectorAll("[data-cart-count]")) {
    el.textContent = String(count);
    el.setAttribute("aria-label", `${count} items in cart`);
  }
}

function onMessage(event) {
  let message;
  try {
    message = JSON.parse(event.data);
  } catch {
    return;
  }
  if (message === null || typeof message !== "object") return;
  if (message.type === "stock" && Number.isSafeInteger(message.product_id) && isCount(message.stock)) {
    showStock(message.product_id, message.stock);
  } else if (message.type === "cart" && isCount(message.count)) {
    showCartCount(message.count);
  }
}

function connect() {
  retry = 0;
  const ws = new WebSocket(`wss://${location.host}/ws`);
  socket = ws;
  ws.addEventListener("open", () => {
    delay = FIRST_DELAY_MS;
    // For styles and tests: the page is receiving live updates.
    document.documentElement.dataset.live = "open";
    const ids = watchedIds();
    if (ids.length > 0) ws.send(JSON.stringify({ type: "watch", product_ids: ids }));
  });
  ws.addEventListener("message", onMessage);
  ws.addEventListener("close", (event) => {
    if (socket !== ws) return; // closed on purpose (page hidden)
    delete document.documentElement.dataset.live;
    socket = null;
    // Refused for abuse: come back slowly. Otherwise back off with jitter,
    // so a restarting shop is not met by every page at once.
    if (event.code === POLICY_VIOLATION) delay = MAX_DELAY_MS;
    const wait = delay / 2 + Math.random() * delay / 2;
    delay = Math.min(delay * 2, MAX_DELAY_MS);
    retry = setTimeout(connect, wait);
  });
}

function disconnect() {
  clearTimeout(retry);
  const ws = socket;
  socket = null;
  if (ws === null) return;
  delete document.documentElement.dataset.live;
  // Closing a socket that is still connecting is an error in the console;
  // close it as soon as it opens instead.
  if (ws.readyState === WebSocket.CONNECTING) {
    ws.addEventListener("open", () => ws.close(1000));
  } else {
    ws.close(1000);
  }
}

if (location.protocol === "https:" && "WebSocket" in window) {
  connect();
  // A page kept in the back-forward cache must not hold a socket; it
  // opens a fresh one (with a fresh watch list) when shown again.
  addEventListener("pagehide", disconnect);
  addEventListener("pageshow", (event) => {
    if (event.persisted && socket === null) {
      delay = FIRST_DELAY_MS;
      connect();
    }
  });
}
