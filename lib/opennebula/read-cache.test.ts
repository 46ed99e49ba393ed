import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetConfigCache } from '@/lib/config';
import type { OneCredential } from './cli';
import { deleteDatastore, getDatastoreDecrypted, listDatastores } from './datastores';
import { deleteImage, listImages } from './images';
import { identityKey } from './read-cache';
import { fail, fakeRunner, ok } from './test-support/fake-runner';
import { fixture } from './test-support/fixtures';
import { whoami } from './users';
import { listVms } from './vms';

const service: OneCredential = { kind: 'service' };
const alice: OneCredential = { kind: 'user', username: 'alice', secret: 'alice-token' };
const bob: OneCredential = { kind: 'user', username: 'bob', secret: 'bob-token' };

/** Who ran the last command: the ONE_AUTH file's content (a user's copy) or "service". */
function caller(runner: ReturnType<typeof fakeRunner>): string {
  const call = runner.calls.at(-1)!;
  return call.tempFiles[call.opts.env!.ONE_AUTH!] ?? 'service';
}

/** A runner answering `onedatastore list` per identity: alice sees one pool, everyone else another. */
function perIdentityRunner() {
  const runner = fakeRunner({
    respond: (argv) => {
      if (argv[0] === 'onedatastore' && argv[1] === 'list')
        return ok(
          fixture(caller(runner).startsWith('alice:') ? 'onedatastore-list.xml' : 'onedatastore-list-mixed.xml'),
        );
      if (argv[0] === 'onedatastore' && argv[1] === 'show') return ok(fixture('onedatastore-show-decrypted.xml'));
      if (argv[0] === 'oneimage' && argv[1] === 'list') return ok(fixture('oneimage-list.xml'));
      if (argv[0] === 'onevm' && argv[1] === 'list') return ok(fixture('onevm-list-6.10.xml'));
      if (argv[0] === 'oneuser') return ok(fixture('oneuser-show-alice.xml'));
      return ok('');
    },
  });
  return runner;
}

const names = (xs: { name: string }[]) => xs.map((x) => x.name);

beforeEach(() => {
  vi.stubEnv('BACKSTONE_ONE_READ_CACHE_SECONDS', '3');
  resetConfigCache();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  resetConfigCache();
});

