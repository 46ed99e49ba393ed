import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '@/lib/store/db';
import { expectedInterval, expectedIntervals, setExpectedInterval } from './expected-interval';

describe('expected interval per datastore', () => {
  it('defaults to 24 h, keeps what an admin set, and forgets a value set back to the default', () => {
    const db = new Database(':memory:');
    migrate(db);
    expect(expectedInterval(100, db)).toEqual({ seconds: 86_400, isDefault: true });
    setExpectedInterval(100, 7 * 86_400, 'oneadmin', 1000, db);
    expect(expectedInterval(100, db)).toEqual({
      seconds: 604_800,
      isDefault: false,
      updatedAt: 1000,
      updatedBy: 'oneadmin',
    });
    setExpectedInterval(100, 3600, 'ops', 2000, db);
    expect(expectedIntervals(db)).toEqual(new Map([[100, 3600]]));
    setExpectedInterval(100, 86_400, 'ops', 3000, db);
    expect(expectedInterval(100, db).isDefault).toBe(true);
    expect(() => db.prepare('INSERT INTO datastore_expected_intervals VALUES (1, 0, 0, ?)').run('x')).toThrow();
  });
});
