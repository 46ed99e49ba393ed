import { z } from 'zod';

// The VMs list's search parameters (/vms and /api/vms): which VMs, in which order. Shared by the
// page, the route handler and the client table that builds the links.

export const PROTECTION_STATUSES = ['protected', 'overdue', 'never', 'failed', 'backing-up'] as const;
export type ProtectionStatusName = (typeof PROTECTION_STATUSES)[number];

export const VM_SORT_KEYS = [
  'status',
  'id',
  'name',
  'owner',
  'state',
  'datastore',
  'mode',
  'job',
  'lastBackup',
  'size',
  'chain',
] as const;
export type VmSortKey = (typeof VM_SORT_KEYS)[number];

/** A search parameter given once (a repeated one arrives as an array). */
const one = (what: string) => z.string({ error: `Give ${what} once.` });

export const VmsQuerySchema = z.object({
  status: one('the status filter')
    .pipe(
      z.enum(['all', ...PROTECTION_STATUSES], {
        error: `The status filter must be one of: all, ${PROTECTION_STATUSES.join(', ')}.`,
      }),
    )
    .optional()
    .default('all'),
  q: one('the text filter')
    .pipe(z.string().trim().max(200, { error: 'The text filter is at most 200 characters.' }))
    .optional()
    .default(''),
  sort: one('the sort column')
    .pipe(z.enum(VM_SORT_KEYS, { error: `Sort by one of: ${VM_SORT_KEYS.join(', ')}.` }))
    .optional()
    .default('status'),
  dir: one('the sort direction')
    .pipe(z.enum(['asc', 'desc'], { error: 'The sort direction is asc or desc.' }))
    .optional()
    .default('asc'),
});
export type VmsQuery = z.output<typeof VmsQuerySchema>;

/** The query from search parameters, or the first problem in words. */
export function parseVmsQuery(
  params: Record<string, string | string[] | undefined>,
): { ok: true; query: VmsQuery } | { ok: false; message: string } {
  const known = Object.fromEntries(
    Object.entries(params).filter(([k, v]) => v !== undefined && (VmsQuerySchema.shape as Record<string, unknown>)[k]),
  );
  const r = VmsQuerySchema.safeParse(known);
  if (r.success) return { ok: true, query: r.data };
  return { ok: false, message: r.error.issues[0]?.message ?? 'Invalid filter.' };
}

/** The search string of a query, without its defaults. */
export function vmsQueryString(q: Partial<VmsQuery>): string {
  const p = new URLSearchParams();
  if (q.status && q.status !== 'all') p.set('status', q.status);
  if (q.q) p.set('q', q.q);
  if (q.sort && q.sort !== 'status') p.set('sort', q.sort);
  if (q.dir && q.dir !== 'asc') p.set('dir', q.dir);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** A backup datastore's expected interval, as an admin sets it on the datastore page (in hours). */
export const EXPECTED_INTERVAL_MAX_HOURS = 24 * 366;
