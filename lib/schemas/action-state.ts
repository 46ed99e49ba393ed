// The typed result every server action returns for expected outcomes (errors are values, not
// exceptions). Shared by client components and actions.

import { z } from 'zod';

export type FieldErrors = Record<string, string[] | undefined>;

export type ActionState<T = undefined> =
  | { status: 'idle' }
  | { status: 'ok'; message?: string; data?: T }
  | { status: 'invalid'; message: string; fieldErrors: FieldErrors }
  | { status: 'unauthenticated' | 'forbidden' | 'failed' | 'throttled' | 'unavailable'; message: string };

export const IDLE: ActionState<never> = { status: 'idle' };

/** A form's first value of each field (strings only), for its schema; undefined when it is no form. */
export function formFields(formData: unknown): Record<string, unknown> | undefined {
  if (!(formData instanceof FormData)) return undefined;
  const o: Record<string, unknown> = {};
  for (const [k, v] of formData.entries()) if (typeof v === 'string' && !(k in o)) o[k] = v;
  return o;
}

/** A schema's refusal as the form shows it: the first field's message on top, each field's below it. */
export function invalidState(error: z.ZodError): ActionState<never> {
  const fieldErrors = z.flattenError(error).fieldErrors as FieldErrors;
  const first = Object.values(fieldErrors).find((v) => v && v.length > 0)?.[0];
  return { status: 'invalid', message: first ?? 'Check the form.', fieldErrors };
}
