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

# --- Generated tables must match the shared data -----------------------------------------------
step "generated reference tables against ../shared"
cargo run --quiet -p egov-core-codegen -- --check
cargo run --quiet -p egov-ech-codegen -- --check

# --- The suite ------------------------------------------------------------------------------------
step "cargo test -p egov-interop -- --ignored"
cargo test -p egov-interop -- --ignored
