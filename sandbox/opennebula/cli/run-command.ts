// One CLI command, wherever it runs: in a process of its own (main.ts) or in the CLI service
// (service.ts). Exit codes and output as the real CLI: OneError's own, else Ruby's exit(-1).
import { OneError } from '../errors';
import type { FrontendPaths } from '../paths';
import type { Ctx } from './context';
import { onedatastore } from './onedatastore';
import { oneimage } from './oneimage';
import { onevm } from './onevm';
import { onebackupjob } from './onebackupjob';
import { onetemplate } from './onetemplate';
import { onecluster, onehost, oneuser } from './oneuser';
import { onezone } from './onezone';
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

export type CommandIo = Omit<Ctx, 'paths' | 'out' | 'err'> & {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
};

async function dispatch(paths: FrontendPaths, argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  const fn = command ? COMMANDS[command] : undefined;
  if (!fn) throw new OneError(`unknown command ${command ?? ''}`);
  // `-V, --version` on any command, as the real CLI: the version, then the copyright.
  if (rest[0] === '--version' || rest[0] === '-V') {
    io.stdout(
      `OpenNebula ${readConfig(paths).version}\nCopyright 2002-2025, OpenNebula Project, OpenNebula Systems\n\nLicensed under the Apache License, Version 2.0 (the "License"); you may\nnot use this file except in compliance with the License. You may obtain\na copy of the License at http://www.apache.org/licenses/LICENSE-2.0\n`,
    );
    return 0;
  }
  const ctx: Ctx = {
    paths,
    env: io.env,
    cwd: io.cwd,
    readStdin: io.readStdin,
    out: (l) => io.stdout(`${l}\n`),
    err: (l) => io.stderr(`${l}\n`),
  };
  // A busy oned answers a pool listing, or a one-object read, late; the command just takes longer.
  if (rest[0] === 'list' || rest[0] === 'show') await passHold(paths, rest[0]);
  return fn(ctx, rest);
}

/** Runs `argv` (`onevm list -x`, ...) and returns its exit code; output goes to `io`. */
export async function runCommand(paths: FrontendPaths, argv: string[], io: CommandIo): Promise<number> {
  try {
    return await dispatch(paths, argv, io);
  } catch (err) {
    if (err instanceof OneError) {
      (err.toStdout ? io.stdout : io.stderr)(`${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    // Ruby's exit(-1)
    return 255;
  }
}
