import { describe, expect, it } from 'vitest';
import { datastoreLabel } from '@/lib/schemas/datastore-label';
import { restoreImageTitle, restoreServerTitle } from './job-titles';

const RBACKUPS = { id: 100, name: 'RBackups' };

describe('restore job titles', () => {
  it('name the target datastore of a restore into OpenNebula with its name and ID, as page titles do', () => {
    const title = restoreImageTitle({ id: 12, name: 'web-1 backup' }, { id: 1, name: 'default' });
    expect(title).toBe('Restore backup image 12 (“web-1 backup”) into datastore default (1)');
    expect(title).toContain(datastoreLabel(1, 'default'));
  });

  it('name the backup datastore of a restore onto the backup server with its name and ID', () => {
    expect(restoreServerTitle({ imageId: 7 }, RBACKUPS, '/var/tmp/restored')).toBe(
      'Restore image 7 of datastore RBackups (100) to /var/tmp/restored',
    );
    expect(restoreServerTitle({ imageId: 7, incrementId: 3 }, RBACKUPS, '/r')).toBe(
      'Restore image 7 up to increment 3 of datastore RBackups (100) to /r',
    );
  });
});
