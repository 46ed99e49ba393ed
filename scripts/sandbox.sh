#!/usr/bin/env bash
# npm run sandbox -- start | stop | status | info [--json] [--state DIR] [--restic 0.14|0.18]
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${1:-}" in
  start) bash "$root_dir/scripts/setup.sh" ;;
esac
exec "$root_dir/node_modules/.bin/tsx" "$root_dir/sandbox/cli.ts" "$@"
