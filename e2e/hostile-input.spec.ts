/*
 * Hostile input (issue 12, part 1): a corpus of nearly 300 strings (shell metacharacters, quotes,
 * newlines, NUL, unicode, very long, path traversal, OpenNebula template syntax, XML) goes through
 * every route parameter, every server action argument and every form field, over HTTP as a browser
 * or an attacker would send it: in bulk, a few requests at a time, with the signed-in cookie and
 * React's own action encoding, no browser page per value. Nothing answers 500, no command runs (the
 * canary file that every command payload would create never appears), every refusal says what was
 * wrong, and OpenNebula's state is unchanged except where a value was accepted — and then only in
 * the field it was sent in.
 */
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStringPromise } from 'xml2js';
import { FREE_TEXT_FIELDS, hostileCorpus } from '../scripts/test-support/hostile-corpus';
import { test, expect, sessionCookie } from './fixtures';
import { builtAction, builtActions, builtRouteHandlers } from './support/build-manifest';
import { cloudState, one, oneAsync } from './support/one-cli';
import { callAction, formOf, mapLimit, type ActionReply } from './support/server-actions';
import { loadSandbox } from './sandbox-env';
import { RESTIC_FIELDS } from '../lib/schemas/datastore-fields';
import { S3_PREFLIGHT_FIELDS } from '../lib/schemas/datastore-preflight';

const CANARY = join(tmpdir(), `backstone-canary-${process.pid}`);
const corpus = (valid: string) => hostileCorpus(CANARY, valid, 'sample');
const CONCURRENCY = 6;

/**
 * Free-text fields (names, passwords, hosts, paths, confirmations a person types) and the route
 * parameters no unit test covers get every second value of the corpus at the first place their name
 * is met; every other place gets every sixth value. Both span every family of the corpus (they are
 * contiguous: commands, quotes, newlines, NUL, unicode, long, traversal, template, XML, numbers, IDs,
 * misc, then the wrapped ones). Every string of the corpus, at every free-text field, meets the
 * schemas in lib/schemas/hostile-boundary.test.ts, the template writer in
 * lib/schemas/template-syntax.test.ts and the quoter in lib/exec/quote.test.ts, where the value
 * itself is judged; here the wiring is (the action or route uses that schema, nothing runs, a clear
 * refusal, an accepted value lands verbatim). Closed fields and parameters (IDs, numbers, choices,
 * checkboxes, hex snapshot IDs) meet the full corpus at their schemas only. The full corpus at every
 * place was most of the suite's time; at the free-text places, a third of this file's.
 */
const HALF_AT_FIRST_PLACE = new Set([...FREE_TEXT_FIELDS.map((f) => `action:${f}`), 'api:file', 'api:disk']);
let firstPlaces: Map<string, string> | undefined;
function corpusAt(kind: string, place: string, valid: string): string[] {
  // From the static lists, in their order (not from which test a worker happens to run first).
  if (!firstPlaces) {
    firstPlaces = new Map();
    for (const r of ROUTES)
      for (const p of Object.keys(r.params)) {
        const k = `${r.api ? 'api' : 'page'}:${p}`;
        if (!firstPlaces.has(k)) firstPlaces.set(k, r.template);
      }
    for (const [name, c] of Object.entries(ACTIONS))
      for (const f of c.fields()) if (!firstPlaces.has(`action:${f}`)) firstPlaces.set(`action:${f}`, name);
  }
  const all = corpus(valid);
  if (!HALF_AT_FIRST_PLACE.has(kind) || firstPlaces.get(kind) !== place) return all.filter((_, i) => i % 6 === 0);
  return halfOf(all);
}
const HALF_CORPUS = 140;
const SAMPLED_CORPUS = 45;

/** Every second value of the corpus: what a free-text field or parameter gets where first met. */
function halfOf(all: string[]): string[] {
  const half = all.filter((_, i) => i % 2 === 0);
  expect(half.length).toBeGreaterThanOrEqual(HALF_CORPUS);
  return half;
}

/**
 * Percent-encodes every byte but letters, digits, '-' and '_' (a lone surrogate becomes U+FFFD, as
 * in any browser). Dots are encoded too: a client would otherwise resolve "/.." itself.
 */
