import { z } from 'zod';

// Shared by the sign-in form (client) and the sign-in action (server).

/** Only a path on this site: no scheme, no host, no protocol-relative "//". */
export const SafeReturnPath = z
  .string()
  .max(2_000)
  .regex(/^\/(?![/\\])[^\s]*$/, 'not a path on this site')
  .catch('/');

export const SignInSchema = z.object({
  username: z
    .string()
    .trim()
    .min(1, 'Enter your OpenNebula user name.')
    .max(128, 'That user name is too long.')
    .regex(/^[^\s:\p{Cc}]+$/u, 'A user name has no spaces, colons or control characters.'),
  password: z.string().min(1, 'Enter your password.').max(1_024, 'That password is too long.'),
  next: SafeReturnPath.optional(),
});

export type SignInInput = z.infer<typeof SignInSchema>;
