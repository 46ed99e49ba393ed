import { z } from 'zod';
import { IdParam, REPOSITORY_NAME } from './ids';

// Route parameters, checked at the boundary: anything else is a 404 and runs nothing.

export const DatastoreIdParam = IdParam;
/** A repository under BASE_PATH as OpenNebula names them: a VM ID or job_<ID>. */
export const RepositoryParam = z.string().regex(REPOSITORY_NAME);
/** A restic snapshot ID (short or long hex). */
export const SnapshotParam = z.string().regex(/^[0-9a-f]{8,64}$/);

export function parseParam<T>(schema: z.ZodType<T, string>, value: unknown): T | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}