function encodeSegment(v: string): string {
  let out = '';
  for (const b of Buffer.from(v, 'utf8'))
    out += /[A-Za-z0-9_-]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

// Every test here stands alone (each checks its own sandbox before and after): Playwright spreads
// them over the workers, each with its own sandbox, instead of running ~35 bulk tests in one.
test.describe.configure({ mode: 'parallel' });

let admin = '';
const DS = 100;
let web = '';
let snap = '';
let other = '';
let webImages: number[] = [];

test.beforeAll(async () => {
  test.setTimeout(180_000);
  rmSync(CANARY, { force: true });
  admin = await sessionCookie('admin');
  const s = loadSandbox();
  web = String(s.seed.vms.web);
  type Detail = { snapshots?: { id: string }[]; chains?: { imageId: number }[] };
  let detail: Detail = {};
  // A fresh sandbox (this file may be a worker's first) lists the repository once its catalog is read.
  await expect
    .poll(
      async () => {
        const res = await fetch(`${s.baseURL}/api/datastores/${DS}/repos/${web}`, { headers: { Cookie: admin } });
        detail = res.ok ? ((await res.json()) as Detail) : {};
        return Math.min(detail.chains?.length ?? 0, (detail.snapshots?.length ?? 0) - 1);
      },
      { timeout: 120_000, intervals: [250, 500, 1_000] },
    )
    .toBeGreaterThan(0);
  webImages = detail.chains!.map((c) => c.imageId);
  const ids = detail.snapshots!.map((x) => x.id);
  [snap, other] = [ids.at(-1)!, ids[0]!];
});

test.afterEach(() => {
  expect(existsSync(CANARY), `a command ran: ${CANARY} exists`).toBe(false);
});

// ---- Route parameters ---------------------------------------------------------------------------

type Param = { valid: () => string; /** What the route's own schema accepts: such values may render. */ legal: RegExp };
const P = {
  id: { valid: () => String(DS), legal: /^\d{1,9}$/ },
  repo: { valid: () => web, legal: /^(\d{1,9}|job_\d{1,9})$/ },
  snap: { valid: () => snap, legal: /^[0-9a-f]{8,64}$/ },
  other: { valid: () => other, legal: /^[0-9a-f]{8,64}$/ },
  file: { valid: () => 'vm.xml', legal: /^(?!\.)[A-Za-z0-9._-]{1,128}$/ },
  disk: { valid: () => '0', legal: /^\d{1,4}$/ },
  job: { valid: () => '1', legal: /^\d{1,9}$/ },
  vm: { valid: () => web, legal: /^\d{1,10}$/ },
} satisfies Record<string, Param>;

const SNAP_API = '/api/datastores/[id]/repos/[repo]/snapshots/[snap]';
const ROUTES: { template: string; params: Record<string, Param>; api: boolean }[] = [
  { template: '/datastores/[id]', params: { id: P.id }, api: false },
  { template: '/datastores/[id]/repos/[repo]', params: { id: P.id, repo: P.repo }, api: false },
  {
    template: '/datastores/[id]/repos/[repo]/snapshots/[snap]',
    params: { id: P.id, repo: P.repo, snap: P.snap },
    api: false,
  },
  { template: '/datastores/[id]/maintenance/[repo]', params: { id: P.id, repo: P.repo }, api: false },
  { template: '/jobs/[id]', params: { id: P.job }, api: false },
  { template: '/backup-jobs/[id]', params: { id: P.job }, api: false },
  { template: '/vms/[id]', params: { id: P.vm }, api: false },
  { template: '/api/datastores/[id]/capacity', params: { id: P.id }, api: true },
  { template: '/api/datastores/[id]/overview', params: { id: P.id }, api: true },
  { template: '/api/datastores/[id]/repos/[repo]', params: { id: P.id, repo: P.repo }, api: true },
  { template: SNAP_API, params: { id: P.id, repo: P.repo, snap: P.snap }, api: true },
  { template: `${SNAP_API}/files`, params: { id: P.id, repo: P.repo, snap: P.snap }, api: true },
  { template: `${SNAP_API}/vm-xml`, params: { id: P.id, repo: P.repo, snap: P.snap }, api: true },
  { template: `${SNAP_API}/diff/[other]`, params: { id: P.id, repo: P.repo, snap: P.snap, other: P.other }, api: true },
  {
    template: `${SNAP_API}/download/[file]`,
    params: { id: P.id, repo: P.repo, snap: P.snap, file: P.file },
    api: true,
  },
  {
    template: `${SNAP_API}/flattened/[disk]`,
    params: { id: P.id, repo: P.repo, snap: P.snap, disk: P.disk },
    api: true,
  },
  { template: '/api/jobs/[id]', params: { id: P.job }, api: true },
];

test('the list of routes below covers every dynamic route handler in the build', () => {
  const dynamic = builtRouteHandlers()
    .filter((r) => /\/1(\/|$)/.test(r))
    .sort();
  const covered = ROUTES.filter((r) => r.api)
    .map((r) => r.template.replace(/\[[^\]]+\]/g, '1'))
    .sort();
  expect(covered).toEqual(dynamic);
});

