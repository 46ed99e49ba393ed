import 'server-only';
import type { Readable } from 'node:stream';

// A command's stdout (a Node Readable from lib/exec) as the body of a web Response. The command runs
// at most a small, fixed read-ahead (1 MiB) in front of what the browser has taken, so a slow browser
// slows `restic dump` on the backup server instead of filling Backstone's memory. When the browser
// goes away (the body is cancelled or the request aborted), the remote command is cancelled at once;
// when it stays but stops reading for longer than the idle bound, likewise: a stalled reader would
// otherwise hold the command, its SSH channel and its download slot for as long as it likes.

export type CommandOutput = { stdout: Readable; done: Promise<unknown>; cancel: () => void };

// Internal, both: they end a body already being sent (the browser sees a cut download), never an
// answer of their own, so they are not ExpectedErrors.
export class ShortDownload extends Error {
  override name = 'ShortDownload';
}

/** The reader took nothing for the idle bound while bytes were waiting: the download was aborted. */
export class DownloadStalled extends Error {
  override name = 'DownloadStalled';
  constructor(readonly idleMs: number) {
    super(`The download was stopped: nothing was read for ${Math.round(idleMs / 1000)} s.`);
  }
}

export type WebStreamOptions = {
  /** The byte count promised in Content-Length; any other count fails the stream. */
  expectedBytes?: number;
  signal?: AbortSignal;
  /** Runs once when the command has ended, whatever happened (e.g. removes temporary files). */
  onSettled?: () => Promise<void> | void;
  /** Bytes read from the command ahead of the reader before it is paused (default 1 MiB). */
  readAheadBytes?: number;
  /**
   * The idle-read bound: when the reader has not asked for more for this long (ms) after its last
   * chunk, the command is cancelled and the stream fails with DownloadStalled. Undefined: no bound.
   */
  idleMs?: number;
};

const READ_AHEAD_BYTES = 1024 * 1024;
/** A handover (after the first bytes) waits for at least this much, or the end: the HTTP path costs per chunk. */
const MIN_HANDOVER_BYTES = 256 * 1024;

/**
 * Waits for the first bytes (or the end) before anything is sent, so a command that fails at once
 * becomes an error response rather than a truncated download; then hands the rest over pull by pull.
 */
