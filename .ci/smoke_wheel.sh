#!/usr/bin/env bash
# Smoke test of the wheel as a user gets it: build it, install it (not editable)
# in a fresh virtual environment, and run every command from a folder outside
# the checkout. Fails if a module or an example config is missing from the wheel.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m pip wheel -q --no-deps -w "$work/dist" "$repo"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work"/dist/simrisk-*.whl

mkdir "$work/user" && cd "$work/user"
sr="$work/venv/bin/simrisk"
"$sr" --version
"$sr" example --list
"$sr" example dsi_norddjurs -o .
"$sr" example opi_aims_wellby -o .
"$sr" ledger dsi_norddjurs.toml --json > ledger.json
"$work/venv/bin/python" - <<'PY'
import json
r = json.load(open("ledger.json"))["repayments"]
got = (round(r["region"]), round(r["municipality"]), round(r["ostifterne"]))
assert got == (5_086_251, 897_574, 1_047_169), got
print("ledger reproduces the note:", got)
PY
"$sr" run dsi_norddjurs.toml --draws 2000 --out run.nc --quiet > /dev/null
"$sr" summary run.nc > /dev/null
"$sr" wellby opi_aims_wellby.toml --draws 2000 --out wellby.nc > /dev/null
"$sr" report run.nc --wellby wellby.nc -o report.pdf
"$sr" report wellby.nc -o wellby.pdf --lang da
"$sr" example regionh_ai_pool -o .
"$sr" run regionh_ai_pool.toml --draws 1000 --out pool.nc --quiet > /dev/null
"$sr" report pool.nc -o pool.pdf
test -s wellby.pdf && test -s pool.pdf
"$sr" bench --draws 2000 > /dev/null
test -s report.pdf
echo "wheel smoke test: ok"
