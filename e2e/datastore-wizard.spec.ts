/*
 * The datastore creation wizard (issue 6) in the sandbox: creating through the wizard gives a
 * datastore whose decrypted template holds exactly what was entered; a double submit creates one
 * datastore; invalid values are refused by the browser and by the action called directly;
 * preflight fails clearly, with the fix, for each broken backup server; an unknown host key can be
 * trusted; cgroup delegation is checked on the hosts; and the password is never sent back.
 */
import { randomUUID } from 'node:crypto';
import { chownSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import { test, expect, addSession } from './fixtures';
import { builtAction } from './support/build-manifest';
import { one } from './support/one-cli';
import { hideTool, showTool } from '../sandbox/backup-server/tools';
import { startIsolatedBackupServer } from '../sandbox/backup-server/test-server';
import { addServerAlias, removeServerAlias } from '../sandbox/backup-server/extra-alias';
import { setHostCgroupControllers } from '../sandbox/backup-server/cgroups';
import { sandboxPaths } from '../sandbox/common/state';
import { readInfo } from '../sandbox/common/info';

// Every password typed or generated in these tests, and every response body the browser (or a
// direct action call) got. Each test checks its own responses afterwards; the passwords are also
// kept in the state folder, so the last test can read the server log for all of them even when a
// failure restarted the worker in between.
const passwords: string[] = [];
const bodies: Promise<string>[] = [];
const passwordsFile = (stateDir: string) => join(stateDir, 'wizard-e2e-passwords.json');

test.beforeEach(async ({ page }) => {
  page.on('response', (r) =>
    bodies.push(
      r.body().then(
        (b) => b.toString('utf8'),
        () => '',
      ),
    ),
  );
});

test.afterEach(async ({ sandbox }) => {
  const seen = await Promise.all(bodies.splice(0));
  const file = passwordsFile(sandbox.stateDir);
  const known: string[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
  writeFileSync(file, JSON.stringify([...new Set([...known, ...passwords.splice(0)])]));
  const all = JSON.parse(readFileSync(file, 'utf8')) as string[];
  for (const p of all)
    expect(
      seen.filter((b) => b.includes(p)),
      'responses holding a password',
    ).toEqual([]);
});

function newPassword(): string {
  const p = `pw-${randomUUID()}`;
  passwords.push(p);
  return p;
}

function backupAccount(stateDir: string): string {
  const account = readInfo(sandboxPaths(stateDir)).backupServer?.account;
  if (!account) throw new Error('no backup server account');
  return account;
}

const field = (page: Page, name: string) => page.locator(`[name="${name}"]`);
const stepHeading = (page: Page, title: string) => page.getByRole('heading', { level: 2, name: title, exact: true });

async function next(page: Page, expectTitle: string): Promise<void> {
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(stepHeading(page, expectTitle)).toBeVisible();
}

/** Signs in, opens the wizard and walks to the preflight step with the given server. */
async function toPreflight(
  page: Page,
  opts: { server: string; user: string; name?: string; limits?: Record<string, string> },
): Promise<void> {
  await addSession(page, 'admin');
  await page.goto('/datastores/new');
  await field(page, 'NAME').fill(opts.name ?? `preflight-${randomUUID().slice(0, 8)}`);
  await next(page, 'Backup server');
  await field(page, 'RESTIC_SFTP_SERVER').fill(opts.server);
  await field(page, 'RESTIC_SFTP_USER').fill(opts.user);
  await next(page, 'Repository');
  const pw = newPassword();
  await field(page, 'RESTIC_PASSWORD').fill(pw);
  await field(page, 'password_confirm').fill(pw);
  await next(page, 'Performance and limits');
  for (const [name, value] of Object.entries(opts.limits ?? {})) await field(page, name).fill(value);
  await next(page, 'Check backup server');
}

const check = (page: Page, id: string) => page.getByTestId('preflight-checks').getByTestId(`check-${id}`);

async function checkAgain(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Check again' }).click();
  await expect(page.getByRole('button', { name: 'Check again' })).toBeEnabled({ timeout: 30_000 });
}

/** The datastore's template as OpenNebula stores it (decrypted), attribute by attribute. */
function templateOf(xml: string): Record<string, string> {
  const body = /<TEMPLATE>([\s\S]*?)<\/TEMPLATE>/.exec(xml)?.[1] ?? '';
  return Object.fromEntries(
    [...body.matchAll(/<([A-Z0-9_]+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)].map((m) => [
      m[1]!,
      m[2] ?? m[3] ?? '',
    ]),
  );
}

function datastoreNames(): string[] {
  return [...one('onedatastore', 'list', '-x').matchAll(/<DATASTORE>[\s\S]*?<NAME>(?:<!\[CDATA\[)?([^<\]]*)/g)].map(
    (m) => m[1]!,
  );
}

/** Calls the create action the way React does (FormData as reply part 1), bypassing the browser's checks. */
async function postCreateAction(request: APIRequestContext, fields: [string, string][]) {
  const action = builtAction('createDatastoreAction');
  const form = new FormData();
  for (const [k, v] of fields) form.append(`_1_${k}`, v);
  // The root comes last, as React sends it: the server resolves "$K1" when it reads the root.
  form.append('0', JSON.stringify([{ status: 'idle' }, '$K1']));
  const res = await request.post('/datastores/new', {
    headers: { 'Next-Action': action.id, Accept: 'text/x-component' },
    multipart: form,
    maxRedirects: 0,
  });
  bodies.push(res.text());
  return res;
}

test('an ordinary user cannot open the wizard', async ({ page }) => {
  await addSession(page, 'user');
  const res = await page.goto('/datastores/new');
  expect(res?.status()).toBe(403);
});

test('create a datastore through the wizard: OpenNebula then holds exactly the entered attributes', async ({
  page,
  sandbox,
}) => {
  test.setTimeout(120_000);
  const account = backupAccount(sandbox.stateDir);
  setHostCgroupControllers(sandbox.stateDir, ['cpuset', 'cpu', 'io', 'memory', 'pids']);
  const name = `wizard-${randomUUID().slice(0, 8)}`;
  await addSession(page, 'admin');
  await page.goto('/datastores/new');

  // Every input has an accessible label and is named after its attribute.
  const unlabelled = await page
    .locator('form input:not([type=hidden]), form select, form textarea')
    .evaluateAll((els) =>
      els.filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label')).map((e) => e.id),
    );
  expect(unlabelled).toEqual([]);
  await expect(page.getByRole('textbox', { name: /^Backup server/, includeHidden: true })).toHaveAttribute(
    'name',
    'RESTIC_SFTP_SERVER',
  );

  await field(page, 'NAME').fill(name);
  await field(page, 'cluster').selectOption('0');
  await next(page, 'Backup server');
  await expect(page.getByText('Default: oneadmin.')).toBeVisible();
  await field(page, 'RESTIC_SFTP_SERVER').fill('backup.sandbox');
  await field(page, 'RESTIC_SFTP_USER').fill(account);
  await next(page, 'Repository');
  await expect(field(page, 'RESTIC_PASSWORD')).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Generate' }).click();
  const password = await field(page, 'RESTIC_PASSWORD').inputValue();
  passwords.push(password);
  expect(password).toHaveLength(32);
  expect(password).not.toContain("'");
  await expect(field(page, 'password_confirm')).toHaveValue(password);
  await field(page, 'RESTIC_COMPRESSION').selectOption('max');
  await next(page, 'Performance and limits');
  const limits: Record<string, string> = {
    RESTIC_CONNECTIONS: '4',
    RESTIC_BWLIMIT: '51200',
    RESTIC_NICE: '10',
    RESTIC_IONICE: '7',
    RESTIC_CPU_QUOTA: '250',
    RESTIC_PRUNE_MAX_UNUSED: '5%',
    RESTIC_PRUNE_MAX_REPACK: '10G',
  };
  for (const [k, v] of Object.entries(limits)) await field(page, k).fill(v);
  await page.getByRole('button', { name: 'Add attribute' }).click();
  await page.getByLabel('Custom attribute 1 name').fill('BACKSTONE_NOTE');
  await page.getByLabel('Custom attribute 1 value').fill('made by "the wizard" test');
  await next(page, 'Check backup server');

  await expect(check(page, 'account')).toHaveAttribute('data-status', 'pass', { timeout: 30_000 });
  await expect(check(page, 'datastores-dir')).toHaveAttribute('data-status', 'pass');
  for (const host of ['kvm-node-1', 'kvm-node-2']) {
    await expect(page.getByTestId(`host-checks-${host}`).getByTestId('check-cgroup-delegation')).toHaveAttribute(
      'data-status',
      'pass',
    );
  }
  await next(page, 'Review');

  const expected = [
    `NAME = "${name}"`,
    'TYPE = "BACKUP_DS"',
    'DS_MAD = "restic"',
    'TM_MAD = "-"',
    'RESTIC_SFTP_SERVER = "backup.sandbox"',
    `RESTIC_SFTP_USER = "${account}"`,
    `RESTIC_PASSWORD = "${password}"`,
    'RESTIC_COMPRESSION = "max"',
    'RESTIC_CONNECTIONS = "4"',
    'RESTIC_BWLIMIT = "51200"',
    'RESTIC_NICE = "10"',
    'RESTIC_IONICE = "7"',
    'RESTIC_CPU_QUOTA = "250"',
    'RESTIC_PRUNE_MAX_UNUSED = "5%"',
    'RESTIC_PRUNE_MAX_REPACK = "10G"',
    'BACKSTONE_NOTE = "made by \\"the wizard\\" test"',
    '',
  ].join('\n');
  // Shown with the password masked; the download is the exact text sent to OpenNebula.
  await expect(page.getByTestId('template-text')).not.toContainText(password);
  await page.getByRole('button', { name: 'Show password' }).click();
  await expect(page.getByTestId('template-text')).toHaveText(expected, { useInnerText: true });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download' }).click(),
  ]);
  expect(readFileSync((await download.path())!, 'utf8')).toBe(expected);

  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && !!r.headers()['next-action']),
    page.getByRole('button', { name: 'Create datastore' }).click(),
  ]);
  await expect(page).toHaveURL(/\/datastores\/\d+\?created=1$/, { timeout: 30_000 });
  const id = Number(/\/datastores\/(\d+)/.exec(page.url())![1]);

  const xml = one('onedatastore', 'show', '-x', '--decrypt', String(id));
  expect(xml).toMatch(/<CLUSTERS>\s*<ID>0<\/ID>\s*<\/CLUSTERS>/);
  expect(templateOf(xml)).toEqual({
    BACKSTONE_NOTE: 'made by "the wizard" test',
    DS_MAD: 'restic',
    RESTIC_BWLIMIT: '51200',
    RESTIC_COMPRESSION: 'max',
    RESTIC_CONNECTIONS: '4',
    RESTIC_CPU_QUOTA: '250',
    RESTIC_IONICE: '7',
    RESTIC_NICE: '10',
    RESTIC_PASSWORD: password,
    RESTIC_PRUNE_MAX_REPACK: '10G',
    RESTIC_PRUNE_MAX_UNUSED: '5%',
    RESTIC_SFTP_SERVER: 'backup.sandbox',
    RESTIC_SFTP_USER: account,
    // What oned adds to every backup datastore.
    RESTRICTED_DIRS: '/',
    SAFE_DIRS: '/var/tmp',
    TM_MAD: '-',
    TYPE: 'BACKUP_DS',
  });

  // The same submission sent again (a double submit) gets the first datastore back, not a new one.
  const replay = await page.request.post(request.url(), {
    headers: request.headers(),
    data: request.postDataBuffer() ?? undefined,
    maxRedirects: 0,
  });
  expect(replay.headers()['x-action-redirect']).toMatch(new RegExp(`^/datastores/${id}\\?created=1`));
  expect(datastoreNames().filter((n) => n === name)).toHaveLength(1);

  await page.goto('/audit');
  await expect(
    page
      .getByTestId('audit-table')
      .locator('tr', { hasText: 'datastore-create' })
      .filter({ hasText: `datastore ${id}` }),
  ).toHaveCount(1);
});

