import { ExpectedError } from '@/lib/errors/expected-error';
import { redact } from '@/lib/log/redact';

// Expected restic failures as typed errors with a clear message and a next step. restic >= 0.17
// says which with exit codes (10 no repository, 11 locked, 12 wrong password) and, with --json,
// an exit_error line; 0.14 exits 1 for everything, so its message text decides.

export type LockHolder = {
  pid: number;
  host: string;
  user: string;
  exclusive: boolean;
  createdAt?: string;
  age?: string;
  lockId?: string;
};

export type ResticErrorCode = 'LOCKED' | 'WRONG_PASSWORD' | 'NO_REPOSITORY' | 'SNAPSHOT_NOT_FOUND' | 'FAILED';

/** Every restic failure answers as a failure of the backup server's side (502), a lock included. */
export class ResticError extends ExpectedError {
  override name = 'ResticError';
  readonly kind = 'failed';
  constructor(
    readonly code: ResticErrorCode,
    message: string,
  ) {
    super(redact(message));
  }
}

export class RepositoryLocked extends ResticError {
  override name = 'RepositoryLocked';
  constructor(
    readonly repository: string,
    readonly holder: LockHolder,
  ) {
    super(
      'LOCKED',
      `The repository ${repository} is locked${holder.exclusive ? ' exclusively' : ''} by restic PID ${holder.pid} on ${holder.host} (user ${holder.user})${holder.age ? `, ${holder.age} ago` : ''}. If no backup or maintenance is running, the lock is stale: remove it from the repository's Locks panel.`,
    );
  }
}

export class WrongPassword extends ResticError {
  override name = 'WrongPassword';
  constructor(readonly repository: string) {
    super(
      'WRONG_PASSWORD',
      `restic refused the datastore's password for ${repository}. Check RESTIC_PASSWORD in the datastore's template.`,
    );
  }
}

export class NoRepository extends ResticError {
  override name = 'NoRepository';
  constructor(readonly repository: string) {
    super(
      'NO_REPOSITORY',
      repository.startsWith('s3:')
        ? `There is no restic repository at ${repository} in the S3 bucket.`
        : `There is no restic repository at ${repository} on the backup server.`,
    );
  }
}

export class SnapshotNotFound extends ResticError {
  override name = 'SnapshotNotFound';
  constructor(
    readonly repository: string,
    readonly snapshot: string,
  ) {
    super('SNAPSHOT_NOT_FOUND', `There is no snapshot ${snapshot} in ${repository}.`);
  }
}

export class ResticFailed extends ResticError {
  override name = 'ResticFailed';
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly stderrTail: string,
  ) {
    super(
      'FAILED',
      `restic ${command} failed (exit code ${exitCode})${stderrTail ? `: ${lastMeaningfulLine(stderrTail)}` : ''}`,
    );
  }
}

function lastMeaningfulLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => readableLine(l.trim()))
    .filter(Boolean);
  return (lines.find((l) => l.startsWith('Fatal:')) ?? lines[lines.length - 1] ?? '').slice(0, 300);
}

/** With --json, restic >= 0.17 writes its final error as a JSON exit_error line: its message is what a person reads. */
function readableLine(line: string): string {
  if (!line.startsWith('{') || !line.includes('"exit_error"')) return line;
  try {
    const o = JSON.parse(line) as { message?: unknown };
    return typeof o.message === 'string' ? o.message.trim() : line;
  } catch {
    return line;
  }
}

const LOCKED =
  /repository is already locked (exclusively )?by PID (\d+) on (\S+) by ([^\s(]+)(?: \(UID \d+, GID \d+\))?\s*\nlock was created at ([^(\n]+?)\s*\(([^)]+) ago\)(?:\s*\nstorage ID ([0-9a-f]+))?/;

/** The message restic gave: the exit_error JSON line when there is one, else the text. */
function messageOf(stdout: string, stderr: string): string {
  for (const line of `${stderr}\n${stdout}`.split('\n')) {
    if (!line.includes('"exit_error"')) continue;
    try {
      const o = JSON.parse(line) as { message?: string };
      if (o.message) return o.message;
    } catch {
      /* not JSON */
    }
  }
  return `${stderr}\n${stdout}`;
}

export function parseLockHolder(text: string): LockHolder | undefined {
  const m = LOCKED.exec(text);
  if (!m) return undefined;
  return {
    exclusive: Boolean(m[1]),
    pid: Number(m[2]),
    host: m[3] ?? '',
    user: m[4] ?? '',
    createdAt: m[5]?.trim(),
    age: m[6] ? roundAge(m[6]) : undefined,
    lockId: m[7],
  };
}

/** "16.088075963s" -> "16s"; "1h2m3.5s" -> "1h2m3s". */
function roundAge(age: string): string {
  return age.replace(/(\d+)\.\d+s/, '$1s');
}

/** Turns a failed restic run into the typed error that says what happened. */
export function classifyFailure(
  command: string,
  repository: string,
  exitCode: number,
  stdout: string,
  stderr: string,
  snapshot?: string,
): ResticError {
  const message = messageOf(stdout, stderr);
  const holder = parseLockHolder(message);
  if (exitCode === 11 || holder) {
    return new RepositoryLocked(repository, holder ?? { pid: 0, host: 'unknown', user: 'unknown', exclusive: true });
  }
  if (exitCode === 12 || /wrong password or no key found/.test(message)) return new WrongPassword(repository);
  if (
    exitCode === 10 ||
    /unable to open config file|repository does not exist|Is there a repository at the following location/.test(message)
  ) {
    return new NoRepository(repository);
  }
  if (snapshot && /no matching ID found|invalid id|no snapshot found/i.test(message))
    return new SnapshotNotFound(repository, snapshot);
  return new ResticFailed(command, exitCode, stderr || message);
}
