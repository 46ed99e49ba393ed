import { Gauge, Registry } from 'prom-client';
import type { MetricsFacts } from './facts';

// The Prometheus text format of one scrape. A registry of Backstone's own, made per scrape (never
// prom-client's global default: nothing else in the process adds to it, and a VM or repository gone
// since the last scrape leaves no stale series behind). Label values are user data (VM names):
// prom-client escapes them (backslash, double quote, newline).

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

const DS = ['datastore_id', 'datastore'] as const;
const REPO = ['datastore_id', 'repository', 'vm_id'] as const;
const VM = ['vm_id', 'vm_name'] as const;

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]) {
  return new Gauge<L>({ name, help, labelNames: [...labelNames], registers: [registry] });
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export async function renderMetrics(facts: MetricsFacts): Promise<string> {
  const registry = new Registry();
  const now = seconds(facts.generatedAt);

  const capacity = gauge(
    registry,
    'backstone_datastore_capacity_bytes',
    'Size of the file system holding the restic Backup Datastore (df of BASE_PATH on the backup server, else the OpenNebula monitor).',
    DS,
  );
  const used = gauge(registry, 'backstone_datastore_used_bytes', 'Bytes used on that file system.', DS);
  const repositories = gauge(registry, 'backstone_datastore_repositories', 'restic repositories in the datastore.', DS);
  const snapshots = gauge(registry, 'backstone_datastore_snapshots', 'restic snapshots over all its repositories.', DS);
  const fresh = gauge(
    registry,
    'backstone_datastore_listing_fresh',
    "1 when the backup server's listing behind these figures is current; 0 when it is stale, failing or still being read.",
    DS,
  );
  for (const d of facts.datastores) {
    const l = { datastore_id: String(d.id), datastore: d.name };
    if (d.capacityBytes !== undefined) capacity.set(l, d.capacityBytes);
    if (d.usedBytes !== undefined) used.set(l, d.usedBytes);
    repositories.set(l, d.repositories);
    snapshots.set(l, d.snapshots);
    fresh.set(l, d.listingFresh ? 1 : 0);
  }

  const stored = gauge(
    registry,
    'backstone_repository_stored_bytes',
    "Size of the restic repository on the backup server's disk.",
    REPO,
  );
  const repoSnapshots = gauge(registry, 'backstone_repository_snapshots', 'restic snapshots in the repository.', REPO);
  const locks = gauge(registry, 'backstone_repository_locks', 'restic lock files in the repository.', REPO);
  const staleLocks = gauge(
    registry,
    'backstone_repository_stale_locks',
    "restic locks judged stale (restic's verdict, else not refreshed for 30 minutes): backups and prune of the repository fail until they are removed.",
    REPO,
  );
  const lastSnapshotAge = gauge(
    registry,
    'backstone_repository_last_snapshot_age_seconds',
    'Seconds since the newest snapshot of the repository was taken.',
    REPO,
  );
  const lastVerify = gauge(
    registry,
    'backstone_repository_last_verify_timestamp_seconds',
    'When Backstone last verified the repository (restic check), Unix time.',
    REPO,
  );
  const lastVerifyOk = gauge(
    registry,
    'backstone_repository_last_verify_success',
    'Result of the last restic check of the repository: 1 no errors, 0 errors found.',
    REPO,
  );
  for (const r of facts.repositories) {
    const l = {
      datastore_id: String(r.datastoreId),
      repository: r.repository,
      vm_id: r.vmId === undefined ? '' : String(r.vmId),
    };
    if (r.storedBytes !== undefined) stored.set(l, r.storedBytes);
    repoSnapshots.set(l, r.snapshots);
    locks.set(l, r.locks);
    staleLocks.set(l, r.staleLocks);
    if (r.lastSnapshotAt !== undefined) lastSnapshotAge.set(l, Math.max(0, now - r.lastSnapshotAt));
    if (r.lastVerify) {
      lastVerify.set(l, seconds(r.lastVerify.at));
      lastVerifyOk.set(l, r.lastVerify.ok ? 1 : 0);
    }
  }

  const protection = gauge(
    registry,
    'backstone_vm_protection_status',
    "The VM's backup protection status, 1 for the status it has (protected, overdue, never, failed, backing-up).",
    [...VM, 'status'] as const,
  );
  const lastBackupAge = gauge(
    registry,
    'backstone_vm_last_backup_age_seconds',
    "Seconds since the VM's newest backup (its newest backup image or increment); absent for a VM never backed up.",
    VM,
  );
  for (const v of facts.vms ?? []) {
    const l = { vm_id: String(v.id), vm_name: v.name };
    protection.set({ ...l, status: v.status }, 1);
    if (v.lastBackupAt !== undefined) lastBackupAge.set(l, Math.max(0, now - v.lastBackupAt));
  }

  const jobs = gauge(
    registry,
    'backstone_jobs',
    "Backstone's jobs (restores, checks, prunes...) kept in its store, by kind and outcome (queued, running, succeeded, failed, canceled, interrupted).",
    ['kind', 'outcome'] as const,
  );
  for (const j of facts.jobs) jobs.set({ kind: j.kind, outcome: j.status }, j.count);

  gauge(
    registry,
    'backstone_metrics_incomplete',
    '1 when something was still being read when this scrape answered (figures follow in a later scrape).',
    [],
  ).set(facts.incomplete ? 1 : 0);
  gauge(registry, 'backstone_vms_read', '1 when the VMs and their protection are in this scrape.', []).set(
    facts.vms ? 1 : 0,
  );

  return registry.metrics();
}
