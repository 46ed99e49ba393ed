import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '@/lib/store/db';
import { lastCheck, lastChecks, recordCheck } from './check-results';

describe('check results', () => {
  it('keeps every check and answers with the newest per repository', () => {
    const db = new Database(':memory:');
    migrate(db);
    expect(lastCheck(100, '42', db)).toBeUndefined();
    recordCheck(100, '42', { ok: true, errors: [], actor: 'oneadmin', at: 1000, jobId: 1 }, db);
    recordCheck(
      100,
      '42',
      { ok: false, errors: ['pack abc: not found'], readDataPercent: 100, actor: 'oneadmin', at: 2000 },
      db,
    );
    recordCheck(100, 'job_1', { ok: true, errors: [], actor: 'oneadmin', at: 1500 }, db);
    recordCheck(101, '42', { ok: true, errors: [], actor: 'oneadmin', at: 3000 }, db);
    expect(lastCheck(100, '42', db)).toEqual({
      at: 2000,
      ok: false,
      readDataPercent: 100,
      errors: ['pack abc: not found'],
      jobId: undefined,
      actor: 'oneadmin',
    });
    const all = lastChecks(100, db);
    expect([...all.keys()].sort()).toEqual(['42', 'job_1']);
    expect(all.get('job_1')?.ok).toBe(true);
  });
});
