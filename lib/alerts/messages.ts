// What an alert says, pure: the email's subject and text, and the webhook's JSON body. One wording
// for both channels so the history shows what either received.

import type { KeptCondition } from './rules';

export type AlertEvent = 'opened' | 'resolved' | 'digest' | 'test';

export type AlertMessage = {
  event: AlertEvent;
  /** The condition's key; "digest" or "test" for those. */
  conditionKey: string;
  subject: string;
  text: string;
  /** The webhook's JSON body (the email carries the same facts as text). */
  payload: WebhookPayload;
};

export type WebhookPayload = {
  /** open | resolved | digest | test */
  state: 'open' | 'resolved' | 'digest' | 'test';
  condition: string;
  kind?: string;
  severity?: string;
  message: string;
  detail?: string;
  /** A path of Backstone where it is fixed. */
  href?: string;
  /** ISO 8601. */
  time: string;
  /** In a digest: every open alert. */
  alerts?: { condition: string; severity: string; message: string; since: string; href: string }[];
};

const iso = (ms: number) => new Date(ms).toISOString();

export function openedMessage(c: KeptCondition, now: number): AlertMessage {
  const text = [
    c.title,
    '',
    ...(c.detail ? [c.detail, ''] : []),
    `Severity: ${c.severity}`,
    `Since: ${iso(c.firstSeenAt)}`,
    `Where to fix it: ${c.href}`,
    `Condition: ${c.key}`,
    '',
    'You get one message when this clears.',
  ].join('\n');
  return {
    event: 'opened',
    conditionKey: c.key,
    subject: `[Backstone] ${c.severity}: ${c.title}`,
    text,
    payload: {
      state: 'open',
      condition: c.key,
      kind: c.kind,
      severity: c.severity,
      message: c.title,
      ...(c.detail ? { detail: c.detail } : {}),
      href: c.href,
      time: iso(now),
    },
  };
}

export function resolvedMessage(c: KeptCondition, now: number): AlertMessage {
  const text = [
    `Resolved: ${c.title}`,
    '',
    `Open since: ${iso(c.openedAt ?? c.firstSeenAt)}`,
    `Cleared: ${iso(now)}`,
    `Condition: ${c.key}`,
  ].join('\n');
  return {
    event: 'resolved',
    conditionKey: c.key,
    subject: `[Backstone] resolved: ${c.title}`,
    text,
    payload: {
      state: 'resolved',
      condition: c.key,
      kind: c.kind,
      severity: c.severity,
      message: `Resolved: ${c.title}`,
      href: c.href,
      time: iso(now),
    },
  };
}

export function digestMessage(open: readonly KeptCondition[], now: number): AlertMessage {
  const n = open.length;
  const lines = open.map((c) => `- [${c.severity}] ${c.title} (since ${iso(c.openedAt ?? c.firstSeenAt)}) ${c.href}`);
  return {
    event: 'digest',
    conditionKey: 'digest',
    subject: `[Backstone] daily digest: ${n} open ${n === 1 ? 'alert' : 'alerts'}`,
    text: [`${n} open ${n === 1 ? 'alert' : 'alerts'} on ${iso(now).slice(0, 10)}:`, '', ...lines].join('\n'),
    payload: {
      state: 'digest',
      condition: 'digest',
      message: `${n} open ${n === 1 ? 'alert' : 'alerts'}`,
      time: iso(now),
      alerts: open.map((c) => ({
        condition: c.key,
        severity: c.severity,
        message: c.title,
        since: iso(c.openedAt ?? c.firstSeenAt),
        href: c.href,
      })),
    },
  };
}

export function testMessage(actor: string, now: number): AlertMessage {
  const message = `Test message from Backstone, sent by ${actor}`;
  return {
    event: 'test',
    conditionKey: 'test',
    subject: '[Backstone] test message',
    text: `${message} at ${iso(now)}.\n\nThis channel delivers Backstone's alerts.`,
    payload: { state: 'test', condition: 'test', message, time: iso(now) },
  };
}
