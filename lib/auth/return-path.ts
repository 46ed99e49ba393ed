import 'server-only';
import { headers } from 'next/headers';

/** The path of the current page request (set by proxy.ts), for sending a person back after sign-in. */
export async function currentPath(): Promise<string> {
  return (await headers()).get('x-backstone-path') ?? '/';
}
