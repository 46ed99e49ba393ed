import { describe, expect, it } from 'vitest';
import { fixture } from '../test-support/fixtures';
import { parseImage, parseImagePool } from './image-xml';

describe('image XML', () => {
  it('reads a 7.x FULL-mode backup image', async () => {
    const img = await parseImage(fixture('oneimage-show-backup-full.xml'));
    expect(img).toEqual({
      id: 105,
      name: '42 18-Jun 08.30.15',
      uid: 0,
      uname: 'oneadmin',
      gid: 0,
      gname: 'oneadmin',
      type: 'BACKUP',
      state: 'READY',
      persistent: true,
      regtime: 1750228215,
      modtime: 1750228215,
      source: '25f4b298',
      path: '',
      format: 'raw',
      sizeMb: 2261,
      datastoreId: 100,
      datastoreName: 'RBackups',
      vmIds: [42],
      runningVms: 1,
      increments: [],
      backupDiskIds: [0, 1],
      template: {},
      templateVectors: {},
    });
  });

  it('reads a flattened INCREMENT chain made by a Backup Job', async () => {
    const img = await parseImage(fixture('oneimage-show-backup-incremental.xml'));
    expect(img.backupJobId).toBe(7);
    expect(img.template).toEqual({ BACKUP_JOB_ID: '7' });
    expect(img.increments).toEqual([
      { id: 2, parentId: null, type: 'FULL', source: '9c1e07d4', sizeMb: 1855, date: 1750403011 },
      { id: 3, parentId: 2, type: 'INCREMENT', source: 'a0c4eb77', sizeMb: 3, date: 1750489407 },
      { id: 4, parentId: 3, type: 'INCREMENT', source: '04684312', sizeMb: 3, date: 1750575609 },
    ]);
    expect(img.backupDiskIds).toEqual([0]);
    expect(img).toMatchObject({ uname: 'alice', gname: 'users', uid: 2, gid: 1, sizeMb: 1861 });
  });

  it('reads a 6.10 image: no MODTIME, no BACKUP_DISK_IDS, a single increment', async () => {
    const img = await parseImage(fixture('oneimage-show-backup-6.10.xml'));
    expect(img).not.toHaveProperty('modtime');
    expect(img).not.toHaveProperty('backupDiskIds');
    expect(img.state).toBe('USED');
    expect(img.backupJobId).toBe(3);
    expect(img.increments).toEqual([
      { id: 0, parentId: null, type: 'FULL', source: '0a1b2c3d', sizeMb: 512, date: 1709373601 },
    ]);
  });

  it('reads a pool of mixed images, keeping CDATA text exactly', async () => {
    const pool = await parseImagePool(fixture('oneimage-list.xml'));
    expect(pool.map((i) => [i.id, i.type, i.datastoreId])).toEqual([
      [0, 'OS', 1],
      [105, 'BACKUP', 100],
      [200, 'BACKUP', 101],
    ]);
    expect(pool[0]!.template.DESCRIPTION).toBe('  spaced "desc" <&> ');
    expect(pool[0]!.vmIds).toEqual([42, 43]);
    expect(pool[0]!.backupDiskIds).toEqual([]);
    expect(pool[0]!.persistent).toBe(false);
  });

  it('names an image state it does not know instead of failing', async () => {
    const xml = fixture('oneimage-show-backup-full.xml').replace('<STATE>1</STATE>', '<STATE>42</STATE>');
    expect((await parseImage(xml)).state).toBe('UNKNOWN_42');
  });

  it('refuses an increment of an unknown type', async () => {
    const xml = fixture('oneimage-show-backup-incremental.xml').replace('<![CDATA[FULL]]>', '<![CDATA[DIFF]]>');
    await expect(parseImage(xml)).rejects.toThrow(/BACKUP_INCREMENTS\/INCREMENT\/0\/TYPE/);
  });
});
