// lib/exec over SSH against a real sshd (the sandbox backup server): pinned host keys, typed
// errors, quoting, parallelism over the pool, cancel and timeout that really end the remote
// process, and a connection that dies in the middle of a command.
import { readFileSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIsolatedBackupServer, type IsolatedBackupServer } from '@/sandbox/backup-server/test-server';
import { runningPid } from '@/sandbox/common/pids';
import { processTree } from '@/sandbox/common/process-tree';
import { commandLine } from '@/sandbox/common/process';
import { sandboxPaths } from '@/sandbox/common/state';
import {
  AuthFailed,
  Canceled,
  HostKeyChanged,
  HostKeyUnknown,
  TimedOut,
  Unreachable,
  closeSshConnections,
  exec,
  execOk,
  scanHostKey,
  stream,
  trustHostKey,
  withTempFiles,
  type SshTarget,
} from './index';

let server: IsolatedBackupServer;
let target: SshTarget;

function processesOf(uid: number, match: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const status = readFileSync(`/proc/${e}/status`, 'utf8');
      const u = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (Number(u) === uid && cmd.includes(match)) pids.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return pids;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

beforeAll(async () => {
  server = await startIsolatedBackupServer();
  // lib/config reads these once, at first use.
  process.env.BACKSTONE_SSH_CONFIG = server.info.sshConfig;
  process.env.BACKSTONE_SSH_IDENTITY = server.info.identity;
  process.env.BACKSTONE_SSH_KNOWN_HOSTS = join(server.stateDir, 'backstone_known_hosts');
  copyFileSync(server.info.knownHosts, process.env.BACKSTONE_SSH_KNOWN_HOSTS);
  target = { kind: 'ssh', host: server.info.name };
});

afterAll(async () => {
  await closeSshConnections();
  await server?.stop();
});

describe('SSH through the pool', () => {
  it('runs argv on the server by its ssh_config alias, as the backup account', async () => {
    const r = await execOk(target, ['id', '-un']);
    expect(r.stdout.trim()).toBe(server.info.account);
  });

  it('keeps hostile arguments intact and runs nothing they contain', async () => {
    const canary = join(server.stateDir, 'canary');
    const args = [`$(touch ${canary})`, `; touch ${canary}`, "it's", '"q"', '\\', '\n', '*', '`id`'];
    const r = await execOk(target, ['printf', '%s\\0', ...args]);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(args);
    expect(() => readFileSync(canary)).toThrow();
  });

  it('delivers stdin and env, and reports the exit code and stderr', async () => {
    const r = await exec(target, ['sh', '-c', 'cat; echo " $GREETING"; echo warn >&2; exit 7'], {
      stdin: 'in',
      env: { GREETING: 'hello' },
    });
    expect(r).toMatchObject({ exitCode: 7, stdout: 'in hello\n', stderr: 'warn\n' });
  });

  it('runs 20 commands in parallel over at most 8 channels per connection', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => execOk(target, ['sh', '-c', `sleep 0.2; echo ${i}`])),
    );
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });

  it('streams stdout bytes', async () => {
    const s = stream(target, ['head', '-c', String(8 * 1024 * 1024), '/dev/zero']);
    let n = 0;
    for await (const chunk of s.stdout) n += (chunk as Buffer).length;
    expect((await s.done).exitCode).toBe(0);
    expect(n).toBe(8 * 1024 * 1024);
  });

  it('a cancel ends the remote process', async () => {
    const ac = new AbortController();
    const marker = 'sleep 31.5';
    const p = exec(target, ['sleep', '31.5'], { signal: ac.signal });
    expect(await until(() => processesOf(server.info.uid, marker).length === 1, 5_000)).toBe(true);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(Canceled);
    expect(await until(() => processesOf(server.info.uid, marker).length === 0, 5_000)).toBe(true);
  });

  it('bulk commands holding every bulk channel never delay an interactive one; a cancel ends them all', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      // This run's own sleeps only (the backup account is shared with other test files' servers).
      const seconds = `34.5${process.pid}`;
      const marker = `sleep ${seconds}`;
      const bulk = Array.from({ length: 12 }, () => {
        const ac = new AbortController();
        const p = exec(target, ['sleep', seconds], { capacity: 'bulk', signal: ac.signal }).catch((e: unknown) => e);
        return { ac, p };
      });
      // 8 run (every channel of the bulk connection), 4 wait for one.
      expect(await until(() => processesOf(server.info.uid, marker).length === 8, 10_000)).toBe(true);
      const started = Date.now();
      expect((await execOk(target, ['echo', 'interactive'])).stdout).toBe('interactive\n');
      // Seconds at most on a loaded machine; one waiting for a bulk channel would wait the sleeps' 34.5 s.
      expect(Date.now() - started).toBeLessThan(10_000);
      // All canceled at once: the kills go out over the sessions kept for them, and the queued never start.
      for (const b of bulk) b.ac.abort();
      for (const e of await Promise.all(bulk.map((b) => b.p))) expect(e).toBeInstanceOf(Canceled);
      expect(await until(() => processesOf(server.info.uid, marker).length === 0, 5_000)).toBe(true);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a timeout ends the remote process', async () => {
    await expect(exec(target, ['sleep', '32.5'], { timeoutMs: 500 })).rejects.toBeInstanceOf(TimedOut);
    expect(await until(() => processesOf(server.info.uid, 'sleep 32.5').length === 0, 5_000)).toBe(true);
  });

  it('writes temporary files 0600 in a private folder and removes them', async () => {
    let seen = '';
    await withTempFiles(target, [{ name: 'one_auth', content: 'user:secret' }], async (paths) => {
      const f = paths.one_auth!;
      const st = await execOk(target, ['stat', '-c', '%a', f, f.slice(0, f.lastIndexOf('/'))]);
      expect(st.stdout.trim().split('\n')).toEqual(['600', '700']);
      expect((await execOk(target, ['cat', f])).stdout).toBe('user:secret');
      seen = f;
    });
    expect((await exec(target, ['test', '-e', seen])).exitCode).toBe(1);
  });
});