for (const route of ROUTES) {
  test(`${route.template}: every hostile parameter is a 404 and runs nothing`, async () => {
    test.setTimeout(300_000);
    const base = loadSandbox().baseURL;
    const failures: string[] = [];
    let sent = 0;
    for (const [name, param] of Object.entries(route.params)) {
      const values = corpusAt(`${route.api ? 'api' : 'page'}:${name}`, route.template, param.valid());
      expect(values.length).toBeGreaterThanOrEqual(SAMPLED_CORPUS);
      await mapLimit(values, CONCURRENCY, async (value) => {
        const path = route.template.replace(/\[([^\]]+)\]/g, (_, p: string) =>
          encodeSegment(p === name ? value : route.params[p]!.valid()),
        );
        const res = await fetch(base + path, { headers: { Cookie: admin }, redirect: 'manual' });
        const body = await res.text();
        sent++;
        const legal = param.legal.test(value);
        // "", "." and ".." are not values but path syntax: the URL layer resolves them to another page.
        const pathSyntax = value === '' || value === '.' || value === '..';
        // A request line too long for Node's HTTP parser is refused before the app sees it.
        const tooLong = res.status === 414 || res.status === 431;
        const clear = route.api
          ? body.includes('"error"')
          : body.includes('There is nothing at this address') || body.includes('Not found');
        if (res.status >= 500 || (!legal && !pathSyntax && !tooLong && (res.status !== 404 || !clear)))
          failures.push(`${name}=${JSON.stringify(value).slice(0, 80)} -> ${res.status} ${body.slice(0, 120)}`);
      });
    }
    expect(sent).toBeGreaterThanOrEqual(SAMPLED_CORPUS);
    expect(failures).toEqual([]);
  });
}

test('hostile query strings render the page or its own clear answer, never a 500', async () => {
  test.setTimeout(300_000);
  const base = loadSandbox().baseURL;
  // As for route parameters: every second value where a free-text parameter (next, q) is first
  // met, every sixth value elsewhere (a snapshot ID, choices, q again on the list's JSON).
  const pages: { url: (v: string) => string; freeText: boolean }[] = [
    {
      url: (v) => `/datastores/${DS}/repos/${web}/snapshots/compare?from=${encodeSegment(v)}&to=${other}`,
      freeText: false,
    },
    { url: (v) => `/login?next=${encodeSegment(v)}`, freeText: true },
    // The VMs list and its JSON: every search parameter at once (a bad one is a clear message or a 400).
    { url: (v) => `/vms?q=${encodeSegment(v)}&status=${encodeSegment(v)}&sort=${encodeSegment(v)}`, freeText: true },
    { url: (v) => `/vms?dir=${encodeSegment(v)}&q=${encodeSegment(v)}`, freeText: false },
    {
      url: (v) =>
        `/api/vms?q=${encodeSegment(v)}&status=${encodeSegment(v)}&sort=${encodeSegment(v)}&dir=${encodeSegment(v)}`,
      freeText: false,
    },
  ];
  const failures: string[] = [];
  for (const page of pages) {
    const values = page.freeText ? halfOf(corpus('x')) : corpus('x').filter((_, i) => i % 6 === 0);
    expect(values.length).toBeGreaterThanOrEqual(SAMPLED_CORPUS);
    await mapLimit(values, CONCURRENCY, async (value) => {
      const res = await fetch(base + page.url(value), { headers: { Cookie: admin }, redirect: 'manual' });
      const body = await res.text();
      if (res.status >= 500) failures.push(`${page.url(value).slice(0, 100)} -> ${res.status} ${body.slice(0, 120)}`);
    });
  }
  expect(failures).toEqual([]);
});

// ---- Server actions: every argument and form field ----------------------------------------------

