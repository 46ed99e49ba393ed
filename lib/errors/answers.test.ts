import { describe, expect, it } from 'vitest';
import { NotAResticDatastore } from '@/lib/catalog/access';
import { TooManyDownloads } from '@/lib/catalog/download-slots';
import { RepositoryNotFound } from '@/lib/catalog/repository';
import { StillReading } from '@/lib/catalog/shared-reads';
import { ChainBroken } from '@/lib/catalog/snapshot-chain';
import { Qcow2HeaderError } from '@/lib/catalog/snapshot-qcow2-header';
import { SnapshotNotVisible } from '@/lib/catalog/snapshot-resolve';
import { VmXmlUnreadable } from '@/lib/catalog/snapshot-vm-xml';
import {
  AuthFailed,
  Busy,
  Canceled,
  CommandFailed,
  HostKeyChanged,
  HostKeyUnknown,
  OutputTooLarge,
  TimedOut,
  Unreachable,
} from '@/lib/exec/errors';
import { RestoreRefused } from '@/lib/jobs/restore-server';
import { JobFailed } from '@/lib/jobs/runner';
import { registerSecret } from '@/lib/log/redact';
import { MaintenanceRefused } from '@/lib/maintenance/errors';
import { OneCredentialError } from '@/lib/opennebula/cli';
import {
  cliFailure,
  OneAuthenticationFailed,
  OneCliError,
  OneNotAuthorized,
  OneNotFound,
} from '@/lib/opennebula/errors';
import { OneXmlError } from '@/lib/opennebula/xml';
import {
  classifyFailure,
  NoRepository,
  RepositoryLocked,
  ResticFailed,
  SnapshotNotFound,
  WrongPassword,
} from '@/lib/restic/errors';
import { ResticOutputError } from '@/lib/restic/parse';
import { TemplateSyntaxError, TemplateValueError } from '@/lib/schemas/template-syntax';
import {
  isExpectedError,
  toActionState,
  toResponse,
  UNEXPECTED_ACTION,
  UNEXPECTED_REQUEST,
  type ExpectedError,
} from '.';

const body = async (res: Response) => (await res.json()) as Record<string, unknown>;

// Every adapter and domain error, with the HTTP status route handlers answered it with before
// the contract (and pages, actions and sections still show its message).
const CASES: [ExpectedError, number][] = [
  [new Unreachable('backup-1', 'connect ECONNREFUSED'), 502],
  [new HostKeyUnknown('backup-1', 'SHA256:abc', 'backup-1 ssh-ed25519 AAAA'), 502],
  [new HostKeyChanged('backup-1', 'SHA256:abc'), 502],
  [new AuthFailed('backup-1', 'oneadmin'), 502],
  [new TimedOut('restic snapshots', 30_000), 502],
  [new Canceled('restic'), 502],
  [new CommandFailed('rsync', 23, 'some error'), 502],
  [new OutputTooLarge('restic', 1024), 502],
  [new Busy('backup-1', 30), 503],
  [new RepositoryLocked('/r', { pid: 7, host: 'h', user: 'u', exclusive: true }), 502],
  [new WrongPassword('/r'), 502],
  [new NoRepository('/r'), 502],
  [new SnapshotNotFound('/r', 'abcd1234'), 502],
  [new ResticFailed('check', 1, 'Fatal: boom'), 502],
  [new ResticOutputError('restic snapshots did not print JSON'), 502],
  [new OneAuthenticationFailed(), 502],
  [new OneNotAuthorized('not authorized to perform USE VM [0].'), 404],
  [new OneNotFound('image', 9), 404],
  [new OneCliError('onevm failed: x', 255), 502],
  [new OneXmlError('expected <VM> XML, got <IMAGE>'), 502],
  [new OneCredentialError('Invalid credentials: bad.'), 400],
  [new RepositoryNotFound('There is no repository 42 in datastore 100.'), 404],
  [new SnapshotNotVisible('There is no snapshot abcd1234 in repository 42.'), 404],
  [new NotAResticDatastore('Datastore 1 is not a restic backup datastore.'), 409],
  [new ChainBroken('Snapshot abcd1234 is not part of an increment chain.'), 409],
  [new TooManyDownloads('user', 2, 'backup-1'), 429],
  [new StillReading('Still reading datastore 100 from the backup server.'), 503],
  [new VmXmlUnreadable('vm.xml does not hold a VM'), 502],
  [new Qcow2HeaderError('unknown qcow2 version 4'), 502],
  [new RestoreRefused('The target exists.'), 409],
  [new MaintenanceRefused('A backup is running.'), 409],
  [new JobFailed('OpenNebula restored no image.'), 502],
  [new TemplateSyntaxError('expected "="', 3), 400],
  [new TemplateValueError('NAME', 'names may only use letters, digits and _'), 400],
];

describe('every adapter and domain error is an ExpectedError', () => {
  it.each(CASES.map(([e, status]) => [e.name, e, status] as const))('%s answers %i', (_name, e, status) => {
    expect(isExpectedError(e)).toBe(true);
    expect(e.status).toBe(status);
    expect(toResponse(e).status).toBe(status);
    expect(toActionState(e)).toEqual({ status: 'failed', message: e.userMessage });
  });

  it('keeps the words actions and the wizard showed before', () => {
    expect(new RepositoryNotFound('There is no repository 42 in datastore 100.').userMessage).toBe(
      'There is no such repository.',
    );
    expect(new TemplateValueError('NAME', 'names may only use letters, digits and _').userMessage).toBe(
      'OpenNebula cannot store NAME: names may only use letters, digits and _.',
    );
    expect(new OneCredentialError('Invalid credentials: x.').userMessage).toBe(
      'Your OpenNebula session cannot be used for this. Sign in again.',
    );
    expect(new OneNotFound('image', 99).userMessage).toBe('OpenNebula has no image with ID 99.');
  });

  it("shows what could not be read, never restic's raw output or a qcow2 parser's words alone", () => {
    const e = new ResticOutputError("unexpected 'restic version' output", 'garbage from /var/lib/one/x');
    expect(e.message).toContain('garbage');
    expect(e.userMessage).toBe("restic's answer could not be read: unexpected 'restic version' output.");
    expect(new Qcow2HeaderError('unknown qcow2 version 4').userMessage).toBe(
      "The disk's qcow2 header could not be read: unknown qcow2 version 4.",
    );
  });
});

