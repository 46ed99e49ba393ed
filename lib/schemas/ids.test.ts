import { describe, expect, it } from 'vitest';
import { compareRepositoryNames, IdParam, IdSchema, OptionalIdSchema, RepositoryNameSchema } from './ids';

describe('IDs', () => {
  it('takes an ID written as OpenNebula writes it, or a number', () => {
    expect(IdSchema.parse('0')).toBe(0);
    expect(IdSchema.parse('100')).toBe(100);
    expect(IdSchema.parse(100)).toBe(100);
    expect(IdSchema.parse('2147483647')).toBe(2_147_483_647);
    expect(IdParam.parse('42')).toBe(42);
  });

  it.each([
    '',
    ' 100',
    '100 ',
    '100\n',
    '\t100',
    '0100',
    '00',
    '+1',
    '-1',
    '1e2',
    '0x64',
    '1.0',
    '100.',
    '1_000',
    '２',
    '2147483648',
    'NaN',
  ])('refuses %j, which only coerces to an ID', (v) => {
    expect(IdSchema.safeParse(v).success).toBe(false);
    expect(IdParam.safeParse(v).success).toBe(false);
  });

  it('refuses numbers that are not IDs', () => {
    for (const v of [-1, 1.5, Number.NaN, Infinity, 2 ** 31]) expect(IdSchema.safeParse(v).success).toBe(false);
  });

  it('leaves an empty optional ID out', () => {
    expect(OptionalIdSchema.parse('')).toBeUndefined();
    expect(OptionalIdSchema.parse('7')).toBe(7);
    expect(OptionalIdSchema.safeParse('07').success).toBe(false);
  });

  it('knows repository names: a VM ID or job_<ID>', () => {
    for (const ok of ['0', '7', '123456789', 'job_0', 'job_12'])
      expect(RepositoryNameSchema.safeParse(ok).success).toBe(true);
    for (const bad of ['01', '00', 'job_01', 'job_', 'JOB_1', '1234567890', '7/..', '../7', '7\n'])
      expect(RepositoryNameSchema.safeParse(bad).success).toBe(false);
  });
});

describe('compareRepositoryNames', () => {
  it('puts VMs before Backup Jobs, each counted as people count', () => {
    const names = ['job_2', '10', 'job_0', '2', '1', 'job_10'];
    expect(names.sort(compareRepositoryNames)).toEqual(['1', '2', '10', 'job_0', 'job_2', 'job_10']);
  });
});
