import { describe, expect, it } from 'vitest';
import { TimedOut } from '@/lib/exec';
import { redact } from '@/lib/log/redact';
import { OneCredentialError, type OneCredential } from './cli';
import { createDatastore, deleteDatastore, getDatastore, getDatastoreDecrypted, listDatastores } from './datastores';
import { OneAuthenticationFailed, OneCliError, OneNotAuthorized, OneNotFound } from './errors';
import { deleteImage, getImage, listBackupImages, restoreImage } from './images';
import { listClusters, listHosts } from './infrastructure';
import { getBackupJob, listBackupJobs } from './backup-jobs';
import { createLoginToken, getUser, revokeLoginToken, whoami } from './users';
import { getVm, listVms } from './vms';
import { deleteTemplate } from './templates';
import { fail, fakeRunner, ok } from './test-support/fake-runner';
import { fixture } from './test-support/fixtures';

const service: OneCredential = { kind: 'service' };
const alice: OneCredential = { kind: 'user', username: 'alice', secret: 'pä$$ "w0rd" $(x)' };

function only<T>(xs: readonly T[]): T {
  expect(xs).toHaveLength(1);
  return xs[0]!;
}

describe('credentials reach the CLI only through a ONE_AUTH file', () => {
  it('service identity on the front-end itself: ONE_AUTH is the configured file, no temp file', async () => {
    const runner = fakeRunner({ respond: () => ok(fixture('onedatastore-list.xml')) });
    await listDatastores(service, { runner });
    const call = only(runner.calls);
    expect(call.argv).toEqual(['onedatastore', 'list', '-x']);
    expect(call.opts.env).toEqual({ ONE_AUTH: '/home/backstone/.one/one_auth' });
    expect(call.tempFiles).toEqual({});
    expect(runner.localReads).toEqual([]);
  });

  it('a user: a 0600 temp file with user:secret, its path in ONE_AUTH, the secret redacted and never in argv', async () => {
    const runner = fakeRunner({ respond: () => ok(fixture('onedatastore-list.xml')) });
    await listDatastores(alice, { runner });
    const call = only(runner.calls);
    const path = call.opts.env?.ONE_AUTH;
    expect(path).toMatch(/^\/tmp\/backstone-fake\d+\/one_auth$/);
    expect(call.tempFiles).toEqual({ [path!]: 'alice:pä$$ "w0rd" $(x)' });
    expect(call.opts.redactHere).toContain('pä$$ "w0rd" $(x)');
    expect(call.opts.secrets ?? []).not.toContain('pä$$ "w0rd" $(x)');
    expect(call.argv.join('\n')).not.toContain('w0rd');
    expect(JSON.stringify(call.opts.env)).not.toContain('w0rd');
    expect(runner.removedTempDirs).toBe(1);
  });

  it('the service over SSH: its file is read on this machine and shipped as a temp file on the front-end', async () => {
    const target = { kind: 'ssh', host: 'frontend.example' } as const;
    const runner = fakeRunner({ target, cliDir: '/opt/one/bin/', respond: () => ok(fixture('onedatastore-list.xml')) });
    await listDatastores(service, { runner });
    const call = only(runner.calls);
    expect(call.target).toEqual(target);
    expect(call.argv[0]).toBe('/opt/one/bin/onedatastore');
    expect(runner.localReads).toEqual(['/home/backstone/.one/one_auth']);
    expect(Object.values(call.tempFiles)).toEqual(['oneadmin:service-pass']);
    expect(call.opts.env?.ONE_AUTH).toMatch(/one_auth$/);
    expect(call.opts.secrets).toContain('service-pass');
    expect(redact('leaked service-pass')).toBe('leaked [REDACTED]');
  });

  it('refuses credentials the ONE_AUTH format cannot carry, before running anything', async () => {
    const runner = fakeRunner({ respond: () => ok('') });
    for (const cred of [
      { kind: 'user', username: 'al:ice', secret: 'x' },
      { kind: 'user', username: '', secret: 'x' },
      { kind: 'user', username: 'alice', secret: '' },
      { kind: 'user', username: 'alice', secret: 'trailing ' },
      { kind: 'user', username: 'alice', secret: 'two\nlines' },
    ] as const) {
      await expect(whoami(cred, { runner })).rejects.toBeInstanceOf(OneCredentialError);
    }
    expect(runner.calls).toEqual([]);
  });
});

