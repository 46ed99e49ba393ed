import { describe, expect, it } from 'vitest';
import { ExpectedIntervalSchema } from './expected-interval';

describe('expected interval form', () => {
  it('takes whole hours for a datastore', () => {
    expect(ExpectedIntervalSchema.parse({ datastoreId: '100', hours: ' 168 ' })).toEqual({
      datastoreId: 100,
      hours: 168,
    });
  });
  it.each([
    [{ datastoreId: '100', hours: '0' }, /at least 1 hour/],
    [{ datastoreId: '100', hours: '9000' }, /at most 8784 hours/],
    [{ datastoreId: '100', hours: '1.5' }, /whole hours/],
    [{ datastoreId: '100', hours: '' }, /whole hours/],
    [{ datastoreId: '-1', hours: '24' }, /./],
  ])('refuses %o', (input, message) => {
    const r = ExpectedIntervalSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(message);
  });
});