describe('the OpenNebula read cache', () => {
  it('serves a repeated read by the same identity within the TTL from memory, each caller its own copy', async () => {
    const runner = perIdentityRunner();
    const first = await listDatastores(alice, { runner });
    first[0]!.name = 'mutated by a caller';
    const second = await listDatastores(alice, { runner });
    expect(runner.calls).toHaveLength(1);
    expect(second[0]!.name).not.toBe('mutated by a caller');
    expect(second).toHaveLength(first.length);
  });

  it('never gives one identity what another read: users, other credentials of the same user, the service', async () => {
    const runner = perIdentityRunner();
    const a = names(await listDatastores(alice, { runner }));
    const b = names(await listDatastores(bob, { runner }));
    expect(a).not.toEqual(b);
    expect(runner.calls).toHaveLength(2);
    // Cached per identity: each gets their own answer back.
    expect(names(await listDatastores(bob, { runner }))).toEqual(b);
    expect(names(await listDatastores(alice, { runner }))).toEqual(a);
    expect(runner.calls).toHaveLength(2);
    // The same user name with another secret (a wrong password, an old token) asks oned again.
    await listDatastores({ kind: 'user', username: 'alice', secret: 'another-token' }, { runner });
    expect(runner.calls).toHaveLength(3);
    expect(caller(runner)).toBe('alice:another-token');
    // The service identity has its own entry too.
    expect(names(await listDatastores(service, { runner }))).toEqual(b);
    expect(runner.calls).toHaveLength(4);
    expect(caller(runner)).toBe('service');
  });

  it('keys a user by an HMAC of their secret, never the secret itself', () => {
    const key = identityKey({ kind: 'user', username: 'alice', secret: 'alice-token' });
    expect(key).toContain('alice');
    expect(key).not.toContain('alice-token');
    expect(identityKey({ kind: 'user', username: 'alice', secret: 'other' })).not.toBe(key);
  });

  it('asks again once the TTL has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const runner = perIdentityRunner();
    await listVms(service, { runner });
    vi.advanceTimersByTime(2_900);
    await listVms(service, { runner });
    expect(runner.calls).toHaveLength(1);
    vi.advanceTimersByTime(200);
    await listVms(service, { runner });
    expect(runner.calls).toHaveLength(2);
  });

  it('forgets every identity’s reads on a write through lib/opennebula, even a failed one', async () => {
    const runner = perIdentityRunner();
    const readAll = async () => {
      await listDatastores(alice, { runner });
      await listImages(service, { runner });
    };
    await readAll();
    await readAll();
    expect(runner.calls).toHaveLength(2);
    await deleteDatastore(bob, 7, { runner });
    await readAll();
    expect(runner.calls).toHaveLength(5);

    const failing = fakeRunner({
      respond: (argv) => (argv[1] === 'delete' ? fail('[one.image.delete] boom') : ok(fixture('oneimage-list.xml'))),
    });
    await listImages(service, { runner: failing });
    await expect(deleteImage(service, 3, { runner: failing })).rejects.toThrow();
    await listImages(service, { runner: failing });
    expect(failing.calls.map((c) => c.argv[1])).toEqual(['list', 'delete', 'list']);
  });

  it('does not keep a read that was running when a write started', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const runner = fakeRunner({
      respond: async (argv) => {
        if (argv[1] === 'list') await gate;
        return ok(argv[1] === 'list' ? fixture('oneimage-list.xml') : '');
      },
    });
    const inFlight = listImages(service, { runner });
    await vi.waitFor(() => expect(runner.calls).toHaveLength(1));
    await deleteImage(service, 3, { runner });
    release();
    await inFlight;
    await listImages(service, { runner });
    expect(runner.calls.map((c) => c.argv[1])).toEqual(['list', 'delete', 'list']);
  });

  it('shares one CLI call between concurrent identical reads', async () => {
    const runner = perIdentityRunner();
    const [a, b] = await Promise.all([
      getDatastoreDecrypted(service, 100, { runner }),
      getDatastoreDecrypted(service, 100, { runner }),
    ]);
    expect(runner.calls).toHaveLength(1);
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
  });

  it('never keeps a failure', async () => {
    let n = 0;
    const runner = fakeRunner({
      respond: () => (++n === 1 ? fail('[one.vmpool.info] Error connecting') : ok(fixture('onevm-list-6.10.xml'))),
    });
    await expect(listVms(service, { runner })).rejects.toThrow();
    await expect(listVms(service, { runner })).resolves.not.toHaveLength(0);
    expect(runner.calls).toHaveLength(2);
  });

  it('never caches the sign-in check', async () => {
    const runner = perIdentityRunner();
    await whoami(alice, { runner });
    await whoami(alice, { runner });
    expect(runner.calls).toHaveLength(2);
  });

  it('shares a read with callers who bring an abort signal; an abort ends only its own wait', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const runner = fakeRunner({
      respond: async () => {
        await gate;
        return ok(fixture('onedatastore-list.xml'));
      },
    });
    const first = new AbortController();
    const leaving = listDatastores(alice, { runner, signal: first.signal });
    const staying = listDatastores(alice, { runner, signal: new AbortController().signal });
    first.abort(new Error('the first viewer left'));
    await expect(leaving).rejects.toThrow('the first viewer left');
    release();
    expect(names(await staying)).toEqual(names(await listDatastores(alice, { runner })));
    // One CLI run for all three, and it never saw a caller's signal.
    expect(runner.calls).toHaveLength(1);
    expect(runner.calls[0]!.opts.signal).toBeUndefined();
  });

  it('is off with BACKSTONE_ONE_READ_CACHE_SECONDS=0', async () => {
    vi.stubEnv('BACKSTONE_ONE_READ_CACHE_SECONDS', '0');
    resetConfigCache();
    const runner = perIdentityRunner();
    await listDatastores(alice, { runner });
    await listDatastores(alice, { runner });
    expect(runner.calls).toHaveLength(2);
  });
});
