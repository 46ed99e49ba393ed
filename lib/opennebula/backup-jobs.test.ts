import { describe, expect, it } from 'vitest';
import type { OneCredential } from './cli';
import { cancelBackupJob, retryBackupJob, runBackupJob } from './backup-jobs';
import { OneCliError, OneNotAuthorized, OneNotFound } from './errors';
import { fail, fakeRunner, ok } from './test-support/fake-runner';

const alice: OneCredential = { kind: 'user', username: 'alice', secret: 'sandbox-alice' };
const VERBS = [
  ['backup', runBackupJob],
  ['retry', retryBackupJob],
  ['cancel', cancelBackupJob],
] as const;

describe('Backup Job run verbs', () => {
  it.each(VERBS)('%s is `onebackupjob <verb> ID`, run with the caller credentials', async (verb, fn) => {
    const runner = fakeRunner({ respond: () => ok('') });
    await fn(alice, 7, { runner });
    expect(runner.calls.map((c) => c.argv)).toEqual([['onebackupjob', verb, '7']]);
    expect(Object.values(runner.calls[0]!.tempFiles)).toEqual(['alice:sandbox-alice']);
  });

  it.each(VERBS)('%s refuses a bad ID before running anything', async (_verb, fn) => {
    const runner = fakeRunner({ respond: () => ok('') });
    for (const id of [-1, 1.5, Number.NaN]) await expect(fn(alice, id, { runner })).rejects.toThrow(RangeError);
    expect(runner.calls).toEqual([]);
  });

  it('OpenNebula reasons become typed errors', async () => {
    const answers: [string, unknown, object][] = [
      [
        '[one.backupjob.backup] Unable to execute Backup Job, pending backups in progress',
        OneCliError,
        { message: 'Unable to execute Backup Job, pending backups in progress', method: 'one.backupjob.backup' },
      ],
      [
        '[one.backupjob.retry] User [2] : Not authorized to perform MANAGE BACKUPJOB [0].',
        OneNotAuthorized,
        { kind: 'forbidden', method: 'one.backupjob.retry' },
      ],
      [
        '[one.backupjob.cancel] Error getting backup job [9].',
        OneNotFound,
        { objectType: 'backup job', objectId: 9, kind: 'not-found' },
      ],
    ];
    for (const [stderr, type, shape] of answers) {
      const runner = fakeRunner({ respond: () => fail(`${stderr}\n`) });
      const e = await runBackupJob(alice, 9, { runner }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(type);
      expect(e).toMatchObject(shape);
    }
  });
});
