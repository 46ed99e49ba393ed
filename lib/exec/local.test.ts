import { describe, expect, it } from 'vitest';
import { Canceled, OutputTooLarge, TimedOut } from './errors';
import { execLocal, streamLocal } from './local';
import { redact, registerSecret } from '@/lib/log/redact';

describe('execLocal', () => {
  it('runs argv without a shell', async () => {
    const r = await execLocal(['printf', '%s|', 'a b', '$(id)', ';']);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'a b|$(id)|;|' });
  });

  it('returns a non-zero exit code and a stderr tail instead of throwing', async () => {
    const r = await execLocal(['sh', '-c', 'echo oops >&2; exit 3']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe('oops\n');
  });

  it('passes stdin and only allowlisted environment plus what the caller adds', async () => {
    process.env.BACKSTONE_TEST_SECRET_VAR = 'must-not-leak';
    const r = await execLocal(['sh', '-c', 'cat; echo; env'], { stdin: 'from-stdin', env: { EXTRA: 'yes' } });
    expect(r.stdout).toContain('from-stdin');
    expect(r.stdout).toContain('EXTRA=yes');
    expect(r.stdout).not.toContain('must-not-leak');
  });

  it('streams lines and refuses a line longer than the limit', async () => {
    const lines: string[] = [];
    await execLocal(['printf', 'a\nb\r\nc'], { onLine: (l) => lines.push(l) });
    expect(lines).toEqual(['a', 'b', 'c']);
    await expect(
      execLocal(['head', '-c', '5000', '/dev/zero'], { onLine: () => undefined, maxLineLength: 100 }),
    ).rejects.toBeInstanceOf(OutputTooLarge);
  });

  it('ends the process group on timeout', async () => {
    const started = Date.now();
    await expect(execLocal(['sleep', '30'], { timeoutMs: 200 })).rejects.toBeInstanceOf(TimedOut);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('ends the process on abort', async () => {
    const ac = new AbortController();
    const p = execLocal(['sleep', '30'], { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(Canceled);
  });

  it('reports a missing program as such: exit code 127, as a shell (and SSH) would', async () => {
    expect(await execLocal(['/nonexistent/program'])).toEqual({
      exitCode: 127,
      stdout: '',
      stderr: 'program: command not found\n',
    });
  });

  it('redacts a value given for one command from that command only: a password tried at sign-in masks no later word', async () => {
    const tried = `tried-${process.pid}`;
    const r = await execLocal(['sh', '-c', `echo "denied for ${tried}" >&2; exit 1`], { redactHere: [tried] });
    expect(r.stderr).not.toContain(tried);
    const later = await execLocal(['sh', '-c', `echo "the word ${tried} is ordinary here" >&2; exit 1`]);
    expect(later.stderr).toContain(tried);
    expect(redact(`a log line about ${tried}`)).toContain(tried);
  });

  it('redacts registered secrets from stderr', async () => {
    registerSecret('hunter2-secret');
    const r = await execLocal(['sh', '-c', 'echo "wrong password hunter2-secret" >&2; exit 1']);
    expect(r.stderr).not.toContain('hunter2-secret');
    expect(r.stderr).toContain('[REDACTED]');
  });

  it('streams stdout as bytes', async () => {
    const s = streamLocal(['head', '-c', String(3 * 1024 * 1024), '/dev/zero']);
    let n = 0;
    for await (const chunk of s.stdout) n += (chunk as Buffer).length;
    expect((await s.done).exitCode).toBe(0);
    expect(n).toBe(3 * 1024 * 1024);
  });
});
