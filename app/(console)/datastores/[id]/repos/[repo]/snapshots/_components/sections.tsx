import {
  changedSince,
  diskHeader,
  snapshotDisks,
  snapshotFiles,
  vmAtBackup,
  type DiskHeader,
  type Reader,
  type SnapshotDisk,
  type SnapshotRef,
  valueWithin,
} from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors';
import { Badge } from '@/app/_components/badge';
import { formatBytes, formatMb } from '@/app/_components/format';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { Panel } from '@/app/_components/panel';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { SimpleTable, type SimpleColumn } from '@/app/_components/simple-table';

// The snapshot page's sections. Each reads what it needs on the server and is streamed in its own
// Suspense boundary, so the cached file list shows while disk headers and vm.xml are read. Each
// waits for restic until the page's deadline at most: then it says it is still reading (the read
// goes on) and the page asks again.

export function snapshotBase(ref: SnapshotRef): string {
  return `/api/datastores/${ref.detail.datastore.id}/repos/${ref.detail.repository.name}/snapshots/${ref.snapshot.id}`;
}

/** Expected failures (server unreachable, locked repository...) shown in place, never raw stderr. */
export function SectionError({ err, what }: { err: unknown; what: string }) {
  const message = isExpectedError(err) ? err.userMessage : `Backstone could not read ${what}; see the server log.`;
  return (
    <p role="alert" className="px-4 py-3 text-sm text-red-700 dark:text-red-300" data-testid="section-error">
      {message}
    </p>
  );
}

const linkClass = 'text-brand-600 hover:underline';

/** A section whose read did not end by the page's deadline. */
export function StillReadingSection({ title, what }: { title: string; what: string }) {
  return (
    <Panel title={title}>
      <div className="p-4">
        <RefreshWhile active />
        <FreshnessNote freshness={{ state: 'reading' }} what={what} now={0} />
      </div>
    </Panel>
  );
}

export const untilDeadline = (deadline: number) => deadline - Date.now();

export async function FilesSection({ snapshotRef, deadline }: { snapshotRef: SnapshotRef; deadline: number }) {
  let files;
  try {
    files = await valueWithin(snapshotFiles(snapshotRef), untilDeadline(deadline));
  } catch (err) {
    return (
      <Panel title="Files">
        <SectionError err={err} what="the file list" />
      </Panel>
    );
  }
  if (!files) return <StillReadingSection title="Files" what="the file list" />;
  const base = snapshotBase(snapshotRef);
  return (
    <Panel title={`Files (${files.length})`} testId="files">
      <SimpleTable
        rows={files}
        rowKey={(f) => f.path}
        rowTestId={(f) => `file-row-${f.name}`}
        columns={[
          { header: 'Name', className: 'font-mono', cell: (f) => f.name },
          { header: 'Path', className: 'font-mono text-xs break-all text-slate-500', cell: (f) => f.path },
          {
            header: 'Size',
            align: 'right',
            cell: (f) => (
              <span title={`${f.size} bytes`} data-testid={`file-size-${f.name}`} data-bytes={f.size}>
                {formatBytes(f.size)}
              </span>
            ),
          },
          {
            header: 'Download',
            className: 'whitespace-nowrap',
            cell: (f) => (
              <>
                <a
                  className={linkClass}
                  href={`${base}/download/${encodeURIComponent(f.name)}`}
                  data-testid={`download-${f.name}`}
                  download
                >
                  as stored
                </a>
                {f.kind === 'vm.xml' && (
                  <>
                    {' · '}
                    <a className={linkClass} href={`${base}/vm-xml`} data-testid="download-vm-xml" download>
                      decoded
                    </a>
                  </>
                )}
              </>
            ),
          },
        ]}
      />
    </Panel>
  );
}

function HeaderFacts({ header, diskId }: { header: DiskHeader; diskId: number }) {
  if (header.format !== 'qcow2')
    return <span data-testid={`disk-format-${diskId}`}>not a qcow2 file (stored as is)</span>;
  return (
    <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
      <dt className="text-slate-500">Virtual size</dt>
      <dd data-testid={`disk-virtual-size-${diskId}`} data-bytes={header.virtualSize}>
        {formatBytes(header.virtualSize)}
      </dd>
      <dt className="text-slate-500">Format</dt>
      <dd data-testid={`disk-format-${diskId}`}>
        qcow2 v{header.version}
        {header.version === 3 ? ' (compat 1.1)' : ' (compat 0.10)'}
      </dd>
      <dt className="text-slate-500">Cluster size</dt>
      <dd>{formatBytes(header.clusterSize)}</dd>
      <dt className="text-slate-500">Backing file</dt>
      <dd className="font-mono text-xs break-all" data-testid={`disk-backing-${diskId}`}>
        {header.backingFile
          ? `${header.backingFile}${header.backingFormat ? ` (${header.backingFormat})` : ''}`
          : 'none (standalone)'}
      </dd>
      {header.encrypted && (
        <>
          <dt className="text-slate-500">Encryption</dt>
          <dd>
            <Badge tone="warning">encrypted</Badge>
          </dd>
        </>
      )}
    </dl>
  );
}

