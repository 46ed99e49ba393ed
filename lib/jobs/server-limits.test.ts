import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeDownloadSlot, TooManyDownloads } from '@/lib/catalog/download-slots';
import { resetConfigCache } from '@/lib/config';
import { serverKey, type SshTarget } from '@/lib/exec';
import { poolKey } from '@/lib/exec/ssh-pool';
import { serverLimit } from '@/lib/restic/limit';
import { closeDb } from '@/lib/store';
import { getJob } from './store';
import { submitJob } from './runner';

// Every per-server limit counts the same servers: one key (serverKey), with the SSH account, the
// host and the port. Two backup servers behind one address on different ports are two servers for
// SSH connections, restic slots, jobs and downloads alike.

const A: SshTarget = { kind: 'ssh', host: '127.0.0.1', port: 2201, user: 'oneadmin' };
const B: SshTarget = { ...A, port: 2202 };
const A_AGAIN: SshTarget = { ...A };

let dataDir: string;
const saved = { ...process.env };

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'backstone-server-limits-'));
  process.env.BACKSTONE_DATA_DIR = dataDir;
  process.env.BACKSTONE_JOBS_PER_SERVER = '1';
  process.env.BACKSTONE_DOWNLOADS_PER_SERVER = '1';
  process.env.BACKSTONE_DOWNLOADS_PER_USER = '10';
  resetConfigCache();
});

afterAll(() => {
  closeDb();
  process.env = saved;
  resetConfigCache();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('serverKey', () => {
  it('tells servers apart by port and account, and a copy of a target is the same server', () => {
    expect(serverKey(A)).not.toBe(serverKey(B));
    expect(serverKey(A)).not.toBe(serverKey({ ...A, user: 'backup' }));
    expect(serverKey(A)).toBe(serverKey(A_AGAIN));
  });
});

describe('two targets that differ only by port are two servers', () => {
  it('for the SSH connection pool', () => {
    const resolved = (t: SshTarget) => ({ host: t.host, port: t.port ?? 22, user: t.user ?? 'oneadmin' });
    for (const capacity of ['interactive', 'bulk'] as const) {
      expect(poolKey(resolved(A), capacity)).not.toBe(poolKey(resolved(B), capacity));
      expect(poolKey(resolved(A), capacity)).toBe(poolKey(resolved(A_AGAIN), capacity));
    }
  });

  it('for restic slots', () => {
    for (const capacity of ['interactive', 'bulk'] as const) {
      expect(serverLimit(A, capacity)).not.toBe(serverLimit(B, capacity));
      expect(serverLimit(A, capacity)).toBe(serverLimit(A_AGAIN, capacity));
    }
  });

  it('for downloads', () => {
    const onA = takeDownloadSlot('alice', A);
    try {
      expect(() => takeDownloadSlot('bob', A_AGAIN)).toThrow(TooManyDownloads);
      const onB = takeDownloadSlot('bob', B);
      onB();
    } finally {
      onA();
    }
  });

  it('for jobs', async () => {
    let finishA = () => {};
    let finishB = () => {};
    let finishAAgain = () => {};
    const job = (target: SshTarget, hold: (finish: () => void) => void) =>
      submitJob({
        kind: 'test',
        title: `hold ${serverKey(target)}`,
        actor: 'admin',
        serverKey: serverKey(target),
        params: {},
        run: () => new Promise((resolve) => hold(() => resolve({ message: 'done' }))),
      });
    const onA = job(A, (f) => (finishA = f));
    const onB = job(B, (f) => (finishB = f));
    const onAAgain = job(A_AGAIN, (f) => (finishAAgain = f));
    // One job per server: the job on B runs beside the one on A; the second on A waits its turn.
    expect(getJob(onA)?.status).toBe('running');
    expect(getJob(onB)?.status).toBe('running');
    expect(getJob(onAAgain)?.status).toBe('queued');
    finishA();
    finishB();
    await expect.poll(() => getJob(onAAgain)?.status, { timeout: 10_000 }).toBe('running');
    finishAAgain();
    await expect.poll(() => getJob(onAAgain)?.status, { timeout: 10_000 }).toBe('succeeded');
  });
});
