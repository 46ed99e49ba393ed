#!/usr/bin/env bash
# npm run bench:load: apart from the tests. Signed-in clients browse overviews, repository,
# maintenance and snapshot pages against a production build on loopback (sandbox state in
# .bench/load-state/): a run of 50 clients, then one of 200, 60 s each; writes
# bench/load-report.{md,json} (p50/p95 per page and run) and exits non-zero on any error.
# Options: --clients N[,N...] (default 50,200) --seconds S (default 60).
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root_dir/scripts/setup.sh"
cd "$root_dir"
exec node_modules/.bin/tsx bench/load/run-load.ts "$@"
