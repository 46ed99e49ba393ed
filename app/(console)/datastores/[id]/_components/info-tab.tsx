import type { DatastoreOverview } from '@/lib/catalog';
import { Badge } from '@/app/_components/badge';
import { CapacityBar } from '@/app/_components/capacity-bar';
import { formatBytes, formatDate } from '@/app/_components/format';
import { Panel } from '@/app/_components/panel';
import { ExpectedIntervalForm } from './expected-interval-form';

const MASK = '••••••••';

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-4 px-4 py-2 text-sm">
      <dt className="text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="col-span-2">{children}</dd>
    </div>
  );
}

export type IntervalView = { seconds: number; isDefault: boolean; updatedAt?: number; updatedBy?: string };

function hoursWords(seconds: number): string {
  const h = seconds / 3600;
  return h % 24 === 0 ? `${h} h (${h / 24} day${h === 24 ? '' : 's'})` : `${h} h`;
}

/** How often the datastore's VMs should be backed up when no schedule says so (the VMs page's "overdue"). */
function ExpectedIntervalPanel({ id, interval, admin }: { id: number; interval: IntervalView; admin: boolean }) {
  return (
    <Panel title="Backup expectations" testId="expected-interval">
      <dl className="divide-y divide-slate-100 dark:divide-slate-800">
        <Row label="Expected interval">
          <span data-testid="expected-interval-value">{hoursWords(interval.seconds)}</span>{' '}
          {interval.isDefault ? (
            <Badge tone="muted">default</Badge>
          ) : (
            <span className="text-xs text-slate-500">
              set by {interval.updatedBy}
              {interval.updatedAt ? ` on ${formatDate(interval.updatedAt, { part: 'day' })}` : ''}
            </span>
          )}
        </Row>
      </dl>
      <p className="px-4 pb-2 text-xs text-slate-500">
        A VM backed up here without a schedule (its own or its Backup Job&apos;s) is overdue when its last backup is
        older than this.
      </p>
      {admin && (
        <div className="border-t border-slate-100 px-4 py-3 dark:border-slate-800">
          <ExpectedIntervalForm datastoreId={id} hours={Math.round(interval.seconds / 3600)} />
        </div>
      )}
    </Panel>
  );
}

export function InfoTab({
  overview,
  interval,
  admin,
}: {
  overview: DatastoreOverview;
  interval?: IntervalView;
  admin: boolean;
}) {
  const d = overview.datastore;
  const s = overview.server;
  const attributes = [
    ...Object.entries(d.template),
    // Encrypted attributes are shown by name only: their values never leave the server.
    ...d.secretAttributeNames.map((n) => [n, MASK] as [string, string]),
  ].sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Panel title="Datastore">
        <dl className="divide-y divide-slate-100 dark:divide-slate-800">
          <Row label="ID">{d.id}</Row>
          <Row label="Name">{d.name}</Row>
          <Row label="Owner / group">
            {d.uname} / {d.gname}
          </Row>
          <Row label="Type">
            {d.type} {d.isRestic && <Badge tone="info">restic</Badge>}
          </Row>
          <Row label="DS / TM driver">
            <code>{d.dsMad}</code> / <code>{d.tmMad}</code>
          </Row>
          <Row label="Base path">
            <code className="break-all">{d.basePath}</code>
          </Row>
          <Row label="State">{d.state}</Row>
          <Row label="Clusters">{d.clusterIds.join(', ') || '—'}</Row>
          <Row label="Capacity (OpenNebula's monitor)">
            <CapacityBar
              usedMb={d.usedMb}
              freeMb={d.freeMb}
              totalMb={d.totalMb}
              source="OpenNebula's monitor (USED_MB, FREE_MB, TOTAL_MB)"
              testId="info-capacity"
            />
          </Row>
        </dl>
      </Panel>
      {overview.bucket && (
        <Panel title="S3 bucket" testId="s3-bucket">
          <dl className="divide-y divide-slate-100 dark:divide-slate-800">
            <Row label="Repositories at">
              <code className="break-all">{overview.bucket.location}/&lt;VM ID or job_N&gt;</code>
            </Row>
            <Row label="Capacity (as OpenNebula's S3 monitor computes it)">
              <CapacityBar
                usedMb={overview.bucket.monitor.usedMb}
                freeMb={overview.bucket.monitor.freeMb}
                totalMb={overview.bucket.monitor.totalMb}
                source="the sizes of the datastore's backup images against TOTAL_MB"
                testId="s3-monitor-capacity"
              />
            </Row>
            {overview.bucket.usage && (
              <Row label="Stored in the bucket">
                <span data-testid="s3-bucket-usage">
                  {formatBytes(overview.bucket.usage.bytes)} in {overview.bucket.usage.objects} objects
                </span>{' '}
                <span className="text-xs text-slate-500">(after restic&apos;s deduplication and compression)</span>
              </Row>
            )}
          </dl>
        </Panel>
      )}
      <Panel title={overview.bucket ? 'restic and the S3 endpoint' : 'Backup server'} testId="server-status">
        {s ? (
          <dl className="divide-y divide-slate-100 dark:divide-slate-800">
            <Row label={overview.bucket ? 'Bucket' : 'Server'}>
              <code>{overview.bucket ? s.host : `${s.user}@${s.host}`}</code>
            </Row>
            <Row label="Reachable">{s.reachable ? <Badge tone="ok">yes</Badge> : <Badge tone="error">no</Badge>}</Row>
            {s.reachable ? (
              <>
                <Row label="restic">
                  <span data-testid="restic-version">{s.resticVersion}</span>
                </Row>
                <Row label={overview.bucket ? "OpenNebula's front-end restic" : "OpenNebula's synced restic"}>
                  {s.syncedBinary ? (
                    <Badge tone="ok">present</Badge>
                  ) : (
                    <span>
                      <Badge tone="warning">missing</Badge>{' '}
                      <span className="text-xs text-slate-500">
                        Backstone uses restic from PATH until OpenNebula&apos;s monitor syncs it.
                      </span>
                    </span>
                  )}
                </Row>
                <Row label="Binary used">
                  <code className="break-all text-xs">{s.resticPath}</code>
                </Row>
              </>
            ) : (
              <Row label="Why">{s.message}</Row>
            )}
          </dl>
        ) : (
          <p className="px-4 py-3 text-sm text-slate-500">Not a restic datastore: no backup server to reach.</p>
        )}
      </Panel>
      <Panel title="Template" testId="template">
        <dl className="divide-y divide-slate-100 font-mono text-xs dark:divide-slate-800">
          {attributes.map(([k, v]) => (
            <div key={k} className="grid grid-cols-3 gap-4 px-4 py-1.5">
              <dt className="text-slate-500">{k}</dt>
              <dd className="col-span-2 break-all whitespace-pre-wrap">{v}</dd>
            </div>
          ))}
        </dl>
      </Panel>
      {interval && d.type === 'BACKUP_DS' && <ExpectedIntervalPanel id={d.id} interval={interval} admin={admin} />}
    </div>
  );
}
