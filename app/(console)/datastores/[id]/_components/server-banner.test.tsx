import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ServerStatus } from '@/lib/catalog';
import { ServerBanner } from './server-banner';

/** The banner's text as a reader sees it (React marks the joins of text and values with empty comments). */
const shown = (server: ServerStatus) => renderToString(<ServerBanner server={server} />).replace(/<!-- -->/g, '');

describe('ServerBanner', () => {
  it('names the backup server and SSH for an SFTP datastore', () => {
    const html = shown({ backend: 'sftp', host: 'backup1', user: 'oneadmin', reachable: false, message: 'Timed out.' });
    expect(html).toContain('The backup server oneadmin@backup1 cannot be reached.');
    expect(html).toContain('log in over SSH');
  });

  it('names the bucket, not a backup server or SSH, for an S3 datastore', () => {
    const host = 's3:https://s3.example.org/one-backups';
    const html = shown({ backend: 's3', host, user: 'S3', reachable: false, message: 'The keys were refused.' });
    expect(html).toContain(`The bucket ${host} cannot be read.`);
    expect(html).not.toContain('SSH');
    expect(html).not.toContain('backup server');
  });
});
