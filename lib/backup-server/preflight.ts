import 'server-only';
import { posix } from 'node:path';
import { getConfig } from '@/lib/config';
import {
  AuthFailed,
  exec,
  ExecError,
  HostKeyChanged,
  HostKeyUnknown,
  loginPublicKey,
  Unreachable,
  type SshTarget,
} from '@/lib/exec';
import { SYNCED_RESTIC } from '@/lib/restic/binary';
import type { CheckStatus, ReportCheck } from '@/lib/schemas/datastore-preflight';

// Is a backup server ready for a restic datastore? The seed's Step 1, checked in one SSH round
// trip: the account, key login, the datastores folder (exists, owned, writable), the volume under
// it and its free space, rsync, qemu-img and jq (the driver needs all three), and the restic binary
// OpenNebula syncs there. Every failed check says exactly how to fix it.

// A check is what the wizard shows: one shape, shared with the page (lib/schemas).
export type { CheckStatus };
export type PreflightCheck = ReportCheck;
export type PreflightResult =
  | { kind: 'checked'; checks: PreflightCheck[] }
  | { kind: 'host-key-unknown'; host: string; fingerprint: string; checks: PreflightCheck[] };

export const LOW_FREE_BYTES = 10 * 1024 ** 3;

// Constant script; the datastores folder and the synced restic path are positional arguments.
const SCRIPT = [
  'echo "USER=$(id -un)"',
  'echo "UID=$(id -u)"',
  'if [ -d "$1" ]; then echo DIR=yes; else echo DIR=no; fi',
  'echo "OWNER=$(stat -c %U -- "$1" 2>/dev/null)"',
  'if [ -w "$1" ]; then echo WRITABLE=yes; else echo WRITABLE=no; fi',
  'df -PB1 -- "$1" 2>/dev/null | tail -n 1 | sed "s/^/DF=/"',
  'for t in rsync qemu-img jq; do if command -v "$t" >/dev/null 2>&1; then echo "TOOL_$t=yes"; else echo "TOOL_$t=no"; fi; done',
  'if [ -x "$2" ]; then echo "RESTIC=$("$2" version 2>/dev/null | head -n 1)"; else echo RESTIC=; fi',
  'true',
].join('\n');

/** The KEY=value lines a check script prints (the value may contain '='). */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** The checks, from the script's output (pure). */
export function evaluate(
  v: Record<string, string>,
  user: string,
  datastoresDir: string,
  syncedRestic: string,
): PreflightCheck[] {
  const checks: PreflightCheck[] = [];
  const add = (c: PreflightCheck) => checks.push(c);
  add({ id: 'login', label: 'Key login', status: 'pass', detail: `Backstone logged in as ${v.USER ?? user}.` });
  add(
    v.USER === user
      ? { id: 'account', label: 'Account', status: 'pass', detail: `Commands run as ${user} (uid ${v.UID}).` }
      : {
          id: 'account',
          label: 'Account',
          status: 'fail',
          detail: `Logged in as ${v.USER}, not ${user}.`,
          fix: `Use RESTIC_SFTP_USER=${v.USER} or log in as ${user}.`,
        },
  );
  if (v.DIR !== 'yes') {
    add({
      id: 'datastores-dir',
      label: 'Datastores folder',
      status: 'fail',
      detail: `${datastoresDir} does not exist.`,
      fix: `mkdir -p ${datastoresDir} && chown ${user}:${user} ${datastoresDir}`,
    });
  } else {
    const owned = v.OWNER === user;
    add(
      owned && v.WRITABLE === 'yes'
        ? {
            id: 'datastores-dir',
            label: 'Datastores folder',
            status: 'pass',
            detail: `${datastoresDir} exists, owned by ${user} and writable.`,
          }
        : {
            id: 'datastores-dir',
            label: 'Datastores folder',
            status: 'fail',
            detail: `${datastoresDir} is owned by ${v.OWNER || 'someone else'}${v.WRITABLE === 'yes' ? '' : ' and not writable by ' + user}.`,
            fix: `chown -R ${user}:${user} ${datastoresDir}`,
          },
    );
  }
  const df = (v.DF ?? '').split(/\s+/);
  const total = Number(df[1]);
  const avail = Number(df[3]);
  if (df.length >= 6 && Number.isFinite(total) && total > 0) {
    add({
      id: 'volume',
      label: 'Volume',
      status: avail < LOW_FREE_BYTES ? 'warn' : 'pass',
      detail: `${df[5]} (${df[0]}): ${gib(avail)} free of ${gib(total)}.`,
      fix:
        avail < LOW_FREE_BYTES
          ? `Free space or mount a larger volume at ${datastoresDir}: backups need room for every VM's disks.`
          : undefined,
    });
  } else if (v.DIR === 'yes') {
    add({
      id: 'volume',
      label: 'Volume',
      status: 'warn',
      detail: 'The volume under the datastores folder could not be read.',
    });
  }
  for (const tool of ['rsync', 'qemu-img', 'jq'] as const) {
    const pkg = tool === 'qemu-img' ? 'qemu-utils' : tool;
    add(
      v[`TOOL_${tool}`] === 'yes'
        ? { id: `tool-${tool}`, label: tool, status: 'pass', detail: `${tool} is installed.` }
        : {
            id: `tool-${tool}`,
            label: tool,
            status: 'fail',
            detail: `${tool} is missing; OpenNebula's driver needs it on the backup server.`,
            fix: `apt-get install -y ${pkg}`,
          },
    );
  }
  add(
    v.RESTIC
      ? { id: 'restic', label: 'restic', status: 'pass', detail: `${v.RESTIC} at ${syncedRestic}.` }
      : {
          id: 'restic',
          label: 'restic',
          status: 'warn',
          detail: `restic is not at ${syncedRestic} yet.`,
          fix: "OpenNebula's monitor copies it there within one monitoring cycle once the datastore exists and key login works from the front-end.",
        },
  );
  return checks;
}

