import type { Lock } from '@/lib/restic/types';
import type { LockView, ProcessState, RunningBackup } from '@/lib/schemas/maintenance';

// Pure rules: is a restic lock stale or possibly active? restic refreshes a live lock every
// 5 minutes and calls one stale when it is older than 30 minutes, or when it was made on the same
// host by a process that no longer exists. A stale non-exclusive lock lets snapshots, backup, ls
// and stats through; exclusive operations (check, forget, prune) fail on it.

export const STALE_AFTER_MS = 30 * 60_000;

/** A constant script: prints the host name, then one line per PID given as positional arguments. */
export const PID_SCRIPT = [
  'uname -n',
  'for p in "$@"; do',
  '  case "$p" in ""|*[!0-9]*) continue ;; esac',
  '  if [ -d /proc/self ]; then',
  '    if [ -d "/proc/$p" ]; then printf "PID\\t%s\\talive\\t%s\\n" "$p" "$(cat "/proc/$p/comm" 2>/dev/null)";',
  '    else printf "PID\\t%s\\tdead\\t\\n" "$p"; fi',
  '  elif command -v ps >/dev/null 2>&1; then',
  '    if c=$(ps -p "$p" -o comm= 2>/dev/null); then printf "PID\\t%s\\talive\\t%s\\n" "$p" "$c";',
  '    else printf "PID\\t%s\\tdead\\t\\n" "$p"; fi',
  '  else printf "PID\\t%s\\tunknown\\t\\n" "$p"; fi',
  'done',
].join('\n');

export type PidReport = { hostname: string; pids: Map<number, { state: 'alive' | 'dead' | 'unknown'; name?: string }> };

export function parsePidReport(text: string): PidReport {
  const lines = text.split('\n');
  const pids: PidReport['pids'] = new Map();
  for (const line of lines.slice(1)) {
    const [tag, pid, state, name] = line.split('\t');
    if (tag !== 'PID' || !pid || !/^\d+$/.test(pid)) continue;
    if (state !== 'alive' && state !== 'dead' && state !== 'unknown') continue;
    pids.set(Number(pid), { state, name: name?.trim() || undefined });
  }
  return { hostname: (lines[0] ?? '').trim(), pids };
}

/** "node1" matches "node1.example.org" and vice versa; case does not matter. */
export function sameHost(a: string, b: string): boolean {
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  if (!x || !y) return false;
  if (x === y) return true;
  const short = (s: string) => (/^\d+(\.\d+){3}$/.test(s) ? s : s.split('.')[0]);
  return short(x) === short(y);
}

/** restic's binary is "restic" (OpenNebula syncs it as .../restic/restic); a reused PID is something else. */
export function isRestic(name: string | undefined): boolean {
  return name !== undefined && /^restic/.test(name);
}

export type PidLookup =
  | { checkedOn: 'backup-server' | 'opennebula-host'; state: 'alive' | 'dead' | 'unknown'; name?: string }
  | { checkedOn: 'nowhere'; why: string };

/** The verdict on one lock, with the reasons a person can check. */
export function judgeLock(lock: Lock, lookup: PidLookup, backups: readonly RunningBackup[], now: number): LockView {
  const ageMs = Math.max(0, now - Date.parse(lock.time));
  const old = ageMs > STALE_AFTER_MS;
  const reasons: string[] = [];
  let process: ProcessState = 'unknown';
  let processName: string | undefined;
  const where = `${lock.hostname}${lookup.checkedOn === 'backup-server' ? ' (the backup server)' : ''}`;
  if (lookup.checkedOn === 'nowhere') {
    reasons.push(lookup.why);
  } else if (lookup.state === 'dead') {
    process = 'dead';
    reasons.push(`No process ${lock.pid} runs on ${where}.`);
  } else if (lookup.state === 'alive') {
    processName = lookup.name;
    if (isRestic(lookup.name)) {
      process = 'restic-running';
      reasons.push(`restic (PID ${lock.pid}) is running on ${where}.`);
    } else {
      process = 'other-process';
      reasons.push(
        `PID ${lock.pid} on ${where} is now “${lookup.name ?? 'another program'}”, not restic: the PID was reused.`,
      );
    }
  } else {
    reasons.push(`Could not tell whether PID ${lock.pid} runs on ${where}.`);
  }
  if (old) reasons.push('Not refreshed for over 30 minutes (restic refreshes a live lock every 5 minutes).');
  for (const b of backups)
    reasons.push(`OpenNebula is backing up VM ${b.vmId}${b.vmName ? ` “${b.vmName}”` : ''} (${b.state}).`);

  let verdict: LockView['verdict'];
  if (process === 'restic-running') verdict = 'possibly-active';
  else if (process === 'dead' || process === 'other-process') verdict = 'stale';
  // The PID could not be checked: only its age and OpenNebula's backups tell.
  else verdict = old && backups.length === 0 ? 'stale' : 'possibly-active';

  // `restic unlock` runs on the backup server: it proves a lock stale by its age, or by a dead
  // PID on its own host.
  const removableByUnlock = old || (lookup.checkedOn === 'backup-server' && process === 'dead');
  return {
    id: lock.id,
    shortId: lock.id.slice(0, 8),
    time: lock.time,
    ageMs,
    exclusive: lock.exclusive,
    hostname: lock.hostname,
    username: lock.username,
    pid: lock.pid,
    checkedOn: lookup.checkedOn,
    process,
    processName,
    verdict,
    reasons,
    removableByUnlock,
  };
}

/** Why "Remove all locks" needs the second confirmation; empty when nothing may be running. */
export function removeAllBlockers(locks: readonly LockView[], backups: readonly RunningBackup[]): string[] {
  const out: string[] = [];
  for (const b of backups) out.push(`OpenNebula is backing up VM ${b.vmId}${b.vmName ? ` “${b.vmName}”` : ''}.`);
  for (const l of locks)
    if (l.verdict === 'possibly-active')
      out.push(`Lock ${l.shortId} (PID ${l.pid} on ${l.hostname}) is possibly active.`);
  return out;
}
