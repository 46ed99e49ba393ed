// Runs every test suite, adds up the results and checks that no process the tests started is still
// alive. Ends with the line "N passed, N failed[, N skipped]" and a non-zero exit on any failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildIsFresh } from './app-server';
import { commandLine, isAlive, startTime } from '../sandbox/common/process';
import { repoRoot } from '../sandbox/common/state';

type Tally = { passed: number; failed: number; skipped: number };
const tally: Tally = { passed: 0, failed: 0, skipped: 0 };
const failures: string[] = [];

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const suites = values.only ? new Set(values.only.split(',')) : new Set(['static', 'unit', 'integration', 'e2e']);

const work = mkdtempSync(join(tmpdir(), 'backstone-run-'));
const registry = join(work, 'pids.tsv');
writeFileSync(registry, '');
const env = {
  ...process.env,
  BACKSTONE_PID_REGISTRY: registry,
  NEXT_TELEMETRY_DISABLED: '1',
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  FORCE_COLOR: process.env.FORCE_COLOR ?? '0',
};

function step(file: string, args: string[], extraEnv: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: repoRoot, stdio: 'inherit', env: { ...env, ...extraEnv } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', () => resolve(127));
  });
}

function bin(name: string): string {
  return join(repoRoot, 'node_modules', '.bin', name);
}

/** Type-check, lint and formatting count as one test each. */
async function runStatic(): Promise<void> {
  for (const [name, file, args] of [
    ['typecheck', bin('tsc'), ['--noEmit']],
    ['lint', bin('eslint'), ['.']],
    ['format', bin('prettier'), ['--check', '.']],
  ] as const) {
    console.log(`\n=== ${name} ===`);
    const code = await step(file, [...args]);
    if (code === 0) tally.passed += 1;
    else {
      tally.failed += 1;
      failures.push(`${name} failed`);
    }
  }
}

type VitestReport = { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };

async function runVitest(project: 'unit' | 'integration'): Promise<void> {
  const out = join(work, `vitest-${project}.json`);
  console.log(`\n=== ${project} tests (vitest) ===`);
  const code = await step(bin('vitest'), [
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
    '--passWithNoTests',
  ]);
  if (!existsSync(out)) {
    tally.failed += 1;
    failures.push(`${project}: vitest exited ${code} without a report`);
    return;
  }
  const r = JSON.parse(readFileSync(out, 'utf8')) as VitestReport;
  tally.passed += r.numPassedTests;
  tally.failed += r.numFailedTests;
  tally.skipped += r.numPendingTests + r.numTodoTests;
  if (r.numFailedTests > 0) failures.push(`${project}: ${r.numFailedTests} failed`);
  else if (code !== 0) {
    tally.failed += 1;
    failures.push(`${project}: vitest exited ${code} (an error outside the tests, e.g. a file that failed to load)`);
  }
}

type PwStats = { expected: number; unexpected: number; skipped: number; flaky: number };

async function runE2e(): Promise<void> {
  console.log('\n=== end-to-end tests (Playwright, Chromium) ===');
  if (!buildIsFresh()) {
    console.log('building the app (next build)');
    const code = await step(bin('next'), ['build']);
    if (code !== 0) {
      tally.failed += 1;
      failures.push('e2e: next build failed');
      return;
    }
  }
  const out = join(work, 'e2e.json');
  const code = await step(bin('playwright'), ['test'], { BACKSTONE_E2E_JSON: out });
  if (!existsSync(out)) {
    tally.failed += 1;
    failures.push(`e2e: playwright exited ${code} without a report`);
    return;
  }
  const r = JSON.parse(readFileSync(out, 'utf8')) as { stats: PwStats; errors?: unknown[] };
  tally.passed += r.stats.expected + r.stats.flaky;
  tally.failed += r.stats.unexpected;
  tally.skipped += r.stats.skipped;
  if (r.stats.unexpected > 0) failures.push(`e2e: ${r.stats.unexpected} failed`);
  if ((r.errors?.length ?? 0) > 0 || (code !== 0 && r.stats.unexpected === 0)) {
    tally.failed += 1;
    failures.push(`e2e: playwright exited ${code} with errors outside the tests (global setup or teardown)`);
  }
}

/** Every PID the tests recorded must be gone; so must any process still naming a test state folder. */
function leftoverProcesses(): string[] {
  const left: string[] = [];
  for (const line of readFileSync(registry, 'utf8').split('\n')) {
    const [pidText, name, started] = line.split('\t');
    const pid = Number(pidText);
    if (!pidText || !Number.isInteger(pid)) continue;
    // Same PID and same start time: the very process a test started (not a reused PID).
    if (isAlive(pid) && (!started || startTime(pid) === started))
      left.push(`${pid} (${name}): ${commandLine(pid) ?? ''}`);
  }
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cmd = commandLine(pid);
    if (cmd?.includes('/backstone-test-') && isAlive(pid) && !left.some((l) => l.startsWith(`${pid} `))) {
      left.push(`${pid}: ${cmd}`);
    }
  }
  return left;
}

async function main(): Promise<number> {
  const started = Date.now();
  if (suites.has('static')) await runStatic();
  if (suites.has('unit')) await runVitest('unit');
  if (suites.has('integration')) await runVitest('integration');
  if (suites.has('e2e')) await runE2e();

  const left = leftoverProcesses();
  if (left.length > 0) {
    tally.failed += 1;
    failures.push(`processes started by the tests are still alive:\n  ${left.join('\n  ')}`);
  } else {
    tally.passed += 1; // the teardown check itself
  }
  rmSync(work, { recursive: true, force: true });

  console.log(`\nfinished in ${Math.round((Date.now() - started) / 1000)} s`);
  if (failures.length > 0) console.log(`failures:\n- ${failures.join('\n- ')}`);
  const skipped = tally.skipped > 0 ? `, ${tally.skipped} skipped` : '';
  console.log(`${tally.passed} passed, ${tally.failed} failed${skipped}`);
  return tally.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    console.log(`${tally.passed} passed, ${tally.failed + 1} failed`);
    process.exit(1);
  },
);