/** A distinct loopback source address per sign-in attempt: throttling (per address) stays out of the way. */
let addressCounter = 0;
function nextLoopbackAddress(): string {
  const n = ++addressCounter;
  return `127.77.${(n >> 8) & 255}.${n & 255}`;
}

let nobodyCounter = 0;

/** A backup image of the datastore that is not one of web's (looked up once: a CLI call each time is slow). */
let otherImageId: number | undefined;
function otherImage(): number {
  otherImageId ??= imageIds().find((i) => i.type === 6 && i.datastoreId === DS && !webImages.includes(i.id))!.id;
  return otherImageId;
}

function imageIds(): { id: number; type: number; datastoreId: number }[] {
  return [...one('oneimage', 'list', '-x').matchAll(/<IMAGE>([\s\S]*?)<\/IMAGE>/g)].map((m) => ({
    id: Number(/<ID>(\d+)<\/ID>/.exec(m[1]!)![1]),
    type: Number(/<TYPE>(\d+)<\/TYPE>/.exec(m[1]!)![1]),
    datastoreId: Number(/<DATASTORE_ID>(\d+)<\/DATASTORE_ID>/.exec(m[1]!)![1]),
  }));
}

const NO_REPO = '999999';
const NOWHERE = '127.0.0.254'; // nothing listens there: a check or key scan fails at once

type Shape = 'form' | 'object' | 'value';
type ActionCase = {
  page: () => string;
  shape: Shape;
  /** Harmless values: the action parses them, then refuses (nothing exists to act on). */
  base: (field?: string) => Record<string, string | string[]>;
  fields: () => string[];
  /** Outcomes other than a refusal that are right for an accepted value. */
  acceptable?: (reply: ActionReply, field: string, value: string) => boolean;
  anonymous?: boolean;
  /** Fields whose first N accepted values create a datastore under a unique name, then checked. */
  createSample?: Record<string, number>;
  /** Fields that must repeat the fuzzed one (a confirmation), so the value itself is what is judged. */
  mirror?: Record<string, string>;
};

const maintenance =
  (extra: Record<string, string | string[]> = {}): (() => Record<string, string | string[]>) =>
  () => ({
    datastoreId: String(DS),
    repository: NO_REPO,
    ...extra,
  });
const maintenancePage = () => `/datastores/${DS}/maintenance/${web}`;
const vmPage = () => `/vms/${web}`;

/** An S3 bucket's settings where nothing listens: a check fails at once, a create is refused for its NAME. */
const s3Base = (): Record<string, string> => ({
  RESTIC_S3_ENDPOINT: `http://${NOWHERE}:9`,
  RESTIC_S3_BUCKET: 'hostile-bucket',
  RESTIC_S3_ACCESS_KEY_ID: 'HOSTILEACCESSKEY',
  RESTIC_S3_SECRET_ACCESS_KEY: 'hostile-secret-access-key',
});

const wizardBase = (field?: string): Record<string, string | string[]> => {
  const base = {
    requestId: crypto.randomUUID(),
    // Taken: OpenNebula refuses the create, so a fuzzed field other than NAME creates nothing.
    NAME: 'RBackups',
    cluster: '0',
    RESTIC_PASSWORD: 'hostile-test-password-1',
    password_confirm: 'hostile-test-password-1',
    custom_name: 'HOSTILE_NOTE',
    custom_value: 'x',
  };
  // An S3 field is fuzzed on an S3 datastore (on an SFTP one any value of it is refused as such).
  if (field?.startsWith('RESTIC_S3_') || field === 'TOTAL_MB') return { ...base, RESTIC_BACKEND: 'S3', ...s3Base() };
  return { ...base, RESTIC_SFTP_SERVER: NOWHERE, RESTIC_SFTP_USER: 'oneadmin' };
};

