import { describe, expect, it } from 'vitest';
import { datastoreLabel, labelWith } from './datastore-title';

describe('datastore titles', () => {
  it('names the datastore as OpenNebula does, with its ID', () => {
    expect(datastoreLabel(100, 'RBackups')).toBe('RBackups (100)');
  });

  it('reads the name through the given read, as the viewer', async () => {
    const asked: number[] = [];
    const read = (id: number) => (asked.push(id), Promise.resolve({ name: 'RBackups' }));
    expect(await labelWith(100, read)).toBe('RBackups (100)');
    expect(asked).toEqual([100]);
  });

  it('falls back to the ID when the read fails (not found, not allowed, unreachable)', async () => {
    const read = () => Promise.reject(new Error('[one.datastore.info] User [3] : Not authorized'));
    const title = await labelWith(100, read);
    expect(title).toBe('datastore 100');
    expect(title).not.toContain('RBackups');
  });

  it('falls back to the ID when there is no one to read as', async () => {
    expect(await labelWith(100, undefined)).toBe('datastore 100');
  });
});