test('two simultaneous submits of one wizard create one datastore', async ({ page, sandbox }) => {
  await addSession(page, 'admin');
  const name = `double-${randomUUID().slice(0, 8)}`;
  const pw = newPassword();
  const fields: [string, string][] = [
    ['requestId', randomUUID()],
    ['NAME', name],
    ['cluster', '0'],
    ['RESTIC_SFTP_SERVER', 'backup.sandbox'],
    ['RESTIC_SFTP_USER', backupAccount(sandbox.stateDir)],
    ['RESTIC_PASSWORD', pw],
    ['password_confirm', pw],
    ['RESTIC_COMPRESSION', 'auto'],
  ];
  const [a, b] = await Promise.all([postCreateAction(page.request, fields), postCreateAction(page.request, fields)]);
  const first = a.headers()['x-action-redirect'];
  expect(first).toMatch(/^\/datastores\/\d+\?created=1/);
  expect(b.headers()['x-action-redirect']).toBe(first);
  expect(datastoreNames().filter((n) => n === name)).toHaveLength(1);
});

test('invalid values are refused in the browser and by the action called directly; nothing is created', async ({
  page,
  sandbox,
}) => {
  const before = datastoreNames();
  await addSession(page, 'admin');
  await page.goto('/datastores/new');

  await field(page, 'NAME').fill('bad/name');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByTestId('error-NAME')).toContainText('may not contain');
  await expect(stepHeading(page, 'General')).toBeVisible();
  await field(page, 'NAME').fill(`refused-${randomUUID().slice(0, 8)}`);
  await next(page, 'Backup server');
  await field(page, 'RESTIC_SFTP_SERVER').fill('user@host:/path');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByTestId('error-RESTIC_SFTP_SERVER')).toBeVisible();
  await field(page, 'RESTIC_SFTP_SERVER').fill('backup.sandbox');
  await field(page, 'RESTIC_SFTP_USER').fill(backupAccount(sandbox.stateDir));
  await next(page, 'Repository');
  const quoted = `it's-${randomUUID()}`;
  passwords.push(quoted);
  await field(page, 'RESTIC_PASSWORD').fill(quoted);
  await field(page, 'password_confirm').fill('something else');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByTestId('error-RESTIC_PASSWORD')).toContainText("may not contain '");
  await expect(page.getByTestId('error-password_confirm')).toContainText('differ');
  const pw = newPassword();
  await field(page, 'RESTIC_PASSWORD').fill(pw);
  await field(page, 'password_confirm').fill(pw);
  await next(page, 'Performance and limits');
  const bad: Record<string, string> = {
    RESTIC_NICE: '20',
    RESTIC_IONICE: '8',
    RESTIC_CONNECTIONS: '0',
    RESTIC_CPU_QUOTA: '1.5',
    RESTIC_PRUNE_MAX_UNUSED: 'lots',
    RESTIC_PRUNE_MAX_REPACK: '5%',
    RESTIC_TMP_DIR: 'relative/dir',
  };
  for (const [k, v] of Object.entries(bad)) await field(page, k).fill(v);
  await page.getByRole('button', { name: 'Next' }).click();
  for (const k of Object.keys(bad)) await expect(page.getByTestId(`error-${k}`)).toBeVisible();
  await expect(stepHeading(page, 'Performance and limits')).toBeVisible();
  expect(datastoreNames()).toEqual(before);

  // The action itself refuses the same values, whatever the browser does.
  const res = await postCreateAction(page.request, [
    ['requestId', randomUUID()],
    ['NAME', 'direct-call'],
    ['RESTIC_SFTP_SERVER', 'backup.sandbox'],
    ['RESTIC_PASSWORD', quoted],
    ['password_confirm', quoted],
    ['RESTIC_COMPRESSION', 'MAX'],
    ['RESTIC_NICE', '99'],
    ['RESTIC_PRUNE_MAX_UNUSED', 'lots'],
    ['custom_name', 'NAME'],
    ['custom_value', 'x'],
  ]);
  const body = await res.text();
  expect(body).toContain('"invalid"');
  for (const k of ['RESTIC_PASSWORD', 'RESTIC_COMPRESSION', 'RESTIC_NICE', 'RESTIC_PRUNE_MAX_UNUSED', 'custom.0.name'])
    expect(body).toContain(`"${k}"`);
  expect(res.headers()['x-action-redirect']).toBeUndefined();
  // Anything at all is refused without an error.
  const junk = await postCreateAction(page.request, []);
  expect(await junk.text()).toContain('"invalid"');
  expect(datastoreNames()).toEqual(before);
});

