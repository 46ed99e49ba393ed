import { describe, expect, it } from 'vitest';
import { parseVmsQuery, vmsQueryString } from './vms';

describe('VMs list query', () => {
  it('defaults to every VM, worst status first', () => {
    expect(parseVmsQuery({})).toEqual({ ok: true, query: { status: 'all', q: '', sort: 'status', dir: 'asc' } });
  });
  it('reads each parameter and ignores unknown ones', () => {
    expect(parseVmsQuery({ status: 'overdue', q: ' web ', sort: 'lastBackup', dir: 'desc', other: 'x' })).toEqual({
      ok: true,
      query: { status: 'overdue', q: 'web', sort: 'lastBackup', dir: 'desc' },
    });
  });
  it.each([
    [{ status: 'late' }, /status filter must be one of/],
    [{ sort: 'password' }, /Sort by one of/],
    [{ dir: 'up' }, /asc or desc/],
    [{ status: ['never', 'overdue'] }, /Give the status filter once/],
    [{ q: 'x'.repeat(201) }, /at most 200/],
  ])('refuses %o with a clear message', (params, message) => {
    const r = parseVmsQuery(params);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
  it('writes a search string without defaults', () => {
    expect(vmsQueryString({ status: 'all', q: '', sort: 'status', dir: 'asc' })).toBe('');
    expect(vmsQueryString({ status: 'never', q: 'a b', sort: 'name', dir: 'desc' })).toBe(
      '?status=never&q=a+b&sort=name&dir=desc',
    );
  });
});
