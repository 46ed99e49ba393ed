// The backup account: `oneadmin` (uid 9869, as on an OpenNebula backup server) when the sandbox runs
// as root, else the current user, since an unprivileged sshd can only log its own user in.
import { userInfo } from 'node:os';
import { run, runOk } from './process';

export type Account = { name: string; uid: number; gid: number; home: string };

export const ONEADMIN_UID = 9869;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function lookup(name: string): Promise<Account | undefined> {
  const r = await run('getent', ['passwd', name]);
  if (r.code !== 0) return undefined;
  const [user, , uid, gid, , home] = r.stdout.trim().split(':');
  if (!user || uid === undefined || gid === undefined || home === undefined) return undefined;
  return { name: user, uid: Number(uid), gid: Number(gid), home };
}

/** Returns the backup account, creating `oneadmin` when running as root and it is absent. */
export async function ensureBackupAccount(): Promise<Account> {
  if (!isRoot()) {
    const me = userInfo();
    return { name: me.username, uid: me.uid, gid: me.gid, home: me.homedir };
  }
  const existing = await lookup('oneadmin');
  if (existing) return existing;
  await runOk('useradd', ['-u', String(ONEADMIN_UID), '-U', '-m', '-d', '/var/lib/one', '-s', '/bin/bash', 'oneadmin']);
  // useradd leaves the account locked ('!'); sshd refuses locked accounts in some setups.
  await runOk('usermod', ['-p', '*', 'oneadmin']);
  const created = await lookup('oneadmin');
  if (!created) throw new Error('could not create the oneadmin account');
  return created;
}