async function DiskCard({
  snapshotRef,
  disk,
  deadline,
}: {
  snapshotRef: SnapshotRef;
  disk: SnapshotDisk;
  deadline: number;
}) {
  let header: DiskHeader | undefined;
  let failure: unknown;
  let late = false;
  try {
    header = await valueWithin(diskHeader(snapshotRef, disk.file), untilDeadline(deadline));
    late = header === undefined;
  } catch (err) {
    failure = err;
  }
  const base = snapshotBase(snapshotRef);
  const role =
    disk.role === 'full'
      ? 'full backup: a standalone disk'
      : disk.role === 'chain-start'
        ? 'start of an increment chain: a standalone disk'
        : `increment: an overlay holding only the clusters changed since ${
            disk.previous ? `${disk.previous.name} of snapshot ${disk.previous.snapshotShortId}` : 'the previous link'
          }`;
  return (
    <li className="space-y-2 px-4 py-3" data-testid={`disk-${disk.diskId}`}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">Disk {disk.diskId}</span>
        <code className="text-xs">{disk.file.name}</code>
        <span className="text-xs text-slate-500">{formatBytes(disk.file.size)} stored</span>
        <Badge tone={disk.role === 'increment' ? 'info' : 'muted'} testId={`disk-role-${disk.diskId}`}>
          {disk.role === 'increment' ? 'increment' : disk.role === 'chain-start' ? 'chain start' : 'full'}
        </Badge>
      </div>
      <p className="text-xs text-slate-500">{role}</p>
      {header ? (
        <HeaderFacts header={header} diskId={disk.diskId} />
      ) : late ? (
        <>
          <RefreshWhile active />
          <FreshnessNote freshness={{ state: 'reading' }} what="the disk header" now={0} />
        </>
      ) : (
        <SectionError err={failure} what="the disk header" />
      )}
      <div className="flex flex-wrap gap-3 text-sm">
        <a
          className={linkClass}
          href={`${base}/download/${encodeURIComponent(disk.file.name)}`}
          download
          data-testid={`download-disk-${disk.diskId}`}
        >
          Download {disk.file.name} as stored
        </a>
        {disk.flattenable && (
          <a
            className={linkClass}
            href={`${base}/flattened/${disk.diskId}`}
            download
            data-testid={`download-flattened-${disk.diskId}`}
            title="The chain up to this increment, merged into one standalone qcow2 on the backup server"
          >
            Download disk {disk.diskId} flattened (whole chain)
          </a>
        )}
      </div>
    </li>
  );
}

export async function DisksSection({ snapshotRef, deadline }: { snapshotRef: SnapshotRef; deadline: number }) {
  let disks: SnapshotDisk[] | undefined;
  try {
    const files = await valueWithin(snapshotFiles(snapshotRef), untilDeadline(deadline));
    disks = files && snapshotDisks(snapshotRef, files);
  } catch (err) {
    return (
      <Panel title="Disks">
        <SectionError err={err} what="the disks" />
      </Panel>
    );
  }
  if (!disks) return <StillReadingSection title="Disks" what="the disks" />;
  return (
    <Panel title={`Disks (${disks.length})`} testId="disks">
      {disks.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500">This snapshot holds no disk file.</p>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {disks.map((d) => (
            <DiskCard key={d.file.path} snapshotRef={snapshotRef} disk={d} deadline={deadline} />
          ))}
        </ul>
      )}
    </Panel>
  );
}