test('a CLI refusal is shown in plain words, and the same form can then be sent again', async ({ page, sandbox }) => {
  const name = `retry-${randomUUID().slice(0, 8)}`;
  const raced = `raced-${randomUUID().slice(0, 8)}`;
  await toPreflight(page, { server: 'backup.sandbox', user: backupAccount(sandbox.stateDir), name: raced });
  await expect(check(page, 'account')).toHaveAttribute('data-status', 'pass', { timeout: 30_000 });
  await next(page, 'Review');
  // Someone else takes the name while the wizard is open (the first step checked it when it
  // opened): OpenNebula has the last word, and refuses it.
  const templateFile = join(sandbox.stateDir, `${raced}.tpl`);
  writeFileSync(templateFile, `NAME = "${raced}"\nTYPE = "IMAGE_DS"\nDS_MAD = "fs"\nTM_MAD = "ssh"\n`);
  const racedId = Number(/ID:\s*(\d+)/.exec(one('onedatastore', 'create', templateFile))![1]);
  await page.getByRole('button', { name: 'Create datastore' }).click();
  await expect(page.getByTestId('wizard-message')).toHaveText(
    `Error allocating a new datastore. NAME is already taken by DATASTORE ${racedId}.`,
    { timeout: 30_000 },
  );
  one('onedatastore', 'delete', String(racedId));
  // Nothing was created, so the same submission (same request ID) may try again with a new name.
  await page.getByRole('button', { name: /General/ }).click();
  await field(page, 'NAME').fill(name);
  await page.getByRole('button', { name: /Review/ }).click();
  await page.getByRole('button', { name: 'Create datastore' }).click();
  await expect(page).toHaveURL(/\/datastores\/\d+\?created=1$/, { timeout: 30_000 });
  expect(datastoreNames().filter((n) => n === name)).toHaveLength(1);
});

