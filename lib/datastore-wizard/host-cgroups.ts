import 'server-only';
import { posix } from 'node:path';
import { getConfig } from '@/lib/config';
import { exec, ExecError } from '@/lib/exec';
import { parseKeyValues } from '@/lib/backup-server';
import type { ReportCheck } from '@/lib/schemas/datastore-preflight';

// With RESTIC_MAX_RIOPS, _WIOPS, _CPU_QUOTA or _MEMORY_MAX_MB set, the driver runs every backup
// in a systemd user slice of oneadmin on the hypervisor (systemd-run --user). That only limits
// anything when the cpu, cpuset and io controllers are delegated to oneadmin's user manager, which
// its cgroup.controllers file shows; without them the driver's limits are silently not applied.

export const REQUIRED_CONTROLLERS = ['cpu', 'cpuset', 'io'] as const;

// Constant script; the cgroup mount point (under the remote root) is a positional argument.
const SCRIPT = [
  'u=$(id -u)',
  'echo "USER=$(id -un)"',
  'echo "UID=$u"',
  'f="$1/user.slice/user-$u.slice/user@$u.service/cgroup.controllers"',
  'echo "FILE=$f"',
  'if [ -r "$f" ]; then echo "CONTROLLERS=$(cat "$f")"; else echo MISSING=yes; fi',
].join('\n');

function delegateFix(uid: string): string {
  const dir = `/etc/systemd/system/user@${uid}.service.d`;
  return [
    `mkdir -p ${dir}`,
    `printf '[Service]\\nDelegate=cpu cpuset io\\n' > ${dir}/delegate.conf`,
    `systemctl daemon-reload && systemctl restart user@${uid}.service`,
  ].join('\n');
}

/** The check, from the script's output (pure). */
export function evaluateCgroups(host: string, v: Record<string, string>): ReportCheck {
  const user = v.USER || 'oneadmin';
  const uid = v.UID || '9869';
  if (v.MISSING === 'yes') {
    return {
      id: 'cgroup-delegation',
      label: 'cgroup delegation',
      status: 'fail',
      detail: `${host}: ${user}'s systemd user manager has no cgroup (${v.FILE} is missing), so systemd-run --user cannot start the backup slice.`,
      fix: `loginctl enable-linger ${user}\n${delegateFix(uid)}`,
    };
  }
  const present = new Set((v.CONTROLLERS ?? '').split(/\s+/).filter(Boolean));
  const missing = REQUIRED_CONTROLLERS.filter((c) => !present.has(c));
  if (missing.length === 0) {
    return {
      id: 'cgroup-delegation',
      label: 'cgroup delegation',
      status: 'pass',
      detail: `${host}: cpu, cpuset and io are delegated to ${user} (uid ${uid}).`,
    };
  }
  return {
    id: 'cgroup-delegation',
    label: 'cgroup delegation',
    status: 'fail',
    detail: `${host}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not delegated to ${user} (uid ${uid}); the slice limits would not apply.`,
    fix: delegateFix(uid),
  };
}

/** Checks one hypervisor host over SSH (as Backstone's configured user for it). */
export async function checkHostCgroups(host: string, signal?: AbortSignal): Promise<ReportCheck> {
  const mount = posix.join(getConfig().remoteRoot, 'sys/fs/cgroup');
  try {
    const r = await exec({ kind: 'ssh', host }, ['sh', '-c', SCRIPT, 'sh', mount], { signal, timeoutMs: 20_000 });
    if (r.exitCode !== 0) {
      return {
        id: 'cgroup-delegation',
        label: 'cgroup delegation',
        status: 'fail',
        detail: `${host}: the check could not run (exit code ${r.exitCode}).`,
      };
    }
    return evaluateCgroups(host, parseKeyValues(r.stdout));
  } catch (err) {
    if (!(err instanceof ExecError)) throw err;
    return {
      id: 'host-login',
      label: 'Host login',
      status: 'fail',
      detail: err.message,
      fix: `Backstone must reach ${host} over SSH with a pinned host key, as OpenNebula's front-end does.`,
    };
  }
}
