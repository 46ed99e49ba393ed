import 'server-only';
import { NotAResticDatastore, RepositoryNotFound, StillReading, TooManyDownloads } from '@/lib/catalog';
import { Busy, ExecError } from '@/lib/exec';
import { OneError, OneNotAuthorized, OneNotFound } from '@/lib/opennebula';
import { ResticError } from '@/lib/restic';

// Expected failures of a route handler as clear JSON answers (never a raw stack or stderr).

/** A 404 that says no more than "not found" (no hint whether it exists for someone else). */
export function notFoundResponse(): Response {
  return Response.json({ error: 'Not found.' }, { status: 404 });
}

/** A refusal for now: a clear message, and when to try again. */
export function retryLater(message: string, status: 429 | 503, retryAfterSeconds: number): Response {
  return Response.json({ error: message }, { status, headers: { 'Retry-After': String(retryAfterSeconds) } });
}

/** The answer to an expected failure, or undefined for an unexpected one (a 500, logged). */
export function expectedErrorResponse(err: unknown): Response | undefined {
  if (err instanceof OneNotFound || err instanceof OneNotAuthorized || err instanceof RepositoryNotFound)
    return notFoundResponse();
  if (err instanceof NotAResticDatastore) return Response.json({ error: err.message }, { status: 409 });
  // Refused before anything ran: come back later (a download is never queued).
  if (err instanceof TooManyDownloads) return retryLater(err.message, 429, err.retryAfterSeconds);
  if (err instanceof Busy) return retryLater(err.message, 503, err.retryAfterSeconds);
  // The backup server has not answered within the bound: ask again shortly, the read goes on.
  if (err instanceof StillReading)
    return Response.json({ error: err.message, kind: err.name }, { status: 503, headers: { 'Retry-After': '2' } });
  if (err instanceof ExecError || err instanceof ResticError || err instanceof OneError)
    return Response.json({ error: err.message, kind: err.name }, { status: 502 });
  return undefined;
}