test.describe('preflight fails clearly, with the fix', () => {
  test('an unreachable server', async ({ page, sandbox }) => {
    await toPreflight(page, { server: '127.0.0.1', user: backupAccount(sandbox.stateDir) });
    await expect(check(page, 'login')).toHaveAttribute('data-status', 'fail', { timeout: 30_000 });
    await expect(check(page, 'login')).toContainText('unreachable');
    await expect(check(page, 'login').getByTestId('check-fix')).toContainText('Check the name or address');
  });

  test('a wrong account, with the public key to add and the exact command', async ({ page, sandbox }) => {
    await toPreflight(page, { server: 'backup.sandbox', user: 'nobody' });
    await expect(check(page, 'login')).toHaveAttribute('data-status', 'fail', { timeout: 30_000 });
    await expect(check(page, 'login').getByTestId('check-fix')).toContainText('~nobody/.ssh/authorized_keys');
    // Backstone's own public key (the sandbox client's), never the private one.
    const pub = readFileSync(`${sandboxPaths(sandbox.stateDir).identity}.pub`, 'utf8')
      .split(' ')
      .slice(0, 2)
      .join(' ');
    await expect(check(page, 'login').getByTestId('check-copy-value')).toHaveText(pub);
    await expect(check(page, 'login').getByTestId('check-fix')).toContainText(
      `echo '${pub} backstone' | sudo -u nobody sh -c 'umask 077 && mkdir -p ~/.ssh && cat >> ~/.ssh/authorized_keys'`,
    );
    await expect(check(page, 'login')).not.toContainText('PRIVATE KEY');
    await expect(check(page, 'login').getByTestId('check-copy')).toBeVisible();
  });

  test('a missing datastores folder, then wrong ownership', async ({ page, sandbox }) => {
    const account = backupAccount(sandbox.stateDir);
    const dir = sandboxPaths(sandbox.stateDir).datastoresRoot;
    await toPreflight(page, { server: 'backup.sandbox', user: account });
    await expect(check(page, 'datastores-dir')).toHaveAttribute('data-status', 'pass', { timeout: 30_000 });
    const moved = `${dir}.e2e-moved`;
    renameSync(dir, moved);
    // A plain file where the folder was: the sandbox's datastore monitor runs `mkdir -p` on each
    // datastore's BASE_PATH (as OpenNebula's does) and would otherwise bring the folder back
    // between the move and the check.
    writeFileSync(dir, '');
    try {
      await checkAgain(page);
      await expect(check(page, 'datastores-dir')).toHaveAttribute('data-status', 'fail');
      await expect(check(page, 'datastores-dir').getByTestId('check-fix')).toHaveText(
        `mkdir -p ${dir} && chown ${account}:${account} ${dir}`,
      );
    } finally {
      restoreFolder(dir, moved);
    }
    const { uid, gid } = statSync(dir);
    chownSync(dir, 0, 0);
    try {
      await checkAgain(page);
      await expect(check(page, 'datastores-dir')).toHaveAttribute('data-status', 'fail');
      await expect(check(page, 'datastores-dir')).toContainText('owned by root');
      await expect(check(page, 'datastores-dir').getByTestId('check-fix')).toHaveText(
        `chown -R ${account}:${account} ${dir}`,
      );
    } finally {
      chownSync(dir, uid, gid);
    }
  });

  test('missing qemu-img or jq', async ({ page, sandbox }) => {
    await toPreflight(page, { server: 'backup.sandbox', user: backupAccount(sandbox.stateDir) });
    await expect(check(page, 'tool-jq')).toHaveAttribute('data-status', 'pass', { timeout: 30_000 });
    hideTool(sandbox.stateDir, 'qemu-img');
    hideTool(sandbox.stateDir, 'jq');
    try {
      await checkAgain(page);
      await expect(check(page, 'tool-qemu-img')).toHaveAttribute('data-status', 'fail');
      await expect(check(page, 'tool-qemu-img').getByTestId('check-fix')).toHaveText('apt-get install -y qemu-utils');
      await expect(check(page, 'tool-jq')).toHaveAttribute('data-status', 'fail');
      await expect(check(page, 'tool-jq').getByTestId('check-fix')).toHaveText('apt-get install -y jq');
    } finally {
      showTool(sandbox.stateDir, 'qemu-img');
      showTool(sandbox.stateDir, 'jq');
    }
  });

  test('an unknown host key shows its fingerprint, and an admin can trust it (audited)', async ({ page, sandbox }) => {
    test.setTimeout(90_000);
    const paths = sandboxPaths(sandbox.stateDir);
    const knownHosts = readFileSync(paths.knownHosts, 'utf8');
    const server = await startIsolatedBackupServer();
    const alias = `backup-${randomUUID().slice(0, 8)}.sandbox`;
    addServerAlias(sandbox.stateDir, alias, server.stateDir);
    try {
      await toPreflight(page, { server: alias, user: server.info.account });
      await expect(page.getByTestId('host-key-unknown')).toBeVisible({ timeout: 30_000 });
      await expect(page.getByTestId('host-key-fingerprint')).toHaveText(server.info.hostKeyFingerprint);
      await expect(check(page, 'host-key')).toHaveAttribute('data-status', 'fail');
      await expect(check(page, 'host-key').getByTestId('check-fix')).toContainText('ssh-keygen -lf');
      await page.getByRole('button', { name: 'Trust this key' }).click();
      await expect(page.getByTestId('host-key-unknown')).toBeHidden({ timeout: 30_000 });
      await expect(check(page, 'login')).toHaveAttribute('data-status', 'pass', { timeout: 30_000 });
      expect(readFileSync(paths.knownHosts, 'utf8')).toContain(alias);
      await page.goto('/audit');
      await expect(
        page
          .getByTestId('audit-table')
          .locator('tr', { hasText: 'host-key-trust' })
          .filter({ hasText: alias })
          .filter({ hasText: server.info.hostKeyFingerprint }),
      ).toHaveCount(1);
    } finally {
      removeServerAlias(sandbox.stateDir, alias);
      writeFileSync(paths.knownHosts, knownHosts);
      await server.stop();
    }
  });
});

