#!/usr/bin/env bash
# npm run e2e: builds the app when it is stale and runs the Playwright specs in Debian's Chromium.
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root_dir/scripts/setup.sh"
cd "$root_dir"
exec node_modules/.bin/tsx scripts/run-tests.ts --only e2e "$@"
