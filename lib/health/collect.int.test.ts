// The health page's facts against real parts: the front-end simulator, a real backup server and
// real restic. alice and bob back up one VM each into their own repositories; bob's first image
// loses its record (an orphan snapshot, a problem of bob's only), and the last check Backstone
// recorded on alice's repository found damage. Each reader gets what concerns them: bob his orphan
// (with the repository page, maintenance being an admin's), alice nothing of bob's, and the admin
// everything, with the maintenance page as each fix.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
  resticDatastoreTemplate,
} from '@/scripts/test-support/backstone-world';
import { waitFor } from '@/sandbox/common/process';
import { createVm } from '@/sandbox/opennebula/ops/create-vm';
import { forgetImage } from '@/sandbox/opennebula/ops/delete-image';
import { inBackup } from '@/sandbox/opennebula/ops/states';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { readDb } from '@/sandbox/opennebula/store/db';
import { cliRunner } from '@/sandbox/seed/cli-runner';
import type { Reader } from '@/lib/catalog';
import { recordCheck } from '@/lib/maintenance/check-results';
import { readHealth } from './index';

const DAY = 86_400;
/** Backups in the past (pinned clock): the orphan is older than the safety window. */
const EPOCH = Date.UTC(2026, 9, 1, 8, 0, 0) / 1000;

const reader = (username: string, isAdmin = false): Reader => ({
  username,
  isAdmin,
  credential: { kind: 'user', username, secret: `sandbox-${username}` },
});
const ADMIN = reader('oneadmin', true);
const ALICE = reader('alice');
const BOB = reader('bob');
/** Long enough for restic to read every snapshot: the test is about what is shown, not how soon. */
const WAIT = { answerWithinMs: 120_000 };

let world: BackstoneWorld | undefined;
let dsId: number;
const vm = { alice: -1, bob: -1 };

beforeAll(async () => {
  world = await startBackstoneWorld('health');
  const paths = frontendPaths(world.stateDir);
  const cli = cliRunner(world.info);
  const file = join(world.stateDir, 'health.tpl');
  writeFileSync(file, resticDatastoreTemplate({ server: world.server }, { name: 'Health', password: 'health-pw' }), {
    mode: 0o600,
  });
  dsId = Number((await cli('oneadmin', 'onedatastore', ['create', file], EPOCH - DAY)).replace(/\D/g, ''));
  vm.alice = await createVm(paths, { name: 'alice-shop', uid: 2, disksMb: [8] });
  vm.bob = await createVm(paths, { name: 'bob-ledger', uid: 3, disksMb: [8] });
  const idle = () =>
    readDb(paths)
      .vms.filter((v) => v.id === vm.alice || v.id === vm.bob)
      .every((v) => !inBackup(v.lcmState));
  for (const d of [0, 1]) {
    for (const id of [vm.alice, vm.bob]) {
      await cli('oneadmin', 'onevm', ['backup', String(id), '-d', String(dsId)], EPOCH + d * DAY);
      expect(await waitFor(idle, 120_000, 100)).toBe(true);
    }
  }
  const bobImage = readDb(paths)
    .images.filter((i) => i.vms.includes(vm.bob))
    .sort((a, b) => a.id - b.id)[0]!;
  forgetImage(paths, bobImage.id);
  recordCheck(dsId, String(vm.alice), { ok: false, errors: ['pack 1234abcd: damaged'], actor: 'oneadmin' });
}, 300_000);

afterAll(async () => {
  await stopBackstoneWorld(world);
});

const mine = <T extends { datastoreId?: number }>(items: T[]) => items.filter((i) => i.datastoreId === dsId);
const summary = (items: { kind: string; repository?: string; count: number; fix?: { href: string } }[]) =>
  items.map((i) => [i.kind, i.repository, i.count, i.fix?.href]);

describe('readHealth', () => {
  it('gives the admin every problem, worst first, each with the maintenance page as its fix', async () => {
    const report = await readHealth(ADMIN, WAIT);
    expect(report.datastores.find((d) => d.id === dsId)).toMatchObject({ state: 'read', repositories: 2 });
    const alice = String(vm.alice);
    const bob = String(vm.bob);
    expect(summary(mine(report.items))).toEqual([
      ['check-failed', alice, 1, `/datastores/${dsId}/maintenance/${alice}`],
      ['orphan-snapshots', bob, 1, `/datastores/${dsId}/maintenance/${bob}`],
      ['not-verified', bob, 1, `/datastores/${dsId}/maintenance/${bob}`],
    ]);
  });

  it("gives a VM owner their own problems only, with the repository page, and nothing of another owner's", async () => {
    const bob = String(vm.bob);
    expect(summary(mine((await readHealth(BOB, WAIT)).items))).toEqual([
      ['orphan-snapshots', bob, 1, `/datastores/${dsId}/repos/${bob}`],
    ]);
    const alice = await readHealth(ALICE, WAIT);
    expect(mine(alice.items)).toEqual([]);
    expect(JSON.stringify(alice)).not.toContain('bob-ledger');
  });

  it('answers within its bound with what it knows', async () => {
    const report = await readHealth(ADMIN, { answerWithinMs: 0 });
    // Whatever the backup server says by then; never an error, never a wait for restic.
    expect(report.datastores.find((d) => d.id === dsId)).toBeDefined();
  });
});
