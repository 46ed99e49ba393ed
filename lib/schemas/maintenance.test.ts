import { describe, expect, it } from 'vitest';
import { DanglingImageDeleteSchema } from './maintenance';

const form = { datastoreId: '100', repository: '7', imageId: '12', confirm: '12' };

describe('the dangling-image delete input', () => {
  it('takes the image ID typed exactly', () => {
    expect(DanglingImageDeleteSchema.parse({ ...form, confirm: ' 12 ' })).toEqual({
      datastoreId: 100,
      repository: '7',
      imageId: 12,
      confirm: '12',
    });
  });

  it('refuses another ID, an empty confirmation, or an ID that only coerces', () => {
    for (const confirm of ['13', '', '012', 'backup 12']) {
      const r = DanglingImageDeleteSchema.safeParse({ ...form, confirm });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['confirm']);
    }
    expect(DanglingImageDeleteSchema.safeParse({ ...form, imageId: '012', confirm: '012' }).success).toBe(false);
    expect(DanglingImageDeleteSchema.safeParse({ ...form, repository: '../7' }).success).toBe(false);
  });
});
