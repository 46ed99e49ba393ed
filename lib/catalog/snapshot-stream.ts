import 'server-only';
import type { Readable } from 'node:stream';

// A command's stdout (a Node Readable from lib/exec) as the body of a web Response, read only when
// the browser asks for more (pull), so a slow browser slows `restic dump` on the backup server
// instead of filling Backstone's memory. When the browser goes away (the body is cancelled or the
// request aborted), the remote command is cancelled at once.

export type CommandOutput = { stdout: Readable; done: Promise<unknown>; cancel: () => void };

export class ShortDownload extends Error {
  override name = 'ShortDownload';
}

export type WebStreamOptions = {
  /** The byte count promised in Content-Length; any other count fails the stream. */
  expectedBytes?: number;
  signal?: AbortSignal;
  /** Runs once when the command has ended, whatever happened (e.g. removes temporary files). */
  onSettled?: () => Promise<void> | void;
};

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
  // Chunks are taken one by one ('data', paused at once) rather than with read(), which concatenates
  // (copies) everything buffered into one new Buffer on each call: ~1 GiB of extra allocations and
  // copying per 1 GiB download. The stream is resumed only when a pull finds nothing queued, so at
  // most one chunk waits here, the rest stays in the stream and backpressure reaches the command.
  const queue: Buffer[] = [];
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    src.stdout.pause();
    wake();
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

  // After a cancel the rest is drained and dropped: a paused SSH channel would never close, and
  // the command's end (and the cleanup after it) would never come.
  let canceled = false;
  const cancel = () => {
    if (canceled) return;
    canceled = true;
    src.cancel();
    src.stdout.off('data', onData);
    queue.length = 0;
    src.stdout.on('data', () => undefined);
    setImmediate(() => src.stdout.resume());
  };
  opts.signal?.addEventListener('abort', cancel, { once: true });
  if (opts.signal?.aborted) cancel();

  const take = (): Buffer | undefined => queue.shift();
  const next = async (): Promise<Buffer | null> => {
    for (;;) {
      const chunk = take();
      if (chunk !== undefined) return chunk;
      if (failure) throw failure;
      if (ended) return null;
      // Only now is the next chunk let through: nothing is read ahead of what the browser asked for.
      if (!canceled) src.stdout.resume();
      await new Promise<void>((r) => (waiter = r));
    }
  };

  let first: Buffer | null;
  try {
    first = await next();
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
      const chunk = await next();
      if (chunk !== null) return deliver(controller, chunk);
      const err = await outcome;
      if (err) throw err;
      if (opts.expectedBytes !== undefined && sent !== opts.expectedBytes)
        throw new ShortDownload(`${sent} bytes instead of the ${opts.expectedBytes} announced`);
      opts.signal?.removeEventListener('abort', cancel);
      controller.close();
    } catch (err) {
      fail(controller, err);
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      // A chunk already queued is handed over at once, without a promise per chunk.
      pull(controller) {
        const ready = pending ?? take();
        pending = undefined;
        if (ready === undefined) return finishOrWait(controller);
        try {
          deliver(controller, ready);
        } catch (err) {
          fail(controller, err);
        }
      },
      cancel() {
        cancel();
        opts.signal?.removeEventListener('abort', cancel);
      },
    },
    // Nothing is read ahead of what the browser asked for.
    { highWaterMark: 0 },
  );
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
