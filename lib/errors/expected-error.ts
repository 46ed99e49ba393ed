// One base for the failures Backstone expects (a server unreachable, a repository locked, a name
// not found, a refusal by a rule): each says what kind it is, the HTTP status that kind answers
// with, and a message a person may read. Pure (no I/O, no 'server-only'): lib/schemas' errors
// extend it too, and the helpers that answer with it (answers.ts) map every kind in one place.

/**
 * What went wrong, as a caller acts on it:
 * - `invalid-input`: the request cannot be done as written (a template oned would refuse);
 * - `not-found`: no such object, or none this person may see;
 * - `forbidden`: the object's owner (OpenNebula) refused this person;
 * - `conflict`: refused by a rule in the current state (not a restic datastore, a broken chain,
 *   a target that exists, a backup running);
 * - `throttled`: over a per-person or per-server limit, refused at once; come back later;
 * - `unavailable`: not answered yet (busy queue, still reading); come back later;
 * - `unreachable`: the backup server or the front-end could not be reached or trusted;
 * - `failed`: the command ran and failed (restic, the OpenNebula CLI, a copy).
 */
export type ErrorKind =
  'invalid-input' | 'not-found' | 'forbidden' | 'conflict' | 'throttled' | 'unavailable' | 'unreachable' | 'failed';

/**
 * The HTTP status of each kind. A refusal by OpenNebula answers 404 like a missing object, so an
 * answer never tells that something exists for someone else; what failed on a backup server or the
 * front-end is a 502 (Backstone itself is fine, what it depends on is not).
 */
export const STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  'invalid-input': 400,
  'not-found': 404,
  forbidden: 404,
  conflict: 409,
  throttled: 429,
  unavailable: 503,
  unreachable: 502,
  failed: 502,
};

export abstract class ExpectedError extends Error {
  abstract readonly kind: ErrorKind;
  /** Seconds to wait before asking again, for refusals "for now" (sent as Retry-After). */
  readonly retryAfterSeconds?: number;

  get status(): number {
    return STATUS_OF_KIND[this.kind];
  }

  /**
   * What a person reads. By default the message, which every subclass words for a person: no
   * secret, argv or raw stderr (adapters redact and keep only a bounded last line). A subclass
   * whose message is for the logs overrides this.
   */
  get userMessage(): string {
    return this.message;
  }
}

/**
 * Whether `err` is an expected failure, and (with `kinds`) of one of those kinds: the one way app
 * code tells failures apart, so it never imports an adapter's or the domain's error classes.
 */
export function isExpectedError(err: unknown, ...kinds: ErrorKind[]): err is ExpectedError {
  return err instanceof ExpectedError && (kinds.length === 0 || kinds.includes(err.kind));
}

/**
 * How the audit log records a failed change: `refused` when a rule, the input or OpenNebula's
 * permissions said no before anything ran; `failed` when it was tried and did not work.
 */
export function auditOutcome(err: unknown): 'refused' | 'failed' {
  return isExpectedError(err, 'conflict', 'invalid-input', 'not-found', 'forbidden') ? 'refused' : 'failed';
}
