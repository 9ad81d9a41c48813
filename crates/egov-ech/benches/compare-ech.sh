#!/usr/bin/env bash
# Times `egov ech validate` against its peers on the same synthetic eCH-0045 v6 voter register,
# in one run, and prints the ratios:
#   raw quick-xml event scan (the near limit of any reader on quick-xml)
#   egov ech validate (typed, streaming, every facet and the AHV/BFS checks)
#   xmllint --noout (well-formedness only), xmllint --stream --schema (XSD validation)
#   Python xmlschema iter_errors (what the Python eCH library uses; on a smaller file by default,
#   because it takes minutes on the large one; its rate is compared in MB/s)
# usage: crates/egov-ech/benches/compare-ech.sh [VOTERS] [PYTHON_VOTERS]   (default 100000 10000)
# Needs xmllint (libxml2-utils), /usr/bin/time, python3 with venv; ../shared beside the project
# (or EGOV_SHARED_DIR). Files go to target/bench-ech.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
SHARED="${EGOV_SHARED_DIR:-$ROOT/../shared}"
XSD="$SHARED/ech/xsd/eCH-0045-6-0.xsd"
CATALOG="$SHARED/ech/xsd/catalog.xml"
N="${1:-100000}"
PN="${2:-10000}"
OUT="${CARGO_TARGET_DIR:-$ROOT/target}/bench-ech"
mkdir -p "$OUT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/release"

# EGOV_BIN / EGOV_GEN_BIN: use binaries built already instead of building them here.
if [[ -z "${EGOV_BIN:-}" ]]; then
    cargo build --quiet --release -p egov-cli
fi
if [[ -z "${EGOV_GEN_BIN:-}" ]]; then
    cargo build --quiet --release -p egov-ech --features ech0045 --example voter_register
fi
GEN="${EGOV_GEN_BIN:-$TARGET/examples/voter_register}"
EGOV="${EGOV_BIN:-$TARGET/egov}"

VENV="$ROOT/tests/.peers/venv"
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check xmlschema==4.3.2

big="$OUT/voters-$N.xml"
small="$OUT/voters-$PN.xml"
[[ -f "$big" ]] || "$GEN" "$N" "$big"
[[ -f "$small" ]] || "$GEN" "$PN" "$small"
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# run NAME FILE CMD... : prints seconds, peak RSS and MB/s; stores seconds in T_NAME
run() {
    local name="$1" file="$2"
    shift 2
    local log="$OUT/$name.time"
    if ! /usr/bin/time -f "%e %M" -o "$log" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; then
        echo "$name failed:" >&2
        sed -n 1,5p "$OUT/$name.err" >&2
        exit 1
    fi
    read -r secs kb <"$log"
    local rate
    rate=$(awk -v s="$secs" -v f="$(mb "$file")" 'BEGIN { printf "%.1f", (s > 0 ? f / s : 0) }')
    printf '%-34s %8.2f s %8d MB peak %9s MB/s\n' "$name" "$secs" "$((kb / 1024))" "$rate"
    printf -v "T_${name//[^a-zA-Z0-9]/_}" '%s' "$rate"
}

echo "voter register: $N voters, $(mb "$big") MB ($big)"
run raw_scan "$big" "$GEN" --scan "$big"
run egov_ech_validate "$big" "$EGOV" ech validate "$big"
run xmllint_noout "$big" xmllint --noout --nonet "$big"
run xmllint_schema "$big" env XML_CATALOG_FILES="$CATALOG" xmllint --noout --nonet --stream --schema "$XSD" "$big"
echo "python: $PN voters, $(mb "$small") MB"
run egov_ech_validate_small "$small" "$EGOV" ech validate "$small"
run python_xmlschema "$small" "$VENV/bin/python" crates/egov-ech/benches/xmlschema_validate.py "$XSD" "$CATALOG" "$small"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo
echo "egov ech validate / raw scan      : $(ratio "$T_egov_ech_validate" "$T_raw_scan") (target >= 0.40)"
echo "egov ech validate / xmllint schema: $(ratio "$T_egov_ech_validate" "$T_xmllint_schema") (target > 1)"
echo "egov ech validate / xmllint noout : $(ratio "$T_egov_ech_validate" "$T_xmllint_noout")"
echo "egov ech validate / Python xmlschema (MB/s, $PN voters): $(ratio "$T_egov_ech_validate_small" "$T_python_xmlschema") (target >= 20)"