const ACTIONS: Record<string, ActionCase> = {
  signInAction: {
    page: () => '/login',
    shape: 'form',
    anonymous: true,
    // A fresh name each time too: a name's failures slow its later sign-ins down (lib/auth/throttle.ts).
    base: () => ({ username: `hostile-nobody-${++nobodyCounter}`, password: 'not-a-password', next: '/' }),
    fields: () => ['username', 'password', 'next'],
  },
  restoreToOpenNebulaAction: {
    page: () => `/datastores/${DS}/repos/${web}`,
    shape: 'form',
    // Into the system datastore: refused, after parsing, before any job exists.
    base: () => ({
      imageId: String(webImages[0]),
      datastoreId: '0',
      name: '',
      noNic: '',
      noIp: '',
      incrementId: '',
      diskId: '',
    }),
    fields: () => ['imageId', 'datastoreId', 'name', 'noNic', 'noIp', 'incrementId', 'diskId'],
  },
  restoreToBackupServerAction: {
    page: () => `/datastores/${DS}/repos/${web}`,
    shape: 'form',
    // A backup image of another repository (or, when the image is the field, an increment that does
    // not exist): refused after parsing, before anything is restored.
    base: (field) => ({
      datastoreId: String(DS),
      repository: web,
      imageId: String(field === 'imageId' ? webImages[0] : otherImage()),
      incrementId: field === 'imageId' ? '999' : '',
      folder: 'hostile-restore',
    }),
    fields: () => ['datastoreId', 'repository', 'imageId', 'incrementId', 'folder'],
  },
  cancelJobAction: { page: () => '/jobs', shape: 'value', base: () => ({ jobId: '999999' }), fields: () => ['jobId'] },
  // A Backup Job that does not exist: whatever passes validation is "not found" and changes nothing.
  // Datastore 0 is not a backup datastore: whatever passes validation is refused there.
  setExpectedIntervalAction: {
    page: () => `/datastores/${DS}`,
    shape: 'form',
    base: () => ({ datastoreId: '0', hours: '24' }),
    fields: () => ['datastoreId', 'hours'],
  },
  runBackupJobAction: {
    page: () => '/backup-jobs/0',
    shape: 'form',
    base: () => ({ jobId: '999999' }),
    fields: () => ['jobId'],
  },
  retryBackupJobAction: {
    page: () => '/backup-jobs/0',
    shape: 'form',
    base: () => ({ jobId: '999999' }),
    fields: () => ['jobId'],
  },
  cancelBackupJobAction: {
    page: () => '/backup-jobs/0',
    shape: 'form',
    base: () => ({ jobId: '999999', confirm: 'nightly' }),
    fields: () => ['jobId', 'confirm'],
  },
  createDatastoreAction: {
    page: () => '/datastores/new',
    shape: 'form',
    base: wizardBase,
    createSample: { RESTIC_PASSWORD: 20, custom_value: 20, RESTIC_TMP_DIR: 5 },
    mirror: { RESTIC_PASSWORD: 'password_confirm' },
    // An accepted NAME creates the datastore: its template must be the baseline's but for NAME.
    acceptable: (r) => r.redirect !== undefined && r.state === undefined,
    fields: () => [
      'requestId',
      'cluster',
      'password_confirm',
      ...RESTIC_FIELDS.map((f) => f.name),
      'custom_name',
      'custom_value',
    ],
  },
  preflightAction: {
    page: () => '/datastores/new',
    shape: 'object',
    base: () => ({ RESTIC_SFTP_SERVER: NOWHERE, RESTIC_SFTP_USER: 'oneadmin', cluster: '0' }),
    fields: () => [
      'RESTIC_SFTP_SERVER',
      'RESTIC_SFTP_USER',
      'cluster',
      'RESTIC_MAX_RIOPS',
      'RESTIC_MAX_WIOPS',
      'RESTIC_CPU_QUOTA',
      'RESTIC_MEMORY_MAX_MB',
    ],
    // A valid request gets its report: every check failed against a server that is not there.
    acceptable: (r) => r.state?.status === 'ok' && JSON.stringify(r.state.data ?? {}).includes('"fail"'),
  },
  s3PreflightAction: {
    page: () => '/datastores/new',
    shape: 'object',
    base: s3Base,
    fields: () => [...S3_PREFLIGHT_FIELDS],
    // A valid request gets its report: the endpoint check fails, nothing listens there.
    acceptable: (r) => r.state?.status === 'ok' && JSON.stringify(r.state.data ?? {}).includes('"fail"'),
  },
  trustHostKeyAction: {
    page: () => '/datastores/new',
    shape: 'object',
    base: () => ({ RESTIC_SFTP_SERVER: NOWHERE, fingerprint: `SHA256:${'A'.repeat(43)}` }),
    fields: () => ['RESTIC_SFTP_SERVER', 'fingerprint'],
  },
  removeStaleLocksAction: {
    page: maintenancePage,
    shape: 'form',
    base: maintenance(),
    fields: () => ['datastoreId', 'repository'],
  },
  removeAllLocksAction: {
    page: maintenancePage,
    shape: 'form',
    base: maintenance({ confirm: NO_REPO, override: '' }),
    fields: () => ['datastoreId', 'repository', 'confirm', 'override'],
  },
  previewPruneAction: {
    page: maintenancePage,
    shape: 'form',
    base: maintenance(),
    fields: () => ['datastoreId', 'repository'],
  },
  pruneAction: {
    page: maintenancePage,
    shape: 'form',
    base: maintenance(),
    fields: () => ['datastoreId', 'repository'],
  },
  checkAction: {
    page: maintenancePage,
    shape: 'form',
    base: maintenance({ mode: 'structure', percent: '' }),
    fields: () => ['datastoreId', 'repository', 'mode', 'percent'],
  },
  orphanForgetAction: {
    page: maintenancePage,
    shape: 'form',
    base: maintenance({ confirm: NO_REPO, snapshot: ['a'.repeat(64)] }),
    fields: () => ['datastoreId', 'repository', 'confirm', 'snapshot'],
  },
  // An image that does not exist, confirmed as typed: whatever passes validation is refused there.
  deleteDanglingImageAction: {
    page: maintenancePage,
    shape: 'form',
    base: maintenance({ imageId: NO_REPO, confirm: NO_REPO }),
    fields: () => ['datastoreId', 'repository', 'imageId', 'confirm'],
  },
  // The VM page's actions: a VM that does not exist, so whatever passes validation is refused
  // there ("There is no such VM."). When the VM ID itself is fuzzed, another field is invalid: an ID
  // that exists must not back up, power off, restore or reconfigure a seeded VM.
  backupNowAction: {
    page: vmPage,
    shape: 'form',
    base: (field) => ({ vmId: NO_REPO, datastoreId: field === 'vmId' ? 'x' : String(DS), reset: '' }),
    fields: () => ['vmId', 'datastoreId', 'reset'],
  },
  powerOffAction: {
    page: vmPage,
    shape: 'form',
    base: (field) => ({ vmId: NO_REPO, confirm: field === 'vmId' ? '' : 'poweroff' }),
    fields: () => ['vmId', 'confirm'],
  },
  restoreInPlaceAction: {
    page: vmPage,
    shape: 'form',
    base: (field) => ({
      vmId: NO_REPO,
      imageId: field === 'vmId' ? 'x' : String(webImages[0]),
      incrementId: '',
      diskId: '',
      confirm: 'hostile-no-such-vm',
    }),
    fields: () => ['vmId', 'imageId', 'incrementId', 'diskId', 'confirm'],
  },
  backupConfigAction: {
    page: vmPage,
    shape: 'form',
    base: (field) => ({
      vmId: NO_REPO,
      mode: field === 'vmId' ? 'x' : 'FULL',
      incrementMode: '',
      keepLast: '',
      fsFreeze: 'NONE',
      backupVolatile: '',
    }),
    fields: () => ['vmId', 'mode', 'incrementMode', 'keepLast', 'fsFreeze', 'backupVolatile'],
  },
  // Datastore 0 is the system datastore, not a restic backup datastore: whatever passes validation
  // is refused there, and no schedule, run or job is made.
  setScheduleAction: {
    page: () => `/datastores/${DS}`,
    shape: 'form',
    base: () => ({
      datastoreId: '0',
      kind: 'capacity',
      enabled: 'on',
      every: '1',
      unit: 'hours',
      subsets: '',
      staleAfterMinutes: '',
      autoUnlock: '',
    }),
    fields: () => ['datastoreId', 'kind', 'enabled', 'every', 'unit', 'subsets', 'staleAfterMinutes', 'autoUnlock'],
  },
  verifyAllAction: {
    page: () => `/datastores/${DS}`,
    shape: 'form',
    base: () => ({ datastoreId: '0' }),
    fields: () => ['datastoreId'],
  },
  pruneAllAction: {
    page: () => `/datastores/${DS}`,
    shape: 'form',
    base: () => ({ datastoreId: '0', confirm: 'system' }),
    fields: () => ['datastoreId', 'confirm'],
  },
  // The alerts settings (admins). A settings form has nothing to refuse once its values parse: an
  // accepted value is saved ("ok"). The channels stay turned off (an unchecked box) and point where
  // nothing listens, so no fuzzed value sends anything; "Send test" on a channel that is not set up
  // or turned off is refused.
  saveAlertRulesAction: {
    page: () => '/alerts/settings',
    shape: 'form',
    base: () => ({ fullPercent: '90', fullWithinDays: '30', digest: '', digestHourUtc: '8' }),
    fields: () => ['fullPercent', 'fullWithinDays', 'digest', 'digestHourUtc'],
    acceptable: (r) => r.state?.status === 'ok',
  },
  saveEmailChannelAction: {
    page: () => '/alerts/settings',
    shape: 'form',
    base: () => ({
      enabled: '',
      host: NOWHERE,
      port: '25',
      security: 'none',
      user: '',
      password: '',
      clearPassword: '',
      from: 'backstone@example.test',
      to: 'oncall@example.test',
    }),
    fields: () => ['enabled', 'host', 'port', 'security', 'user', 'password', 'clearPassword', 'from', 'to'],
    acceptable: (r) => r.state?.status === 'ok',
  },
  saveWebhookChannelAction: {
    page: () => '/alerts/settings',
    shape: 'form',
    base: () => ({ enabled: '', url: `http://${NOWHERE}:9/hook`, secret: 'hostile-webhook-secret-1' }),
    fields: () => ['enabled', 'url', 'secret'],
    acceptable: (r) => r.state?.status === 'ok',
  },
  sendTestAlertAction: {
    page: () => '/alerts/settings',
    shape: 'form',
    base: () => ({ channel: 'email' }),
    fields: () => ['channel'],
  },
};
// Takes no argument: nothing to fuzz, and calling it would end the test's session.
const NO_ARGUMENTS = new Set(['signOutAction']);

