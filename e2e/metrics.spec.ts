/*
 * Issue 26, metrics: GET /metrics on the real app over HTTP against the seeded sandbox. Prometheus
 * has no session: the bearer token (the sandbox app's BACKSTONE_METRICS_TOKEN) is the check, and a
 * missing or wrong one is refused with 401 and WWW-Authenticate. The figures equal what the pages'
 * own routes answer an admin: the datastore's repository and snapshot counts
 * (/api/datastores/100/overview) and each VM's protection status (/api/vms). The stale lock is
 * this test's own (the seed's may already be gone: the maintenance spec removes it on this worker).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { holdExclusiveLock } from '../sandbox/backup-server/test-locks';
import type { BackupServerInfo } from '../sandbox/common/info';
import { SANDBOX_METRICS_TOKEN } from '../scripts/app-server';
import { expect, addSession, test } from './fixtures';
import { datastorePassword } from './support/restic-local';
import { loadSandbox } from './sandbox-env';

const DS = 100;

type Families = ReturnType<typeof parsePrometheusTextFormat>;
const samples = (all: Families, name: string) => all.find((f) => f.name === name)?.metrics ?? [];
const value = (all: Families, name: string, labels: Record<string, string>) =>
  samples(all, name).find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value;

function serverInfo(): BackupServerInfo {
  return (
    JSON.parse(readFileSync(join(loadSandbox().stateDir, 'info.json'), 'utf8')) as { backupServer: BackupServerInfo }
  ).backupServer;
}

const lockFiles = (repoPath: string) => readdirSync(join(repoPath, 'locks')).filter((f) => /^[0-9a-f]{64}$/.test(f));

test('/metrics refuses a missing or wrong token, without a session or with one', async ({
  playwright,
  sandbox,
  page,
}) => {
  const anon = await playwright.request.newContext({ baseURL: sandbox.baseURL });
  for (const headers of [
    {},
    { Authorization: 'Bearer wrong-token' },
    { Authorization: SANDBOX_METRICS_TOKEN },
  ] as Record<string, string>[]) {
    const res = await anon.get('/metrics', { headers, maxRedirects: 0 });
    expect(res.status(), JSON.stringify(headers)).toBe(401);
    expect(res.headers()['www-authenticate']).toMatch(/^Bearer\b/);
    expect(await res.text()).not.toContain('backstone_');
  }
  await anon.dispose();
  // A signed-in person's session is not the token either.
  await addSession(page, 'admin');
  expect((await page.request.get('/metrics', { maxRedirects: 0 })).status()).toBe(401);
});

test('/metrics parses as Prometheus text and holds the figures the pages show', async ({
  playwright,
  sandbox,
  page,
}) => {
  test.setTimeout(240_000);
  // A restic killed while holding its exclusive lock leaves a stale lock, as a crashed backup does.
  const repo = String(sandbox.seed.vms.web);
  const repoPath = join(serverInfo().datastoresRoot, String(DS), repo);
  const before = new Set(lockFiles(repoPath));
  await (await holdExclusiveLock(serverInfo(), repoPath, datastorePassword(DS))).kill9();
  const planted = lockFiles(repoPath).filter((f) => !before.has(f));
  expect(planted).toHaveLength(1);
  try {
    await scrapeAndCompare();
  } finally {
    // Later specs on this worker back this VM up: a stale exclusive lock would stop them.
    for (const f of planted) rmSync(join(repoPath, 'locks', f), { force: true });
  }

  async function scrapeAndCompare() {
    await addSession(page, 'admin');
    const scraper = await playwright.request.newContext({
      baseURL: sandbox.baseURL,
      extraHTTPHeaders: { Authorization: `Bearer ${SANDBOX_METRICS_TOKEN}` },
    });

    type Overview = {
      totals: { repositories: number; snapshots: number };
      pending: number;
      freshness: { state: string };
    };
    let overview: Overview | undefined;
    // Both answer within the pages' bound with what is known; asked again until all is read.
    await expect
      .poll(
        async () => {
          const res = await page.request.get(`/api/datastores/${DS}/overview`);
          overview = (await res.json()) as Overview;
          return overview.pending === 0 && overview.freshness.state === 'fresh';
        },
        { timeout: 180_000, intervals: [1_000] },
      )
      .toBe(true);
    const ds = { datastore_id: String(DS) };
    let all: Families = [];
    await expect
      .poll(
        async () => {
          const res = await scraper.get('/metrics');
          expect(res.status()).toBe(200);
          expect(res.headers()['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
          all = parsePrometheusTextFormat(await res.text());
          const incomplete = value(all, 'backstone_metrics_incomplete', {});
          const ours = { ...ds, repository: repo };
          const locks = value(all, 'backstone_repository_locks', ours);
          // restic's verdict on the lock (its PID is gone) may come a scrape later than the lock file.
          const stale = value(all, 'backstone_repository_stale_locks', ours);
          return `incomplete ${incomplete}, locks ${locks}, stale ${stale}`;
        },
        { timeout: 180_000, intervals: [1_000] },
      )
      .toBe(`incomplete 0, locks ${before.size + 1}, stale ${before.size + 1}`);

    expect(overview!.totals.repositories).toBeGreaterThan(0);
    expect(value(all, 'backstone_datastore_repositories', ds)).toBe(String(overview!.totals.repositories));
    expect(value(all, 'backstone_datastore_snapshots', ds)).toBe(String(overview!.totals.snapshots));

    const vms = (await (await page.request.get('/api/vms')).json()) as {
      vms: { id: number; name: string; status: string }[];
    };
    const shown = vms.vms.map((v) => [String(v.id), v.name, v.status]).sort();
    const scraped = samples(all, 'backstone_vm_protection_status')
      .map((m) => [m.labels!.vm_id!, m.labels!.vm_name!, m.labels!.status!])
      .sort();
    expect(shown.length).toBeGreaterThan(0);
    expect(scraped).toEqual(shown);
    await scraper.dispose();
  }
});
