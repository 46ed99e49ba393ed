#!/usr/bin/env bash
# Captures the outputs lib/restic parses, from the real restic 0.14 (Debian 12) and 0.18
# (Debian 13), into lib/restic/__fixtures__/<version>/. Run by hand when a version is added:
#   bash scripts/capture-restic-fixtures.sh
# Each file NAME.out holds stdout, NAME.err stderr and NAME.code the exit code.
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

capture() { # capture DIR NAME restic-args...
  local dir=$1 name=$2; shift 2
  set +e
  "$restic" "$@" >"$dir/$name.out" 2>"$dir/$name.err" </dev/null
  echo $? >"$dir/$name.code"
  set -e
  # Keep fixtures free of this machine's temporary paths.
  sed -i "s#$work#/work#g" "$dir/$name.out" "$dir/$name.err"
}

for version in 0.14 0.18; do
  if [ "$version" = 0.18 ]; then restic="$root_dir/tools/restic-0.18/usr/bin/restic"; else restic=/usr/bin/restic; fi
  out="$root_dir/lib/restic/__fixtures__/$version"
  rm -rf "$out"; mkdir -p "$out"
  repo="$work/$version/repo"; vmdir="$work/$version/var/lib/one/datastores/0/42/backup"
  mkdir -p "$vmdir"
  export RESTIC_PASSWORD=fixture-password RESTIC_REPOSITORY="$repo" RESTIC_CACHE_DIR="$work/cache"
  "$restic" version >"$out/version.out"
  "$restic" init >/dev/null 2>&1
  qemu-img create -q -f qcow2 "$vmdir/disk.0.0" 64M
  qemu-io -f qcow2 -c 'write -P 0x11 0 4M' "$vmdir/disk.0.0" >/dev/null
  base64 -w 60 <<<'<VM><ID>42</ID><NAME>web</NAME></VM>' >"$vmdir/vm.xml"
  capture "$out" backup-full --json --force --tag=one-42 backup "$vmdir/disk.0.0" "$vmdir/vm.xml"
  qemu-img create -q -f qcow2 -b disk.0.0 -F qcow2 "$vmdir/disk.0.1"
  qemu-io -f qcow2 -c 'write -P 0x22 8M 1M' "$vmdir/disk.0.1" >/dev/null
  capture "$out" backup-increment --json --force --tag=one-42 backup "$vmdir/disk.0.1" "$vmdir/vm.xml"
  capture "$out" snapshots --json --no-lock snapshots
  first=$(jq -r '.[0].short_id' "$out/snapshots.out"); second=$(jq -r '.[1].short_id' "$out/snapshots.out")
  capture "$out" snapshots-by-id --json --no-lock snapshots "$first"
  capture "$out" ls --json --no-lock ls "$first"
  capture "$out" ls-unknown --json --no-lock ls deadbeef
  capture "$out" stats-restore-size --json --no-lock stats
  capture "$out" stats-raw-data --json --no-lock stats --mode raw-data
  capture "$out" diff --json --no-lock diff "$first" "$second"
  capture "$out" cat-config --no-lock cat config
  mkdir -p "$work/$version/restore"
  capture "$out" restore --json restore "$first" --target "$work/$version/restore"
  capture "$out" dump-vmxml --quiet --no-lock dump "$first" "$vmdir/vm.xml"
  capture "$out" forget-dry-run --json forget --dry-run "$first"
  capture "$out" prune-dry-run prune --dry-run
  capture "$out" check check
  capture "$out" check-read-data-subset check --read-data-subset=50%
  capture "$out" list-locks --no-lock list locks
  # A stale exclusive lock: `key passwd` holds an exclusive lock while it waits for the new
  # password on stdin; kill -9 leaves the lock behind.
  mkfifo "$work/$version/fifo"
  ( exec 3<>"$work/$version/fifo"; "$restic" key passwd <"$work/$version/fifo" >/dev/null 2>&1 & echo $! >"$work/$version/pid"; wait ) &
  for _ in $(seq 1 200); do [ -n "$(ls "$repo/locks" 2>/dev/null)" ] && break; sleep 0.05; done
  kill -9 "$(cat "$work/$version/pid")"; wait || true
  capture "$out" list-locks-stale --no-lock list locks
  lock_id=$(head -n1 "$out/list-locks-stale.out")
  capture "$out" cat-lock --no-lock cat lock "$lock_id"
  capture "$out" locked-check check
  capture "$out" locked-backup --json backup "$vmdir/vm.xml"
  capture "$out" locked-snapshots --json snapshots
  capture "$out" unlock unlock
  capture "$out" unlock-remove-all unlock --remove-all
  RESTIC_PASSWORD=wrong capture "$out" wrong-password --json --no-lock snapshots
  RESTIC_REPOSITORY="$work/none" capture "$out" no-repository --json --no-lock snapshots
  # Damage one pack file for check to find.
  pack=$(find "$repo/data" -type f | head -n1); chmod u+w "$pack"; printf 'garbage' | dd of="$pack" bs=1 seek=100 conv=notrunc status=none
  capture "$out" check-damaged check --read-data
  unset RESTIC_PASSWORD RESTIC_REPOSITORY RESTIC_CACHE_DIR
done
echo "fixtures written to lib/restic/__fixtures__/{0.14,0.18}"
