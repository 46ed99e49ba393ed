import { describe, expect, it } from 'vitest';
import { classifyFailure, NoRepository, RepositoryLocked, SnapshotNotFound, WrongPassword } from './errors';
import { fixture, FIXTURE_VERSIONS } from './test-support/fixtures';

describe.each(FIXTURE_VERSIONS)('typed errors from restic %s', (v) => {
  const classify = (name: string, snapshot?: string) => {
    const f = fixture(v, name);
    expect(f.code).not.toBe(0);
    return classifyFailure(name, '/var/lib/one/datastores/100/42', f.code, f.out, f.err, snapshot);
  };

  it.each(['locked-check', 'locked-backup', 'locked-snapshots'])('%s -> RepositoryLocked with the holder', (name) => {
    const e = classify(name);
    expect(e).toBeInstanceOf(RepositoryLocked);
    const holder = (e as RepositoryLocked).holder;
    expect(holder).toMatchObject({ exclusive: true, host: 'vm', user: 'root' });
    expect(holder.pid).toBeGreaterThan(0);
    expect(holder.age).toMatch(/^\d+s$/);
    expect(e.message).toContain(`PID ${holder.pid}`);
    expect(e.message).toContain('Locks panel');
  });

  it('wrong password -> WrongPassword', () => {
    expect(classify('wrong-password')).toBeInstanceOf(WrongPassword);
  });

  it('missing repository -> NoRepository', () => {
    expect(classify('no-repository')).toBeInstanceOf(NoRepository);
  });
});

it('an unknown snapshot -> SnapshotNotFound (restic 0.18 exits 1 with a message)', () => {
  const f = fixture('0.18', 'ls-unknown');
  expect(classifyFailure('ls', '/r', f.code, f.out, f.err, 'deadbeef')).toBeInstanceOf(SnapshotNotFound);
});

it('a non-exclusive lock is told apart', () => {
  const text =
    'unable to create lock in backend: repository is already locked by PID 11894 on vm by root (UID 0, GID 0)\nlock was created at 2026-11-26 10:50:00 (8.957222218s ago)\nstorage ID 190c73ea\n';
  const e = classifyFailure('check', '/r', 1, '', text) as RepositoryLocked;
  expect(e.holder).toMatchObject({
    exclusive: false,
    pid: 11894,
    host: 'vm',
    user: 'root',
    age: '8s',
    lockId: '190c73ea',
  });
});
