import 'server-only';
import { ExpectedError, type ErrorKind } from '@/lib/errors/expected-error';
import { redact } from '@/lib/log/redact';

// Typed failures of the OpenNebula CLI, each with a message fit for a person: OpenNebula's own
// words without the `[one.x.y]` method label, Ruby backtraces or secrets. Transport failures
// (Unreachable, TimedOut, Canceled, ...) come from lib/exec and are passed through unchanged.

export type OneErrorCode = 'AUTHENTICATION' | 'AUTHORIZATION' | 'NOT_FOUND' | 'CLI';

export class OneError extends ExpectedError {
  override name = 'OneError';
  /** The front-end's failure, wrong credentials included (sign-in tells those apart itself). */
  readonly kind: ErrorKind = 'failed';
  constructor(
    readonly code: OneErrorCode,
    message: string,
    /** The XML-RPC method oned named (e.g. one.datastore.allocate), when it named one. */
    readonly method?: string,
  ) {
    super(message);
  }
}

/** oned did not accept the credentials (wrong password, expired token, disabled user). */
export class OneAuthenticationFailed extends OneError {
  override name = 'OneAuthenticationFailed';
  constructor(method?: string) {
    super('AUTHENTICATION', 'OpenNebula did not accept the user name and password (or token).', method);
  }
}

/** The user is known but may not do this (`User [2] : Not authorized to perform USE VM [0].`). */
export class OneNotAuthorized extends OneError {
  override name = 'OneNotAuthorized';
  // Answered like a missing object (see STATUS_OF_KIND): a refusal does not tell that it exists.
  override readonly kind = 'forbidden';
  constructor(detail: string, method?: string) {
    super('AUTHORIZATION', `OpenNebula refused the request: ${detail}`, method);
  }
}

/** The object does not exist (`Error getting image [99].`). */
export class OneNotFound extends OneError {
  override name = 'OneNotFound';
  override readonly kind = 'not-found';
  constructor(
    readonly objectType: string,
    readonly objectId: number | undefined,
    method?: string,
  ) {
    super(
      'NOT_FOUND',
      `OpenNebula has no ${objectType}${objectId === undefined ? '' : ` with ID ${objectId}`}.`,
      method,
    );
  }
}

/** Any other failure of a CLI command, or output Backstone could not understand. */
export class OneCliError extends OneError {
  override name = 'OneCliError';
  constructor(
    message: string,
    readonly exitCode?: number,
    method?: string,
  ) {
    super('CLI', message, method);
  }
}

const MAX_DETAIL = 400;

/** The meaningful lines of CLI error output: no backtraces, no blank lines, bounded. */
function meaningfulLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^from \S+:\d+:in /.test(l) && !/^\S+\.rb:\d+:in /.test(l));
}

/**
 * Maps a failed CLI run to a typed error. The CLI prints oned's message on stderr, except for a
 * few commands (restore, delete of a list) that print it on stdout, so both are read.
 */
export function cliFailure(
  program: string,
  exitCode: number,
  stderr: string,
  stdout: string,
  secrets: readonly string[] = [],
): OneError {
  const lines = meaningfulLines(redact(`${stderr}\n${stdout}`, secrets));
  // Some commands put their own words first: `Error restoring: [one.vm.restore] ...`,
  // `Error creating VM backup: [one.vm.backup] ...`. oned's message is what follows the label.
  const oned = lines.map((l) => /^(?:[A-Z][\w ]*:\s*)?\[(one\.[\w.]+)\]\s*(.*)$/.exec(l)).find((m) => m !== null);
  if (oned) return fromOnedMessage(oned[1]!, oned[2]!, exitCode);
  const first = lines[0] ?? '';
  if (exitCode === 127 || /command not found/i.test(first)) {
    return new OneCliError(
      `The OpenNebula command ${program} was not found on the front-end. Check the CLI folder setting.`,
      exitCode,
    );
  }
  if (/ONE_AUTH file not present/i.test(first)) {
    return new OneCliError('The OpenNebula credentials file (ONE_AUTH) was not found.', exitCode);
  }
  if (
    /Connection refused|Failed to open TCP connection|execution expired|getaddrinfo|EHOSTUNREACH|ECONNRESET/i.test(
      first,
    )
  ) {
    return new OneCliError(`${program} could not reach OpenNebula (oned): ${bounded(first)}`, exitCode);
  }
  return new OneCliError(
    first ? `${program} failed: ${bounded(first)}` : `${program} failed with exit code ${exitCode} and no message.`,
    exitCode,
  );
}

function fromOnedMessage(method: string, text: string, exitCode: number): OneError {
  if (/couldn't be authenticated/i.test(text)) return new OneAuthenticationFailed(method);
  const notFound = /^Error getting (.+?) Pool\.?$/.exec(text) ?? /^Error getting (.+?)(?: \[(\d+)\])?\.?$/.exec(text);
  if (notFound)
    return new OneNotFound(notFound[1]!, notFound[2] === undefined ? undefined : Number(notFound[2]), method);
  // `User [2] : Not authorized to perform USE VM [0].` or `User [2] not authorized to perform action on image.`
  const auth = /^User \[\d+\]\s*:?\s*(.*)$/.exec(text);
  if (auth && /not authorized/i.test(text)) return new OneNotAuthorized(bounded(auth[1]!), method);
  return new OneCliError(bounded(text), exitCode, method);
}

function bounded(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}
