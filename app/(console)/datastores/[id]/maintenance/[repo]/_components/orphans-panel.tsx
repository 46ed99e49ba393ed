'use client';

import { useRouter } from 'next/navigation';
import { useActionState, useEffect } from 'react';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import type { OrphanCandidate } from '@/lib/schemas/maintenance';
import { formatDate } from '@/app/_components/format';
import { Panel } from '@/app/_components/panel';
import { SimpleTable } from '@/app/_components/simple-table';
import { orphanForgetAction } from '@/app/(console)/datastores/[id]/maintenance/actions';
import { ActionMessage } from './action-message';
import { ConfirmByTyping } from '@/app/_components/confirm-by-typing';

/** The orphan snapshots the catalog found, forgotten after a preview and a typed confirmation. */
export function OrphansPanel({
  datastoreId,
  repository,
  candidates,
}: {
  datastoreId: number;
  repository: string;
  candidates: OrphanCandidate[];
}) {
  const router = useRouter();
  const [state, action, pending] = useActionState(orphanForgetAction, IDLE as ActionState<{ jobId: number }>);
  const jobId = state.status === 'ok' ? state.data?.jobId : undefined;
  useEffect(() => {
    if (jobId !== undefined) router.push(`/jobs/${jobId}`);
  }, [jobId, router]);
  return (
    <Panel title="Orphan cleanup" testId="orphans-panel">
      <div className="space-y-3 px-4 py-3 text-sm">
        <p className="text-slate-600 dark:text-slate-400">
          Snapshots no backup image or increment refers to, older than two hours, of VMs not being backed up now. They
          only take space. Forgetting them never touches a snapshot OpenNebula refers to; prune then frees their data.
        </p>
        {candidates.length === 0 ? (
          <p data-testid="no-orphans" className="text-slate-500">
            No orphan snapshots.
          </p>
        ) : (
          <form action={action} className="space-y-3">
            <input type="hidden" name="datastoreId" value={datastoreId} />
            <input type="hidden" name="repository" value={repository} />
            <SimpleTable
              variant="compact"
              testId="orphan-preview"
              rows={candidates}
              rowKey={(c) => c.id}
              rowTestId={(c) => `orphan-${c.shortId}`}
              columns={[
                {
                  header: 'Snapshot',
                  className: 'font-mono text-xs',
                  cell: (c) => (
                    <>
                      <input type="hidden" name="snapshot" value={c.id} />
                      <span className="line-through decoration-red-500">{c.shortId}</span>
                    </>
                  ),
                },
                { header: 'Taken', cell: (c) => formatDate(c.time) },
                { header: 'VM', cell: (c) => c.vmId ?? '—' },
                { header: 'Host', cell: (c) => c.hostname },
              ]}
            />
            <ConfirmByTyping
              expected={repository}
              prompt={
                <>
                  Type the repository’s name (<code>{repository}</code>) to forget{' '}
                  {candidates.length === 1 ? 'this snapshot' : `these ${candidates.length} snapshots`}
                </>
              }
              inputTestId="orphan-confirm"
              buttonTestId="orphan-forget"
              pending={pending}
              buttonLabel={
                pending
                  ? 'Starting…'
                  : `Forget ${candidates.length} orphan snapshot${candidates.length === 1 ? '' : 's'}`
              }
            />
            <ActionMessage state={state} testId="orphan-message" datastoreId={datastoreId} repository={repository} />
          </form>
        )}
      </div>
    </Panel>
  );
}
