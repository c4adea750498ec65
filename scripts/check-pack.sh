#!/usr/bin/env bash
# What a user gets from `npm install portcullis`, checked for real: pack the repository (prepack
# builds it), install the tarball into an empty folder from the registry (better-sqlite3 compiles
# from source when no prebuilt binary can be downloaded: python3, make and a C++ compiler, and a
# few minutes), then run the installed command: --version, `serve` until /healthz answers, and
# `test` on the examples the package ships. test/package.test.ts checks the same tarball in
# seconds, with the repository's node_modules instead of an install.
# Usage: scripts/check-pack.sh   (exits non-zero at the first step that fails)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-check-pack.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }

step "npm pack (prepack builds dist/)"
npm pack --pack-destination "$work"
tarball=$(ls "$work"/portcullis-*.tgz)

step "npm install $(basename "$tarball") into an empty folder"
mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
# As the repository does: better-sqlite3's install script (download or compile its binding) may run.
npm pkg set allowScripts.better-sqlite3=true --json
npm install --no-audit --no-fund "$tarball"
bin="$work/app/node_modules/.bin/portcullis"
shipped="$work/app/node_modules/portcullis"

step "portcullis --version"
version=$("$bin" --version)
expected=$(node -p "require('$repo/package.json').version")
echo "$version"
[ "$version" = "$expected" ] || { echo "expected $expected" >&2; exit 1; }

step "portcullis serve --port 0 (until /healthz answers)"
"$bin" serve --port 0 --data-dir "$work/data" >"$work/serve.log" 2>&1 &
server_pid=$!
url=
for _ in $(seq 1 60); do
  url=$(sed -n 's/.*listening on \(http:\/\/[^ ]*\).*/\1/p' "$work/serve.log" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$url" ]; then
  cat "$work/serve.log" >&2
  echo "the server did not start" >&2
  exit 1
fi
node -e 'fetch(process.argv[1]).then(async (r) => { console.log(r.status, await r.text()); process.exit(r.ok ? 0 : 1); }, (e) => { console.error(e.message); process.exit(1); })' "$url/healthz"
kill "$server_pid"
wait "$server_pid" || true
server_pid=

step "portcullis test on the shipped examples"
"$bin" test --policies "$shipped/examples/policies.json" --groups "$shipped/examples/groups.json" \
  --lists "$shipped/examples/lists.json" --users "$shipped/examples/users.ndjson"

step "the installed package works"
