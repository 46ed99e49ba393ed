import 'server-only';
import { processWide } from '@/lib/config/process-wide';

// Secrets Backstone has handled in this process (restic passwords, credentials). Every log line
// and every error message passes through redact(), so a secret that slips into a command's
// stderr, an exception or a log call is replaced before it goes anywhere.

const MAX_SECRETS = 1_000;
const secrets = processWide('redact.secrets', () => new Set<string>());
const MASK = '[REDACTED]';

/** Remembers a secret so it is redacted from every later log line and error message. */
export function registerSecret(secret: string | undefined): void {
  // Very short values would redact ordinary words; they are refused as passwords elsewhere.
  if (!secret || secret.length < 4) return;
  if (secrets.size >= MAX_SECRETS) {
    const oldest = secrets.values().next().value;
    if (oldest !== undefined) secrets.delete(oldest);
  }
  secrets.add(secret);
}

/** Replaces every registered secret, and the given extra ones, with a mask. */
export function redact(text: string, extra: readonly string[] = []): string {
  let out = text;
  for (const s of [...extra, ...secrets]) {
    if (s.length >= 4 && out.includes(s)) out = out.split(s).join(MASK);
  }
  return out;
}
