#!/usr/bin/env bash
# npm run bench:load: apart from the tests. Signed-in clients browse overviews, repository,
# maintenance and snapshot pages against a production build on loopback (sandbox state in
# .bench/load-state/): a run of 50 clients, then one of 200, 60 s each; then the stalled-download
# phase (the app restarted with a 35 s idle bound: 12 downloads above every limit, each stalled
# after 1 MiB, while 10 clients browse for 30 s); writes bench/load-report.{md,json} (p50/p95 per
# page and run, the phase's targets) and exits non-zero on any error or missed stall target.
# Options: --clients N[,N...] (default 50,200) --seconds S (default 60) --no-stall
#   --stall-downloads N (12) --stall-clients N (10) --stall-seconds S (30)
#   --stall-idle-seconds S (35) --stall-per-server N (5).
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root_dir/scripts/setup.sh"
cd "$root_dir"
exec node_modules/.bin/tsx bench/load/run-load.ts "$@"
