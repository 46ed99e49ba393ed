import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { msFigure } from './measure';
import { missingFigures, renderReport, writeReports, type Report } from './report';
import type { Outcome } from './results';
import { FIGURES } from './steps';

const machine = { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 4, node: 'v20', restic: '', loadAverageAtEnd: [1, 1, 1] };
const measured = [
  msFigure({ id: 'overview-warm', what: 'overview, warm', target: '<= 150 ms' }, [20, 22, 24], 150),
  msFigure({ id: 'overview-cold', what: 'overview, cold', target: '<= 3 s' }, [2000], 3000),
];

function report(outcomes: Map<string, Outcome>, incomplete?: string): Report {
  return {
    generatedAt: '2026-12-03T17:00:00.000Z',
    seconds: 60,
    machine,
    figures: measured,
    routes: [],
    notes: [],
    ...(incomplete === undefined ? {} : { incomplete, missing: missingFigures(FIGURES, measured, outcomes) }),
  };
}

describe('figures not measured', () => {
  const outcomes = new Map<string, Outcome>([
    ['overview', { status: 'stopped', reason: 'stopped by SIGTERM at step overview' }],
    ['snapshots', { status: 'stopped', reason: 'stopped by SIGTERM at step overview' }],
    ['restore', { status: 'failed', reason: 'failed at step restore: restic restore exited 1' }],
    ['dump', { status: 'timed-out', reason: 'timed out at step dump (its budget of 6 min)' }],
    ['build', { status: 'done' }],
    ['table', { status: 'skipped', reason: 'skipped: step build failed' }],
    ['first-load-js', { status: 'not-selected', reason: 'not selected (--only overview)' }],
  ]);
  const missing = missingFigures(FIGURES, measured, outcomes);
  const reason = (id: string) => missing.find((m) => m.id === id)?.reason;

  it('lists every expected figure that has no measurement, with its step outcome as the reason', () => {
    expect(missing.map((m) => m.id)).toEqual(
      FIGURES.map((f) => f.id).filter((id) => id !== 'overview-warm' && id !== 'overview-cold'),
    );
    expect(reason('overview-warm-reads-expired')).toBe('stopped by SIGTERM at step overview');
    expect(reason('snapshots-cold')).toBe('stopped by SIGTERM at step overview');
    expect(reason('restore')).toBe('failed at step restore: restic restore exited 1');
    expect(reason('download')).toBe('timed out at step dump (its budget of 6 min)');
    expect(reason('table-first-paint')).toBe('skipped: step build failed');
    expect(reason('first-load-js')).toBe('not selected (--only overview)');
    expect(reason('download-route')).toBe('step download-route did not run');
  });

  it('marks each missing figure in the report, in the report order, and says the run is incomplete', () => {
    const md = renderReport(report(outcomes, 'stopped by SIGTERM at step overview'), []);
    expect(md).toContain(
      `**Incomplete run: stopped by SIGTERM at step overview.** 2 of ${FIGURES.length} figures measured`,
    );
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| figure') && l.includes(' | '));
    const table = rows.slice(0, FIGURES.length);
    expect(table[0]).toBe('| overview, warm | <= 150 ms | 22 | — | 22.00 ms | yes |');
    expect(table[1]).toBe(
      '| the same, once the OpenNebula read cache has expired | — (informative) | — | — | not measured (stopped by SIGTERM at step overview) | — |',
    );
    expect(table[2]).toBe('| overview, cold | <= 3 s | 2000 | — | 2000.00 ms | yes |');
    expect(table).toContain(
      '| restore of a 1 GiB disk onto the backup server vs raw restic restore run on the backup server | <= 1.05x raw | — | — | not measured (failed at step restore: restic restore exited 1) | — |',
    );
    expect(md).toContain('Not measured (not selected (--only overview)).');
  });

  it('renders a complete run as before: no incomplete line, no row not measured', () => {
    const md = renderReport(report(new Map()), []);
    expect(md).not.toContain('Incomplete run');
    expect(md).not.toContain('not measured');
  });
});

describe('writing the report', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('always writes report.md and report.json, and history.json only for a complete run', () => {
    dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    writeFileSync(join(dir, 'history.json'), '[]\n');
    const outcomes = new Map<string, Outcome>([
      ['overview', { status: 'timed-out', reason: 'timed out at step overview' }],
    ]);
    writeReports(report(outcomes, 'timed out at step overview'), dir);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('not measured (timed out at step overview)');
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(json.missing?.find((m) => m.id === 'overview-cold-complete')?.reason).toBe('timed out at step overview');
    expect(JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'))).toEqual([]);

    writeReports(report(new Map()), dir);
    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')) as {
      medians: Record<string, number>;
    }[];
    expect(history).toHaveLength(1);
    expect(history[0]!.medians['overview-warm']).toBe(22);
    expect(existsSync(join(dir, 'report.md'))).toBe(true);
  });
});