function Fact({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="text-sm" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

type VmSummary = Awaited<ReturnType<typeof vmAtBackup>>['summary'];

// The VM's disks and NICs at backup time: one line each, the attributes an admin looks for.
const DISK_COLUMNS: SimpleColumn<VmSummary['disks'][number]>[] = [
  { cell: (d) => `Disk ${d.diskId}` },
  { className: 'font-mono text-xs', cell: (d) => d.attributes.TARGET ?? '' },
  { cell: (d) => d.attributes.IMAGE ?? d.attributes.TYPE ?? '' },
  { className: 'tabular-nums', cell: (d) => (d.attributes.SIZE ? formatMb(Number(d.attributes.SIZE)) : '—') },
  {
    className: 'text-xs text-slate-500',
    cell: (d) => [d.attributes.FORMAT ?? d.attributes.DRIVER, d.attributes.DATASTORE].filter(Boolean).join(' · '),
  },
];
const NIC_COLUMNS: SimpleColumn<VmSummary['nics'][number]>[] = [
  { cell: (n) => `NIC ${n.nicId}` },
  { cell: (n) => n.attributes.NETWORK ?? '—' },
  { className: 'font-mono text-xs', cell: (n) => n.attributes.IP ?? n.attributes.IP6 ?? '' },
  { className: 'font-mono text-xs', cell: (n) => n.attributes.MAC ?? '' },
];

export async function VmSection({
  snapshotRef,
  reader,
  deadline,
}: {
  snapshotRef: SnapshotRef;
  reader: Reader;
  deadline: number;
}) {
  let vm;
  try {
    vm = await valueWithin(vmAtBackup(snapshotRef), untilDeadline(deadline));
  } catch (err) {
    return (
      <Panel title="The VM at backup time">
        <SectionError err={err} what="vm.xml" />
      </Panel>
    );
  }
  if (!vm) return <StillReadingSection title="The VM at backup time" what="vm.xml" />;
  const s = vm.summary;
  return (
    <Panel title="The VM at backup time (vm.xml)" testId="vm-at-backup">
      <div className="space-y-4 px-4 py-3">
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5">
          <Fact label="VM" testId="vm-name">
            {s.name ?? '—'} {s.id !== undefined && <span className="text-slate-500">(ID {s.id})</span>}
          </Fact>
          <Fact label="Owner">{s.owner ? `${s.owner}${s.group ? ` / ${s.group}` : ''}` : '—'}</Fact>
          <Fact label="CPU / VCPU" testId="vm-cpu">
            {s.cpu ?? '—'} / {s.vcpu ?? '—'}
          </Fact>
          <Fact label="Memory" testId="vm-memory">
            {s.memoryMb !== undefined ? formatMb(s.memoryMb) : '—'}
          </Fact>
          <Fact label="Architecture / boot">
            {s.arch ?? '—'} / {s.boot ?? '—'}
          </Fact>
        </dl>
        <div>
          <h3 className="mb-1 text-xs font-semibold text-slate-500 uppercase">Disks</h3>
          <SimpleTable variant="compact" testId="vm-disks" rows={s.disks} columns={DISK_COLUMNS} />
        </div>
        <div>
          <h3 className="mb-1 text-xs font-semibold text-slate-500 uppercase">NICs</h3>
          {s.nics.length === 0 ? (
            <p className="text-sm text-slate-500">None.</p>
          ) : (
            <SimpleTable variant="compact" testId="vm-nics" rows={s.nics} columns={NIC_COLUMNS} />
          )}
        </div>
        <ChangedSinceBlock snapshotRef={snapshotRef} reader={reader} summary={s} />
        <details data-testid="vm-xml-full">
          <summary className="cursor-pointer text-sm text-brand-600">Full XML</summary>
          <pre className="mt-2 max-h-[32rem] overflow-auto rounded bg-slate-50 p-3 text-xs dark:bg-slate-950">
            {vm.pretty}
          </pre>
        </details>
      </div>
    </Panel>
  );
}

async function ChangedSinceBlock({
  snapshotRef,
  reader,
  summary,
}: {
  snapshotRef: SnapshotRef;
  reader: Reader;
  summary: VmSummary;
}) {
  let result;
  try {
    result = await changedSince(reader, summary, snapshotRef.snapshot.vmId);
  } catch (err) {
    return <SectionError err={err} what="the VM's current configuration" />;
  }
  return (
    <div data-testid="changed-since">
      <h3 className="mb-1 text-xs font-semibold text-slate-500 uppercase">Changed since this backup</h3>
      {result.kind === 'gone' ? (
        <p className="text-sm text-slate-500">{result.message}</p>
      ) : result.changes.length === 0 ? (
        <p className="text-sm" data-testid="changed-since-none">
          Disks, NICs and backup settings of {result.vmName} are as they were at backup time.
        </p>
      ) : (
        <ul className="space-y-1 text-sm">
          {result.changes.map((c) => (
            <li key={c.subject} data-testid={`change-${c.subject}`}>
              <span className="font-medium">{c.subject}</span>{' '}
              {c.kind === 'added' ? (
                <Badge tone="info">added since</Badge>
              ) : c.kind === 'removed' ? (
                <Badge tone="warning">removed since</Badge>
              ) : (
                <span className="text-slate-600 dark:text-slate-400">
                  {c.attributes.map((a) => `${a.name}: ${a.before ?? '(none)'} → ${a.after ?? '(none)'}`).join('; ')}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      <p className="mt-1 text-xs text-slate-500">
        Compared with OpenNebula&apos;s current record of the VM: name, disks, NICs and backup settings.
      </p>
    </div>
  );
}
