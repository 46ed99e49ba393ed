import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import type { MetricsFacts } from './facts';
import { renderMetrics } from './render';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const HOSTILE = 'web "prod"\\n} evil{x="1"}\n# TYPE injected counter\nbackstone_jobs 999';

const facts: MetricsFacts = {
  datastores: [
    {
      id: 100,
      name: 'Restic "main"',
      capacityBytes: 1000,
      usedBytes: 400,
      repositories: 2,
      snapshots: 5,
      listingFresh: true,
    },
  ],
  repositories: [
    {
      datastoreId: 100,
      repository: '42',
      vmId: 42,
      storedBytes: 300,
      snapshots: 4,
      locks: 1,
      staleLocks: 1,
      lastSnapshotAt: NOW / 1000 - 3600,
      lastVerify: { at: NOW - 86_400_000, ok: false },
    },
    { datastoreId: 100, repository: 'job_7', snapshots: 1, locks: 0, staleLocks: 0 },
  ],
  vms: [
    { id: 42, name: HOSTILE, status: 'overdue', lastBackupAt: NOW / 1000 - 7200 },
    { id: 43, name: 'never', status: 'never' },
  ],
  jobs: [
    { kind: 'restore-image', status: 'succeeded', count: 3 },
    { kind: 'check', status: 'failed', count: 1 },
  ],
  incomplete: false,
  generatedAt: NOW,
};

const parse = async (f: MetricsFacts) => parsePrometheusTextFormat(await renderMetrics(f));
const family = (all: ReturnType<typeof parsePrometheusTextFormat>, name: string) => all.find((m) => m.name === name);

describe('renderMetrics', () => {
  it('writes each figure under OpenNebula and restic words, with labels', async () => {
    const all = await parse(facts);
    expect(family(all, 'backstone_datastore_capacity_bytes')?.metrics).toEqual([
      { value: '1000', labels: { datastore_id: '100', datastore: 'Restic "main"' } },
    ]);
    expect(family(all, 'backstone_datastore_snapshots')?.metrics[0]?.value).toBe('5');
    const stale = family(all, 'backstone_repository_stale_locks')!;
    expect(stale.type).toBe('GAUGE');
    expect(stale.metrics).toContainEqual({
      value: '1',
      labels: { datastore_id: '100', repository: '42', vm_id: '42' },
    });
    expect(stale.metrics).toContainEqual({
      value: '0',
      labels: { datastore_id: '100', repository: 'job_7', vm_id: '' },
    });
    expect(family(all, 'backstone_repository_last_snapshot_age_seconds')?.metrics).toEqual([
      { value: '3600', labels: { datastore_id: '100', repository: '42', vm_id: '42' } },
    ]);
    expect(family(all, 'backstone_repository_last_verify_success')?.metrics[0]?.value).toBe('0');
    expect(family(all, 'backstone_repository_last_verify_timestamp_seconds')?.metrics[0]?.value).toBe(
      String((NOW - 86_400_000) / 1000),
    );
    expect(family(all, 'backstone_jobs')?.metrics).toContainEqual({
      value: '1',
      labels: { kind: 'check', outcome: 'failed' },
    });
    expect(family(all, 'backstone_metrics_incomplete')?.metrics[0]?.value).toBe('0');
  });

  it('keeps a hostile VM name inside its label: escaped, read back whole, nothing injected', async () => {
    const text = await renderMetrics(facts);
    // Every sample line starts with a metric name: the name's newline did not start a line of its own.
    const lines = text.split('\n').filter((l) => l !== '');
    expect(lines.every((l) => /^(# (HELP|TYPE) )?backstone_[a-z_]+/.test(l))).toBe(true);
    const all = parsePrometheusTextFormat(text);
    expect(family(all, 'injected')).toBeUndefined();
    expect(family(all, 'backstone_vm_protection_status')?.metrics).toEqual([
      { value: '1', labels: { vm_id: '42', vm_name: HOSTILE, status: 'overdue' } },
      { value: '1', labels: { vm_id: '43', vm_name: 'never', status: 'never' } },
    ]);
    expect(family(all, 'backstone_jobs')?.metrics).toHaveLength(2);
    // A VM never backed up has no age.
    expect(family(all, 'backstone_vm_last_backup_age_seconds')?.metrics).toEqual([
      { value: '7200', labels: { vm_id: '42', vm_name: HOSTILE } },
    ]);
  });

  it('says when the VMs are still being read', async () => {
    const { vms: _vms, ...rest } = facts;
    const all = await parse({ ...rest, incomplete: true });
    expect(family(all, 'backstone_vms_read')?.metrics[0]?.value).toBe('0');
    expect(family(all, 'backstone_metrics_incomplete')?.metrics[0]?.value).toBe('1');
    expect(family(all, 'backstone_vm_protection_status')?.metrics ?? []).toEqual([]);
  });
});
