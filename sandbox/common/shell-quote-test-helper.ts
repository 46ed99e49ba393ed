import { execFileSync } from 'node:child_process';

/** Runs a script with bash (stdin) and returns stdout; test helper only. */
export function runSync(script: string): string {
  return execFileSync('bash', ['-s'], { input: script, encoding: 'utf8' });
}
