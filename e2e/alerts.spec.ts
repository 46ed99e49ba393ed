/*
 * Alerts (issue 26): an admin sets up a webhook to a loopback receiver this spec starts, presses
 * "Send test", the receiver gets a request signed with the secret, and the history lists it; the
 * secret never comes back in the settings page. A VM owner cannot open the alerts pages.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { test, expect, addSession } from './fixtures';

const SECRET = 'e2e-webhook-secret-5b0c9f1e';

type Received = { body: string; signature: string; json: Record<string, unknown> };

let server: Server | undefined;
let url = '';
const received: Received[] = [];

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const sig = req.headers['x-backstone-signature'];
      received.push({
        body,
        signature: (Array.isArray(sig) ? sig[0] : sig) ?? '',
        json: JSON.parse(body) as Record<string, unknown>,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/backstone-hook`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

function validSignature(r: Received): boolean {
  const want = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
  const got = Buffer.from(r.signature);
  return want.length === got.length && timingSafeEqual(want, got);
}

test('an admin sets up a webhook, sends a test, the receiver gets it signed and the history lists it', async ({
  page,
}) => {
  await addSession(page, 'admin');
  await page.goto('/');
  await page.getByTestId('sidebar').getByRole('link', { name: 'Alerts' }).click();
  await expect(page).toHaveURL(/\/alerts$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible();
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alert settings' })).toBeVisible();

  const form = page.getByTestId('alert-webhook-form');
  await expect(page.getByTestId('webhook-secret-state')).toHaveText('not set');
  // No secret yet: refused with a clear message, nothing saved.
  await form.getByLabel('URL').fill(url);
  await form.getByRole('button', { name: 'Save webhook' }).click();
  await expect(page.getByTestId('alert-webhook-result')).toContainText('Give a secret');

  await form.getByLabel('Send alerts to a webhook').check();
  await form.getByLabel('URL').fill(url);
  await form.getByLabel('Signing secret').fill(SECRET);
  await form.getByRole('button', { name: 'Save webhook' }).click();
  await expect(page.getByTestId('alert-webhook-result')).toHaveText('Webhook channel saved.');
  await page.reload();
  await expect(page.getByTestId('webhook-secret-state')).toHaveText('set');
  // Never shown back: not in the page, not in its HTML.
  expect(await page.content()).not.toContain(SECRET);
  expect(await (await page.request.get('/alerts/settings')).text()).not.toContain(SECRET);

  await page.getByTestId('send-test-webhook').getByRole('button', { name: 'Send test' }).click();
  await expect(page.getByTestId('send-test-webhook-result')).toHaveText('The test request was delivered.');
  await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThan(0);
  const test = received.find((r) => r.json.state === 'test');
  expect(test).toBeDefined();
  expect(validSignature(test!)).toBe(true);
  expect(test!.json).toMatchObject({ state: 'test', condition: 'test' });

  await page.goto('/alerts');
  const row = page.locator('[data-testid^="alert-history-row-"][data-channel="webhook"][data-event="test"]');
  await expect(row.first()).toBeVisible();
  await expect(row.first()).toHaveAttribute('data-status', 'sent');
  await expect(row.first()).toContainText('test message');

  // The change is in the audit log, without the secret.
  await page.goto('/audit');
  await expect(page.getByTestId('audit-table')).toContainText('alerts.webhook');
  await expect(page.getByTestId('audit-table')).toContainText('alerts.test');
  expect(await page.content()).not.toContain(SECRET);
});

test('a VM owner cannot open the alerts pages', async ({ page }) => {
  await addSession(page, 'user');
  for (const path of ['/alerts', '/alerts/settings']) {
    const res = await page.request.get(path);
    expect([403, 404], path).toContain(res.status());
    expect(await res.text()).not.toContain('alert-history');
  }
  await page.goto('/');
  await expect(page.getByTestId('sidebar').getByRole('link', { name: 'Alerts' })).toHaveCount(0);
});
