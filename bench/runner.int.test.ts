// The runner with a tiny fake bench (test-support/fake-bench.ts): real worker processes, a real
// child process left hanging, real signals. A report is always written from what was measured.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, waitFor } from '@/sandbox/common/process';
import { repoRoot } from '@/sandbox/common/state';
import type { Report } from './report';
import { readRecords } from './results';

let dir: string | undefined;
const started: number[] = [];

afterEach(() => {
  // Whatever a failed assertion left running, by PID.
  for (const pid of started.splice(0)) {
    try {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function fakeBench(mode: 'stop' | 'timeout') {
  dir = mkdtempSync(join(tmpdir(), 'bench-runner-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('bench', 'test-support', 'fake-bench.ts'), dir, mode],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  started.push(child.pid!);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, dir };
}

const notes = (d: string, prefix: string) =>
  readRecords(join(d, 'results.jsonl')).flatMap((r) =>
    r.type === 'note' && r.text.startsWith(prefix) ? [Number(r.text.slice(prefix.length))] : [],
  );

describe('the bench runner', () => {
  it('stopped by SIGTERM mid-run, stops the step and its processes and still writes the report', async () => {
    const { child, exited, dir } = fakeBench('stop');
    const results = join(dir, 'results.jsonl');
    // Step two has measured one figure, started a child process and hangs.
    expect(
      await waitFor(
        () =>
          readRecords(results).some((r) => r.type === 'figure' && r.figure.id === 'two-a') &&
          notes(dir, 'sleep-pid:').length > 0,
        60_000,
        100,
      ),
    ).toBe(true);
    const [sleepPid] = notes(dir, 'sleep-pid:');
    const workers = notes(dir, 'worker-pid:');
    started.push(sleepPid!, ...workers);
    expect(isAlive(sleepPid!)).toBe(true);

    child.kill('SIGTERM');
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 60_000))])).toBe(1);

    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(report.figures.map((f) => f.id)).toEqual(['one-a', 'two-a']);
    expect(report.incomplete).toBe('stopped by SIGTERM at step two');
    expect(report.missing?.map((m) => [m.id, m.reason])).toEqual([
      ['two-b', 'stopped by SIGTERM at step two'],
      ['three-a', 'stopped by SIGTERM at step two'],
      ['four-a', 'stopped by SIGTERM at step two'],
    ]);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('| figure two-b | — | — | — | not measured (stopped by SIGTERM at step two) | — |');
    expect(md).toContain('| figure one-a | — | — | — | 1.00 ms | — |');
    // A stopped run is not one of the runs compared.
    expect(existsSync(join(dir, 'history.json'))).toBe(false);
    // The worker and the process its step started are gone.
    expect(isAlive(sleepPid!)).toBe(false);
    for (const pid of workers) expect(isAlive(pid)).toBe(false);
  });

  it('times out a step at its budget, records a failed step, and goes on with the next steps', async () => {
    const { exited, dir } = fakeBench('timeout');
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 120_000))])).toBe(1);

    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(report.figures.map((f) => f.id)).toEqual(['one-a', 'two-a', 'four-a']);
    expect(report.missing?.map((m) => [m.id, m.reason])).toEqual([
      ['two-b', 'timed out at step two (its budget of 3 s)'],
      ['three-a', 'failed at step three: boom'],
    ]);
    const [sleepPid] = notes(dir, 'sleep-pid:');
    expect(isAlive(sleepPid!)).toBe(false);
    // Three workers: the first until step two timed out, one for step three, one for step four.
    const workers = notes(dir, 'worker-pid:');
    expect(workers).toHaveLength(3);
    for (const pid of workers) expect(isAlive(pid)).toBe(false);
  });
});
