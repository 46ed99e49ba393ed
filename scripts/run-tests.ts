// Runs every test suite, adds up the results and checks that no process the tests started is still
// alive. Ends with the line "N passed, N failed[, N skipped]" and a non-zero exit on any failure.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildIsFresh } from './app-server';
import { commandLine, isAlive, startTime } from '../sandbox/common/process';
import { repoRoot } from '../sandbox/common/state';

type Tally = { passed: number; failed: number; skipped: number };
const tally: Tally = { passed: 0, failed: 0, skipped: 0 };
const failures: string[] = [];
/** Each failed test with the start of its message, repeated at the very end so that a log's tail names them. */
const failedTests: { name: string; message: string }[] = [];
/** Every test's duration, from the suites' JSON reports: the slowest ten are printed at the end. */
const durations: { name: string; ms: number }[] = [];

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
const runStarted = Date.now();
const clock = () => `${Math.round((Date.now() - runStarted) / 1000)} s`;

/**
 * Runs one step with its output in a log file of its own, printed whole when the step ends: steps
 * run side by side, and interleaved lines of four tools would be unreadable.
 */
function step(name: string, file: string, args: string[], extraEnv: Record<string, string> = {}): Promise<number> {
  const logFile = join(work, `${name.replace(/\W+/g, '-')}.log`);
  const out = openSync(logFile, 'w');
  console.log(`[${clock()}] ${name}: started`);
  const began = Date.now();
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: repoRoot, stdio: ['ignore', out, out], env: { ...env, ...extraEnv } });
    const done = (code: number) => {
      closeSync(out);
      console.log(`\n=== ${name} (${Math.round((Date.now() - began) / 1000)} s, exit ${code}) ===`);
      process.stdout.write(readFileSync(logFile, 'utf8'));
      resolve(code);
    };
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
    child.on('error', () => done(127));
  });
}

function bin(name: string): string {
  return join(repoRoot, 'node_modules', '.bin', name);
}

/**
 * Type-check, lint and formatting count as one test each; they run side by side, at a lower
 * priority (nice): nothing waits for them, while the native build, `next build` and the end-to-end
 * tests after them are the run's longest path.
 */
async function runStatic(): Promise<void> {
  const checks = [
    ['typecheck', bin('tsc'), ['--noEmit']],
    ['lint', bin('eslint'), ['.']],
    ['format', bin('prettier'), ['--check', '.']],
  ] as const;
  await Promise.all(
    checks.map(async ([name, file, args]) => {
      const code = await step(name, 'nice', ['-n', '10', file, ...args]);
      if (code === 0) tally.passed += 1;
      else {
        tally.failed += 1;
        failures.push(`${name} failed`);
      }
    }),
  );
}

type VitestReport = {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults?: {
    name: string;
    message?: string;
    assertionResults?: { fullName: string; status?: string; duration?: number | null; failureMessages?: string[] }[];
  }[];
};