describe('datastore verbs', () => {
  it('show, show --decrypt and delete build the right argv', async () => {
    const runner = fakeRunner({
      respond: (argv) =>
        ok(
          argv.includes('--decrypt')
            ? fixture('onedatastore-show-decrypted.xml')
            : fixture('onedatastore-show-100.xml'),
        ),
    });
    expect((await getDatastore(service, 100, { runner })).name).toBe('RBackups');
    const dec = await getDatastoreDecrypted(service, 100, { runner });
    expect(dec.resticPassword).toBe(`s3cr3t $(pw) 'x'`);
    expect(redact(`x s3cr3t $(pw) 'x' y`)).not.toContain('s3cr3t');
    await deleteDatastore(service, 100, { runner });
    expect(runner.calls.map((c) => c.argv)).toEqual([
      ['onedatastore', 'show', '-x', '100'],
      ['onedatastore', 'show', '-x', '--decrypt', '100'],
      ['onedatastore', 'delete', '100'],
    ]);
  });

  it('create writes the template to a temp file, passes its path and a cluster, and reads the new ID', async () => {
    const runner = fakeRunner({ respond: () => ok('ID: 117\n') });
    const id = await createDatastore(
      service,
      [
        { name: 'NAME', value: 'RBackups' },
        { name: 'RESTIC_PASSWORD', value: 'pa"ss' },
      ],
      100,
      { runner },
    );
    expect(id).toBe(117);
    const call = only(runner.calls);
    const file = call.argv[2]!;
    expect(call.argv).toEqual(['onedatastore', 'create', file, '-c', '100']);
    expect(call.tempFiles[file]).toBe('NAME = "RBackups"\nRESTIC_PASSWORD = "pa\\"ss"\n');
    expect(runner.removedTempDirs).toBe(1);
  });

  it('create without a cluster, from text; refuses text oned cannot parse before running', async () => {
    const runner = fakeRunner({ respond: () => ok('ID: 5') });
    expect(await createDatastore(alice, fixture('ds-restic-sftp.tpl'), undefined, { runner })).toBe(5);
    expect(only(runner.calls).argv).toHaveLength(3);
    await expect(createDatastore(service, 'NAME = [ oops', undefined, { runner })).rejects.toThrow(/line 1/);
    expect(runner.calls).toHaveLength(1);
  });

  it('create fails clearly when no ID is printed', async () => {
    const runner = fakeRunner({ respond: () => ok('something else') });
    await expect(createDatastore(service, 'NAME = x', undefined, { runner })).rejects.toThrow(
      /did not print the new ID/,
    );
  });

  it('refuses IDs that are not non-negative integers', async () => {
    const runner = fakeRunner({ respond: () => ok('') });
    await expect(getDatastore(service, -1, { runner })).rejects.toThrow(RangeError);
    await expect(getDatastore(service, 1.5, { runner })).rejects.toThrow(RangeError);
    expect(runner.calls).toEqual([]);
  });
});

