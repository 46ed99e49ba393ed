import 'server-only';
import { redact } from '@/lib/log/redact';
import {
  DEFAULT_ALERT_RULES,
  type AlertChannel,
  type AlertRules,
  type EmailChannelView,
  type SmtpSecurity,
  type WebhookChannelView,
} from '@/lib/schemas/alerts';
import { getDb, type Db } from '@/lib/store';
import type { AlertEvent, AlertMessage } from './messages';
import type { AlertKind, KeptCondition } from './rules';
import { sealSecret, unsealSecret } from './secret-box';

// The alerts' rows in the store (migration 11): the rules' settings, the two channels (secrets
// sealed), the conditions being watched, and every delivery (the alert history).

// ---- settings ----

export function readRules(db: Db = getDb()): AlertRules {
  const row = db.prepare<[], { data: string }>('SELECT data FROM alert_settings WHERE id = 1').get();
  if (!row) return DEFAULT_ALERT_RULES;
  try {
    return { ...DEFAULT_ALERT_RULES, ...(JSON.parse(row.data) as Partial<AlertRules>) };
  } catch {
    return DEFAULT_ALERT_RULES;
  }
}

export function saveRules(rules: AlertRules, by: string, db: Db = getDb()): void {
  db.prepare(
    `INSERT INTO alert_settings (id, data, updated_at, updated_by) VALUES (1, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(JSON.stringify(rules), Date.now(), by);
}

// ---- channels ----

export type EmailChannel = Omit<EmailChannelView, 'passwordSet'> & { password?: string };
export type WebhookChannel = Omit<WebhookChannelView, 'secretSet'> & { secret?: string };

type ChannelRow = { channel: AlertChannel; enabled: number; data: string; secret: string | null };

function channelRow(channel: AlertChannel, db: Db): ChannelRow | undefined {
  return db
    .prepare<[string], ChannelRow>('SELECT channel, enabled, data, secret FROM alert_channels WHERE channel = ?')
    .get(channel);
}

function saveChannelRow(
  channel: AlertChannel,
  enabled: boolean,
  data: object,
  secret: { keep: true } | { value: string | null },
  by: string,
  db: Db,
): void {
  const sealed =
    'keep' in secret ? (channelRow(channel, db)?.secret ?? null) : secret.value && sealSecret(secret.value);
  db.prepare(
    `INSERT INTO alert_channels (channel, enabled, data, secret, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (channel) DO UPDATE SET enabled = excluded.enabled, data = excluded.data, secret = excluded.secret,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(channel, enabled ? 1 : 0, JSON.stringify(data), sealed, Date.now(), by);
}

type EmailData = { host: string; port: number; security: SmtpSecurity; user: string; from: string; to: string[] };

/** The email channel with its password unsealed (server side only), or undefined when never set. */
export function readEmailChannel(db: Db = getDb()): EmailChannel | undefined {
  const row = channelRow('email', db);
  if (!row) return undefined;
  const data = JSON.parse(row.data) as EmailData;
  const password = row.secret ? unsealSecret(row.secret) : undefined;
  return { enabled: row.enabled === 1, ...data, ...(password !== undefined ? { password } : {}) };
}

export function emailChannelView(db: Db = getDb()): EmailChannelView | undefined {
  const row = channelRow('email', db);
  if (!row) return undefined;
  return { enabled: row.enabled === 1, ...(JSON.parse(row.data) as EmailData), passwordSet: row.secret !== null };
}

/** `password`: a new one, null to remove it, undefined to keep the stored one. */
export function saveEmailChannel(
  c: Omit<EmailChannel, 'password'> & { password: string | null | undefined },
  by: string,
  db: Db = getDb(),
): void {
  const { enabled, password, ...data } = c;
  saveChannelRow('email', enabled, data, password === undefined ? { keep: true } : { value: password }, by, db);
}

export function readWebhookChannel(db: Db = getDb()): WebhookChannel | undefined {
  const row = channelRow('webhook', db);
  if (!row) return undefined;
  const data = JSON.parse(row.data) as { url: string };
  const secret = row.secret ? unsealSecret(row.secret) : undefined;
  return { enabled: row.enabled === 1, url: data.url, ...(secret !== undefined ? { secret } : {}) };
}

export function webhookChannelView(db: Db = getDb()): WebhookChannelView | undefined {
  const row = channelRow('webhook', db);
  if (!row) return undefined;
  return {
    enabled: row.enabled === 1,
    url: (JSON.parse(row.data) as { url: string }).url,
    secretSet: row.secret !== null,
  };
}

export function hasWebhookSecret(db: Db = getDb()): boolean {
  return (channelRow('webhook', db)?.secret ?? null) !== null;
}

/** `secret`: a new one, or undefined to keep the stored one. */
export function saveWebhookChannel(
  c: { enabled: boolean; url: string; secret: string | undefined },
  by: string,
  db: Db = getDb(),
): void {
  saveChannelRow(
    'webhook',
    c.enabled,
    { url: c.url },
    c.secret === undefined ? { keep: true } : { value: c.secret },
    by,
    db,
  );
}

/** The channels turned on: each alert goes to every one of them. */
export function enabledChannels(db: Db = getDb()): AlertChannel[] {
  return db
    .prepare<[], { channel: AlertChannel }>('SELECT channel FROM alert_channels WHERE enabled = 1 ORDER BY channel')
    .all()
    .map((r) => r.channel);
}

// ---- conditions ----

type ConditionRow = {
  key: string;
  kind: AlertKind;
  severity: KeptCondition['severity'];
  title: string;
  detail: string;
  href: string;
  datastore_id: number | null;
  state: 'pending' | 'open';
  first_seen_at: number;
  opened_at: number | null;
};

export function keptConditions(db: Db = getDb()): KeptCondition[] {
  return db
    .prepare<[], ConditionRow>('SELECT * FROM alert_conditions ORDER BY first_seen_at, key')
    .all()
    .map((r) => ({
      key: r.key,
      kind: r.kind,
      severity: r.severity,
      title: r.title,
      detail: r.detail,
      href: r.href,
      ...(r.datastore_id !== null ? { datastoreId: r.datastore_id } : {}),
      state: r.state,
      firstSeenAt: r.first_seen_at,
      ...(r.opened_at !== null ? { openedAt: r.opened_at } : {}),
    }));
}

export function keepConditions(conditions: readonly KeptCondition[], db: Db = getDb()): void {
  const put = db.prepare(
    `INSERT INTO alert_conditions (key, kind, severity, title, detail, href, datastore_id, state, first_seen_at, opened_at)
     VALUES (@key, @kind, @severity, @title, @detail, @href, @datastoreId, @state, @firstSeenAt, @openedAt)
     ON CONFLICT (key) DO UPDATE SET severity = excluded.severity, title = excluded.title, detail = excluded.detail,
       href = excluded.href, state = excluded.state, opened_at = excluded.opened_at`,
  );
  for (const c of conditions)
    put.run({
      key: c.key,
      kind: c.kind,
      severity: c.severity,
      title: c.title.slice(0, 500),
      detail: redact(c.detail).slice(0, 2_000),
      href: c.href,
      datastoreId: c.datastoreId ?? null,
      state: c.state,
      firstSeenAt: c.firstSeenAt,
      openedAt: c.openedAt ?? null,
    });
}

export function forgetConditions(keys: readonly string[], db: Db = getDb()): void {
  const del = db.prepare('DELETE FROM alert_conditions WHERE key = ?');
  for (const k of keys) del.run(k);
}

// ---- deliveries: the history ----

export type DeliveryStatus = 'queued' | 'sent' | 'retrying' | 'failed';

export type Delivery = {
  id: number;
  createdAt: number;
  channel: AlertChannel;
  event: AlertEvent;
  conditionKey: string;
  subject: string;
  text: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string;
  lastAttemptAt?: number;
  sentAt?: number;
};

type DeliveryRow = {
  id: number;
  created_at: number;
  channel: AlertChannel;
  event: AlertEvent;
  condition_key: string;
  subject: string;
  body: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string;
  last_attempt_at: number | null;
  sent_at: number | null;
};

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  createdAt: r.created_at,
  channel: r.channel,
  event: r.event,
  conditionKey: r.condition_key,
  subject: r.subject,
  text: r.body,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  ...(r.last_attempt_at !== null ? { lastAttemptAt: r.last_attempt_at } : {}),
  ...(r.sent_at !== null ? { sentAt: r.sent_at } : {}),
});

