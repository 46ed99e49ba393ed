import 'server-only';
import { logger } from '@/lib/log';
import type { AlertChannel, AlertRules } from '@/lib/schemas/alerts';
import { lockStaleThresholdMs } from '@/lib/schedules';
import { getDb, type Db } from '@/lib/store';
import { RETRY_DELAYS_MS, withRetries, type TryOutcome } from './backoff';
import { sendEmail, sendWebhook, type Outgoing } from './channels';
import { digestMessage, openedMessage, resolvedMessage, testMessage, type AlertMessage } from './messages';
import { evaluate, type AlertCondition, type EvaluateOptions, type Transitions } from './rules';
import {
  dueDeliveries,
  enabledChannels,
  forgetConditions,
  getDelivery,
  keepConditions,
  keptConditions,
  queueDelivery,
  readEmailChannel,
  readRules,
  readState,
  readWebhookChannel,
  recordAttempts,
  writeState,
  type Delivery,
} from './store';

// One evaluation: this tick's conditions against the kept ones (rules.ts), the transitions kept in
// the store, a message per opened or resolved alert (or the daily digest instead) queued for every
// channel turned on, then every due delivery tried.
//
// The retry rule: each tick gives a due delivery one round of tries (backoff.ts: at once, then
// after 1 s, 4 s and 16 s). A round that fails leaves it "retrying" and the next tick tries again,
// until it is sent or GIVE_UP_AFTER_MS after it was queued, when it is marked "failed" for good.
// Within a tick, once a channel failed a whole round its other deliveries wait for the next tick
// (the channel is down; trying each in turn would only hold the tick).

const log = logger('alerts');

/** A channel down for a day has bigger problems; the history keeps every failure. */
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;

export type TickFacts = { conditions: AlertCondition[]; isKnown: EvaluateOptions['isKnown'] };

export type TickOptions = {
  now?: number;
  db?: Db;
  /** The backoff between tries of a round (tests shorten it). */
  delays?: readonly number[];
};

export type TickSummary = Pick<Transitions, 'opened' | 'resolved'> & {
  digest: boolean;
  delivered: number;
  failed: number;
};

const DIGEST_STATE = 'last-digest-at';
const DAY_MS = 86_400_000;

/** The digest goes out once a UTC day, at the first tick at or after the configured hour. */
export function digestDue(now: number, rules: Pick<AlertRules, 'digestHourUtc'>, lastAt: number | undefined): boolean {
  const today = Math.floor(now / DAY_MS);
  if (new Date(now).getUTCHours() < rules.digestHourUtc) return false;
  return lastAt === undefined || Math.floor(lastAt / DAY_MS) < today;
}

function queueFor(channels: readonly AlertChannel[], messages: readonly AlertMessage[], now: number, db: Db) {
  for (const m of messages) for (const ch of channels) queueDelivery(ch, m, now, db);
}

export async function runAlertTick(facts: TickFacts, opts: TickOptions = {}): Promise<TickSummary> {
  const db = opts.db ?? getDb();
  const now = opts.now ?? Date.now();
  const rules = readRules(db);
  const t = evaluate(keptConditions(db), facts.conditions, {
    now,
    lockThresholdMs: (id) => lockStaleThresholdMs(id, db),
    isKnown: facts.isKnown,
  });
  let digest = false;
  db.transaction(() => {
    keepConditions([...t.pending, ...t.opened, ...t.ongoing], db);
    forgetConditions(
      [...t.resolved, ...t.dropped].map((k) => k.key),
      db,
    );
    const channels = enabledChannels(db);
    if (!rules.digest) {
      queueFor(
        channels,
        [...t.opened.map((c) => openedMessage(c, now)), ...t.resolved.map((c) => resolvedMessage(c, now))],
        now,
        db,
      );
      return;
    }
    const last = readState(DIGEST_STATE, db);
    if (!digestDue(now, rules, last === undefined ? undefined : Number(last))) return;
    writeState(DIGEST_STATE, String(now), db);
    // Nothing open, nothing to say: the digest is about what needs someone.
    const open = keptConditions(db).filter((c) => c.state === 'open');
    if (open.length === 0) return;
    queueFor(channels, [digestMessage(open, now)], now, db);
    digest = true;
  })();
  if (t.opened.length + t.resolved.length > 0)
    log.info('alerts changed', { opened: t.opened.map((c) => c.key), resolved: t.resolved.map((c) => c.key) });
  const { delivered, failed } = await deliverDue({ db, now, delays: opts.delays ?? RETRY_DELAYS_MS });
  return { opened: t.opened, resolved: t.resolved, digest, delivered, failed };
}

const outgoing = (d: Delivery): Outgoing => ({ subject: d.subject, text: d.text, body: d.payload });

/** One try of a delivery on its channel as configured now. */
function tryDelivery(channel: AlertChannel, out: Outgoing, db: Db): Promise<TryOutcome> {
  const c = channel === 'email' ? readEmailChannel(db) : readWebhookChannel(db);
  if (!c) return Promise.resolve({ ok: false, error: `the ${channel} channel is not set up` });
  if (!c.enabled) return Promise.resolve({ ok: false, error: `the ${channel} channel is turned off` });
  return 'host' in c ? sendEmail(c, out) : sendWebhook(c, out.body);
}

/** Every due delivery: channels side by side, each channel's deliveries in order. */
export async function deliverDue(opts: {
  db?: Db;
  now?: number;
  delays?: readonly number[];
}): Promise<{ delivered: number; failed: number }> {
  const db = opts.db ?? getDb();
  const due = dueDeliveries(db);
  const byChannel = new Map<AlertChannel, Delivery[]>();
  for (const d of due) byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), d]);
  let delivered = 0;
  let failed = 0;
  await Promise.all(
    [...byChannel.entries()].map(async ([channel, list]) => {
      for (const d of list) {
        const round = await withRetries(() => tryDelivery(channel, outgoing(d), db), opts.delays ?? RETRY_DELAYS_MS);
        const at = opts.now ?? Date.now();
        const gaveUp = !round.ok && at - d.createdAt >= GIVE_UP_AFTER_MS;
        recordAttempts(
          d.id,
          {
            status: round.ok ? 'sent' : gaveUp ? 'failed' : 'retrying',
            tries: round.tries,
            error: round.errors.at(-1) ?? '',
            at,
          },
          db,
        );
        if (round.ok) {
          delivered++;
          continue;
        }
        failed++;
        log.warn('alert not delivered', { channel, delivery: d.id, error: round.errors.at(-1) ?? '' });
        break;
      }
    }),
  );
  return { delivered, failed };
}

/**
 * "Send test": one message on one channel, one try (the button answers within the channel's
 * timeout), recorded in the history. A test is never retried: the admin sees the outcome at once.
 * The caller checks first that the channel is set up and turned on (nothing goes anywhere else).
 */
export async function sendTest(channel: AlertChannel, actor: string, db: Db = getDb()): Promise<TryOutcome> {
  const now = Date.now();
  const id = queueDelivery(channel, testMessage(actor, now), now, db);
  const d = getDelivery(id, db);
  const out: TryOutcome = d ? await tryDelivery(channel, outgoing(d), db) : { ok: false, error: 'not recorded' };
  recordAttempts(
    id,
    { status: out.ok ? 'sent' : 'failed', tries: 1, error: out.ok ? '' : out.error, at: Date.now() },
    db,
  );
  return out;
}