/** The datastore's NAME and TEMPLATE as OpenNebula holds them (decrypted: RESTIC_PASSWORD is stored encrypted). */
async function templateOf(id: string): Promise<Record<string, string>> {
  const xml = (await parseStringPromise(await oneAsync('onedatastore', 'show', '-x', '--decrypt', id), {
    explicitArray: false,
  })) as { DATASTORE: { NAME: string; TEMPLATE: Record<string, unknown> } };
  const out: Record<string, string> = { NAME: xml.DATASTORE.NAME };
  for (const [k, v] of Object.entries(xml.DATASTORE.TEMPLATE)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return sortedKeys(out);
}

/** Reads and deletes the datastore an accepted create made; its template must be `expected`. */
async function checkCreated(redirect: string, expected: Record<string, string>): Promise<string | undefined> {
  const id = /\/datastores\/(\d+)/.exec(redirect)?.[1];
  if (!id) return `redirected to ${redirect}`;
  try {
    const got = await templateOf(id);
    return JSON.stringify(got) === JSON.stringify(expected)
      ? undefined
      : `template differs: ${JSON.stringify(got).slice(0, 300)} != ${JSON.stringify(expected).slice(0, 300)}`;
  } finally {
    await oneAsync('onedatastore', 'delete', id);
  }
}

/** What a wizard field becomes in the template (custom_value lands under the custom name). */
function templateEntry(field: string, value: string): [string, string] {
  if (field === 'custom_value') return ['HOSTILE_NOTE', value];
  return [field, field === 'RESTIC_PASSWORD' ? value : value.trim()];
}

function sortedKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

function argsOf(c: ActionCase, fields: Record<string, string | string[]>): unknown[] {
  if (c.shape === 'value') return [Object.values(fields)[0]];
  if (c.shape === 'object') return [fields];
  return [{ status: 'idle' }, formOf(fields)];
}

test('every server action in the build has a hostile-input case', () => {
  const built = builtActions()
    .map((a) => a.exportedName)
    .filter((n) => !NO_ARGUMENTS.has(n))
    .sort();
  expect(Object.keys(ACTIONS).sort()).toEqual([...new Set(built)].sort());
});

/** Sends one field's hostile values to an action; returns what went wrong. */
async function fuzzField(
  name: string,
  c: ActionCase,
  field: string,
  call: (fields: Record<string, string | string[]>) => Promise<ActionReply>,
  baseline: Record<string, string>,
): Promise<string[]> {
  const failures: string[] = [];
  let sent = 0;
  let created = 0;
  const base = c.base(field);
  const valid = Array.isArray(base[field]) ? base[field][0]! : (base[field] ?? '');
  const values = corpusAt(`action:${field}`, name, valid || 'x');
  expect(values.length).toBeGreaterThanOrEqual(SAMPLED_CORPUS);
  const sample = c.createSample?.[field] ?? 0;
  const started = Date.now();
  const outcomes: Record<string, number> = {};
  await mapLimit(
    values.map((v, i) => [v, i] as const),
    CONCURRENCY,
    async ([value, i]) => {
      const unique: Record<string, string> = i < sample ? { NAME: `hostile-${field}-${i}` } : {};
      const mirrored = c.mirror?.[field];
      const fields = { ...c.base(field), ...unique, [field]: value, ...(mirrored ? { [mirrored]: value } : {}) };
      let reply: ActionReply;
      try {
        reply = await call(fields);
      } catch (err) {
        failures.push(`${field}=${JSON.stringify(value).slice(0, 60)} -> ${String(err)}`);
        return;
      }
      sent++;
      if (reply.redirect !== undefined && name === 'createDatastoreAction') {
        created++;
        // What the wire carried: UTF-8 has no lone surrogates (the encoder sends U+FFFD instead).
        const sentValue = Buffer.from(value).toString();
        const [k, v] = templateEntry(field, sentValue);
        const nameOf = field === 'NAME' ? sentValue.trim() : String(fields.NAME);
        const expected = sortedKeys({ ...baseline, NAME: nameOf, [k]: v });
        const wrong = await checkCreated(reply.redirect, expected);
        if (wrong) failures.push(`${field}=${JSON.stringify(value).slice(0, 60)}: ${wrong}`);
        return;
      }
      const st = reply.state;
      const outcome = st?.status ?? `HTTP ${reply.httpStatus}`;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      const refused =
        reply.httpStatus === 200 &&
        st !== undefined &&
        st.status !== 'ok' &&
        typeof st.message === 'string' &&
        st.message.length > 0;
      if (!refused && !c.acceptable?.(reply, field, value))
        failures.push(
          `${field}=${JSON.stringify(value).slice(0, 60)} -> HTTP ${reply.httpStatus} ${reply.redirect ?? ''} ${JSON.stringify(st ?? reply.body.slice(0, 160)).slice(0, 200)}`,
        );
    },
  );
  // What validation refused ('invalid') and what got past it to be refused later ('failed').
  console.log(`${name} ${field}: ${values.length} values in ${Date.now() - started} ms ${JSON.stringify(outcomes)}`);
  expect(sent).toBeGreaterThanOrEqual(SAMPLED_CORPUS);
  // Accepted names create datastores: the template check above really ran.
  if (name === 'createDatastoreAction' && field === 'NAME') expect(created).toBeGreaterThan(0);
  return failures;
}

/** The action's caller as the browser would call it (React's encoding, the session cookie). */
function actionCaller(name: string, c: ActionCase) {
  const s = loadSandbox();
  const action = builtAction(name);
  return (fields: Record<string, string | string[]>) =>
    callAction({
      baseURL: s.baseURL,
      pagePath: c.page(),
      actionId: action.id,
      args: argsOf(c, fields),
      cookie: c.anonymous ? undefined : admin,
      localAddress: c.anonymous ? nextLoopbackAddress() : undefined,
    });
}

// The wizard's action (21 fields, each creating datastores to check) has a test per field, spread
// over the workers; every other action one test for all its fields, with one check of OpenNebula's
// state around them (the check is three CLI calls: per field it was a third of this file's time).
const WIZARD = 'createDatastoreAction';
for (const [name, c] of Object.entries(ACTIONS)) {
  const groups = name === WIZARD ? c.fields().map((f) => [f]) : [c.fields()];
  for (const fields of groups)
    test(`${name} ${fields.length === 1 ? fields[0] : 'every field'}: hostile values are refused with a clear message and change nothing`, async () => {
      test.setTimeout(600_000);
      const call = actionCaller(name, c);
      // The template a plain create makes: accepted hostile values may differ from it in their own field only.
      let baseline: Record<string, string> = {};
      if (name === WIZARD) {
        const made = await call({ ...c.base(), NAME: 'hostile-baseline' });
        expect(made.redirect).toMatch(/\/datastores\/\d+/);
        const id = /\/datastores\/(\d+)/.exec(made.redirect!)![1]!;
        baseline = await templateOf(id);
        one('onedatastore', 'delete', id);
      }
      const before = cloudState();
      const failures: string[] = [];
      for (const field of fields) failures.push(...(await fuzzField(name, c, field, call, baseline)));
      expect(failures).toEqual([]);
      expect(cloudState()).toEqual(before);
    });
}
