// The typed result every server action returns for expected outcomes (errors are values, not
// exceptions). Shared by client components and actions.

export type FieldErrors = Record<string, string[] | undefined>;

export type ActionState<T = undefined> =
  | { status: 'idle' }
  | { status: 'ok'; message?: string; data?: T }
  | { status: 'invalid'; message: string; fieldErrors: FieldErrors }
  | { status: 'unauthenticated' | 'forbidden' | 'failed' | 'throttled' | 'unavailable'; message: string };

export const IDLE: ActionState<never> = { status: 'idle' };
