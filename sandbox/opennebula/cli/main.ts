// The entry point of the bundled CLI: `node one-cli.cjs <command> args...` (each executable in the
// command folder is a wrapper that bakes in the state folder), plus the background worker and the
// monitor daemon.
import { frontendPaths } from '../paths';
import { OneError } from '../errors';
import type { Ctx } from './context';
import { onedatastore } from './onedatastore';
import { oneimage } from './oneimage';
import { onevm } from './onevm';
import { onebackupjob } from './onebackupjob';
import { onetemplate } from './onetemplate';
import { onecluster, onehost, oneuser } from './oneuser';
import { onezone } from './onezone';
import { takeJob, WORKER_ARG } from '../ops/jobs';
import { runJob } from '../ops/run-job';
import { MONITOR_ARG, monitorLoop } from '../ops/monitor-daemon';
import { passHold } from '../ops/holds';
import { readConfig } from '../config';

const COMMANDS: Record<string, (ctx: Ctx, argv: string[]) => number | Promise<number>> = {
  onedatastore,
  oneimage,
  onevm,
  onebackupjob,
  onetemplate,
  oneuser,
  onecluster,
  onehost,
  onezone,
};

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
  const fn = command ? COMMANDS[command] : undefined;
  if (!fn) throw new OneError(`unknown command ${command ?? ''}`);
  // `-V, --version` on any command, as the real CLI: the version, then the copyright.
  if (rest[0] === '--version' || rest[0] === '-V') {
    process.stdout.write(
      `OpenNebula ${readConfig(paths).version}\nCopyright 2002-2025, OpenNebula Project, OpenNebula Systems\n\nLicensed under the Apache License, Version 2.0 (the "License"); you may\nnot use this file except in compliance with the License. You may obtain\na copy of the License at http://www.apache.org/licenses/LICENSE-2.0\n`,
    );
    return 0;
  }
  const ctx: Ctx = { paths, env: process.env, out: (l) => process.stdout.write(`${l}\n`) };
  // A busy oned answers a pool listing, or a one-object read, late; the command just takes longer.
  if (rest[0] === 'list' || rest[0] === 'show') await passHold(paths, rest[0]);
  return fn(ctx, rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof OneError) {
      (err.toStdout ? process.stdout : process.stderr).write(`${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    // Ruby's exit(-1)
    process.exitCode = 255;
  },
);
