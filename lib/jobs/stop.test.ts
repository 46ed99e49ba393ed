// What a stop leaves in the store: this process's unfinished jobs are interrupted, with a message
// saying so; finished jobs and another process's jobs stay as they were. A real SQLite store.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '@/lib/store/db';
import { finish, getJob, insertJob, markRunning, markStopped } from './store';

describe('jobs at stop', () => {
  it('marks only the unfinished jobs of the stopping runner interrupted', () => {
    const db = new Database(':memory:');
    migrate(db);
    const job = (runner: string) =>
      insertJob({ kind: 'check', title: 'Check', actor: 'oneadmin', serverKey: 'oneadmin@b:', params: {}, runner }, db);
    const running = job('this');
    const queued = job('this');
    const done = job('this');
    const other = job('other');
    markRunning(running, db);
    markRunning(done, db);
    finish(done, 'succeeded', 'checked', undefined, db);
    markRunning(other, db);

    expect(markStopped('this', db)).toBe(2);
    expect(getJob(running, db)).toMatchObject({
      status: 'interrupted',
      message:
        'Backstone stopped while this job was running; nothing more was done. Start it again if it is still needed.',
    });
    expect(getJob(queued, db)?.status).toBe('interrupted');
    expect(getJob(queued, db)?.message).toContain('while this job was queued');
    expect(getJob(done, db)).toMatchObject({ status: 'succeeded', message: 'checked' });
    expect(getJob(other, db)?.status).toBe('running');
    db.close();
  });
});
