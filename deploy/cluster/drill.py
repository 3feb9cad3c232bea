#!/usr/bin/env python3
"""The cluster's fault drill (`deploy/cluster/run --chaos`), standard library only.

While shoppers place orders through nginx, one shop instance is killed with
SIGKILL, one Galera node is stopped, and the Redis primary is failed over;
each is brought back. Then 50 buyers race for 5 units, every shopper's
session is checked, and a live stock event must arrive on sockets opened
through the load balancer. Every request goes to loopback only, in bounded
numbers and time. Prints one `cluster: …` line; exits 1 when a check fails.
"""

import argparse
import base64
import http.client
import json
import os
import socket
import ssl
import subprocess
import threading
import time
import uuid

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE  # the load balancer's own self-signed certificate

LOAD_SHOPPERS = 12
RACE_BUYERS = 50
RACE_UNITS = 5
STEP_TRIES = 20


class Shopper:
    """One signed-in customer with a client address of their own, so
    per-address limits see many clients, as they would in production."""

    def __init__(self, drill, n):
        self.drill = drill
        self.n = n
        self.ip = f"127.0.1.{n}"
        self.email = f"drill-{drill.run_id}-{n}@example.com"
        self.cookies = {}
        self.csrf = ""

    def request(self, method, path, body=None, headers=None, what=None):
        host, port = self.drill.host, self.drill.port
        conn = http.client.HTTPSConnection(
            host, port, context=TLS, timeout=30, source_address=(self.ip, 0)
        )
        head = {
            "Origin": self.drill.url,
            "X-CSRF-Token": self.csrf,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            head["Content-Type"] = "application/json"
        head.update(headers or {})
        started = time.monotonic()
        try:
            conn.request(method, path, body=data, headers=head)
            resp = conn.getresponse()
            payload = resp.read()
            status = resp.status
            for name, value in resp.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, val = pair.partition("=")
                    self.cookies[key.strip()] = val.strip()
        except (OSError, http.client.HTTPException):
            payload, status = b"", 0
        finally:
            conn.close()
        self.drill.record(what or f"{method} {path}", status, started, time.monotonic())
        return status, payload

    def refresh_csrf(self):
        status, body = self.request("GET", "/api/v1/session", what="session")
        if status == 200:
            info = json.loads(body)
            self.csrf = info["csrf_token"]
            return info
        return None

    def until_ok(self, step, tries=STEP_TRIES):
        """Runs `step` until it answers 2xx, as a client retries; a checkout
        keeps its idempotency key across these retries."""
        for _ in range(tries):
            status, body = step()
            if 200 <= status < 300:
                return status, body
            time.sleep(0.3)
        raise RuntimeError(f"{self.email}: no 2xx after {tries} tries (last {status})")

    def sign_up(self):
        self.until_ok(lambda: (self.refresh_csrf() and 200 or 0, b""))
        password = "Tq7 maple orbit " + uuid.uuid4().hex
        account = {"email": self.email, "password": password, "name": "Drill Shopper"}
        self.until_ok(lambda: self.request("POST", "/api/v1/auth/register", account))
        login = {"email": self.email, "password": password}
        self.until_ok(lambda: self.request("POST", "/api/v1/auth/login", login))
        self.until_ok(lambda: (self.refresh_csrf() and 200 or 0, b""))

    def add(self, product, quantity=1):
        item = {"product_id": product, "quantity": quantity}
        return self.until_ok(lambda: self.request("POST", "/api/v1/cart/items", item, what="add"))

    def checkout(self, key):
        return self.request(
            "POST", "/api/v1/checkout", {}, {"Idempotency-Key": key}, what="checkout"
        )


class Drill:
    def __init__(self, args):
        self.args = args
        self.url = args.url
        hostport = args.url.split("://", 1)[1]
        self.host, port = hostport.rsplit(":", 1)
        self.port = int(port)
        self.run_id = uuid.uuid4().hex[:8]
        self.lock = threading.Lock()
        self.answers = []  # (what, status, started, ended)
        self.acked = {}  # idempotency key -> order id
        self.duplicated = 0
        self.failures = []
        self.kill_at = None
        self.db_host, self.db_port = args.db.split(":")
        with open(os.path.join(args.state, "db.password")) as f:
            self.db_password = f.read().strip()

    def record(self, what, status, started, ended):
        with self.lock:
            self.answers.append((what, status, started, ended))

    def check(self, ok, message):
        if not ok:
            self.failures.append(message)

    def sql(self, statement):
        out = subprocess.run(
            ["mariadb", "-h", self.db_host, "-P", self.db_port, "-u", "webstore",
             f"-p{self.db_password}", "-N", "-B", "webstore", "-e", statement],
            check=True, capture_output=True, text=True,
        )
        return [line.split("\t") for line in out.stdout.splitlines()]

    def product(self, sku, stock):
        now = int(time.time())
        self.sql(
            "INSERT INTO products (sku, category_id, name, description, price_cents, currency,"
            " stock, search_text, created_at, updated_at) VALUES"
            f" ('{sku}', NULL, 'Drill {sku}', 'For the fault drill', 100, 'EUR', {stock},"
            f" 'drill {sku}', {now}, {now})"
        )
        return int(self.sql(f"SELECT id FROM products WHERE sku = '{sku}'")[0][0])

    def fault(self, *step):
        subprocess.run([self.args.run, *step], check=True)

    def shop_loop(self, shopper, product, stop):
        n = 0
        while not stop.is_set():
            n += 1
            key = f"drill-{self.run_id}-load-{shopper.n}-{n}"
            shopper.add(product)
            status, body = shopper.until_ok(lambda: shopper.checkout(key))
            order = json.loads(body)["id"]
            with self.lock:
                if key in self.acked and self.acked[key] != order:
                    self.duplicated += 1
                self.acked[key] = order

    def run(self):
        bulk = self.product(f"drill-bulk-{self.run_id}", 100000)
        scarce = self.product(f"drill-scarce-{self.run_id}", RACE_UNITS)
        shoppers = [Shopper(self, n) for n in range(1, LOAD_SHOPPERS + RACE_BUYERS + 1)]
        for s in shoppers:
            s.sign_up()
        load, buyers = shoppers[:LOAD_SHOPPERS], shoppers[LOAD_SHOPPERS:]
        signed_up = len(self.answers)

        stop = threading.Event()
        workers = [
            threading.Thread(target=self.shop_loop, args=(s, bulk, stop)) for s in load
        ]
        for w in workers:
            w.start()
        recovered = []
        time.sleep(3)
        # 1. An instance dies mid-request and comes back.
        self.kill_at = time.monotonic()
        self.fault("--kill-shop", "2")
        time.sleep(2)
        self.fault("--start-shop", "2")
        recovered.append(time.monotonic() - self.kill_at)
        time.sleep(2)
        # 2. The writer Galera node stops and rejoins (IST).
        began = time.monotonic()
        self.fault("--stop-node", "1")
        time.sleep(3)
        self.fault("--start-node", "1")
        recovered.append(time.monotonic() - began)
        time.sleep(2)
        # 3. Sentinel moves the Redis primary; HAProxy follows role:master.
        began = time.monotonic()
        before = self.redis_primary()
        self.fault("--failover-redis")
        prober = load[0]
        deadline = began + 60
        while time.monotonic() < deadline:
            status, _ = prober.request("GET", "/api/v1/cart", what="probe")
            if status == 200 and self.redis_primary() not in (before, ""):
                break
            time.sleep(0.5)
        recovered.append(time.monotonic() - began)
        time.sleep(3)
        stop.set()
        for w in workers:
            w.join(timeout=120)
        load_answers = self.answers[signed_up:]

        # 50 buyers, 5 units, three instances.
        for b in buyers:
            b.add(scarce)
        gate = threading.Barrier(len(buyers))
        race = {}

        def buy(b):
            gate.wait()
            race[b.email] = b.checkout(f"drill-{self.run_id}-race-{b.n}")[0]

        racers = [threading.Thread(target=buy, args=(b,)) for b in buyers]
        for r in racers:
            r.start()
        for r in racers:
            r.join(timeout=120)
        race_orders = int(self.sql(
            f"SELECT COUNT(DISTINCT order_id) FROM order_lines WHERE product_id = {scarce}"
        )[0][0])
        race_2xx = sum(1 for s in race.values() if 200 <= s < 300)
        self.check(race_orders == RACE_UNITS, f"race: {race_orders} orders for {RACE_UNITS} units")
        self.check(race_2xx == RACE_UNITS, f"race: {race_2xx} acknowledged for {RACE_UNITS} units")

        # Orders: acknowledged against stored.
        stored = int(self.sql(
            f"SELECT COUNT(*) FROM orders WHERE idempotency_key LIKE 'drill-{self.run_id}-load-%'"
        )[0][0])
        acked = len(set(self.acked.values()))
        missing = self.sql(
            "SELECT COUNT(*) FROM orders WHERE id IN ("
            + ",".join(str(o) for o in self.acked.values()) + ")"
        )[0][0] if self.acked else "0"
        self.check(int(missing) == acked, f"orders: {acked} acknowledged, {missing} of them stored")
        self.check(stored == acked, f"orders: {acked} acknowledged, {stored} stored")
        self.check(self.duplicated == 0, f"orders: {self.duplicated} keys answered twice")
        negative = int(self.sql("SELECT COUNT(*) FROM products WHERE stock < 0")[0][0])
        oversold = max(0, race_orders - RACE_UNITS) + negative
        self.check(negative == 0, f"stock: {negative} products below zero")

        # Failed answers only for requests in flight on the killed instance.
        bad = [a for a in load_answers if not 200 <= a[1] < 300]
        stray = [a for a in bad if not (a[2] <= self.kill_at + 0.2 and a[3] >= self.kill_at)]
        for what, status, started, ended in stray:
            self.failures.append(
                f"answer {status} to {what} at {started - self.kill_at:+.1f} s from the kill"
            )

        # Still signed in, whichever instance answers.
        signed_out = 0
        for s in shoppers:
            info = s.refresh_csrf()
            if not info or not info.get("user") or info["user"]["email"] != s.email:
                signed_out += 1
        self.check(signed_out == 0, f"sessions: {signed_out} shoppers signed out")

        # Live stock events through nginx, from whichever instance sells.
        got = self.live_events(load[1], bulk)
        self.check(got == 3, f"live: {got} of 3 sockets got the stock event")

        print(
            f"cluster: acknowledged {acked}, stored {stored}, duplicated {self.duplicated},"
            f" oversold {oversold}, non-2xx {len(bad)}, recovered in {max(recovered):.1f} s"
        )
        for f in self.failures:
            print(f"cluster: FAILED {f}")
        return 1 if self.failures else 0

    def redis_primary(self):
        out = subprocess.run(
            [self.args.run, "--status"], capture_output=True, text=True
        ).stdout
        return next((l for l in out.splitlines() if l.startswith("redis primary")), "")

    def live_events(self, shopper, product):
        sockets = []
        for _ in range(3):
            sock = websocket(self.host, self.port, self.url, shopper)
            send_text(sock, json.dumps({"type": "watch", "product_ids": [product]}))
            sockets.append(sock)
        time.sleep(0.5)
        shopper.add(product)
        shopper.until_ok(lambda: shopper.checkout(f"drill-{self.run_id}-live-check"))
        got = 0
        for sock in sockets:
            deadline = time.monotonic() + 5
            sock.settimeout(5)
            try:
                while time.monotonic() < deadline:
                    message = read_text(sock)
                    if message and json.loads(message).get("type") == "stock":
                        got += 1
                        break
            except (OSError, ValueError):
                pass
            sock.close()
        return got


def websocket(host, port, origin, shopper):
    raw = socket.create_connection((host, port), timeout=10, source_address=(shopper.ip, 0))
    sock = TLS.wrap_socket(raw, server_hostname=host)
    key = base64.b64encode(os.urandom(16)).decode()
    cookies = "; ".join(f"{k}={v}" for k, v in shopper.cookies.items())
    sock.sendall(
        (f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
         f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
         f"Origin: {origin}\r\nCookie: {cookies}\r\n\r\n").encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise OSError("the socket closed during the upgrade")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise OSError(f"no upgrade: {head.splitlines()[0]!r}")
    return sock


def send_text(sock, text):
    data = text.encode()
    mask = os.urandom(4)
    header = bytes([0x81, 0x80 | len(data)]) if len(data) < 126 else bytes(
        [0x81, 0x80 | 126]) + len(data).to_bytes(2, "big")
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


def read_text(sock):
    first, second = read_exact(sock, 2)
    length = second & 0x7F
    if length == 126:
        length = int.from_bytes(read_exact(sock, 2), "big")
    elif length == 127:
        length = int.from_bytes(read_exact(sock, 8), "big")
    payload = read_exact(sock, length)
    return payload.decode() if first & 0x0F == 1 else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--run", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    raise SystemExit(Drill(parser.parse_args()).run())


if __name__ == "__main__":
    main()
