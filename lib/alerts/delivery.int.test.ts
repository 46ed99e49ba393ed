// Alerts delivered to real receivers on loopback: an SMTP server (smtp-server, with AUTH) and an
// HTTP server, both started here and stopped by the test. The conditions come in as a tick's facts
// (what lib/health would give); everything after that is the real engine, store and channels.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetConfigCache } from '@/lib/config';
import { freePort } from '@/sandbox/common/net';
import { closeDb, getDb } from '@/lib/store';
import { runAlertTick, sendTest, type TickFacts } from './engine';
import type { AlertCondition } from './rules';
import { signBody, verifySignature } from './signature';
import { alertHistory, readEmailChannel, saveEmailChannel, saveRules, saveWebhookChannel } from './store';
import { DEFAULT_ALERT_RULES } from '@/lib/schemas/alerts';

const dir = mkdtempSync(join(tmpdir(), 'backstone-alerts-'));
/** Short backoff: the rule (1 s/4 s/16 s) is unit-tested; here the tries themselves count. */
const FAST = [5, 20, 80];
const SMTP_USER = 'alerts';
const SMTP_PASSWORD = 'smtp-pass-9d1f7c2b';
const WEBHOOK_SECRET = 'whsec-4c1d8e9a7b6f5e4d';

type Mail = { from: string; to: string[]; raw: string; subject: string; text: string };

/** The decoded text part of a single-part message (nodemailer writes long lines quoted-printable). */
function parseMail(raw: string): { subject: string; text: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const subject = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(head)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? '';
  let body = rest.join('\n\n');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(head))
    body = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return { subject, text: body.replace(/\r\n/g, '\n') };
}

class Smtp {
  mails: Mail[] = [];
  server?: SMTPServer;
  constructor(readonly port: number) {}
  async start(): Promise<void> {
    this.server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth: (auth, _s, cb) =>
        auth.username === SMTP_USER && auth.password === SMTP_PASSWORD
          ? cb(null, { user: SMTP_USER })
          : cb(new Error('Invalid username or password')),
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            ...parseMail(raw),
          });
          cb();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
  }
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

type Hook = { body: string; signature: string | undefined; json: Record<string, unknown> };

