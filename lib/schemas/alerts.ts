import { z } from 'zod';

// The alerts settings forms (client and server): the rules' thresholds and the digest, the email
// channel (SMTP) and the webhook channel, and "Send test". Secrets are write-only: an empty
// password or secret field keeps the stored one.

export const ALERT_CHANNELS = ['email', 'webhook'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

export const SMTP_SECURITY = ['starttls', 'tls', 'none'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY)[number];

/** At most this many recipients: an alert goes to a team's list, not a mailing. */
export const MAX_RECIPIENTS = 20;
export const MIN_WEBHOOK_SECRET = 16;

/** The settings of the rules, as stored (lib/alerts/settings.ts) and as the form shows them. */
export type AlertRules = {
  /** A datastore fuller than this (percent) raises an alert. */
  fullPercent: number;
  /** A datastore full within this many days at the current rate raises an alert. */
  fullWithinDays: number;
  /** One message a day listing the open alerts, instead of one message per alert. */
  digest: boolean;
  /** The hour (UTC) the digest goes out. */
  digestHourUtc: number;
};

export const DEFAULT_ALERT_RULES: AlertRules = {
  fullPercent: 90,
  fullWithinDays: 30,
  digest: false,
  digestHourUtc: 8,
};

const NO_CONTROL = /^[^\p{Cc}]*$/u;

const wholeNumber = (label: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,6}$/, { error: `${label}: give a whole number from ${min} to ${max}.` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `${label}: at least ${min}.` })
        .max(max, { error: `${label}: at most ${max}.` }),
    );

/** A checkbox: present ("on") or absent. */
const checkbox = z
  .union([z.literal('on'), z.literal('')])
  .optional()
  .transform((v) => v === 'on');

export const AlertRulesSchema = z.object({
  fullPercent: wholeNumber('Fullness threshold', 1, 100),
  fullWithinDays: wholeNumber('Full within', 1, 365),
  digest: checkbox,
  digestHourUtc: wholeNumber('Digest hour', 0, 23),
});
export type AlertRulesInput = z.output<typeof AlertRulesSchema>;

const HOST =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]{2,45}\]?$/;

const email = z.email({ error: 'Not an email address.' }).max(254);

/** Recipients separated by commas, semicolons, spaces or new lines. */
const recipients = z
  .string()
  .max(5_000)
  .transform((v) =>
    v
      .split(/[\s,;]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(email)
      .min(1, { error: 'Give at least one recipient.' })
      .max(MAX_RECIPIENTS, { error: `At most ${MAX_RECIPIENTS} recipients.` }),
  );

/** A write-only secret field: empty keeps the stored value. */
const secretField = (max: number) =>
  z
    .string()
    .max(max, { error: `At most ${max} characters.` })
    .regex(NO_CONTROL, { error: 'No control characters.' })
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v));

export const EmailChannelSchema = z.object({
  enabled: checkbox,
  host: z.string().trim().regex(HOST, { error: 'Give the SMTP server as a host name or IP address.' }),
  port: wholeNumber('Port', 1, 65_535),
  security: z.enum(SMTP_SECURITY, { error: 'Choose STARTTLS, TLS or none.' }),
  user: z
    .string()
    .trim()
    .max(200, { error: 'The user is at most 200 characters.' })
    .regex(NO_CONTROL, { error: 'No control characters.' })
    .optional()
    .transform((v) => (v ? v : undefined)),
  password: secretField(500),
  clearPassword: checkbox,
  from: z.string().trim().pipe(email),
  to: recipients,
});
export type EmailChannelInput = z.output<typeof EmailChannelSchema>;

export const WebhookChannelSchema = z.object({
  enabled: checkbox,
  url: z
    .string()
    .trim()
    .max(2_000, { error: 'The URL is at most 2000 characters.' })
    .pipe(z.url({ protocol: /^https?$/, error: 'Give an http:// or https:// URL.' })),
  secret: secretField(500).refine((v) => v === undefined || v.length >= MIN_WEBHOOK_SECRET, {
    error: `The secret is at least ${MIN_WEBHOOK_SECRET} characters.`,
  }),
});
export type WebhookChannelInput = z.output<typeof WebhookChannelSchema>;

export const SendTestSchema = z.object({
  channel: z.enum(ALERT_CHANNELS, { error: 'Choose the email or the webhook channel.' }),
});

/** What the settings page shows of a channel: never a secret, only whether one is set. */
export type EmailChannelView = {
  enabled: boolean;
  host: string;
  port: number;
  security: SmtpSecurity;
  user: string;
  from: string;
  to: string[];
  passwordSet: boolean;
};
export type WebhookChannelView = { enabled: boolean; url: string; secretSet: boolean };
