import 'server-only';
import { logger } from '@/lib/log';
import type { ActionState } from '@/lib/schemas/action-state';
import { isExpectedError, type ExpectedError } from './expected-error';

// How an expected failure is answered: a server action's typed state, or a route handler's JSON.
// One mapping for the whole app; an unexpected failure is logged here and answered with a plain
// message that says where the details are (never a stack, a command line or stderr).

const log = logger('errors');

export const UNEXPECTED_ACTION = 'The action failed unexpectedly; the server log has the details.';
export const UNEXPECTED_REQUEST = 'Backstone could not complete this request; see the server log.';

/** A 404 that says no more than "not found" (no hint whether it exists for someone else). */
export function notFoundResponse(): Response {
  return Response.json({ error: 'Not found.' }, { status: 404 });
}

function logUnexpected(err: unknown, context: Record<string, unknown>): void {
  log.error('unexpected failure', { ...context, error: err instanceof Error ? err.message : String(err) });
}

/** A server action's state for a failure: the person's message, or `fallback` (logged) when unexpected. */
export function toActionState(
  err: unknown,
  fallback: string = UNEXPECTED_ACTION,
  context: Record<string, unknown> = {},
): ActionState<never> {
  if (isExpectedError(err)) return { status: 'failed', message: err.userMessage };
  logUnexpected(err, context);
  return { status: 'failed', message: fallback };
}

function expectedResponse(err: ExpectedError): Response {
  if (err.status === 404) return notFoundResponse();
  const headers: Record<string, string> = {};
  if (err.retryAfterSeconds !== undefined) headers['Retry-After'] = String(err.retryAfterSeconds);
  return Response.json({ error: err.userMessage }, { status: err.status, headers });
}

/**
 * A route handler's answer to a failure: JSON `{ error }` with the kind's status (and Retry-After
 * when the error says when to come back); an unexpected failure is logged and answered 500.
 */
export function toResponse(err: unknown, context: Record<string, unknown> = {}): Response {
  if (isExpectedError(err)) return expectedResponse(err);
  logUnexpected(err, context);
  return Response.json({ error: UNEXPECTED_REQUEST }, { status: 500 });
}