describe('host keys and failures', () => {
  it('refuses an unknown host key with its fingerprint, and trusts it only on request', async () => {
    const kh = process.env.BACKSTONE_SSH_KNOWN_HOSTS!;
    writeFileSync(kh, '');
    await closeSshConnections();
    const err = await exec(target, ['true']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyUnknown);
    expect((err as HostKeyUnknown).fingerprint).toBe(server.info.hostKeyFingerprint);
    const scanned = await scanHostKey(target);
    expect(scanned).toMatchObject({ known: 'no', fingerprint: server.info.hostKeyFingerprint });
    await expect(trustHostKey(target, 'SHA256:not-the-key')).rejects.toBeInstanceOf(HostKeyChanged);
    await trustHostKey(target, scanned.fingerprint);
    expect((await execOk(target, ['true'])).exitCode).toBe(0);
  });

  it('refuses a changed host key', async () => {
    const kh = process.env.BACKSTONE_SSH_KNOWN_HOSTS!;
    const other = 'AAAAC3NzaC1lZDI1NTE5AAAAIBgq2e5Yp1l4Q8tdgnFqKzN9XG0r3n6JqHk6nS2cX7lU';
    writeFileSync(kh, `[${server.info.name}]:${server.info.port} ssh-ed25519 ${other}\n`);
    await closeSshConnections();
    await expect(exec(target, ['true'])).rejects.toBeInstanceOf(HostKeyChanged);
    await expect(trustHostKey(target, server.info.hostKeyFingerprint)).rejects.toBeInstanceOf(HostKeyChanged);
    copyFileSync(server.info.knownHosts, kh);
    await closeSshConnections();
  });

  it('reports a wrong account as AuthFailed and a closed port as Unreachable', async () => {
    await expect(exec({ kind: 'ssh', host: server.info.name, user: 'nobody' }, ['true'])).rejects.toBeInstanceOf(
      AuthFailed,
    );
    const closed = { kind: 'ssh' as const, host: '127.0.0.1', port: 1 };
    await expect(exec(closed, ['true'])).rejects.toBeInstanceOf(Unreachable);
  });

  it('sshd stopped in the middle of a command gives Unreachable within the timeout', async () => {
    const p = exec(target, ['sleep', '33.5'], { timeoutMs: 20_000 });
    expect(await until(() => processesOf(server.info.uid, 'sleep 33.5').length === 1, 5_000)).toBe(true);
    const started = Date.now();
    // Stop sshd: the listener and the session processes it forked for this connection, parents
    // first, and not the command: killed first, its exit status could still reach the client
    // (sshd sends it at once) before the connection drops, and the command would simply end.
    const listener = runningPid(sandboxPaths(server.stateDir), 'sshd');
    if (listener !== undefined)
      for (const pid of processTree(listener)) if (commandLine(pid)?.startsWith('sshd')) process.kill(pid, 'SIGKILL');
    await expect(p).rejects.toBeInstanceOf(Unreachable);
    expect(Date.now() - started).toBeLessThan(20_000);
    for (const pid of processesOf(server.info.uid, 'sleep 33.5')) process.kill(pid, 'SIGKILL');
  });
});
