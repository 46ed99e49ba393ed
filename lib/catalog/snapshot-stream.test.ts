import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { downloadHeaders, DownloadStalled, ShortDownload, toWebStream } from './snapshot-stream';

// A command whose stdout is a PassThrough the test writes into, like lib/exec's stream().
function fakeCommand() {
  const stdout = new PassThrough({ highWaterMark: 16 });
  let settle!: (v: unknown) => void;
  let fail!: (e: unknown) => void;
  const done = new Promise((res, rej) => {
    settle = res;
    fail = rej;
  });
  const cancel = vi.fn(() => {
    stdout.destroy(new Error('canceled'));
    fail(new Error('canceled'));
  });
  return { stdout, done, cancel, settle, fail };
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

describe('toWebStream', () => {
  it('hands over every byte, then closes once the command succeeded', async () => {
    const c = fakeCommand();
    c.stdout.write('hello ');
    const settled = vi.fn();
    const body = await toWebStream(c, { expectedBytes: 11, onSettled: settled });
    c.stdout.end('world');
    c.settle({ exitCode: 0 });
    expect((await readAll(body)).toString()).toBe('hello world');
    await vi.waitFor(() => expect(settled).toHaveBeenCalledTimes(1));
  });

  it('runs at most readAheadBytes ahead of the reader (backpressure reaches the command)', async () => {
    const c = fakeCommand();
    c.stdout.write(Buffer.alloc(64));
    const body = await toWebStream(c, { readAheadBytes: 64 });
    // Nobody reads: the command's writes are taken up to the read-ahead, then refused.
    let accepted = 0;
    for (let i = 0; i < 100 && c.stdout.write(Buffer.alloc(16)); i++) accepted += 16;
    expect(accepted).toBeLessThanOrEqual(64 + 32);
    const reader = body.getReader();
    expect((await reader.read()).value?.length).toBe(64);
    // What was queued meanwhile comes as one chunk, not as the 16-byte pieces it arrived in.
    expect((await reader.read()).value?.length).toBeGreaterThanOrEqual(64);
    await reader.cancel();
    expect(c.cancel).toHaveBeenCalled();
  });

  it('joins the small chunks of a short output into one', async () => {
    const c = fakeCommand();
    for (let i = 0; i < 10; i++) c.stdout.write('0123456789');
    c.stdout.end();
    c.settle({ exitCode: 0 });
    const chunks: number[] = [];
    for await (const chunk of (await toWebStream(c)) as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk.length);
    expect(chunks).toEqual([100]);
  });

  it('a command that fails before any byte is an error, not an empty download', async () => {
    const c = fakeCommand();
    const typed = new Error('Fatal: no such snapshot');
    c.stdout.end();
    c.fail(typed);
    await expect(toWebStream(c)).rejects.toBe(typed);
  });

  it('an aborted request cancels the command', async () => {
    const c = fakeCommand();
    c.stdout.write('x');
    const ac = new AbortController();
    await toWebStream(c, { signal: ac.signal });
    ac.abort();
    expect(c.cancel).toHaveBeenCalledTimes(1);
  });

  it('fails the body when fewer bytes came than Content-Length announced', async () => {
    const c = fakeCommand();
    c.stdout.write('abc');
    const body = await toWebStream(c, { expectedBytes: 10 });
    c.stdout.end();
    c.settle({ exitCode: 0 });
    await expect(readAll(body)).rejects.toBeInstanceOf(ShortDownload);
  });

  it('a reader that stops reading for the idle bound: the command is cancelled, the body fails', async () => {
    const c = fakeCommand();
    c.stdout.write(Buffer.alloc(64));
    const settled = vi.fn();
    const body = await toWebStream(c, { idleMs: 40, readAheadBytes: 64, onSettled: settled });
    const reader = body.getReader();
    expect((await reader.read()).value?.length).toBe(64);
    c.stdout.write(Buffer.alloc(64));
    // The reader asks for nothing more: polled, with a bound.
    await vi.waitFor(() => expect(c.cancel).toHaveBeenCalledTimes(1), { timeout: 5_000, interval: 10 });
    await expect(reader.read()).rejects.toBeInstanceOf(DownloadStalled);
    await vi.waitFor(() => expect(settled).toHaveBeenCalledTimes(1));
  });

  it('a stream never read at all is aborted by the idle bound too', async () => {
    const c = fakeCommand();
    c.stdout.write('x');
    const body = await toWebStream(c, { idleMs: 40 });
    await vi.waitFor(() => expect(c.cancel).toHaveBeenCalledTimes(1), { timeout: 5_000, interval: 10 });
    await expect(body.getReader().read()).rejects.toBeInstanceOf(DownloadStalled);
  });

  it('a reader waiting for a slow command is not idle', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const c = fakeCommand();
      c.stdout.write('a');
      const body = await toWebStream(c, { idleMs: 40 });
      const reader = body.getReader();
      expect((await reader.read()).value?.length).toBe(1);
      // The reader waits five bounds for the next bytes: the command is not cancelled.
      const next = reader.read();
      await vi.advanceTimersByTimeAsync(200);
      expect(c.cancel).not.toHaveBeenCalled();
      c.stdout.end('b');
      c.settle({ exitCode: 0 });
      expect((await next).value?.length).toBe(1);
      expect((await reader.read()).done).toBe(true);
      await vi.advanceTimersByTimeAsync(200);
      expect(c.cancel).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('downloadHeaders', () => {
  it('gives the exact length and a quoted, safe file name', () => {
    const h = downloadHeaders('vm-1-8f13e6cc-disk.0.1.qcow2', 1234, 'application/octet-stream');
    expect(h.get('content-length')).toBe('1234');
    expect(h.get('x-backstone-size')).toBe('1234');
    expect(h.get('content-disposition')).toBe(
      `attachment; filename="vm-1-8f13e6cc-disk.0.1.qcow2"; filename*=UTF-8''vm-1-8f13e6cc-disk.0.1.qcow2`,
    );
    expect(downloadHeaders('a"b\r\n.xml', 1, 'x').get('content-disposition')).toMatch(
      /^attachment; filename="a_b__.xml"/,
    );
  });
});
