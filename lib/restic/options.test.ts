import { describe, expect, it } from 'vitest';
import { repoOptionsFromTemplate, resticArgv, DEFAULT_REPO_OPTIONS } from './options';

const base = { binary: '/var/tmp/one/datastore/restic/restic', repository: '/var/lib/one/datastores/100/42' };

describe('datastore attributes as the driver applies them', () => {
  it('keeps only lower-case off|max compression (Sunstone writes MAX, the driver ignores it)', () => {
    expect(repoOptionsFromTemplate({ RESTIC_COMPRESSION: 'max' }).compression).toBe('max');
    expect(repoOptionsFromTemplate({ RESTIC_COMPRESSION: 'MAX' }).compression).toBe('auto');
    expect(repoOptionsFromTemplate({}).compression).toBe('auto');
  });

  it('reads integers with the driver defaults', () => {
    const o = repoOptionsFromTemplate({ RESTIC_CONNECTIONS: '8', RESTIC_MAXPROC: '2', RESTIC_PRUNE_MAX_REPACK: '10G' });
    expect(o).toMatchObject({ connections: 8, maxproc: 2, pruneMaxUnused: '0', pruneMaxRepack: '10G' });
    expect(repoOptionsFromTemplate({ RESTIC_MAXPROC: '-1' }).maxproc).toBeUndefined();
  });

  it('puts BWLIMIT on every command, CONNECTIONS and COMPRESSION only on backup/restore/dump', () => {
    const options = {
      ...DEFAULT_REPO_OPTIONS,
      bwlimit: '51200',
      connections: 3,
      compression: 'max' as const,
      maxproc: 2,
    };
    const snaps = resticArgv({ ...base, command: 'snapshots', options, noLock: true, json: true });
    expect(snaps.argv).toEqual([
      base.binary,
      '--password-file=/dev/stdin',
      `--repo=${base.repository}`,
      '--no-lock',
      '--json',
      '--limit-upload=51200',
      '--limit-download=51200',
      'snapshots',
    ]);
    expect(snaps.env).toEqual({ GOMAXPROCS: '2' });
    const dump = resticArgv({ ...base, command: 'dump', args: ['abcd1234', '/x/vm.xml'], options, quiet: true });
    expect(dump.argv).toContain('--option=sftp.connections=3');
    expect(dump.argv).toContain('--compression=max');
    expect(dump.argv.slice(-3)).toEqual(['dump', 'abcd1234', '/x/vm.xml']);
  });

  it('never puts a password in argv or env', () => {
    const r = resticArgv({ ...base, command: 'snapshots', options: DEFAULT_REPO_OPTIONS });
    expect(r.argv.join(' ')).not.toMatch(/RESTIC_PASSWORD|password=/i);
    expect(Object.keys(r.env)).not.toContain('RESTIC_PASSWORD');
  });
});
