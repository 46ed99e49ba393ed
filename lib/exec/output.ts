import { StringDecoder } from 'node:string_decoder';
import { OutputTooLarge } from './errors';

// Bounded collection of a command's output: stdout whole (up to a limit) or as lines, stderr as
// a tail.

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * Splits a byte stream into lines; a line longer than `max` fails with OutputTooLarge. Bytes are
 * decoded as a stream: a multibyte character cut between two chunks (an accented file or VM name)
 * is kept whole rather than turned into two U+FFFD.
 */
export class LineSplitter {
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly max: number,
    private readonly program: string,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.pending + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    if (this.pending.length > this.max) throw new OutputTooLarge(this.program, this.max);
    for (const line of lines) {
      if (line.length > this.max) throw new OutputTooLarge(this.program, this.max);
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
  }

  end(): void {
    this.pending += this.decoder.end();
    if (this.pending !== '') this.onLine(this.pending);
    this.pending = '';
  }
}

/** Keeps the whole output up to a byte limit. */
export class BoundedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(
    private readonly limit: number,
    private readonly program: string,
  ) {}

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.limit) throw new OutputTooLarge(this.program, this.limit);
    this.chunks.push(chunk);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Keeps only the last `limit` bytes. */
export class TailBuffer {
  private buf = Buffer.alloc(0);
  constructor(private readonly limit = 8 * 1024) {}

  push(chunk: Buffer): void {
    const joined = Buffer.concat([this.buf, chunk]);
    this.buf = joined.length > this.limit ? joined.subarray(joined.length - this.limit) : joined;
  }

  text(): string {
    return stripAnsi(this.buf.toString('utf8'));
  }
}