describe('image verbs', () => {
  it('lists backup images only, optionally of one datastore', async () => {
    const runner = fakeRunner({ respond: () => ok(fixture('oneimage-list.xml')) });
    expect((await listBackupImages(alice, undefined, { runner })).map((i) => i.id)).toEqual([105, 200]);
    expect((await listBackupImages(alice, 100, { runner })).map((i) => i.id)).toEqual([105]);
    expect(runner.calls[0]!.argv).toEqual(['oneimage', 'list', '-x']);
  });

  it('restore passes every option as its own argv item and reads the new IDs', async () => {
    const runner = fakeRunner({ respond: () => ok('VM Template: 12\nImages: 130 131\n') });
    const r = await restoreImage(
      alice,
      { imageId: 106, datastoreId: 1, noNic: true, noIp: true, name: 'web-1 restored $(x)', incrementId: 3, diskId: 0 },
      { runner },
    );
    expect(r).toEqual({ templateId: 12, imageIds: [130, 131] });
    const call = only(runner.calls);
    expect(call.argv).toEqual([
      'oneimage',
      'restore',
      '106',
      '-d',
      '1',
      '--no_nic',
      '--no_ip',
      '--name=web-1 restored $(x)',
      '--increment',
      '3',
      '--disk_id',
      '0',
    ]);
    expect(call.opts.timeoutMs).toBe(240_000);
  });

  it('restore with only the required options; a name the CLI would break is refused', async () => {
    const runner = fakeRunner({ respond: () => ok('VM Template: -1\nImages: 140\n') });
    expect(await restoreImage(alice, { imageId: 105, datastoreId: 1 }, { runner, timeoutMs: 5_000 })).toEqual({
      imageIds: [140],
    });
    expect(only(runner.calls).argv).toEqual(['oneimage', 'restore', '105', '-d', '1']);
    expect(only(runner.calls).opts.timeoutMs).toBe(5_000);
    await expect(restoreImage(alice, { imageId: 105, datastoreId: 1, name: 'a"b' }, { runner })).rejects.toThrow(
      /quotes/,
    );
  });

  it('restore errors printed on stdout are mapped too', async () => {
    const runner = fakeRunner({
      respond: () =>
        fail('', '[one.image.restore] Error restoring backup image: destination datastore is not an IMAGE_DS\n'),
    });
    const e = await restoreImage(alice, { imageId: 105, datastoreId: 100 }, { runner }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OneCliError);
    expect(e).toMatchObject({
      message: 'Error restoring backup image: destination datastore is not an IMAGE_DS',
      method: 'one.image.restore',
      exitCode: 255,
    });
  });

  it('show and delete', async () => {
    const runner = fakeRunner({
      respond: (argv) => ok(argv[1] === 'show' ? fixture('oneimage-show-backup-full.xml') : ''),
    });
    expect((await getImage(alice, 105, { runner })).source).toBe('25f4b298');
    await deleteImage(alice, 105, { runner });
    expect(runner.calls.map((c) => c.argv)).toEqual([
      ['oneimage', 'show', '-x', '105'],
      ['oneimage', 'delete', '105'],
    ]);
  });
});

describe('VM template verbs', () => {
  it('delete removes the template only (never --recursive) and maps "not found"', async () => {
    const runner = fakeRunner({ respond: () => ok('') });
    await deleteTemplate(alice, 7, { runner });
    expect(runner.calls.map((c) => c.argv)).toEqual([['onetemplate', 'delete', '7']]);
    const gone = fakeRunner({
      respond: () => fail('[one.template.delete] Error getting virtual machine template [7].'),
    });
    const err = await deleteTemplate(alice, 7, { runner: gone }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OneNotFound);
    expect(err).toMatchObject({ objectType: 'virtual machine template', objectId: 7 });
    await expect(deleteTemplate(alice, -1, { runner })).rejects.toThrow(RangeError);
  });
});