export async function toWebStream(
  src: CommandOutput,
  opts: WebStreamOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  let ended = false;
  let failure: unknown;
  let waiter: (() => void) | undefined;
  const wake = () => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  // SSH delivers ~32-64 KiB chunks; each costs the web stream and the HTTP write a few promises and
  // a syscall (~50 µs), over a second of CPU per GiB on top of restic on the same cores. So the
  // command may run up to readAheadBytes ahead (paused beyond), and what is queued is handed over
  // joined, once at least MIN_HANDOVER_BYTES (or the end) is there: one copy, far fewer chunks.
  // Chunks are taken with 'data' rather than read(), which would copy on every call.
  const readAhead = opts.readAheadBytes ?? READ_AHEAD_BYTES;
  const minHandover = Math.min(MIN_HANDOVER_BYTES, readAhead);
  const queue: Buffer[] = [];
  let queued = 0;
  let waitingFor = minHandover;
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= readAhead) src.stdout.pause();
    if (waiter && queued >= waitingFor) wake();
  };
  src.stdout.on('data', onData);
  src.stdout.on('end', () => {
    ended = true;
    wake();
  });
  src.stdout.on('error', (e) => {
    failure ??= e;
    wake();
  });

  // The command's outcome, observed once; cleanup runs after it, whatever it was.
  let settledOnce = false;
  const outcome = src.done.then(
    () => undefined,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );
  void outcome.then(async () => {
    if (settledOnce) return;
    settledOnce = true;
    await opts.onSettled?.();
  });

  // The idle-read bound runs from the last handover (or from when the stream is handed out) for as
  // long as the reader does not ask again; a reader waiting for the command is never idle. One timer
  // per idle period, not one per chunk: it looks at the time of the last handover when it fires.
  let idleTimer: NodeJS.Timeout | undefined;
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined;
  let lastHandover = Date.now();
  let pulling = false;
  let finished = false;
  const stopIdle = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
  };
  const checkIdle = (idleMs: number) => {
    idleTimer = undefined;
    if (canceled || finished) return;
    const idleFor = Date.now() - lastHandover;
    if (pulling || idleFor < idleMs) {
      idleTimer = setTimeout(checkIdle, pulling ? idleMs : idleMs - idleFor, idleMs);
      idleTimer.unref();
      return;
    }
    const stalled = new DownloadStalled(idleMs);
    cancel();
    opts.signal?.removeEventListener('abort', cancel);
    try {
      controllerRef?.error(stalled);
    } catch {
      // Already closed or errored: nothing more to tell the reader.
    }
  };

  // After a cancel the rest is drained and dropped: a paused SSH channel would never close, and
  // the command's end (and the cleanup after it) would never come.
  let canceled = false;
  const cancel = () => {
    if (canceled) return;
    canceled = true;
    stopIdle();
    src.cancel();
    src.stdout.off('data', onData);
    queue.length = 0;
    queued = 0;
    src.stdout.on('data', () => undefined);
    setImmediate(() => src.stdout.resume());
  };
  opts.signal?.addEventListener('abort', cancel, { once: true });
  if (opts.signal?.aborted) cancel();

  // Everything queued, joined; the command is let run again since the queue is empty now.
  const take = (): Buffer | undefined => {
    if (queue.length === 0) return undefined;
    const chunk = queue.length === 1 ? queue[0]! : Buffer.concat(queue, queued);
    queue.length = 0;
    queued = 0;
    if (!canceled && !ended) src.stdout.resume();
    return chunk;
  };
  /** The next handover once `atLeast` bytes are queued (or the end came); null at the end. */
  const next = async (atLeast: number): Promise<Buffer | null> => {
    for (;;) {
      if (failure) throw failure;
      if (queued >= atLeast || ended) {
        const chunk = take();
        if (chunk !== undefined) return chunk;
        if (ended) return null;
      }
      waitingFor = atLeast;
      await new Promise<void>((r) => (waiter = r));
    }
  };

  let first: Buffer | null;
  try {
    // The first bytes, whatever their size: the response can start.
    first = await next(1);
    if (first === null) {
      const err = await outcome;
      if (err) throw err;
    }
  } catch (err) {
    cancel();
    opts.signal?.removeEventListener('abort', cancel);
    const typed = await outcome;
    throw typed ?? err;
  }

  let sent = 0;
  let pending: Buffer | undefined = first ?? undefined;
  const deliver = (controller: ReadableStreamDefaultController<Uint8Array>, chunk: Buffer) => {
    sent += chunk.length;
    if (opts.expectedBytes !== undefined && sent > opts.expectedBytes)
      throw new ShortDownload(`more bytes than the ${opts.expectedBytes} announced`);
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  };
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, err: unknown) => {
    cancel();
    opts.signal?.removeEventListener('abort', cancel);
    controller.error(err);
  };
  const finishOrWait = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    try {
      const chunk = await next(minHandover);
      if (chunk !== null) return deliver(controller, chunk);
      const err = await outcome;
      if (err) throw err;
      if (opts.expectedBytes !== undefined && sent !== opts.expectedBytes)
        throw new ShortDownload(`${sent} bytes instead of the ${opts.expectedBytes} announced`);
      finished = true;
      stopIdle();
      opts.signal?.removeEventListener('abort', cancel);
      controller.close();
    } catch (err) {
      fail(controller, err);
    }
  };
  const handedOver = () => {
    pulling = false;
    lastHandover = Date.now();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controllerRef = controller;
      },
      // Enough already queued is handed over at once, without a promise per chunk.
      pull(controller) {
        const chunk = pending ?? (queued >= minHandover ? take() : undefined);
        pending = undefined;
        if (chunk === undefined) {
          pulling = true;
          return finishOrWait(controller).finally(handedOver);
        }
        try {
          deliver(controller, chunk);
        } catch (err) {
          fail(controller, err);
        }
        handedOver();
      },
      cancel() {
        cancel();
        opts.signal?.removeEventListener('abort', cancel);
      },
    },
    // Nothing is read ahead of what the browser asked for.
    { highWaterMark: 0 },
  );
  if (opts.idleMs !== undefined) {
    idleTimer = setTimeout(checkIdle, opts.idleMs, opts.idleMs);
    idleTimer.unref();
  }
  return body;
}

/** Headers of a file download: its exact length and a safe file name. */
export function downloadHeaders(fileName: string, size: number, contentType: string): Headers {
  const ascii = fileName.replace(/[^A-Za-z0-9._-]/g, '_');
  return new Headers({
    'Content-Type': contentType,
    // Next 16.4 drops Content-Length from route handler responses (FORBIDDEN_HEADERS in
    // next/dist/server/send-response.js); server.js restores it from X-Backstone-Size.
    'Content-Length': String(size),
    'X-Backstone-Size': String(size),
    'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    // no-transform: a compressed response would lose its Content-Length.
    'Cache-Control': 'private, no-store, no-transform',
    'X-Content-Type-Options': 'nosniff',
  });
}
