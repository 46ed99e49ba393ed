import 'server-only';
import { CommandFailed } from './errors';
import { execLocal, streamLocal } from './local';
import { execSsh, streamSsh } from './ssh';
import type { ExecOptions, ExecResult, ExecStream, Target } from './types';

// THE process boundary: the only code in Backstone that starts a process or opens SSH. Commands
// are argv arrays; over SSH they are joined by the one quoter (quote.ts).

export * from './types';
export * from './errors';
export { joinArgv, quoteArg } from './quote';
export { withTempFiles, type TempFile } from './temp-files';
export { closeSshConnections, trustHostKey, scanHostKey } from './ssh';
export { loginPublicKey } from './public-key';
export { serverKey } from './server-key';
export { Semaphore, type SemaphoreOptions } from './semaphore';

/** Runs a command and returns its exit code and output; throws only when it could not run to the end. */
export function exec(target: Target, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return target.kind === 'local' ? execLocal(argv, opts) : execSsh(target, argv, opts);
}

/** Like exec(), and a non-zero exit becomes a CommandFailed error. */
export async function execOk(target: Target, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await exec(target, argv, opts);
  if (r.exitCode !== 0) throw new CommandFailed(argv[0]?.split('/').pop() ?? 'command', r.exitCode, r.stderr);
  return r;
}

/** Runs a command whose stdout is consumed as a stream, with backpressure and cancel. */
export function stream(target: Target, argv: readonly string[], opts: ExecOptions = {}): ExecStream {
  return target.kind === 'local' ? streamLocal(argv, opts) : streamSsh(target, argv, opts);
}

/** A short name for a target, for messages. */
export function describeTarget(target: Target): string {
  return target.kind === 'local' ? 'this machine' : target.host;
}
