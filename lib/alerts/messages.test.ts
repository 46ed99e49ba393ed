import { describe, expect, it } from 'vitest';
import { digestDue } from './engine';
import { digestMessage, openedMessage, resolvedMessage } from './messages';
import type { KeptCondition } from './rules';

const c: KeptCondition = {
  key: 'stale-lock:100:42',
  kind: 'stale-lock',
  severity: 'critical',
  title: '1 stale lock on repository 42 (web)',
  detail: 'Backups and prune of this repository fail until it is removed.',
  href: '/datastores/100/maintenance/42#locks',
  datastoreId: 100,
  state: 'open',
  firstSeenAt: Date.UTC(2026, 11, 4, 0, 0),
  openedAt: Date.UTC(2026, 11, 4, 0, 15),
};
const NOW = Date.UTC(2026, 11, 4, 1, 0);

describe('alert messages', () => {
  it('words an opened alert the same for email and webhook', () => {
    const m = openedMessage(c, NOW);
    expect(m.subject).toBe('[Backstone] critical: 1 stale lock on repository 42 (web)');
    expect(m.text).toContain('Where to fix it: /datastores/100/maintenance/42#locks');
    expect(m.payload).toEqual({
      state: 'open',
      condition: 'stale-lock:100:42',
      kind: 'stale-lock',
      severity: 'critical',
      message: c.title,
      detail: c.detail,
      href: c.href,
      time: '2026-12-04T01:00:00.000Z',
    });
  });

  it('says when a resolved alert was open', () => {
    const m = resolvedMessage(c, NOW);
    expect(m.subject).toBe('[Backstone] resolved: 1 stale lock on repository 42 (web)');
    expect(m.text).toContain('Open since: 2026-12-04T00:15:00.000Z');
    expect(m.payload.state).toBe('resolved');
  });

  it('lists every open alert in the digest', () => {
    const m = digestMessage(
      [c, { ...c, key: 'vm-overdue:7', severity: 'warning', title: 'VM db (7): backup overdue' }],
      NOW,
    );
    expect(m.subject).toBe('[Backstone] daily digest: 2 open alerts');
    expect(m.payload.alerts?.map((a) => a.condition)).toEqual(['stale-lock:100:42', 'vm-overdue:7']);
  });
});

describe('digestDue', () => {
  const day = Date.UTC(2026, 11, 4);
  const H = 3_600_000;
  it('is due once a UTC day, from the configured hour', () => {
    expect(digestDue(day + 7 * H, { digestHourUtc: 8 }, undefined)).toBe(false);
    expect(digestDue(day + 8 * H, { digestHourUtc: 8 }, undefined)).toBe(true);
    expect(digestDue(day + 20 * H, { digestHourUtc: 8 }, day + 8 * H)).toBe(false);
    expect(digestDue(day + 32 * H, { digestHourUtc: 8 }, day + 8 * H)).toBe(true);
    // Missed while Backstone was down: once, at the first tick after.
    expect(digestDue(day + 23 * H, { digestHourUtc: 8 }, day - 16 * H)).toBe(true);
  });
});
