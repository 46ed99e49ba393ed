/*
 * Issue 26, metrics: GET /metrics on the real app over HTTP against the seeded sandbox. Prometheus
 * has no session: the bearer token (the sandbox app's BACKSTONE_METRICS_TOKEN) is the check, and a
 * missing or wrong one is refused with 401 and WWW-Authenticate. The figures equal what the pages'
 * own routes answer an admin: the datastore's repository and snapshot counts
 * (/api/datastores/100/overview) and each VM's protection status (/api/vms).
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { SANDBOX_METRICS_TOKEN } from '../scripts/app-server';
import { expect, signIn, test } from './fixtures';

const DS = 100;

type Families = ReturnType<typeof parsePrometheusTextFormat>;
const samples = (all: Families, name: string) => all.find((f) => f.name === name)?.metrics ?? [];
const value = (all: Families, name: string, labels: Record<string, string>) =>
  samples(all, name).find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value;

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
  await signIn(page, 'admin');
  expect((await page.request.get('/metrics', { maxRedirects: 0 })).status()).toBe(401);
});

test('/metrics parses as Prometheus text and holds the figures the pages show', async ({
  playwright,
  sandbox,
  page,
}) => {
  test.setTimeout(240_000);
  await signIn(page, 'admin');
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
  let all: Families = [];
  await expect
    .poll(
      async () => {
        const res = await scraper.get('/metrics');
        expect(res.status()).toBe(200);
        expect(res.headers()['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
        all = parsePrometheusTextFormat(await res.text());
        return value(all, 'backstone_metrics_incomplete', {});
      },
      { timeout: 180_000, intervals: [1_000] },
    )
    .toBe('0');

  const ds = { datastore_id: String(DS) };
  expect(overview!.totals.repositories).toBeGreaterThan(0);
  expect(value(all, 'backstone_datastore_repositories', ds)).toBe(String(overview!.totals.repositories));
  expect(value(all, 'backstone_datastore_snapshots', ds)).toBe(String(overview!.totals.snapshots));
  // The seed leaves one stale lock.
  expect(samples(all, 'backstone_repository_locks').some((m) => Number(m.value) > 0)).toBe(true);

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
});
