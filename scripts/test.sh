#!/usr/bin/env bash
# npm test: installs what is missing, then runs every test (unit, integration, end-to-end) and
# ends with "N passed, N failed".
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root_dir/scripts/setup.sh"
cd "$root_dir"
exec node_modules/.bin/tsx scripts/run-tests.ts "$@"
