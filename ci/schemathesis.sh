#!/usr/bin/env bash
# Schema fuzzing of the JSON API: starts the shop on a free loopback port
# and lets Schemathesis generate requests from GET /api/openapi.json,
# failing on any server error (5xx) and on any response the description
# does not declare (status code, content type, body schema).
#
#   ci/schemathesis.sh [PATH-TO-WEBSTORE-BINARY]
#
# The binary defaults to the release build in the cargo target directory
# (`cargo build --release` first).
#
# Two runs:
#   1. with a session: a fresh account is registered and signed in, and
#      its session cookie and CSRF token go with every request, so unsafe
#      operations get past the CSRF guard and reach their handlers
#      (sign-out is left out: it would end the session the rest of the run
#      relies on);
#   2. without one: every unsafe operation, sign-out included, must answer
#      the documented refusal (403 problem) when the token is missing or
#      wrong.
#
# Environment:
#   MAX_EXAMPLES     test cases per operation and phase (default 30)
#   RUN_TIMEOUT      seconds each run may take before it counts as failed
#                    (default 300)
#   SEED             Schemathesis seed, to replay a run (default: random,
#                    printed at the end of each run)
#   REPORT_DIR       if set, JUnit and HAR reports are written there
#   SCHEMATHESIS_VENV  where Schemathesis is installed if it is not on PATH
#                    in the pinned version
#                    (default ~/.cache/webstore-schemathesis/<version>)
set -euo pipefail

SCHEMATHESIS_VERSION="4.32.5"
BIN="${1:-${CARGO_TARGET_DIR:-$HOME/.cache/webstore-target}/release/webstore}"
MAX_EXAMPLES="${MAX_EXAMPLES:-30}"
RUN_TIMEOUT="${RUN_TIMEOUT:-300}"
SEED="${SEED:-}"
REPORT_DIR="${REPORT_DIR:-}"
SCHEMATHESIS_VENV="${SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/webstore-schemathesis/$SCHEMATHESIS_VERSION}"

# What is checked: no 5xx; status codes, content types, headers and bodies
# as declared.
CHECKS="not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"

section() { printf '\n==== %s ====\n' "$*"; }

if [[ ! -x "$BIN" ]]; then
    echo "error: no executable shop binary at $BIN (run cargo build --release, or pass its path)" >&2
    exit 2
fi
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
for tool in curl python3 timeout; do
    command -v "$tool" >/dev/null || { echo "error: $tool is needed" >&2; exit 2; }
done

# --- Schemathesis, pinned ----------------------------------------------------

installed_version() {
    "$1" --version 2>/dev/null | sed -n 's/^schemathesis, version //p'
}

ST=""
if command -v schemathesis >/dev/null \
    && [[ "$(installed_version schemathesis)" == "$SCHEMATHESIS_VERSION" ]]; then
    ST="$(command -v schemathesis)"
elif [[ -x "$SCHEMATHESIS_VENV/bin/schemathesis" ]] \
    && [[ "$(installed_version "$SCHEMATHESIS_VENV/bin/schemathesis")" == "$SCHEMATHESIS_VERSION" ]]; then
    ST="$SCHEMATHESIS_VENV/bin/schemathesis"
else
    section "installing schemathesis $SCHEMATHESIS_VERSION into $SCHEMATHESIS_VENV"
    python3 -m venv "$SCHEMATHESIS_VENV"
    "$SCHEMATHESIS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "schemathesis==$SCHEMATHESIS_VERSION"
    ST="$SCHEMATHESIS_VENV/bin/schemathesis"
fi
echo "schemathesis: $ST ($(installed_version "$ST"))"

# --- The shop ------------------------------------------------------------------

WORK="$(mktemp -d "${TMPDIR:-/tmp}/webstore-schemathesis.XXXXXX")"
SHOP_PID=""
cleanup() {
    local status=$?
    if [[ -n "$SHOP_PID" ]] && kill -0 "$SHOP_PID" 2>/dev/null; then
        kill "$SHOP_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$SHOP_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$SHOP_PID" 2>/dev/null || true
        wait "$SHOP_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="https://127.0.0.1:$PORT"

section "starting the shop on $BASE"
# A fresh data dir (SQLite, demo catalogue, self-signed certificate). The
# per-address rate limits are lifted: the fuzzer is one address sending
# hundreds of requests a second, and the limiter has tests of its own.
(
    cd "$WORK"
    exec env \
        WEBSTORE_API_RATE_PER_SECOND=1000000 \
        WEBSTORE_AUTH_RATE_PER_MINUTE=1000000 \
        "$BIN" serve --bind "127.0.0.1:$PORT" --http-bind off --data-dir "$WORK/data" \
        >"$WORK/shop.log" 2>&1
) &
SHOP_PID=$!

ready=""
for _ in $(seq 120); do
    if ! kill -0 "$SHOP_PID" 2>/dev/null; then
        echo "error: the shop exited during start-up:" >&2
        tail -n 40 "$WORK/shop.log" >&2
        exit 1
    fi
    if curl -ksSf --max-time 2 -o /dev/null "$BASE/healthz" 2>/dev/null; then
        ready=1
        break
    fi
    sleep 0.5
done
if [[ -z "$ready" ]]; then
    echo "error: $BASE/healthz did not answer within 60 s:" >&2
    tail -n 40 "$WORK/shop.log" >&2
    exit 1
fi
echo "ready"

# A signed-in session: a fresh account, signed in over the API, with one
# product in its cart, so checkout and the order pages answer more than
# 401 and 409. Its cookie and CSRF token go with every request of run 1.
JAR="$WORK/cookies"
api() {
    curl -ksS --max-time 10 -b "$JAR" -c "$JAR" -H 'Accept: application/json' "$@"
}
json_field() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}
csrf="$(api -f "$BASE/api/v1/session" | json_field csrf_token)"
python3 - "$WORK/account.json" <<'PY'
import json, secrets, sys
json.dump({
    "email": f"fuzz-{secrets.token_hex(6)}@example.com",
    "name": "Schema Fuzzer",
    "password": secrets.token_urlsafe(24),
}, open(sys.argv[1], "w"))
PY
python3 -c 'import json, sys; a = json.load(open(sys.argv[1])); del a["name"]; print(json.dumps(a))' \
    "$WORK/account.json" >"$WORK/login.json"
