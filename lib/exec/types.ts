import type { Readable } from 'node:stream';

/** Where a command runs: this machine, or a host reached over SSH (names may be ssh_config aliases). */
export type Target = { kind: 'local' } | { kind: 'ssh'; host: string; port?: number; user?: string };

export type SshTarget = Extract<Target, { kind: 'ssh' }>;

export const LOCAL: Target = { kind: 'local' };

/**
 * Which share of a backup server's SSH capacity a command takes; the caller chooses, by what the
 * command is for. `interactive` (the default): short reads a person waits for (overview batches,
 * listings, snapshot metadata, locks). `bulk`: anything that may run for minutes or hours
 * (downloads, restores, checks, prune, qemu-img). Each class has its own connection and channels,
 * so no amount of bulk work delays an interactive read; bulk commands wait in a bounded queue and
 * are refused (Busy) beyond it. Local commands ignore it.
 */
export type Capacity = 'interactive' | 'bulk';

export type ExecOptions = {
  capacity?: Capacity;
  /** Written to the command's stdin, which is then closed. The only way a password travels. */
  stdin?: string | Buffer;
  /**
   * Extra environment. Locally it joins an allowlist of the parent's variables. Over SSH it is
   * passed as a leading `env NAME=VALUE` argv, so it must never hold a secret.
   */
  env?: Readonly<Record<string, string>>;
  /** Deadline for the whole command (default 60 s); the remote process is ended when it passes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with each stdout line as it arrives (lines over maxLineLength fail the command). */
  onLine?: (line: string) => void;
  maxLineLength?: number;
  /** Buffered stdout beyond this fails the command (default 64 MiB). */
  maxStdoutBytes?: number;
  /** Secrets Backstone holds: redacted from this command's errors and, from now on, from every log and error. */
  secrets?: readonly string[];
  /**
   * Values to redact from this command's errors only, never remembered: what a person typed and
   * OpenNebula may still refuse (a password tried at sign-in). Remembered, "backup" tried as a
   * password would be masked from everyone's messages from then on.
   */
  redactHere?: readonly string[];
};

export type ExecResult = {
  exitCode: number;
  /** Full stdout, unless onLine consumed it (then empty). */
  stdout: string;
  /** The last few KiB of stderr, redacted, with terminal escapes removed. */
  stderr: string;
};

/** A command whose stdout is consumed as a byte stream (with backpressure), e.g. `restic dump`. */
export type ExecStream = {
  stdout: Readable;
  /** Settles when the command has ended: resolves with its exit code and stderr tail. */
  done: Promise<ExecResult>;
  /** Ends the command (locally or on the remote host) and makes `done` reject with Canceled. */
  cancel: () => void;
};
