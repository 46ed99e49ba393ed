#!/usr/bin/env bash
# npm run demo: installs what is missing, starts the sandbox (backup server, OpenNebula front-end
# simulator with a seeded demo cloud) and the app, prints the URL and how to sign in. Ctrl-C stops it.
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root_dir/scripts/setup.sh"
cd "$root_dir"
exec node_modules/.bin/tsx scripts/demo.ts "$@"
