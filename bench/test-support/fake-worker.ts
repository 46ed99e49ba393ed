// The worker of fake-bench.ts: measures made-up figures through the bench's own recorder
// (worker.ts). Step two starts a child process (`sleep`) and hangs, as a stuck step would.
import { spawn } from 'node:child_process';
import { benchWorker } from '../worker';

const file = process.env.BENCH_RESULTS!;
const ids = process.env.BENCH_STEPS!.split(',');
const mode = process.env.FAKE_MODE;
const { record, run } = benchWorker(file, (s) => process.stdout.write(`fake-worker: ${s}\n`));
const figure = (id: string) => ({ id, what: `figure ${id}`, target: '—', value: 1, unit: 'ms' });
const hang = () => new Promise<void>(() => setInterval(() => undefined, 60_000));

record.note(`worker-pid:${process.pid}`);
try {
  await run(ids, {
    one: async () => record.figure(figure('one-a')),
    two: async () => {
      const child = spawn('sleep', ['300'], { stdio: 'ignore' });
      record.note(`sleep-pid:${child.pid}`);
      record.figure(figure('two-a'));
      await hang();
    },
    three: async () => {
      if (mode === 'timeout') throw new Error('boom\nsecond line');
      record.figure(figure('three-a'));
    },
    four: async () => record.figure(figure('four-a')),
  });
  process.exit(0);
} catch {
  process.exit(1);
}
