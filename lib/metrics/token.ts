import { createHash, timingSafeEqual } from 'node:crypto';

// The one check /metrics makes: Prometheus has no session, so the bearer token from configuration
// (BACKSTONE_METRICS_TOKEN) is its sign-in. Both sides are hashed first so the comparison takes the
// same time whatever the length or content of what was sent.

export type TokenVerdict = 'off' | 'refused' | 'ok';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** `Authorization: Bearer <token>` against the configured token; 'off' when none is configured. */
export function checkBearer(authorization: string | null | undefined, configured: string | undefined): TokenVerdict {
  if (!configured) return 'off';
  const sent = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
  // Compared even when nothing usable was sent, so a refusal takes as long as a wrong token.
  const same = timingSafeEqual(digest(sent ?? ''), digest(configured));
  return same && sent !== undefined ? 'ok' : 'refused';
}