describe('VM, backup job, cluster and host verbs', () => {
  it('build the right argv and parse the answers', async () => {
    const answers: Record<string, string> = {
      'onevm list': fixture('onevm-list-6.10.xml'),
      'onevm show': fixture('onevm-show-7.xml'),
      'onebackupjob list': fixture('onebackupjob-list.xml'),
      'onecluster list': fixture('onecluster-list.xml'),
      'onehost list': fixture('onehost-list.xml'),
    };
    const runner = fakeRunner({ respond: (argv) => ok(answers[`${argv[0]} ${argv[1]}`] ?? '') });
    expect((await listVms(alice, { runner })).length).toBe(2);
    expect((await getVm(alice, 43, { runner })).backingUp).toBe(true);
    expect((await listBackupJobs(service, { runner }))[0]!.vmIds).toEqual([43, 44, 45]);
    expect((await listClusters(service, { runner })).map((c) => c.id)).toEqual([0, 100]);
    expect((await listHosts(service, { runner })).map((h) => h.state)).toEqual(['MONITORED', 'OFFLINE']);
    expect(runner.calls.map((c) => c.argv)).toEqual([
      ['onevm', 'list', '-x'],
      ['onevm', 'show', '-x', '43'],
      ['onebackupjob', 'list', '-x'],
      ['onecluster', 'list', '-x'],
      ['onehost', 'list', '-x'],
    ]);
  });

  it('getBackupJob', async () => {
    const pool = fixture('onebackupjob-list.xml');
    const runner = fakeRunner({
      respond: () => ok(pool.slice(pool.indexOf('<BACKUPJOB>'), pool.indexOf('</BACKUPJOB_POOL>'))),
    });
    expect((await getBackupJob(service, 7, { runner })).name).toBe('nightly');
    expect(only(runner.calls).argv).toEqual(['onebackupjob', 'show', '-x', '7']);
  });
});

describe('user verbs', () => {
  it('whoami is `oneuser show -x` with the given credentials', async () => {
    const runner = fakeRunner({ respond: () => ok(fixture('oneuser-show-alice.xml')) });
    expect(await whoami(alice, { runner })).toMatchObject({ name: 'alice', isAdmin: false });
    await getUser(service, 2, { runner });
    expect(runner.calls.map((c) => c.argv)).toEqual([
      ['oneuser', 'show', '-x'],
      ['oneuser', 'show', '-x', '2'],
    ]);
  });

  it('wrong credentials give OneAuthenticationFailed', async () => {
    const runner = fakeRunner({
      respond: () => fail("[one.user.info] User couldn't be authenticated, aborting call.\n"),
    });
    await expect(whoami(alice, { runner })).rejects.toBeInstanceOf(OneAuthenticationFailed);
  });

  it('token-create runs on a private copy of the credentials, even for the local service, and reads the token', async () => {
    const runner = fakeRunner({
      respond: () => ok('Authentication Token is:\nalice:0a1b2c3d4e5f60718293a4b5c6d7e8f901234567\n'),
    });
    const t = await createLoginToken(service, 3600, { runner });
    expect(t).toEqual({ username: 'alice', token: '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567', expiresInSeconds: 3600 });
    const call = only(runner.calls);
    expect(call.argv).toEqual(['oneuser', 'token-create', '--time', '3600', '--force']);
    expect(call.opts.env?.ONE_AUTH).not.toBe('/home/backstone/.one/one_auth');
    expect(Object.keys(call.tempFiles)).toEqual([call.opts.env?.ONE_AUTH]);
    expect(redact('0a1b2c3d4e5f60718293a4b5c6d7e8f901234567')).toBe('[REDACTED]');
    await expect(createLoginToken(alice, 0, { runner })).rejects.toThrow(RangeError);
  });

  it('token-delete authenticates with the token itself and names it in argv by a short hint only', async () => {
    const token = 'f0e1d2c3b4a5968778695a4b3c2d1e0f00112233';
    const runner = fakeRunner({ respond: () => ok('Token removed.\n') });
    expect(await revokeLoginToken('alice', token, { runner })).toBe('revoked');
    const call = only(runner.calls);
    expect(call.argv).toEqual(['oneuser', 'token-delete', token.slice(0, 8)]);
    expect(Object.values(call.tempFiles)).toEqual([`alice:${token}`]);
    await expect(revokeLoginToken('alice', '-rf', { runner })).rejects.toThrow(/no valid OpenNebula login token/);
    expect(runner.calls).toHaveLength(1);
  });

  it('token-delete: a token OpenNebula no longer knows is already gone; an ambiguous hint gets longer', async () => {
    const token = 'f0e1d2c3b4a5968778695a4b3c2d1e0f00112233';
    const refused = fakeRunner({
      respond: () => fail("[one.user.info] User couldn't be authenticated, aborting call.\n"),
    });
    expect(await revokeLoginToken('alice', token, { runner: refused })).toBe('already-gone');
    const answers = [
      fail('', `More than one token starting with '${token.slice(0, 8)}' found.\n`, 1),
      ok('Token removed.\n'),
    ];
    const ambiguous = fakeRunner({ respond: () => answers.shift()! });
    expect(await revokeLoginToken('alice', token, { runner: ambiguous })).toBe('revoked');
    expect(ambiguous.calls.map((c) => c.argv[2])).toEqual([token.slice(0, 8), token.slice(0, 16)]);
  });

  it('token-create without a token in the output is an error', async () => {
    const runner = fakeRunner({ respond: () => ok('File exists, use --force\n') });
    await expect(createLoginToken(alice, 60, { runner })).rejects.toThrow(/did not print a token/);
  });
});