async function runVitest(project: 'unit' | 'integration'): Promise<void> {
  const out = join(work, `vitest-${project}.json`);
  const code = await step(`${project} tests (vitest)`, bin('vitest'), [
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
  for (const file of r.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      const name = `[${project}] ${relative(repoRoot, file.name)} › ${t.fullName}`;
      durations.push({ name, ms: t.duration ?? 0 });
      if (t.status === 'failed') failedTests.push({ name, message: t.failureMessages?.join('\n') ?? '' });
    }
    if ((file.assertionResults ?? []).length === 0 && file.message) {
      failedTests.push({ name: `[${project}] ${relative(repoRoot, file.name)}`, message: file.message });
    }
  }
  if (r.numFailedTests > 0) failures.push(`${project}: ${r.numFailedTests} failed`);
  else if (code !== 0) {
    tally.failed += 1;
    failures.push(`${project}: vitest exited ${code} (an error outside the tests, e.g. a file that failed to load)`);
  }
}

/**
 * The npm packages' install scripts, when scripts/setup.sh left them to this run (its marker file):
 * compiling SQLite for better-sqlite3 takes one core for ~45 s, which the static checks use the
 * other core beside. What loads native modules (the unit and integration tests, the build, the app)
 * waits for it. False when it failed.
 */
async function buildNative(): Promise<boolean> {
  const pending = join(repoRoot, 'node_modules', '.backstone-native-pending');
  if (!existsSync(pending)) return true;
  const code = await step('npm rebuild (install scripts, better-sqlite3)', 'npm', [
    'rebuild',
    '--no-audit',
    '--no-fund',
  ]);
  if (code === 0) {
    rmSync(pending, { force: true });
    return true;
  }
  tally.failed += 1;
  failures.push("npm rebuild (the packages' install scripts) failed");
  return false;
}

/**
 * `next build` when the build is missing or older than the sources; false when it failed. After the
 * native build: the standalone output (the release archive's) copies the compiled better-sqlite3
 * module it traces, and lacks it when built first.
 */
async function buildApp(): Promise<boolean> {
  if (buildIsFresh()) return true;
  // The static checks' `tsc --noEmit` type-checks what the build would (when they run).
  const typechecked: Record<string, string> = suites.has('static') ? { BACKSTONE_BUILD_TYPECHECKED: '1' } : {};
  const code = await step('next build', bin('next'), ['build'], typechecked);
  if (code === 0) return true;
  tally.failed += 1;
  failures.push('e2e: next build failed');
  return false;
}

type PwStats = { expected: number; unexpected: number; skipped: number; flaky: number };
type PwSuite = {
  title: string;
  file?: string;
  specs?: {
    title: string;
    tests: {
      projectName?: string;
      status?: string;
      results: { duration: number; error?: { message?: string } }[];
    }[];
  }[];
  suites?: PwSuite[];
};

function playwrightDurations(suite: PwSuite, path: string[]): void {
  const here = suite.file && path.length === 0 ? [suite.file] : [...path, suite.title];
  for (const spec of suite.specs ?? []) {
    for (const t of spec.tests) {
      const ms = t.results.reduce((sum, r) => sum + r.duration, 0);
      const name = `[${t.projectName ?? 'e2e'}] ${[...here, spec.title].join(' › ')}`;
      durations.push({ name, ms });
      if (t.status === 'unexpected') {
        const message = t.results.map((r) => r.error?.message ?? '').join('\n');
        failedTests.push({ name, message });
      }
    }
  }
  for (const child of suite.suites ?? []) playwrightDurations(child, here);
}

async function runE2e(): Promise<void> {
  const out = join(work, 'e2e.json');
  const code = await step('end-to-end tests (Playwright, Chromium)', bin('playwright'), ['test'], {
    BACKSTONE_E2E_JSON: out,
  });
  if (!existsSync(out)) {
    tally.failed += 1;
    failures.push(`e2e: playwright exited ${code} without a report`);
    return;
  }
  const r = JSON.parse(readFileSync(out, 'utf8')) as { stats: PwStats; errors?: unknown[]; suites?: PwSuite[] };
  tally.passed += r.stats.expected + r.stats.flaky;
  tally.failed += r.stats.unexpected;
  tally.skipped += r.stats.skipped;
  for (const s of r.suites ?? []) playwrightDurations(s, []);
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
  // Everything starts as soon as what it needs is there, so the 2 cores stay busy while any step
  // waits on a server: the static checks at once (they load no native module), beside the native
  // build setup.sh left to this run; the unit tests and `next build` after it; then, on the one
  // shared build, the end-to-end tests (the longest) and the integration tests side by side (those
  // that start the production server need the build: scripts/package.int.test.ts,
  // scripts/reverse-proxy.int.test.ts).
  const native = buildNative();
  const built = (async () => (await native) && (suites.has('e2e') || suites.has('integration')) && buildApp())();
  const unit = async () => {
    if (await native) await runVitest('unit');
  };
  const e2e = async () => {
    if (await built) await runE2e();
  };
  const integration = async () => {
    if (!(await native)) return;
    await built; // run even when the build failed: the tests that need it say so themselves
    await runVitest('integration');
  };
  await Promise.all([
    suites.has('static') ? runStatic() : undefined,
    suites.has('unit') ? unit() : undefined,
    suites.has('e2e') ? e2e() : undefined,
    suites.has('integration') ? integration() : undefined,
  ]);

  const left = leftoverProcesses();
  if (left.length > 0) {
    tally.failed += 1;
    failures.push(`processes started by the tests are still alive:\n  ${left.join('\n  ')}`);
  } else {
    tally.passed += 1; // the teardown check itself
  }
  rmSync(work, { recursive: true, force: true });

  const slowest = durations.sort((a, b) => b.ms - a.ms).slice(0, 10);
  if (slowest.length > 0) {
    console.log('\nslowest tests:');
    for (const d of slowest) console.log(`${(d.ms / 1000).toFixed(1).padStart(7)} s  ${d.name}`);
  }
  console.log(`\nfinished in ${clock()}`);
  for (const t of failedTests) {
    // ANSI colours and long stacks out: the first lines say what failed and where.
    const lines = t.message
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split('\n')
      .filter((line) => !line.includes('node_modules') && !line.includes('new Promise'))
      .slice(0, 12);
    console.log(`\nFAILED ${t.name}\n    ${lines.join('\n    ')}`);
  }
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