status="$(api -o "$WORK/register.out" -w '%{http_code}' -X POST -H "X-CSRF-Token: $csrf" \
    -H 'Content-Type: application/json' --data-binary "@$WORK/account.json" "$BASE/api/v1/auth/register")"
[[ "$status" == 202 ]] || { echo "error: register answered $status: $(cat "$WORK/register.out")" >&2; exit 1; }
status="$(api -o "$WORK/login.out" -w '%{http_code}' -X POST -H "X-CSRF-Token: $csrf" \
    -H 'Content-Type: application/json' --data-binary "@$WORK/login.json" "$BASE/api/v1/auth/login")"
[[ "$status" == 200 ]] || { echo "error: login answered $status: $(cat "$WORK/login.out")" >&2; exit 1; }
CSRF="$(json_field csrf_token <"$WORK/login.out")"
status="$(api -o "$WORK/cart.out" -w '%{http_code}' -X POST -H "X-CSRF-Token: $CSRF" \
    -H 'Content-Type: application/json' --data-binary '{"product_id": 1, "quantity": 1}' "$BASE/api/v1/cart/items")"
[[ "$status" == 201 ]] || { echo "error: adding to the cart answered $status: $(cat "$WORK/cart.out")" >&2; exit 1; }
# The jar's cookies as one Cookie header (curl marks HttpOnly ones with a
# "#HttpOnly_" prefix; other lines starting with # are comments).
COOKIE="$(sed -e 's/^#HttpOnly_//' -e '/^#/d' -e '/^$/d' "$JAR" \
    | awk -F '\t' 'NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }')"
if [[ -z "$COOKIE" || -z "$CSRF" ]]; then
    echo "error: no session cookie or CSRF token after signing in" >&2
    exit 1
fi
echo "signed in as $(json_field email <"$WORK/account.json")"

# --- The runs ----------------------------------------------------------------------

failed=()

run() {
    local name="$1"
    shift
    section "schemathesis: $name"
    # Network-level failures are retried: the shop may close a connection
    # after refusing a request whose body it did not read (an early 403), and
    # a client that reuses that connection sees it reset. A shop that really
    # fails shows up as a 5xx or as a dead process, checked below.
    local args=(
        run "$BASE/api/openapi.json"
        --tls-verify false
        --checks "$CHECKS"
        --max-examples "$MAX_EXAMPLES"
        --request-timeout 10
        --continue-on-failure
        --request-retries 2
        --generation-database none
        --no-color
    )
    if [[ -n "$SEED" ]]; then
        args+=(--seed "$SEED")
    fi
    if [[ -n "$REPORT_DIR" ]]; then
        mkdir -p "$REPORT_DIR"
        args+=(--report "junit,har" --report-dir "$REPORT_DIR"
            --report-junit-path "$REPORT_DIR/$name.xml" --report-har-path "$REPORT_DIR/$name.har")
    fi
    local status=0
    # Schemathesis' own --max-time is a budget it keeps spending (it repeats
    # phases until the time is up), so the bound is the outer timeout.
    (cd "$WORK" && timeout --kill-after=10 "$RUN_TIMEOUT" "$ST" "${args[@]}" "$@") || status=$?
    if [[ $status -eq 124 || $status -eq 137 ]]; then
        echo "FAIL: $name took longer than $RUN_TIMEOUT s" >&2
        failed+=("$name (timeout)")
    elif [[ $status -ne 0 ]]; then
        echo "FAIL: $name (exit $status)" >&2
        failed+=("$name")
    else
        echo "PASS: $name"
    fi
    if ! kill -0 "$SHOP_PID" 2>/dev/null; then
        echo "error: the shop died during $name:" >&2
        tail -n 40 "$WORK/shop.log" >&2
        exit 1
    fi
}

run with-session \
    --header "Cookie: $COOKIE" \
    --header "X-CSRF-Token: $CSRF" \
    --exclude-operation-id log_out

run without-session \
    --include-method-regex '^(POST|PUT|PATCH|DELETE)$'

# The shop's own account of anything that went wrong (colour codes off).
sed 's/\x1b\[[0-9;]*m//g' "$WORK/shop.log" >"$WORK/shop.plain.log"
if grep -q ' ERROR ' "$WORK/shop.plain.log"; then
    section "errors the shop logged"
    grep ' ERROR ' "$WORK/shop.plain.log" | tail -n 20
fi

section "summary"
if ((${#failed[@]})); then
    printf 'FAIL: %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "PASS: no server errors, every response as the OpenAPI document declares it"
