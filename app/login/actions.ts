'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { signIn, signOut } from '@/lib/auth';
import type { ActionState } from '@/lib/schemas/action-state';
import { SignInSchema } from '@/lib/schemas/sign-in';

// Signing in is the one action open to anonymous callers: it is what makes a session.
export async function signInAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  // An action is a public endpoint: a caller may send anything, not just the form.
  if (!(formData instanceof FormData)) return { status: 'invalid', message: 'Send the sign-in form.', fieldErrors: {} };
  const parsed = SignInSchema.safeParse({
    username: formData.get('username'),
    password: formData.get('password'),
    next: formData.get('next') ?? undefined,
  });
  if (!parsed.success) {
    return {
      status: 'invalid',
      message: 'Check the highlighted fields.',
      fieldErrors: z.flattenError(parsed.error).fieldErrors,
    };
  }
  const outcome = await signIn(parsed.data.username, parsed.data.password);
  if (outcome.status !== 'ok') return outcome;
  redirect(parsed.data.next ?? '/');
}

export async function signOutAction(): Promise<void> {
  await signOut();
  redirect('/login');
}
