import { describe, expect, it } from 'vitest';
import { TooManyDownloads } from '@/lib/catalog';
import { Busy, Canceled } from '@/lib/exec';
import { expectedErrorResponse } from './error-response';

describe('expectedErrorResponse', () => {
  it('a download over a limit: 429 with Retry-After and a clear message, nothing else', async () => {
    const res = expectedErrorResponse(new TooManyDownloads('user', 2, 'backup-1'))!;
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBe('30');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatch(/You already have 2 downloads running/);
    const server = expectedErrorResponse(new TooManyDownloads('server', 6, 'backup-1'))!;
    expect(server.status).toBe(429);
    expect(((await server.json()) as { error: string }).error).toMatch(/backup-1 is already serving 6 downloads/);
  });

  it('bulk work refused by a full queue: 503 with Retry-After', async () => {
    const res = expectedErrorResponse(new Busy('backup-1', 30))!;
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('30');
  });

  it('other command failures stay 502; unexpected errors are left to the caller', () => {
    expect(expectedErrorResponse(new Canceled('restic'))?.status).toBe(502);
    expect(expectedErrorResponse(new Error('boom'))).toBeUndefined();
  });
});
