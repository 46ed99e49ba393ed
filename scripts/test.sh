#!/usr/bin/env bash
# npm test: installs what is missing, then runs every test (unit, integration, end-to-end) and
# ends with "N passed, N failed".
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The packages' install scripts (the native SQLite build) run inside the test run, beside the
# static checks (scripts/run-tests.ts).
BACKSTONE_SETUP_DEFER_NATIVE=1 bash "$root_dir/scripts/setup.sh"
cd "$root_dir"
exec node_modules/.bin/tsx scripts/run-tests.ts "$@"
