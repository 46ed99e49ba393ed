#!/usr/bin/env bash
# Installs whatever Backstone's demo and tests need and is missing; idempotent and quick when
# everything is present. Used by `npm run demo`, `npm test` and `npm run sandbox`.
#   - Debian 12 packages (sshd, ssh, qemu-img, chromium, xmllint, restic 0.14, rsync, jq; nginx and
#     apache2 for the reverse-proxy examples' config tests and a real Nginx on loopback — the tests
#     start their own on free ports; on a machine run by systemd, Debian also starts its default
#     site on port 80: `systemctl disable --now nginx apache2` if that is not wanted)
#   - restic 0.18 from Debian 13's package, unpacked into tools/ (never the system's apt state)
#   - the sandbox's S3 server: moto 5.1 from Debian 13's python3-moto (architecture all), unpacked
#     into tools/moto/ and run by Debian 12's /usr/bin/python3 with Debian 12's own dependencies
#   - node_modules, when missing or older than package-lock.json
set -euo pipefail

root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root_dir"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

say() { printf 'setup: %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------------------------
packages=(openssh-server openssh-client qemu-utils chromium libxml2-utils restic rsync jq curl nginx apache2 openssl)
# What moto.server imports for S3 and IAM (python3-moto's Depends without antlr4, which only its
# Step Functions parser uses; flask-cors, which its server imports and the package only suggests).
packages+=(python3 python3-boto3 python3-botocore python3-cryptography python3-dateutil python3-flask
  python3-flask-cors python3-jinja2 python3-requests python3-responses python3-werkzeug python3-xmltodict)
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Debian 13 (trixie) packages unpacked into tools/ -----------------------------------------
# A private apt configuration (own sources list, lists and cache) whose URI is read from this
# machine's own Debian sources, with the suite changed: no mirror host name lives in the repo.
debian_uri() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822 stanzas: take the URI of a stanza whose suites include the release (not -security).
    uri=$(awk -v rel="$1" '
      /^[[:space:]]*$/ { if (u != "" && s) { print u; exit } u=""; s=0; next }
      /^URIs:/ { u=$2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == rel) s=1 }
      END { if (u != "" && s) print u }' "$f" | head -n1)
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  if [ -f /etc/apt/sources.list ]; then
    uri=$(awk -v rel="$1" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i == rel) { for (j = 2; j < i; j++) if ($j !~ /^\[/ && $j ~ /:\/\//) { print $j; exit } } }' /etc/apt/sources.list | head -n1)
    [ -n "$uri" ] && { echo "$uri"; return; }
  fi
  return 1
}
apt_dir="$root_dir/tools/apt-trixie"
apt_opts=()
# Sets up the private trixie configuration once per run (update is the slow part).
trixie_apt() {
  [ ${#apt_opts[@]} -gt 0 ] && return 0
  local release uri
  release=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  uri=$(debian_uri "$release") || { say "no Debian source for '$release' found in /etc/apt"; exit 1; }
  rm -rf "$apt_dir"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/parts" "$apt_dir/download"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" > "$apt_dir/sources.list"
  apt_opts=(-q -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/parts"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o Debug::NoLocking=1
    -o APT::Sandbox::User=root)
  apt-get "${apt_opts[@]}" update >/dev/null
}
# Downloads one trixie package into the private folder and prints the .deb's path.
trixie_download() {
  (cd "$apt_dir/download" && apt-get "${apt_opts[@]}" download "$1" >/dev/null)
  ls "$apt_dir"/download/"$1"_*.deb 2>/dev/null | head -n1
}

# The tools from Debian 13 download while npm installs the packages (both mostly wait on the
# network); the node_modules section waits for them and fails with them.
fetch_tools() {
  # restic 0.18 (what OpenNebula 7.2/7.4 ship)
  restic18_dir="$root_dir/tools/restic-0.18"
  restic18="$restic18_dir/usr/bin/restic"
  if ! { [ -x "$restic18" ] && "$restic18" version 2>/dev/null | grep -q '^restic 0\.18\.'; }; then
    say "fetching restic 0.18 from Debian 13's package"
    trixie_apt
    deb=$(trixie_download restic)
    case "$deb" in */restic_0.18.*) ;; *) say "Debian 13 has no restic 0.18 package"; exit 1 ;; esac
    rm -rf "$restic18_dir"
    dpkg -x "$deb" "$restic18_dir"
    "$restic18" version | grep -q '^restic 0\.18\.' || { say "unpacked restic is not 0.18"; exit 1; }
  fi

  # moto (the sandbox's S3 server). Debian 12 has no python3-moto; Debian 13's is pure Python and
  # runs on Debian 12's python3.11 (always /usr/bin/python3: a python3 on PATH may be another one).
  moto_dir="$root_dir/tools/moto"
  moto_path="$moto_dir/usr/lib/python3/dist-packages"
  if ! PYTHONPATH="$moto_path" /usr/bin/python3 -c 'import moto, moto.server, moto.s3, moto.iam' 2>/dev/null; then
    say "fetching moto from Debian 13's python3-moto"
    trixie_apt
    deb=$(trixie_download python3-moto)
    [ -n "$deb" ] || { say "Debian 13 has no python3-moto package"; exit 1; }
    rm -rf "$moto_dir"
    dpkg -x "$deb" "$moto_dir"
    PYTHONPATH="$moto_path" /usr/bin/python3 -c 'import moto, moto.server, moto.s3, moto.iam' ||
      { say "moto does not import with /usr/bin/python3"; exit 1; }
  fi
  rm -rf "$apt_dir"
}
fetch_tools &
tools_pid=$!

# --- node_modules ----------------------------------------------------------------------------
# The packages first, then their install scripts (`npm rebuild`): the same two halves `npm ci` runs,
# split so that `npm test` can run the second beside its static checks. Compiling SQLite for
# better-sqlite3 is ~45 s on one core, and nothing in the checks needs it
# (BACKSTONE_SETUP_DEFER_NATIVE=1 leaves it to scripts/run-tests.ts, which waits for it where needed).
# The marker says the install scripts are still owed, whoever was interrupted.
stamp=node_modules/.package-lock.json
native_pending=node_modules/.backstone-native-pending
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  say "installing npm packages (npm ci)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NEXT_TELEMETRY_DISABLED=1 npm ci --ignore-scripts --no-audit --no-fund --prefer-offline >&2
  touch "$native_pending" "$stamp"
fi
wait "$tools_pid" || { say "fetching the tools from Debian 13 failed"; exit 1; }
if [ -f "$native_pending" ] && [ "${BACKSTONE_SETUP_DEFER_NATIVE:-}" != 1 ]; then
  say "running the npm packages' install scripts (npm rebuild: compiles better-sqlite3)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NEXT_TELEMETRY_DISABLED=1 npm rebuild --no-audit --no-fund >&2
  rm -f "$native_pending"
fi
