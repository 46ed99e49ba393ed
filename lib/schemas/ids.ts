import { z } from 'zod';

// IDs as forms, clients and URLs send them, written the one way OpenNebula prints them: digits
// only, no sign, spaces, leading zeros or other bases. "100\n", " 100", "0x64" and "1e2" are not
// datastore 100: a value that only coerces to an ID is refused, not guessed at.

const CANONICAL_ID = /^(0|[1-9]\d{0,9})$/;
const MAX_ID = 2_147_483_647;

/** A repository under BASE_PATH as OpenNebula names them: a VM ID or job_<Backup Job ID>. */
export const REPOSITORY_NAME = /^(0|[1-9]\d{0,8}|job_(0|[1-9]\d{0,8}))$/;

/** An ID from a form field (a string) or a client argument (a number). */
export const IdSchema = z
  .union([z.number(), z.string().regex(CANONICAL_ID, 'Not an ID.').transform(Number)])
  .pipe(z.number().int('Not an ID.').min(0, 'Not an ID.').max(MAX_ID, 'Not an ID.'));

/** An optional ID: an empty field leaves it out. */
export const OptionalIdSchema = z.preprocess(
  (v) => (v === '' || v === null || v === undefined ? undefined : v),
  IdSchema.optional(),
);

export const RepositoryNameSchema = z.string().regex(REPOSITORY_NAME, 'Not a repository name.');

// One collator for every sort: localeCompare with options builds a new one on each call.
const numericOrder = new Intl.Collator('en', { numeric: true });

/**
 * Orders repository names as people count: 2 before 10, VMs before job_N. The one order of the
 * server's lists and the tables that re-sort them in the browser.
 */
export function compareRepositoryNames(a: string, b: string): number {
  return numericOrder.compare(a, b);
}

/** A route segment holding an ID. */
export const IdParam = z.string().regex(CANONICAL_ID).transform(Number).pipe(z.number().max(MAX_ID));