/** A webhook receiver that answers `failFirst` requests with 500 before it takes them. */
function startHook(failFirst = 0): Promise<{ server: Server; url: string; got: Hook[]; refused: number[] }> {
  const got: Hook[] = [];
  const refused: number[] = [];
  let seen = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen++;
      if (seen <= failFirst) {
        refused.push(Date.now());
        res.writeHead(500).end('not now');
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const sig = req.headers['x-backstone-signature'];
      got.push({
        body,
        signature: Array.isArray(sig) ? sig[0] : sig,
        json: JSON.parse(body) as Record<string, unknown>,
      });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hook`, got, refused });
    }),
  );
}

const stopHook = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

const overdue: AlertCondition = {
  key: 'vm-overdue:42',
  kind: 'vm-overdue',
  severity: 'warning',
  title: 'VM web (42): backup overdue',
  detail: 'Last backup 3 days ago; expected every 24 h.',
  href: '/vms/42',
};
const full: AlertCondition = {
  key: 'datastore-full:100',
  kind: 'datastore-full',
  severity: 'critical',
  title: 'Datastore Backups is 95% full',
  detail: '',
  href: '/datastores/100?tab=capacity',
  datastoreId: 100,
};
const facts = (...conditions: AlertCondition[]): TickFacts => ({ conditions, isKnown: () => true });

let smtp: Smtp;

function configureEmail(port: number, enabled = true) {
  saveEmailChannel(
    {
      enabled,
      host: '127.0.0.1',
      port,
      security: 'none',
      user: SMTP_USER,
      password: SMTP_PASSWORD,
      from: 'backstone@example.test',
      to: ['oncall@example.test', 'lead@example.test'],
    },
    'test',
  );
}

beforeAll(async () => {
  process.env.BACKSTONE_DATA_DIR = join(dir, 'data');
  delete process.env.BACKSTONE_ALERTS_KEY;
  resetConfigCache();
  smtp = new Smtp(await freePort());
  await smtp.start();
});

afterAll(async () => {
  await smtp.stop();
  closeDb();
  delete process.env.BACKSTONE_DATA_DIR;
  resetConfigCache();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  const db = getDb();
  for (const t of ['alert_settings', 'alert_channels', 'alert_conditions', 'alert_deliveries', 'alert_state'])
    db.exec(`DELETE FROM ${t}`);
  smtp.mails = [];
});

describe('email over SMTP', () => {
  it('delivers an alert with the expected subject and body, authenticated', async () => {
    configureEmail(smtp.port);
    const out = await runAlertTick(facts(overdue), { delays: FAST });
    expect(out.opened.map((c) => c.key)).toEqual(['vm-overdue:42']);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.from).toBe('backstone@example.test');
    expect(mail.to).toEqual(['oncall@example.test', 'lead@example.test']);
    expect(mail.subject).toBe('[Backstone] warning: VM web (42): backup overdue');
    expect(mail.text).toContain('VM web (42): backup overdue');
    expect(mail.text).toContain('Last backup 3 days ago; expected every 24 h.');
    expect(mail.text).toContain('Where to fix it: /vms/42');
    expect(mail.text).toContain('Condition: vm-overdue:42');
    expect(mail.raw).not.toContain(SMTP_PASSWORD);
    const [row] = alertHistory();
    expect(row).toMatchObject({
      channel: 'email',
      event: 'opened',
      conditionKey: 'vm-overdue:42',
      status: 'sent',
      attempts: 1,
    });
  });

  it('records a server that is down, retries it at the next tick, and delivers once it is back', async () => {
    const port = await freePort();
    configureEmail(port);
    await runAlertTick(facts(overdue), { delays: FAST });
    let [row] = alertHistory();
    expect(row).toMatchObject({ channel: 'email', status: 'retrying', attempts: 4 });
    expect(row!.lastError).toMatch(/ECONNREFUSED/);
    // Still down at the next tick: another round, still retrying, nothing sent twice.
    await runAlertTick(facts(overdue), { delays: FAST });
    [row] = alertHistory();
    expect(row).toMatchObject({ status: 'retrying', attempts: 8 });
    const back = new Smtp(port);
    await back.start();
    try {
      await runAlertTick(facts(overdue), { delays: FAST });
      [row] = alertHistory();
      expect(row).toMatchObject({ status: 'sent', attempts: 9 });
      expect(alertHistory()).toHaveLength(1);
      expect(back.mails.map((m) => m.subject)).toEqual(['[Backstone] warning: VM web (42): backup overdue']);
    } finally {
      await back.stop();
    }
  });

  it('records a refusal (wrong password) without the password', async () => {
    saveEmailChannel(
      {
        enabled: true,
        host: '127.0.0.1',
        port: smtp.port,
        security: 'none',
        user: SMTP_USER,
        password: 'not-the-password-31337',
        from: 'backstone@example.test',
        to: ['oncall@example.test'],
      },
      'test',
    );
    const out = await sendTest('email', 'oneadmin');
    expect(out.ok).toBe(false);
    const [row] = alertHistory();
    expect(row).toMatchObject({ event: 'test', status: 'failed', attempts: 1 });
    expect(row!.lastError).toMatch(/535|Invalid/);
    expect(row!.lastError).not.toContain('not-the-password-31337');
    expect(smtp.mails).toHaveLength(0);
  });
});

describe('webhook', () => {
  let hook: Awaited<ReturnType<typeof startHook>> | undefined;
  afterEach(async () => {
    if (hook) await stopHook(hook.server);
    hook = undefined;
  });

  it('posts the JSON with a valid signature', async () => {
    hook = await startHook();
    saveWebhookChannel({ enabled: true, url: hook.url, secret: WEBHOOK_SECRET }, 'test');
    await runAlertTick(facts(full), { delays: FAST, now: Date.UTC(2026, 11, 4, 1, 2, 3) });
    expect(hook.got).toHaveLength(1);
    const h = hook.got[0]!;
    expect(verifySignature(h.body, WEBHOOK_SECRET, h.signature)).toBe(true);
    expect(h.signature).toBe(signBody(h.body, WEBHOOK_SECRET));
    expect(h.json).toEqual({
      state: 'open',
      condition: 'datastore-full:100',
      kind: 'datastore-full',
      severity: 'critical',
      message: 'Datastore Backups is 95% full',
      href: '/datastores/100?tab=capacity',
      time: '2026-12-04T01:02:03.000Z',
    });
  });

  it('retries a failing webhook with backoff, within the round and at the next tick', async () => {
    // Five refusals: a round of four tries fails, the next tick's first try is refused too, its
    // second goes through.
    hook = await startHook(5);
    saveWebhookChannel({ enabled: true, url: hook.url, secret: WEBHOOK_SECRET }, 'test');
    await runAlertTick(facts(overdue), { delays: FAST });
    // The round's four tries (the waits between them are backoff.test.ts's).
    expect(hook.refused).toHaveLength(4);
    let [row] = alertHistory();
    expect(row).toMatchObject({ channel: 'webhook', status: 'retrying', attempts: 4, lastError: 'HTTP 500' });
    await runAlertTick(facts(overdue), { delays: FAST });
    [row] = alertHistory();
    expect(row).toMatchObject({ status: 'sent', attempts: 6 });
    expect(hook.got).toHaveLength(1);
    expect(verifySignature(hook.got[0]!.body, WEBHOOK_SECRET, hook.got[0]!.signature)).toBe(true);
  });

  it('sends one alert per condition, then one resolved message when it clears', async () => {
    hook = await startHook();
    saveWebhookChannel({ enabled: true, url: hook.url, secret: WEBHOOK_SECRET }, 'test');
    await runAlertTick(facts(overdue, full), { delays: FAST });
    await runAlertTick(facts(overdue, full), { delays: FAST });
    await runAlertTick(facts(full), { delays: FAST });
    await runAlertTick(facts(full), { delays: FAST });
    const states = hook.got.map((h) => `${String(h.json.state)} ${String(h.json.condition)}`);
    expect(states.sort()).toEqual(['open datastore-full:100', 'open vm-overdue:42', 'resolved vm-overdue:42']);
    // A condition the tick could not see stays open: no resolved message for it.
    await runAlertTick({ conditions: [], isKnown: (c) => c.datastoreId !== 100 }, { delays: FAST });
    expect(hook.got).toHaveLength(3);
  });

  it('sends one digest a day listing the open alerts instead of one message per alert', async () => {
    hook = await startHook();
    saveWebhookChannel({ enabled: true, url: hook.url, secret: WEBHOOK_SECRET }, 'test');
    configureEmail(smtp.port);
    saveRules({ ...DEFAULT_ALERT_RULES, digest: true, digestHourUtc: 8 }, 'test');
    const day = Date.UTC(2026, 11, 4);
    // Before the hour: nothing is sent, the conditions are kept.
    await runAlertTick(facts(overdue, full), { delays: FAST, now: day + 7 * 3_600_000 });
    expect(hook.got).toHaveLength(0);
    await runAlertTick(facts(overdue, full), { delays: FAST, now: day + 8 * 3_600_000 });
    await runAlertTick(facts(overdue, full), { delays: FAST, now: day + 9 * 3_600_000 });
    expect(hook.got).toHaveLength(1);
    expect(hook.got[0]!.json).toMatchObject({ state: 'digest', message: '2 open alerts' });
    expect((hook.got[0]!.json.alerts as { condition: string }[]).map((a) => a.condition).sort()).toEqual([
      'datastore-full:100',
      'vm-overdue:42',
    ]);
    expect(smtp.mails.map((m) => m.subject)).toEqual(['[Backstone] daily digest: 2 open alerts']);
    expect(smtp.mails[0]!.text).toContain('VM web (42): backup overdue');
    // The next day: one more.
    await runAlertTick(facts(full), { delays: FAST, now: day + 32 * 3_600_000 });
    expect(hook.got).toHaveLength(2);
    expect(hook.got[1]!.json).toMatchObject({ state: 'digest', message: '1 open alert' });
  });
});

describe('secrets at rest', () => {
  it('keeps the SMTP password and the webhook secret sealed in SQLite, readable only with the key', () => {
    configureEmail(smtp.port);
    saveWebhookChannel({ enabled: true, url: 'http://127.0.0.1:9/hook', secret: WEBHOOK_SECRET }, 'test');
    // Keeping the secret: saving without one leaves the sealed value.
    saveWebhookChannel({ enabled: false, url: 'http://127.0.0.1:9/other', secret: undefined }, 'test');
    const raw = new Database(join(dir, 'data', 'backstone.sqlite'), { readonly: true });
    try {
      const rows = raw.prepare('SELECT channel, data, secret FROM alert_channels').all() as {
        data: string;
        secret: string | null;
      }[];
      expect(rows).toHaveLength(2);
      for (const r of rows) {
        expect(r.secret).toMatch(/^v1\./);
        expect(r.secret).not.toContain(SMTP_PASSWORD);
        expect(r.secret).not.toContain(WEBHOOK_SECRET);
        expect(r.data).not.toContain(SMTP_PASSWORD);
      }
      const whole = JSON.stringify(raw.prepare('SELECT * FROM alert_channels').all());
      expect(whole).not.toContain(SMTP_PASSWORD);
      expect(whole).not.toContain(WEBHOOK_SECRET);
    } finally {
      raw.close();
    }
    expect(readEmailChannel()?.password).toBe(SMTP_PASSWORD);
    // Without BACKSTONE_ALERTS_KEY the key is a private file in the data folder.
    expect(statSync(join(dir, 'data', 'alerts-key')).mode & 0o777).toBe(0o600);
  });
});