/**
 * The exact command that authorizes Backstone's key for the account, run as root on the backup
 * server: as the account itself, so ~/.ssh and authorized_keys are its own with the modes sshd
 * insists on. The key line is base64 and a type name, so it needs no quoting beyond '...'.
 */
export function authorizeKeyCommand(user: string, publicKey: string): string {
  return `echo '${publicKey} backstone' | sudo -u ${user} sh -c 'umask 077 && mkdir -p ~/.ssh && cat >> ~/.ssh/authorized_keys'`;
}

async function failedConnection(
  err: ExecError,
  target: SshTarget,
  host: string,
  user: string,
): Promise<PreflightCheck> {
  if (err instanceof AuthFailed) {
    const publicKey = await loginPublicKey(target).catch(() => undefined);
    return {
      id: 'login',
      label: 'Key login',
      status: 'fail',
      detail: err.message,
      fix: publicKey
        ? `Add Backstone's public key to ~${user}/.ssh/authorized_keys on ${host}; as root there:\n${authorizeKeyCommand(user, publicKey)}`
        : `Add Backstone's public key to ~${user}/.ssh/authorized_keys on ${host}.`,
      copy: publicKey ? { label: "Backstone's public key", value: publicKey } : undefined,
    };
  }
  if (err instanceof HostKeyChanged) {
    return {
      id: 'login',
      label: 'Key login',
      status: 'fail',
      detail: err.message,
      fix: `Verify the server, then replace its line in Backstone's known_hosts.`,
    };
  }
  if (err instanceof Unreachable) {
    return {
      id: 'login',
      label: 'Key login',
      status: 'fail',
      detail: err.message,
      fix: `Check the name or address, that sshd runs on ${host} and that a firewall lets Backstone reach it.`,
    };
  }
  return { id: 'login', label: 'Key login', status: 'fail', detail: err.message };
}

/** Runs the checks against a backup server reached as `user`. */
export async function preflight(host: string, user: string, signal?: AbortSignal): Promise<PreflightResult> {
  const target: SshTarget = { kind: 'ssh', host, user };
  const root = getConfig().remoteRoot;
  const datastoresDir = posix.join(root, 'var/lib/one/datastores');
  const syncedRestic = posix.join(root, SYNCED_RESTIC);
  try {
    const r = await exec(target, ['sh', '-c', SCRIPT, 'sh', datastoresDir, syncedRestic], {
      signal,
      timeoutMs: 20_000,
    });
    return { kind: 'checked', checks: evaluate(parseKeyValues(r.stdout), user, datastoresDir, syncedRestic) };
  } catch (err) {
    if (err instanceof HostKeyUnknown) {
      return {
        kind: 'host-key-unknown',
        host,
        fingerprint: err.fingerprint,
        checks: [
          {
            id: 'host-key',
            label: 'Host key',
            status: 'fail',
            detail: err.message,
            fix: 'Compare the fingerprint with the server (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and trust it.',
          },
        ],
      };
    }
    if (err instanceof ExecError) return { kind: 'checked', checks: [await failedConnection(err, target, host, user)] };
    throw err;
  }
}
