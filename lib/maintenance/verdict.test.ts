import { describe, expect, it } from 'vitest';
import type { Lock } from '@/lib/restic/types';
import { judgeLock, parsePidReport, removeAllBlockers, sameHost, STALE_AFTER_MS } from './verdict';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const lock = (over: Partial<Lock> = {}): Lock => ({
  id: 'ab'.repeat(32),
  time: new Date(NOW - 60_000).toISOString(),
  exclusive: true,
  hostname: 'backup1',
  username: 'oneadmin',
  pid: 4242,
  ...over,
});

describe('PID report', () => {
  it('reads the host name and each PID', () => {
    const r = parsePidReport('backup1\nPID\t4242\tdead\t\nPID\t77\talive\trestic\nPID\tx\talive\t\nPID\t8\tweird\t\n');
    expect(r.hostname).toBe('backup1');
    expect([...r.pids.entries()]).toEqual([
      [4242, { state: 'dead', name: undefined }],
      [77, { state: 'alive', name: 'restic' }],
    ]);
  });
});

describe('host names', () => {
  it('match on the short name, whatever the case', () => {
    expect(sameHost('backup1', 'Backup1.example.org')).toBe(true);
    expect(sameHost('kvm1.a', 'kvm1.b')).toBe(true);
    expect(sameHost('kvm1', 'kvm2')).toBe(false);
    expect(sameHost('10.0.0.1', '10.0.0.2')).toBe(false);
    expect(sameHost('', 'x')).toBe(false);
  });
});

describe('lock verdicts', () => {
  it('a dead PID on the backup server is stale, and restic unlock can remove it', () => {
    const v = judgeLock(lock(), { checkedOn: 'backup-server', state: 'dead' }, [], NOW);
    expect(v.verdict).toBe('stale');
    expect(v.removableByUnlock).toBe(true);
    expect(v.reasons.join(' ')).toContain('No process 4242 runs on backup1');
  });

  it('a running restic is possibly active', () => {
    const v = judgeLock(lock(), { checkedOn: 'backup-server', state: 'alive', name: 'restic' }, [], NOW);
    expect(v.verdict).toBe('possibly-active');
    expect(v.process).toBe('restic-running');
    expect(v.removableByUnlock).toBe(false);
  });

  it('a reused PID (another program) is stale', () => {
    const v = judgeLock(lock(), { checkedOn: 'opennebula-host', state: 'alive', name: 'nginx' }, [], NOW);
    expect(v.verdict).toBe('stale');
    expect(v.process).toBe('other-process');
    // restic unlock on the backup server cannot prove a young lock of another host stale.
    expect(v.removableByUnlock).toBe(false);
  });

  it('an unchecked PID: young or with a backup running is possibly active; old and idle is stale', () => {
    const nowhere = { checkedOn: 'nowhere', why: 'unknown host' } as const;
    expect(judgeLock(lock(), nowhere, [], NOW).verdict).toBe('possibly-active');
    const old = lock({ time: new Date(NOW - STALE_AFTER_MS - 1000).toISOString() });
    const v = judgeLock(old, nowhere, [], NOW);
    expect(v.verdict).toBe('stale');
    expect(v.removableByUnlock).toBe(true);
    const busy = judgeLock(old, nowhere, [{ vmId: 7, state: 'BACKUP' }], NOW);
    expect(busy.verdict).toBe('possibly-active');
    expect(busy.reasons.join(' ')).toContain('OpenNebula is backing up VM 7');
  });

  it('remove-all needs a second confirmation while a backup runs or a lock may be live', () => {
    const live = judgeLock(lock(), { checkedOn: 'backup-server', state: 'alive', name: 'restic' }, [], NOW);
    const dead = judgeLock(lock(), { checkedOn: 'backup-server', state: 'dead' }, [], NOW);
    expect(removeAllBlockers([dead], [])).toEqual([]);
    expect(removeAllBlockers([live], [])).toHaveLength(1);
    expect(removeAllBlockers([dead], [{ vmId: 3, vmName: 'db', state: 'BACKUP_POWEROFF' }])[0]).toContain('VM 3');
  });
});
