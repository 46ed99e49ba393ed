#!/usr/bin/env bash
# npm run bench: apart from the tests. Builds the benchmark dataset once (in .bench/), then
# measures Backstone against the raw commands it replaces and writes bench/report.{md,json}.
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root_dir/scripts/setup.sh"
cd "$root_dir"
status=0
node_modules/.bin/vitest run --config bench/vitest.config.ts "$@" || status=$?
node_modules/.bin/tsx sandbox/cli.ts stop --state .bench/state >/dev/null || true
exit $status
