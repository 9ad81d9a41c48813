#!/usr/bin/env bash
# The interop suite: Basisdienste crates against the shared reference data and real third-party
# peers. Installs the peers by package name, then runs the `egov-interop` tests (all marked
# #[ignore] so that a plain `cargo test --workspace` stays offline) with --ignored.
#
#   tests/run-interop.sh            # install what is missing, run everything
#   EGOV_SHARED_DIR=/path/to/shared tests/run-interop.sh
#
# Peers so far:
#   python-stdnum (PyPI)        check digits of AHV numbers, UIDs, IBANs, QR and creditor references
#   xmllint (Debian libxml2-utils)  XSD validation of what we write (pain.001, eCH, sedex)
#   openssl (Debian openssl)    cms -sign / -verify against our CAdES signatures
#   rsvg-convert, pdftoppm (Debian librsvg2-bin, poppler-utils; fonts-liberation2)
#                               rasterise our QR-bill SVG and PDF; rqrr decodes the QR code
#   pdfsig (poppler-utils), certutil (libnss3-tools), pyHanko (PyPI), openssl ts
#                               judge our PAdES signatures; we judge pyHanko's; an RFC 3161 TSA
#   aiosmtpd (PyPI), Python email   a real SMTP server writing a maildir, read back with Python
#   PostgreSQL (Debian postgresql, a throwaway cluster on loopback)
#                               egov-notify's PostgreSQL outbox with concurrent and killed workers
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export EGOV_SHARED_DIR="${EGOV_SHARED_DIR:-$ROOT/../shared}"
if [[ ! -f "$EGOV_SHARED_DIR/README.md" ]]; then
    echo "interop: shared reference data not found at $EGOV_SHARED_DIR (set EGOV_SHARED_DIR)" >&2
    exit 2
fi
export EGOV_SHARED_DIR="$(cd "$EGOV_SHARED_DIR" && pwd)"

PEERS="$ROOT/tests/.peers"
mkdir -p "$PEERS"

step() { printf '\n== interop: %s\n' "$*"; }

# --- Debian peers ---------------------------------------------------------------------------------
step "Debian peers"
need_apt=()
command -v xmllint >/dev/null 2>&1 || need_apt+=(libxml2-utils)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v rsvg-convert >/dev/null 2>&1 || need_apt+=(librsvg2-bin)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
[[ -f /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf ]] || need_apt+=(fonts-liberation2)
command -v certutil >/dev/null 2>&1 || need_apt+=(libnss3-tools)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if ((${#need_apt[@]})); then
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi
xmllint --version 2>&1 | sed -n 1p
rsvg-convert --version
openssl version
pdftoppm -v 2>&1 | sed -n 1p

# --- Python peers, in a virtual environment of their own --------------------------------------
step "Python peers"
if [[ ! -x "$PEERS/venv/bin/python" ]]; then
    python3 -m venv "$PEERS/venv"
fi
"$PEERS/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/tests/peers/requirements.txt"
export EGOV_PYTHON="$PEERS/venv/bin/python"
"$EGOV_PYTHON" -c 'import stdnum; print("python-stdnum", stdnum.__version__)'
export EGOV_PYHANKO="$PEERS/venv/bin/pyhanko"
"$EGOV_PYHANKO" --version

# --- PostgreSQL (egov-notify's PostgreSQL outbox): a throwaway cluster on loopback -----------------
step "PostgreSQL (throwaway cluster)"
PG_BIN="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")"
PG_PORT="${EGOV_PG_PORT:-55432}"
PG_DIR="$(mktemp -d /tmp/egov-pg.XXXXXX)"
PG_AS=()
if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$PG_DIR"
    PG_AS=(runuser -u postgres --)
fi
"${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U egov --auth=trust -E UTF8 >"$PG_DIR/initdb.log"
"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null
stop_pg() {
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap stop_pg EXIT
export EGOV_PG_URL="postgresql://egov@127.0.0.1:$PG_PORT/postgres"
"$PG_BIN/postgres" --version

# --- Generated tables must match the shared data -----------------------------------------------
step "generated reference tables against ../shared"
cargo run --quiet -p egov-core-codegen -- --check
cargo run --quiet -p egov-ech-codegen -- --check

# --- The suite ------------------------------------------------------------------------------------
step "cargo test -p egov-interop -- --ignored"
cargo test -p egov-interop -- --ignored
