import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { requireViewer } from '@/lib/auth';
import { ANSWER_WITHIN_MS, vmBackups, vmBusy } from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors';
import { readVmProtection } from '@/lib/protection';
import { IdParam } from '@/lib/schemas/ids';
import { parseParam } from '@/lib/schemas/params';
import { Badge } from '@/app/_components/badge';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { answerDeadline, loadOr404 } from '@/app/_components/load';
import { PageHeader, Panel } from '@/app/_components/panel';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { BackupConfigForm } from './_components/backup-config-form';
import { BackupNow } from './_components/backup-now';
import { BackupsPanel } from './_components/backups-panel';
import { FollowWhile } from './_components/follow-while';
import { RestoreInPlace } from './_components/restore-in-place';
import { ProtectionBadge } from '../_components/protection-badge';
import { latestBackupKey, stateTone, stateWords } from './_components/vm-words';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const id = parseParam(IdParam, (await params).id);
  return { title: id === undefined ? 'Not found' : `VM ${id}` };
}

export default async function VmPage({ params }: Props) {
  const id = parseParam(IdParam, (await params).id);
  if (id === undefined) notFound();
  const viewer = await requireViewer(`/vms/${id}`);
  const { at } = answerDeadline();
  // A VM the viewer may not see (OpenNebula refuses their `onevm show`) is a plain 404.
  const [b, protection] = await Promise.all([
    loadOr404(() => vmBackups(viewer, id, { answerWithinMs: ANSWER_WITHIN_MS })).catch((err: unknown) => {
      // OpenNebula has not shown the VM yet (oned is slow): the page says so and asks again.
      if (isExpectedError(err, 'unavailable')) return undefined;
      throw err;
    }),
    // The status the VMs list shows; none while the VMs are still being read.
    readVmProtection(viewer, { answerWithinMs: ANSWER_WITHIN_MS }).then(
      (r) => r.vms.find((v) => v.id === id),
      () => undefined,
    ),
  ]);
  if (!b) return <StillReadingVm id={id} />;
  const { vm } = b;
  const busy = vmBusy(vm);
  const c = vm.backups.config;
  return (
    <div className="mx-auto max-w-7xl space-y-4">
      <PageHeader
        title={
          <>
            VM {vm.id} <span className="text-slate-500">“{vm.name}”</span>
          </>
        }
        subtitle={
          <span className="inline-flex flex-wrap items-center gap-2">
            <span>
              owner {vm.uname} · group {vm.gname} · {vm.disks.length} disk{vm.disks.length === 1 ? '' : 's'}
            </span>
            <Badge tone={stateTone(vm)} testId="vm-state" title={`${vm.state} / ${vm.lcmState}`}>
              {stateWords(vm)}
            </Badge>
            {protection && <ProtectionBadge status={protection.status} reason={protection.reason} />}
          </span>
        }
      />
      {/* Live while a backup or restore runs, and while the backup server has not answered yet. */}
      <FollowWhile active={busy !== undefined || b.freshness.state !== 'fresh' || b.opennebula.state !== 'fresh'} />
      <FreshnessNote freshness={b.opennebula} what="the VM and its backup images" now={at} source="opennebula" />
      <FreshnessNote freshness={b.freshness} what="the snapshots" now={at} />
      {b.problems.map((p) => (
        <p key={p} role="alert" className="text-sm text-amber-700 dark:text-amber-300">
          {p}
        </p>
      ))}
      <div className="grid gap-4 lg:grid-cols-2">
        <Panel title="Back up now" testId="backup-now-panel">
          <BackupNow
            vmId={vm.id}
            incremental={c.mode === 'INCREMENT'}
            busy={busy}
            datastores={b.datastores}
            latestBackup={latestBackupKey(b.images)}
          />
        </Panel>
        <Panel title="Backup configuration" testId="backup-config-panel">
          <BackupConfigForm
            vmId={vm.id}
            backupJobId={c.backupJobId}
            current={{
              mode: c.mode === 'INCREMENT' ? 'INCREMENT' : 'FULL',
              incrementMode: c.incrementMode === 'SNAPSHOT' ? 'SNAPSHOT' : 'CBT',
              keepLast: c.keepLast ?? 0,
              fsFreeze: c.fsFreeze === 'AGENT' || c.fsFreeze === 'SUSPEND' ? c.fsFreeze : 'NONE',
              backupVolatile: c.backupVolatile ?? false,
            }}
          />
        </Panel>
      </div>
      <Panel title="Restore in place" testId="restore-in-place-panel">
        <RestoreInPlace
          vmId={vm.id}
          vmName={vm.name}
          poweredOff={vm.state === 'POWEROFF'}
          running={vm.state === 'ACTIVE' && vm.lcmState === 'RUNNING'}
          busy={busy}
          diskIds={vm.disks.map((d) => d.diskId)}
          images={b.images.map((i) => ({
            imageId: i.imageId,
            name: i.name,
            mode: i.mode,
            regtime: i.regtime,
            increments: i.links.map((l) => ({ id: l.incrementId, date: l.date, type: l.type })),
          }))}
        />
      </Panel>
      <BackupsPanel vmId={vm.id} images={b.images} />
    </div>
  );
}

function StillReadingVm({ id }: { id: number }) {
  return (
    <div className="mx-auto max-w-7xl space-y-4">
      <PageHeader title={`VM ${id}`} />
      <FreshnessNote freshness={{ state: 'reading' }} what={`VM ${id}`} now={0} source="opennebula" />
      <RefreshWhile active />
    </div>
  );
}
