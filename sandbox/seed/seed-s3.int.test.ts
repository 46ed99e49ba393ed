// The demo's S3 part: the datastore, its VMs' backups and a stale lock on the sandbox's S3 server,
// re-seeded after the S3 server restarts empty, and the S3 server stopped with the sandbox.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, run } from '../common/process';
import { stopComponent } from '../common/pids';
import { sandboxPaths } from '../common/state';
import { sandboxInfo, stopSandbox } from '../status';
import { frontendPaths } from '../opennebula/paths';
import { readConfig } from '../opennebula/config';
import { readDb } from '../opennebula/store/db';
import { getValue } from '../opennebula/template/template';
import type { SandboxS3Info } from '../s3-server/component';
import { S3_BUCKET, S3_DS_NAME, seedS3Datastore, type S3SeedReport } from './seed-s3';

let stateDir: string;
let first: S3SeedReport;
const paths = () => frontendPaths(stateDir);
const s3Info = () => (sandboxInfo(stateDir) as { s3Server?: SandboxS3Info }).s3Server!;

function restic(repoId: string, ...args: string[]) {
  const s3 = s3Info();
  const pw = join(stateDir, 'test-pw');
  writeFileSync(pw, 'sandbox-restic-s3-pw', { mode: 0o600 });
  return run(
    readConfig(paths()).restic,
    ['-o', 's3.bucket-lookup=path', '-r', `s3:${s3.endpoint}/${S3_BUCKET}/${repoId}`, '--no-cache', ...args],
    {
      env: {
        PATH: process.env.PATH,
        HOME: stateDir,
        RESTIC_PASSWORD_FILE: pw,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
      timeoutMs: 120_000,
    },
  );
}

const imagesOf = (dsId: number) => readDb(paths()).images.filter((i) => i.datastoreId === dsId);

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'backstone-seed-s3-'));
  chmodSync(stateDir, 0o755);
  first = await seedS3Datastore(stateDir, Date.UTC(2026, 9, 1, 8) / 1000);
}, 300_000);

afterAll(async () => {
  await stopSandbox(stateDir);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('the S3 part of the demo seed', () => {
  it('makes an S3 datastore with two VMs backed up into it and a stale lock', async () => {
    expect(first.seeded).toBe(true);
    const ds = readDb(paths()).datastores.find((d) => d.id === first.datastoreId)!;
    expect(ds.name).toBe(S3_DS_NAME);
    expect(getValue(ds.template, 'RESTIC_BACKEND')).toBe('S3');
    expect(imagesOf(ds.id)).toHaveLength(3);
    expect(ds.usedMb).toBe(imagesOf(ds.id).reduce((a, i) => a + i.size, 0));
    const web = await restic(String(first.vms.web), 'snapshots', '--json', '--no-lock');
    expect(web.code, web.stderr).toBe(0);
    expect(JSON.parse(web.stdout)).toHaveLength(2);
    const locks = await restic(String(first.vms.web), 'list', 'locks', '--no-lock');
    expect(locks.stdout.trim().split('\n')).toHaveLength(1);
    const app = await restic(String(first.vms.app), 'snapshots', '--json', '--no-lock');
    expect(JSON.parse(app.stdout)).toHaveLength(1);
  });

  it('leaves a seeded state as it is while the S3 server runs', async () => {
    const again = await seedS3Datastore(stateDir, Date.UTC(2026, 9, 1, 8) / 1000);
    expect(again).toMatchObject({ seeded: false, datastoreId: first.datastoreId, vms: first.vms });
  });

  it('re-seeds after the S3 server restarted empty: new endpoint and key, same datastore and VMs', async () => {
    const before = s3Info();
    const oldImages = imagesOf(first.datastoreId).map((i) => i.id);
    expect(await stopComponent(sandboxPaths(stateDir), 's3-server')).toBe(true);
    const again = await seedS3Datastore(stateDir, Date.UTC(2026, 9, 1, 8) / 1000);
    expect(again).toMatchObject({ seeded: true, datastoreId: first.datastoreId, vms: first.vms });
    const after = s3Info();
    expect(after.accessKeyId).not.toBe(before.accessKeyId);
    const ds = readDb(paths()).datastores.find((d) => d.id === first.datastoreId)!;
    expect(getValue(ds.template, 'RESTIC_S3_ENDPOINT')).toBe(after.endpoint);
    expect(getValue(ds.template, 'RESTIC_S3_ACCESS_KEY_ID')).toBe(after.accessKeyId);
    const images = imagesOf(ds.id);
    expect(images).toHaveLength(3);
    expect(images.some((i) => oldImages.includes(i.id))).toBe(false);
    const web = await restic(String(first.vms.web), 'snapshots', '--json', '--no-lock');
    expect(JSON.parse(web.stdout)).toHaveLength(2);
  });

  it('stops the S3 server with the sandbox', async () => {
    const pid = sandboxInfo(stateDir).components['s3-server']?.pid;
    expect(pid).toBeDefined();
    expect(await stopSandbox(stateDir)).toContain('s3-server');
    expect(isAlive(pid!)).toBe(false);
  });
});
