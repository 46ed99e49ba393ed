// The entry point of the bundled CLI: `node one-cli.cjs <command> args...` for a command in a
// process of its own (the command wrappers fall back to it when the CLI service is not running),
// plus the CLI service, the background worker and the monitor daemon.
import { readFileSync } from 'node:fs';
import { frontendPaths } from '../paths';
import { takeJob, WORKER_ARG } from '../ops/jobs';
import { runJob } from '../ops/run-job';
import { MONITOR_ARG, monitorLoop } from '../ops/monitor-daemon';
import { runCommand } from './run-command';
import { SERVICE_ARG, serveCli } from './service';

async function main(argv: string[]): Promise<number> {
  const state = process.env.ONE_SANDBOX_STATE;
  if (!state) throw new Error('ONE_SANDBOX_STATE is not set');
  const paths = frontendPaths(state);
  const [command, ...rest] = argv;
  if (command === WORKER_ARG) {
    await runJob(paths, takeJob(rest[0]!));
    return 0;
  }
  if (command === MONITOR_ARG) return monitorLoop(paths);
  if (command === SERVICE_ARG) return serveCli(paths);
  return runCommand(paths, argv, {
    env: process.env,
    cwd: process.cwd(),
    readStdin: process.stdin.isTTY ? undefined : () => readFileSync(0, 'utf8'),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 255;
  },
);
