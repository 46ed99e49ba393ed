import 'server-only';
import nodemailer from 'nodemailer';
import { redact } from '@/lib/log/redact';
import type { TryOutcome } from './backoff';
import { SIGNATURE_HEADER, signBody } from './signature';
import type { EmailChannel, WebhookChannel } from './store';

// The two ways out: email over SMTP (nodemailer) and a signed JSON POST. One try each; retries are
// the caller's (backoff.ts). A failure comes back as a short reason for the history, with the
// channel's secrets masked: never the password, the secret or the raw exception.

/** Per try: connecting, the greeting and each step of the conversation. */
export const CHANNEL_TIMEOUT_MS = 10_000;

function reason(err: unknown, secrets: readonly (string | undefined)[]): string {
  const e = err as {
    code?: string;
    responseCode?: number;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const parts = [
    e.cause?.code ?? e.code,
    e.responseCode ? `SMTP ${e.responseCode}` : undefined,
    e.cause?.message ?? e.message,
  ];
  const text = [...new Set(parts.filter((p): p is string => typeof p === 'string' && p.length > 0))].join(': ');
  return redact(
    text || 'unknown error',
    secrets.filter((s): s is string => !!s),
  ).slice(0, 500);
}

/** What a delivery carries: the email's subject and text, the webhook's exact JSON body. */
export type Outgoing = { subject: string; text: string; body: string };

export async function sendEmail(c: EmailChannel, m: Pick<Outgoing, 'subject' | 'text'>): Promise<TryOutcome> {
  const transport = nodemailer.createTransport({
    host: c.host,
    port: c.port,
    // TLS from the first byte (465), or STARTTLS required (587), or plain (a relay on localhost).
    secure: c.security === 'tls',
    requireTLS: c.security === 'starttls',
    ignoreTLS: c.security === 'none',
    ...(c.user ? { auth: { user: c.user, pass: c.password ?? '' } } : {}),
    connectionTimeout: CHANNEL_TIMEOUT_MS,
    greetingTimeout: CHANNEL_TIMEOUT_MS,
    socketTimeout: CHANNEL_TIMEOUT_MS,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    await transport.sendMail({ from: c.from, to: c.to, subject: m.subject, text: m.text });
    return { ok: true };
  } catch (err) {
    return { ok: false, error: reason(err, [c.password]) };
  } finally {
    transport.close();
  }
}

export async function sendWebhook(c: WebhookChannel, body: string): Promise<TryOutcome> {
  if (!c.secret) return { ok: false, error: 'no secret is set for the webhook: it cannot be signed' };
  try {
    const res = await fetch(c.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Backstone-Alerts',
        [SIGNATURE_HEADER]: signBody(body, c.secret),
      },
      body,
      // A redirect is an answer of its own: a receiver that moved is reported, not followed.
      redirect: 'manual',
      cache: 'no-store',
      signal: AbortSignal.timeout(CHANNEL_TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (res.status >= 200 && res.status < 300) return { ok: true };
    return { ok: false, error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, error: reason(err, [c.secret]) };
  }
}