describe('failures', () => {
  const failing = (r: ReturnType<typeof fail>) => fakeRunner({ respond: () => r });

  it('maps authorization, not-found and other oned messages, without the method label', async () => {
    const na = await getVm(alice, 0, {
      runner: failing(fail('[one.vm.info] User [2] : Not authorized to perform USE VM [0].\n')),
    }).catch((e: unknown) => e);
    expect(na).toBeInstanceOf(OneNotAuthorized);
    expect(na).toMatchObject({
      code: 'AUTHORIZATION',
      message: 'OpenNebula refused the request: Not authorized to perform USE VM [0].',
    });
    const nf = await getImage(alice, 99, {
      runner: failing(fail('[one.image.info] Error getting image [99].\n')),
    }).catch((e: unknown) => e);
    expect(nf).toBeInstanceOf(OneNotFound);
    expect(nf).toMatchObject({
      objectType: 'image',
      objectId: 99,
      method: 'one.image.info',
      message: 'OpenNebula has no image with ID 99.',
    });
    const alloc = await createDatastore(service, 'NAME = x', undefined, {
      runner: failing(
        fail(`[one.datastore.allocate] Datastore template is missing the "RESTIC_PASSWORD" attribute or it's empty.\n`),
      ),
    }).catch((e: unknown) => e);
    expect(alloc).toBeInstanceOf(OneCliError);
    expect((alloc as Error).message).toBe(
      `Datastore template is missing the "RESTIC_PASSWORD" attribute or it's empty.`,
    );
  });

  it('never puts the secret in a message, and drops Ruby backtraces', async () => {
    const stderr = `/usr/lib/one/ruby/opennebula/client.rb:200:in 'call': boom for pä$$ "w0rd" $(x)\n\tfrom /usr/bin/oneuser:10:in '<main>'\n`;
    const e = await whoami(alice, { runner: failing(fail(stderr)) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OneCliError);
    expect((e as Error).message).not.toContain('w0rd');
    expect((e as Error).message).not.toContain('from /usr/bin');
  });

  it('explains a missing CLI, a missing ONE_AUTH file and an unreachable oned', async () => {
    await expect(
      listVms(service, { runner: failing(fail('env: onevm: No such file or directory', '', 127)) }),
    ).rejects.toThrow(/was not found on the front-end/);
    await expect(listVms(service, { runner: failing(fail('ONE_AUTH file not present', '', 1)) })).rejects.toThrow(
      /credentials file/,
    );
    await expect(
      listVms(service, { runner: failing(fail('Connection refused - connect(2) for "localhost" port 2633')) }),
    ).rejects.toThrow(/could not reach OpenNebula/);
    await expect(listVms(service, { runner: failing(fail('', '', 3)) })).rejects.toThrow(/exit code 3 and no message/);
  });

  it('passes transport errors from lib/exec through unchanged', async () => {
    const timeout = new TimedOut('onevm', 1000);
    const runner = fakeRunner({ respond: () => Promise.reject(timeout) });
    await expect(listVms(service, { runner })).rejects.toBe(timeout);
    await expect(listVms(alice, { runner })).rejects.toBe(timeout);
  });
});
