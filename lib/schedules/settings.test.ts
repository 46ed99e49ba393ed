import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '@/lib/store/db';
import { schedule, schedules, setSchedule, takeVerifySubset } from './settings';

const fresh = () => {
  const db = new Database(':memory:');
  migrate(db);
  return db;
};

describe('schedules of a datastore', () => {
  it('are the defaults until an admin sets one: lock watch and capacity on, verify and prune off', () => {
    const db = fresh();
    expect(schedules(100, db).map((s) => [s.kind, s.enabled, s.intervalSeconds, s.isDefault])).toEqual([
      ['verify', false, 7 * 86_400, true],
      ['prune', false, 7 * 86_400, true],
      ['lock-watch', true, 300, true],
      ['capacity', true, 3600, true],
    ]);
    expect(schedule(100, 'lock-watch', db)).toMatchObject({ staleAfterSeconds: 900, autoUnlock: false });
  });

  it('keeps what an admin set, with who and when', () => {
    const db = fresh();
    setSchedule(
      100,
      { kind: 'lock-watch', enabled: true, intervalSeconds: 120, staleAfterSeconds: 0, autoUnlock: true },
      'ops',
      5,
      db,
    );
    expect(schedule(100, 'lock-watch', db)).toMatchObject({
      intervalSeconds: 120,
      staleAfterSeconds: 0,
      autoUnlock: true,
      isDefault: false,
      setAt: 5,
      setBy: 'ops',
    });
    expect(schedule(101, 'lock-watch', db).isDefault).toBe(true);
  });

  it('rotates verify subsets 1..N, then starts over; a smaller N starts the rotation over', () => {
    const db = fresh();
    setSchedule(100, { kind: 'verify', enabled: true, intervalSeconds: 86_400, subsets: 3 }, 'ops', 5, db);
    const taken = [1, 2, 3, 4, 5].map(() => takeVerifySubset(100, db));
    expect(taken).toEqual([
      { n: 1, of: 3 },
      { n: 2, of: 3 },
      { n: 3, of: 3 },
      { n: 1, of: 3 },
      { n: 2, of: 3 },
    ]);
    // The rotation does not change who set the schedule or when.
    expect(schedule(100, 'verify', db)).toMatchObject({ setAt: 5, setBy: 'ops', nextSubset: 3 });
    setSchedule(100, { kind: 'verify', enabled: true, intervalSeconds: 86_400, subsets: 2 }, 'ops', 6, db);
    expect(takeVerifySubset(100, db)).toEqual({ n: 1, of: 2 });
  });

  it('rotates a default verify too ("Verify all"), and it stays a default', () => {
    const db = fresh();
    expect(takeVerifySubset(100, db)).toEqual({ n: 1, of: 4 });
    expect(takeVerifySubset(100, db)).toEqual({ n: 2, of: 4 });
    expect(schedule(100, 'verify', db)).toMatchObject({ isDefault: true, enabled: false, nextSubset: 3 });
  });
});