export function queueDelivery(channel: AlertChannel, m: AlertMessage, now: number, db: Db = getDb()): number {
  const r = db
    .prepare(
      `INSERT INTO alert_deliveries (created_at, channel, event, condition_key, subject, body, payload, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'queued')`,
    )
    .run(now, channel, m.event, m.conditionKey, m.subject, m.text, JSON.stringify(m.payload));
  return Number(r.lastInsertRowid);
}

export function dueDeliveries(db: Db = getDb()): Delivery[] {
  return db
    .prepare<[], DeliveryRow>("SELECT * FROM alert_deliveries WHERE status IN ('queued', 'retrying') ORDER BY id")
    .all()
    .map(toDelivery);
}

export function getDelivery(id: number, db: Db = getDb()): Delivery | undefined {
  const r = db.prepare<[number], DeliveryRow>('SELECT * FROM alert_deliveries WHERE id = ?').get(id);
  return r && toDelivery(r);
}

export function recordAttempts(
  id: number,
  outcome: { status: DeliveryStatus; tries: number; error: string; at: number },
  db: Db = getDb(),
): void {
  db.prepare(
    `UPDATE alert_deliveries SET status = ?, attempts = attempts + ?, last_error = ?, last_attempt_at = ?,
       sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?`,
  ).run(
    outcome.status,
    outcome.tries,
    redact(outcome.error).slice(0, 1_000),
    outcome.at,
    outcome.status,
    outcome.at,
    id,
  );
}

export function alertHistory(limit = 500, db: Db = getDb()): Delivery[] {
  return db
    .prepare<[number], DeliveryRow>('SELECT * FROM alert_deliveries ORDER BY id DESC LIMIT ?')
    .all(Math.min(Math.max(1, limit), 5_000))
    .map(toDelivery);
}

// ---- small facts ----

export function readState(name: string, db: Db = getDb()): string | undefined {
  return db.prepare<[string], { value: string }>('SELECT value FROM alert_state WHERE name = ?').get(name)?.value;
}

export function writeState(name: string, value: string, db: Db = getDb()): void {
  db.prepare(
    'INSERT INTO alert_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  ).run(name, value);
}
