import { describe, expect, it } from 'vitest';
import { redact } from '@/lib/log/redact';
import { fixture } from '../test-support/fixtures';
import { driverPassword, parseDatastore, parseDatastorePool, parseDecryptedDatastore } from './datastore-xml';
import { OneXmlError } from '../xml';

describe('datastore XML', () => {
  it('reads the reference `onedatastore show -x 100`', async () => {
    const ds = await parseDatastore(fixture('onedatastore-show-100.xml'));
    expect(ds).toMatchObject({
      id: 100,
      name: 'RBackups',
      uid: 0,
      uname: 'oneadmin',
      gid: 0,
      gname: 'oneadmin',
      type: 'BACKUP_DS',
      dsMad: 'restic',
      tmMad: '-',
      basePath: '/var/lib/one//datastores/100',
      state: 'READY',
      clusterIds: [0],
      totalMb: 1509817,
      freeMb: 1374039,
      usedMb: 59383,
      imageIds: [105, 106],
      secretAttributeNames: ['RESTIC_PASSWORD'],
    });
    expect(ds.template).toEqual({
      DS_MAD: 'restic',
      RESTIC_COMPRESSION: 'auto',
      RESTIC_CONNECTIONS: '5',
      RESTIC_SFTP_SERVER: '192.168.1.8',
      RESTIC_SFTP_USER: 'oneadmin',
      RESTRICTED_DIRS: '/',
      SAFE_DIRS: '/var/tmp',
      TM_MAD: '-',
      TYPE: 'BACKUP_DS',
    });
    expect(ds.templateVectors).toEqual({});
  });

  it('reads the reference pool with a single datastore as a list of one', async () => {
    const pool = await parseDatastorePool(fixture('onedatastore-list.xml'));
    expect(pool.map((d) => [d.id, d.type])).toEqual([[100, 'BACKUP_DS']]);
  });

  it('reads several datastores, vector attributes, empty lists and a disabled one', async () => {
    const [system, other] = await parseDatastorePool(fixture('onedatastore-list-mixed.xml'));
    expect(system).toMatchObject({ id: 0, type: 'SYSTEM_DS', imageIds: [], secretAttributeNames: [] });
    expect(system!.templateVectors).toEqual({ LABELS: [{ A: '1', B: 'two' }, { A: '3' }] });
    expect(system!.template).not.toHaveProperty('LABELS');
    expect(other).toMatchObject({ id: 101, state: 'DISABLED', clusterIds: [], imageIds: [200], template: {} });
  });

  it('reads an empty pool', async () => {
    expect(await parseDatastorePool('<DATASTORE_POOL/>')).toEqual([]);
    expect(await parseDatastorePool('<DATASTORE_POOL>\n</DATASTORE_POOL>\n')).toEqual([]);
  });

  it('keeps the clear password out of the template and registers it for redaction at once', async () => {
    const ds = await parseDecryptedDatastore(fixture('onedatastore-show-decrypted.xml'));
    expect(ds.template).not.toHaveProperty('RESTIC_PASSWORD');
    expect(ds.secrets).toEqual({ RESTIC_PASSWORD: `"s3cr3t $(pw) 'x'"` });
    expect(ds.resticPassword).toBe(`s3cr3t $(pw) 'x'`);
    expect(redact(`got "s3cr3t $(pw) 'x'" here`)).not.toContain('s3cr3t');
    expect(ds.clusterIds).toEqual([0, 100]);
  });

  it('strips one pair of quotes from the password like the driver', () => {
    expect(driverPassword('"abc"')).toBe('abc');
    expect(driverPassword(`'abc"`)).toBe('abc');
    expect(driverPassword('""abc""')).toBe('"abc"');
    expect(driverPassword('abc')).toBe('abc');
    expect(driverPassword('"a\nb"')).toBe('"a\nb"');
  });

  it('refuses other XML with a typed error that does not echo the content', async () => {
    await expect(parseDatastore('<IMAGE><ID>1</ID></IMAGE>')).rejects.toBeInstanceOf(OneXmlError);
    await expect(parseDatastore('not xml')).rejects.toThrow(/no XML/);
    const broken = fixture('onedatastore-show-100.xml').replace(
      '<TOTAL_MB>1509817</TOTAL_MB>',
      '<TOTAL_MB>lots</TOTAL_MB>',
    );
    await expect(parseDatastore(broken)).rejects.toThrow(/TOTAL_MB: expected an integer/);
    const truncated = fixture('onedatastore-show-decrypted.xml').slice(0, 900);
    await expect(parseDecryptedDatastore(truncated)).rejects.not.toThrow(/s3cr3t/);
  });
});
