import { describe, expect, it } from 'vitest';
import { intervalParts, intervalWords, PruneAllSchema, ScheduleUpdateSchema } from './schedules';

const form = (o: Record<string, string>) => ({ datastoreId: '100', enabled: 'on', every: '1', unit: 'days', ...o });

describe('the schedule form', () => {
  it('reads a verify schedule with its N', () => {
    expect(ScheduleUpdateSchema.parse(form({ kind: 'verify', every: '7', subsets: '4' }))).toEqual({
      datastoreId: 100,
      kind: 'verify',
      enabled: true,
      intervalSeconds: 7 * 86_400,
      subsets: 4,
    });
  });

  it('reads a lock watch with its threshold and auto-removal; an unticked box is off', () => {
    expect(
      ScheduleUpdateSchema.parse({
        datastoreId: '100',
        kind: 'lock-watch',
        every: '5',
        unit: 'minutes',
        staleAfterMinutes: '30',
        autoUnlock: 'on',
      }),
    ).toEqual({
      datastoreId: 100,
      kind: 'lock-watch',
      enabled: false,
      intervalSeconds: 300,
      staleAfterSeconds: 1800,
      autoUnlock: true,
    });
  });

  it.each([
    [{ kind: 'verify', subsets: '0' }, 'subsets'],
    [{ kind: 'verify' }, 'subsets'],
    [{ kind: 'verify', subsets: '101' }, 'subsets'],
    [{ kind: 'prune', subsets: '3' }, 'subsets'],
    [{ kind: 'prune', every: '0' }, 'every'],
    [{ kind: 'prune', every: '367' }, 'every'],
    [{ kind: 'prune', every: '1.5' }, 'every'],
    [{ kind: 'prune', every: '-1' }, 'every'],
    [{ kind: 'prune', unit: 'weeks' }, 'unit'],
    [{ kind: 'rm -rf' }, 'kind'],
    [{ kind: 'capacity', enabled: 'yes' }, 'enabled'],
    [{ kind: 'lock-watch', unit: 'minutes', every: '5' }, 'staleAfterMinutes'],
    [{ kind: 'lock-watch', unit: 'minutes', every: '5', staleAfterMinutes: '99999' }, 'staleAfterMinutes'],
    [{ kind: 'capacity', autoUnlock: 'on' }, 'kind'],
    [{ kind: 'capacity', datastoreId: '1e2' }, 'datastoreId'],
  ])('refuses %o with a message on %s', (o, field) => {
    const r = ScheduleUpdateSchema.safeParse(form(o as Record<string, string>));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path[0])).toContain(field);
    expect(r.error?.issues[0]?.message).toBeTruthy();
  });

  it('asks "Prune all" for the typed name', () => {
    expect(PruneAllSchema.safeParse({ datastoreId: '100', confirm: '  ' }).success).toBe(false);
    expect(PruneAllSchema.parse({ datastoreId: '100', confirm: ' RBackups ' })).toEqual({
      datastoreId: 100,
      confirm: 'RBackups',
    });
  });

  it('words intervals in the largest unit that divides them', () => {
    expect(intervalParts(7 * 86_400)).toEqual({ every: 7, unit: 'days' });
    expect(intervalParts(7200)).toEqual({ every: 2, unit: 'hours' });
    expect(intervalParts(300)).toEqual({ every: 5, unit: 'minutes' });
    expect(intervalWords(86_400)).toBe('every day');
    expect(intervalWords(300)).toBe('every 5 minutes');
  });
});
