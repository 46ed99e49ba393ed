// A tiny bench for runner.int.test.ts: four fake steps run by the real runner (runner.ts) in a
// worker process (fake-worker.ts), so stopping, budgets and failures are tried in seconds and
// without the heavy bench. Usage: fake-bench.ts OUT_DIR stop|timeout
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runBench } from '../runner';
import type { StepPlan } from '../plan';

const [outDir, mode] = process.argv.slice(2);
if (!outDir || (mode !== 'stop' && mode !== 'timeout')) throw new Error('usage: fake-bench.ts OUT_DIR stop|timeout');

const step = (id: string): StepPlan => ({ id, title: id, workMs: 0, settles: 0, requires: [] });
const steps = ['one', 'two', 'three', 'four'].map(step);
// Step two hangs: in 'timeout' mode its budget is short, so it times out and the run goes on.
const budgetMs = (id: string) => (mode === 'timeout' && id === 'two' ? 3_000 : 120_000);
const budget = {
  steps: steps.map((s) => ({ id: s.id, budgetMs: budgetMs(s.id) })),
  sumMs: 0,
  limitMs: 600_000,
};

const { complete } = await runBench({
  steps,
  budget,
  startupMs: 60_000,
  resultsFile: join(outDir, 'results.jsonl'),
  startWorker: (ids, resultsFile) =>
    spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fake-worker.ts')], {
      detached: true,
      stdio: 'inherit',
      env: { ...process.env, BENCH_STEPS: ids.join(','), BENCH_RESULTS: resultsFile, FAKE_MODE: mode },
    }),
  log: (s) => process.stdout.write(`fake-bench: ${s}\n`),
  expected: [
    ['one-a', 'one'],
    ['two-a', 'two'],
    ['two-b', 'two'],
    ['three-a', 'three'],
    ['four-a', 'four'],
  ].map(([id, s]) => ({ id: id!, step: s!, what: `figure ${id}`, target: '—' })),
  notSelected: new Map(),
  outDir,
  graceMs: 2_000,
});
process.exit(complete ? 0 : 1);
