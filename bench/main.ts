// npm run bench: measures Backstone against the raw commands it replaces (run.bench.ts, in a
// vitest worker) step by step, each step within its own budget and the whole within a limit
// summed from the steps selected, both printed at the start. Every figure is printed and appended
// to .bench/results.jsonl as it is measured; bench/report.{md,json} are written at the end however
// the run ends (done, SIGINT/SIGTERM, a step's budget or failure, the overall limit), the figures
// not measured marked with why. Exits non-zero unless every step selected ran to its end.
// Options: --only STEP[,STEP...] (with the steps they need; see steps.ts) --out DIR (default bench/).
// BENCH_SKIP_APP=1 leaves out the steps that need the production app.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopApp } from '../scripts/app-server';
import { runningPid } from '../sandbox/common/pids';
import { repoRoot, sandboxPaths } from '../sandbox/common/state';
import { stopSandbox } from '../sandbox/status';
import { STATE, VMS_STATE } from './dataset';
import { budgetFor, budgetLines, selectSteps, type StepPlan } from './plan';
import { runBench } from './runner';
import { BUDGET, FIGURES, STEPS } from './steps';

const log = (s: string) => process.stdout.write(`bench: ${s}\n`);

const { values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string' } } });
const only = values.only
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const APP_STEPS = new Set(['build', 'table', 'first-load-js', 'download-route', 'pages']);
const skipApp = process.env.BENCH_SKIP_APP === '1';

let steps: StepPlan[];
try {
  steps = selectSteps(STEPS, only).filter((s) => !(skipApp && APP_STEPS.has(s.id)));
} catch (e) {
  log(e instanceof Error ? e.message : String(e));
  process.exit(2);
}
const notSelected = new Map(
  STEPS.filter((s) => !steps.includes(s)).map((s) => [
    s.id,
    skipApp && APP_STEPS.has(s.id) ? 'not selected (BENCH_SKIP_APP=1)' : `not selected (--only ${values.only})`,
  ]),
);
const budget = budgetFor(steps, BUDGET);
for (const line of budgetLines(steps, budget, BUDGET)) log(line);

mkdirSync(join(repoRoot, '.bench'), { recursive: true });
const outDir = values.out ?? import.meta.dirname;
// Made now, so a run's report is not lost to a missing --out folder at its end.
mkdirSync(outDir, { recursive: true });
// The dataset's sandbox and the home and VMs pages' (bench/pages.ts).
const sandboxes = [STATE, VMS_STATE].map(sandboxPaths);
// The sandboxes' own daemons outlive a step (the S3 server too: it keeps the bucket s3-dataset
// filled in memory); the app (restarted by the app steps) does not.
const daemons = () =>
  sandboxes.flatMap((paths) =>
    ['sshd', 'frontend-monitor', 's3-server']
      .map((n) => runningPid(paths, n))
      .filter((p): p is number => p !== undefined),
  );

let complete = false;
try {
  ({ complete } = await runBench({
    steps,
    budget,
    startupMs: BUDGET.startupMs,
    resultsFile: join(repoRoot, '.bench', 'results.jsonl'),
    startWorker: (ids, resultsFile) =>
      spawn(
        join(repoRoot, 'node_modules', '.bin', 'vitest'),
        [
          'run',
          '--config',
          'bench/vitest.config.ts',
          `--testTimeout=${budget.limitMs}`,
          `--hookTimeout=${budget.limitMs}`,
        ],
        {
          cwd: repoRoot,
          // Its own process group: Ctrl-C reaches the runner, which stops the worker by PID.
          detached: true,
          stdio: 'inherit',
          env: { ...process.env, BENCH_STEPS: ids.join(','), BENCH_RESULTS: resultsFile },
        },
      ),
    keepPids: daemons,
    // Every session on the bench sandboxes' sshd is the bench's (its raw ssh commands, lib/exec's).
    sessionParents: () =>
      sandboxes.map((paths) => runningPid(paths, 'sshd')).filter((p): p is number => p !== undefined),
    cleanup: async () => {
      await stopApp(STATE);
      await stopApp(VMS_STATE);
    },
    log,
    expected: FIGURES,
    notSelected,
    outDir,
  }));
} finally {
  await stopSandbox(STATE);
  await stopSandbox(VMS_STATE);
}
process.exit(complete ? 0 : 1);