test('slice limits check cgroup delegation on every host of the cluster, with the delegate.conf fix', async ({
  page,
  sandbox,
}) => {
  const hostCheck = (host: string) => page.getByTestId(`host-checks-${host}`).getByTestId('check-cgroup-delegation');
  setHostCgroupControllers(sandbox.stateDir, ['memory', 'pids']);
  try {
    await toPreflight(page, {
      server: 'backup.sandbox',
      user: backupAccount(sandbox.stateDir),
      limits: { RESTIC_MAX_WIOPS: '500' },
    });
    for (const host of ['kvm-node-1', 'kvm-node-2']) {
      await expect(hostCheck(host)).toHaveAttribute('data-status', 'fail', { timeout: 30_000 });
      await expect(hostCheck(host)).toContainText('cpu, cpuset, io are not delegated');
      await expect(hostCheck(host).getByTestId('check-fix')).toContainText('Delegate=cpu cpuset io');
      await expect(hostCheck(host).getByTestId('check-fix')).toContainText('.service.d/delegate.conf');
    }
    setHostCgroupControllers(sandbox.stateDir, undefined);
    await checkAgain(page);
    await expect(hostCheck('kvm-node-1')).toContainText('is missing');
    await expect(hostCheck('kvm-node-1').getByTestId('check-fix')).toContainText('loginctl enable-linger');
    setHostCgroupControllers(sandbox.stateDir, ['cpuset', 'cpu', 'io', 'memory', 'pids']);
    await checkAgain(page);
    await expect(hostCheck('kvm-node-1')).toHaveAttribute('data-status', 'pass');
    await expect(hostCheck('kvm-node-2')).toHaveAttribute('data-status', 'pass');
  } finally {
    setHostCgroupControllers(sandbox.stateDir, undefined);
  }
});

