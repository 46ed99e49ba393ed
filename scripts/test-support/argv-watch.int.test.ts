// The watch finds a secret in a command line whether the process had it from the start or took it
// by an exec long after it was first seen (when it is read only every tenth sample).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { watchCommandLines } from './argv-watch';

const SECRET = `argv-watch-secret-${process.pid}`;

/**
 * Runs `sh -c script` with the secret in $S (its environment, not its command line) and $1 as given.
 * Each script ends with `true`, so that no shell execs its last command and drops its own arguments.
 */
async function run(script: string, ...args: string[]): Promise<void> {
  const child = spawn('sh', ['-c', script, 'sh', ...args], { stdio: 'ignore', env: { ...process.env, S: SECRET } });
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(code).toBe(0);
}

describe('watchCommandLines', () => {
  it('finds a secret in a command line from the start', async () => {
    const watch = watchCommandLines((_pid, cmd) => cmd.includes(SECRET));
    await run('sleep 0.3; true', SECRET);
    expect(watch.stop().leaks.length).toBeGreaterThan(0);
  });

  it('finds one a process takes by an exec a second after it was first seen', async () => {
    const watch = watchCommandLines((_pid, cmd) => cmd.includes(SECRET));
    await run('sleep 1; exec sh -c "sleep 0.5; true" sh "$S"');
    const { samples, leaks } = watch.stop();
    expect(samples).toBeGreaterThan(10);
    expect(leaks.length).toBeGreaterThan(0);
  });

  it('finds nothing where no command line holds it', async () => {
    const watch = watchCommandLines((_pid, cmd) => cmd.includes(SECRET));
    await run('sleep 0.3; true');
    expect(watch.stop().leaks).toEqual([]);
  });
});