describe('toResponse', () => {
  it('a download over a limit: 429 with Retry-After and a clear message, nothing else', async () => {
    const res = toResponse(new TooManyDownloads('user', 2, 'backup-1'));
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBe('30');
    const b = await body(res);
    expect(Object.keys(b)).toEqual(['error']);
    expect(b.error).toMatch(/You already have 2 downloads running/);
    const server = toResponse(new TooManyDownloads('server', 6, 'backup-1'));
    expect(server.status).toBe(429);
    expect((await body(server)).error).toMatch(/backup-1 is already serving 6 downloads/);
  });

  it('bulk work refused by a full queue, or a read not answered yet: 503 with Retry-After', async () => {
    const busy = toResponse(new Busy('backup-1', 30));
    expect(busy.status).toBe(503);
    expect(busy.headers.get('Retry-After')).toBe('30');
    const reading = toResponse(new StillReading('Still reading datastore 100 from the backup server.'));
    expect(reading.status).toBe(503);
    expect(reading.headers.get('Retry-After')).toBe('2');
    expect(await body(reading)).toEqual({ error: 'Still reading datastore 100 from the backup server.' });
  });

  it('only refusals for now carry Retry-After', () => {
    for (const [e] of CASES)
      expect(toResponse(e).headers.get('Retry-After') !== null).toBe(e.status === 429 || e.status === 503);
  });

  it('not found and refused alike say only "Not found." (no hint whether it exists)', async () => {
    for (const e of [
      new OneNotFound('datastore', 100),
      new OneNotAuthorized('not authorized to perform USE DATASTORE [100].'),
      new RepositoryNotFound('There is no repository 42 in datastore 100.'),
      new SnapshotNotVisible('There is no snapshot abcd1234 in repository 42.'),
    ]) {
      const res = toResponse(e);
      expect(res.status).toBe(404);
      expect(await body(res)).toEqual({ error: 'Not found.' });
    }
  });

  it('other command failures stay 502 with their message', async () => {
    const res = toResponse(new Canceled('restic'));
    expect(res.status).toBe(502);
    expect(await body(res)).toEqual({ error: 'restic was canceled.' });
  });

  it('an unexpected failure is a plain 500 that tells nothing of it', async () => {
    const res = toResponse(new Error('ENOENT: /var/lib/one/.one/one_auth password=hunter2'));
    expect(res.status).toBe(500);
    expect(await body(res)).toEqual({ error: UNEXPECTED_REQUEST });
    expect((await body(toResponse('a string'))).error).toBe(UNEXPECTED_REQUEST);
  });
});

describe('toActionState', () => {
  it('an expected failure is a failed state with the message a person reads', () => {
    expect(toActionState(new MaintenanceRefused('A backup of VM 3 is running; try again when it ends.'))).toEqual({
      status: 'failed',
      message: 'A backup of VM 3 is running; try again when it ends.',
    });
    expect(toActionState(new RepositoryNotFound('There is no repository 42 in datastore 100.'))).toEqual({
      status: 'failed',
      message: 'There is no such repository.',
    });
  });

  it('an unexpected failure gets the generic message (or the one given), never its own', () => {
    const err = new TypeError("Cannot read properties of undefined (reading 'secret')");
    expect(toActionState(err)).toEqual({ status: 'failed', message: UNEXPECTED_ACTION });
    expect(toActionState(err, 'Creating the datastore failed unexpectedly.')).toEqual({
      status: 'failed',
      message: 'Creating the datastore failed unexpectedly.',
    });
  });
});

describe('messages never carry internals', () => {
  it('a password, argv or a backtrace in stderr does not reach the message', () => {
    const password = 'S3cret-restic-pass';
    registerSecret(password);
    const stderr = [
      `restic -r sftp:backup@host:/repo --password-file /dev/stdin snapshots`,
      `/usr/lib/one/ruby/cli.rb:12:in 'run'`,
      `Fatal: unable to open repository with password ${password}`,
    ].join('\n');
    const messages = [
      new CommandFailed('restic', 1, stderr).userMessage,
      new ResticFailed('snapshots', 1, stderr).userMessage,
      classifyFailure('snapshots', '/repo', 1, '', stderr).userMessage,
      cliFailure('onedatastore', 255, `[one.datastore.info] ${password} failed\nfrom /x.rb:1:in 'y'`, '', [password])
        .userMessage,
    ];
    for (const m of messages) {
      expect(m).not.toContain(password);
      expect(m).not.toContain('--password-file');
      expect(m).not.toContain('.rb:');
      expect(m.split('\n')).toHaveLength(1);
      expect(m.length).toBeLessThan(500);
    }
  });

  it('a command is named by its program, never its arguments', () => {
    expect(new CommandFailed('rsync', 23, '').userMessage).toBe('rsync exited with code 23');
    expect(new OutputTooLarge('restic', 1024).userMessage).not.toMatch(/--/);
  });
});