test('a pasted template prefills the wizard (compression written in lower case)', async ({ page }) => {
  await addSession(page, 'admin');
  await page.goto('/datastores/new');
  const pw = newPassword();
  await page.getByRole('button', { name: 'Start from an existing template' }).click();
  await page
    .getByLabel('Template text')
    .fill(
      [
        '# from Sunstone',
        'NAME = "pasted"',
        'TYPE = "BACKUP_DS"',
        'DS_MAD = "restic"',
        `RESTIC_PASSWORD = "${pw}"`,
        'RESTIC_SFTP_SERVER = "10.0.0.8"',
        'RESTIC_COMPRESSION = "MAX"',
        'RESTIC_NICE = "5"',
        'LABEL = "site-a"',
      ].join('\n'),
    );
  await page.getByRole('button', { name: 'Fill in the wizard' }).click();
  await expect(page.getByTestId('prefill-message')).toContainText('written as max');
  await expect(field(page, 'NAME')).toHaveValue('pasted');
  await expect(field(page, 'RESTIC_SFTP_SERVER')).toHaveValue('10.0.0.8');
  await expect(field(page, 'RESTIC_PASSWORD')).toHaveValue(pw);
  await expect(field(page, 'password_confirm')).toHaveValue(pw);
  await expect(field(page, 'RESTIC_COMPRESSION')).toHaveValue('max');
  await expect(field(page, 'RESTIC_NICE')).toHaveValue('5');
  await expect(page.getByLabel('Custom attribute 1 name')).toHaveValue('LABEL');
  await expect(page.getByLabel('Custom attribute 1 value')).toHaveValue('site-a');
});

test('the password appeared in no server log line', async ({ sandbox }) => {
  const all = JSON.parse(readFileSync(passwordsFile(sandbox.stateDir), 'utf8')) as string[];
  expect(all.length).toBeGreaterThan(3);
  const log = readFileSync(join(sandbox.stateDir, 'app.log'), 'utf8');
  for (const p of all) expect(log.includes(p), 'the server log holds a password').toBe(false);
});

/** Puts a moved folder back; the monitor's `mkdir -p` may have made an empty tree in its place meanwhile. */
function restoreFolder(dir: string, moved: string): void {
  if (existsSync(dir) && statSync(dir).isFile()) rmSync(dir);
  else if (existsSync(dir)) {
    const onlyDirs = (d: string): boolean =>
      readdirSync(d, { withFileTypes: true }).every((e) => e.isDirectory() && onlyDirs(join(d, e.name)));
    if (!onlyDirs(dir)) throw new Error(`${dir} was recreated with files; ${moved} holds the original`);
    rmSync(dir, { recursive: true });
  }
  renameSync(moved, dir);
}
