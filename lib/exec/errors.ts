import { ExpectedError, type ErrorKind } from '@/lib/errors/expected-error';
import { redact } from '@/lib/log/redact';

// Typed failures of running a command. Each carries a message fit for a person; none carries a
// secret (every message is redacted) and stderr is only ever a bounded tail.

export type ExecErrorCode =
  | 'UNREACHABLE'
  | 'HOST_KEY_UNKNOWN'
  | 'HOST_KEY_CHANGED'
  | 'AUTH_FAILED'
  | 'TIMED_OUT'
  | 'CANCELED'
  | 'COMMAND_FAILED'
  | 'OUTPUT_TOO_LARGE'
  | 'BUSY';

/** The host was not reached, or not trusted: nothing ran there. */
const NOT_REACHED: ReadonlySet<ExecErrorCode> = new Set([
  'UNREACHABLE',
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_CHANGED',
  'AUTH_FAILED',
  'TIMED_OUT',
]);

export class ExecError extends ExpectedError {
  override name = 'ExecError';
  /** Not reached, busy for now, or reached and the work failed. */
  get kind(): ErrorKind {
    return NOT_REACHED.has(this.code) ? 'unreachable' : this.code === 'BUSY' ? 'unavailable' : 'failed';
  }
  constructor(
    readonly code: ExecErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(redact(message), options);
  }
}

export class Unreachable extends ExecError {
  override name = 'Unreachable';
  constructor(
    readonly host: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('UNREACHABLE', `${host} is unreachable: ${detail}`, options);
  }
}

export class HostKeyUnknown extends ExecError {
  override name = 'HostKeyUnknown';
  constructor(
    readonly host: string,
    readonly fingerprint: string,
    readonly keyLine: string,
  ) {
    super(
      'HOST_KEY_UNKNOWN',
      `The host key of ${host} is not known (${fingerprint}). Check the fingerprint and trust it first.`,
    );
  }
}

export class HostKeyChanged extends ExecError {
  override name = 'HostKeyChanged';
  constructor(
    readonly host: string,
    readonly fingerprint: string,
  ) {
    super(
      'HOST_KEY_CHANGED',
      `The host key of ${host} has changed (it now presents ${fingerprint}). The connection was refused: the server may have been reinstalled, or someone may be intercepting it.`,
    );
  }
}

export class AuthFailed extends ExecError {
  override name = 'AuthFailed';
  constructor(
    readonly host: string,
    readonly user: string,
  ) {
    super('AUTH_FAILED', `${user}@${host} refused Backstone's SSH key.`);
  }
}

export class TimedOut extends ExecError {
  override name = 'TimedOut';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super('TIMED_OUT', `${what} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`);
  }
}

export class Canceled extends ExecError {
  override name = 'Canceled';
  constructor(readonly what: string) {
    super('CANCELED', `${what} was canceled.`);
  }
}

export class CommandFailed extends ExecError {
  override name = 'CommandFailed';
  constructor(
    readonly program: string,
    readonly exitCode: number,
    readonly stderrTail: string,
  ) {
    super('COMMAND_FAILED', `${program} exited with code ${exitCode}${stderrTail ? `: ${lastLine(stderrTail)}` : ''}`);
  }
}

export class OutputTooLarge extends ExecError {
  override name = 'OutputTooLarge';
  constructor(
    readonly program: string,
    limit: number,
  ) {
    super('OUTPUT_TOO_LARGE', `${program} wrote more output than Backstone accepts (${limit} bytes).`);
  }
}

/** Long-running work on a backup server is queued only so far; past that it is refused, not queued forever. */
export class Busy extends ExecError {
  override name = 'Busy';
  constructor(
    readonly host: string,
    override readonly retryAfterSeconds: number,
  ) {
    super(
      'BUSY',
      `${host} is busy with long-running work (downloads, restores, checks). Try again in ${retryAfterSeconds} seconds.`,
    );
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1]?.slice(0, 300) ?? '';
}
