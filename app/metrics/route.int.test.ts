// GET /metrics against real parts (the front-end simulator, a real backup server and restic): it
// refuses a missing or wrong bearer token and reads nothing then, parses as Prometheus parses it, and
// holds the figures the pages show: the datastore's repositories and snapshots as its overview
// (/api/datastores/ID/overview) counts them, each VM's protection status as /vms (/api/vms) shows
// it, a recorded verify. One VM's name is hostile: it stays inside its label.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  resticDatastoreTemplate,
  SANDBOX_ADMIN,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
} from '@/scripts/test-support/backstone-world';
import { waitFor } from '@/sandbox/common/process';
import { createVm } from '@/sandbox/opennebula/ops/create-vm';
import { inBackup } from '@/sandbox/opennebula/ops/states';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { readDb } from '@/sandbox/opennebula/store/db';
import { cliRunner } from '@/sandbox/seed/cli-runner';
import { readOverview } from '@/lib/catalog';
import { resetConfigCache } from '@/lib/config';
import { recordCheck } from '@/lib/maintenance/check-results';
import { readVmProtection } from '@/lib/protection';
import { GET } from './route';

const TOKEN = 'metrics-test-token-5f0c2a9e71';
const HOSTILE = 'web "prod" \\ {vm_name="x"} # TYPE backstone_jobs counter';

let world: BackstoneWorld | undefined;
let dsId: number;
const vm = { hostile: -1, plain: -1, never: -1 };

beforeAll(async () => {
  world = await startBackstoneWorld('metrics', { BACKSTONE_METRICS_TOKEN: undefined });
  const paths = frontendPaths(world.stateDir);
  const cli = cliRunner(world.info);
  const file = join(world.stateDir, 'metrics.tpl');
  writeFileSync(file, resticDatastoreTemplate({ server: world.server }, { name: 'Metrics', password: 'metrics-pw' }), {
    mode: 0o600,
  });
  dsId = Number((await cli('oneadmin', 'onedatastore', ['create', file])).replace(/\D/g, ''));
  vm.hostile = await createVm(paths, { name: HOSTILE, uid: 2, disksMb: [8] });
  vm.plain = await createVm(paths, { name: 'ledger', uid: 3, disksMb: [8] });
  vm.never = await createVm(paths, { name: 'never-backed-up', uid: 3, disksMb: [8] });
  const idle = () =>
    readDb(paths)
      .vms.filter((v) => v.id === vm.hostile || v.id === vm.plain)
      .every((v) => !inBackup(v.lcmState));
  for (const id of [vm.hostile, vm.plain, vm.hostile]) {
    await cli('oneadmin', 'onevm', ['backup', String(id), '-d', String(dsId)]);
    expect(await waitFor(idle, 120_000, 100)).toBe(true);
  }
  recordCheck(dsId, String(vm.plain), { ok: false, errors: ['pack 1234abcd: damaged'], actor: 'oneadmin' });
}, 300_000);

afterAll(async () => {
  await stopBackstoneWorld(world);
});

const scrape = (authorization?: string) =>
  GET(new Request('http://127.0.0.1/metrics', authorization ? { headers: { authorization } } : {}));

function useToken(token: string | undefined) {
  if (token === undefined) delete process.env.BACKSTONE_METRICS_TOKEN;
  else process.env.BACKSTONE_METRICS_TOKEN = token;
  resetConfigCache();
}

type Families = ReturnType<typeof parsePrometheusTextFormat>;
const samples = (all: Families, name: string) => all.find((f) => f.name === name)?.metrics ?? [];
const value = (all: Families, name: string, labels: Record<string, string>) =>
  samples(all, name).find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value;

describe('GET /metrics', () => {
  it('is off (403, saying how to turn it on) without a configured token', async () => {
    useToken(undefined);
    const res = await scrape(`Bearer ${TOKEN}`);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/BACKSTONE_METRICS_TOKEN/);
  });

  it('refuses a missing or wrong token with 401 and WWW-Authenticate: Bearer', async () => {
    useToken(TOKEN);
    for (const auth of [undefined, 'Bearer wrong-token', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`]) {
      const res = await scrape(auth);
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      expect(await res.text()).not.toMatch(/backstone_/);
    }
  });

  it('holds the figures the pages show, in the Prometheus text format', async () => {
    useToken(TOKEN);
    let all: Families = [];
    // The first scrapes answer within the pages' bound with what is known; restic reads the new
    // snapshots meanwhile. Asked again until nothing is still being read.
    await expect
      .poll(
        async () => {
          const res = await scrape(`Bearer ${TOKEN}`);
          expect(res.status).toBe(200);
          expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
          all = parsePrometheusTextFormat(await res.text());
          return value(all, 'backstone_metrics_incomplete', {});
        },
        { timeout: 120_000, interval: 500 },
      )
      .toBe('0');

    const ds = { datastore_id: String(dsId) };
    const { overview } = await readOverview(SANDBOX_ADMIN, dsId, undefined, undefined, { answerWithinMs: 120_000 });
    expect(overview.totals.repositories).toBe(2);
    expect(value(all, 'backstone_datastore_repositories', ds)).toBe(String(overview.totals.repositories));
    expect(value(all, 'backstone_datastore_snapshots', ds)).toBe(String(overview.totals.snapshots));
    expect(samples(all, 'backstone_datastore_repositories')[0]?.labels?.datastore).toBe('Metrics');
    expect(Number(value(all, 'backstone_datastore_capacity_bytes', ds))).toBeGreaterThan(0);
    for (const row of overview.repositories) {
      const repo = { ...ds, repository: row.name };
      expect(value(all, 'backstone_repository_snapshots', repo)).toBe(String(row.snapshotCount));
      expect(value(all, 'backstone_repository_stored_bytes', repo)).toBe(String(row.storedBytes));
      expect(value(all, 'backstone_repository_locks', repo)).toBe('0');
    }
    const damaged = { ...ds, repository: String(vm.plain) };
    expect(value(all, 'backstone_repository_last_verify_success', damaged)).toBe('0');
    expect(value(all, 'backstone_repository_last_verify_success', { ...ds, repository: String(vm.hostile) })).toBe(
      undefined,
    );

    const report = await readVmProtection(SANDBOX_ADMIN, { answerWithinMs: 120_000 });
    const shown = report.vms.map((v) => [String(v.id), v.name, v.status]).sort();
    const scraped = samples(all, 'backstone_vm_protection_status')
      .map((m) => [m.labels!.vm_id, m.labels!.vm_name, m.labels!.status])
      .sort();
    expect(scraped).toEqual(shown);
    // The hostile name came back whole, and injected nothing.
    expect(scraped).toContainEqual([String(vm.hostile), HOSTILE, expect.any(String)]);
    expect(samples(all, 'backstone_vm_protection_status').every((m) => m.value === '1')).toBe(true);
    expect(all.filter((f) => f.name === 'backstone_jobs')).toHaveLength(1);
    expect(value(all, 'backstone_vm_last_backup_age_seconds', { vm_id: String(vm.never) })).toBe(undefined);
    expect(
      Number(value(all, 'backstone_vm_last_backup_age_seconds', { vm_id: String(vm.plain) })),
    ).toBeGreaterThanOrEqual(0);
  });
});
