#!/usr/bin/env bash
# npm run bench:load: apart from the tests. 50 signed-in clients browse overviews and snapshot pages
# for 60 s against a production build on loopback (sandbox state in .bench/load-state/); writes
# bench/load-report.{md,json} and exits non-zero on any error. Options: --clients N --seconds S.
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root_dir/scripts/setup.sh"
cd "$root_dir"
exec node_modules/.bin/tsx bench/load/run-load.ts "$@"
