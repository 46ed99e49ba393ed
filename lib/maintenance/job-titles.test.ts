import { describe, expect, it } from 'vitest';
import { datastoreLabel } from '@/lib/schemas/datastore-label';
import { checkTitle, forgetTitle, pruneTitle } from './job-titles';

const RBACKUPS = { id: 100, name: 'RBackups' };

describe('maintenance job titles', () => {
  it('name the datastore with its name and ID, as page titles do ("RBackups (100)")', () => {
    expect(pruneTitle('42', RBACKUPS)).toBe('Prune repository 42 of datastore RBackups (100)');
    expect(checkTitle('job_3', RBACKUPS, 'reading 5 % of the data')).toBe(
      'Check repository job_3 of datastore RBackups (100), reading 5 % of the data',
    );
    expect(forgetTitle(1, '42', RBACKUPS)).toBe(
      'Forget 1 orphan snapshot in repository 42 of datastore RBackups (100)',
    );
    expect(forgetTitle(3, '42', RBACKUPS)).toBe(
      'Forget 3 orphan snapshots in repository 42 of datastore RBackups (100)',
    );
    for (const title of [pruneTitle('42', RBACKUPS), checkTitle('42', RBACKUPS, 'structure only')])
      expect(title).toContain(datastoreLabel(100, 'RBackups'));
  });
});
