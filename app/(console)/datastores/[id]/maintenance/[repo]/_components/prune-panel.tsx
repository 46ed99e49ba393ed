'use client';

import { useRouter } from 'next/navigation';
import { useActionState, useEffect } from 'react';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import type { PrunePreview } from '@/lib/schemas/maintenance';
import { formatBytes } from '@/app/_components/format';
import { Panel } from '@/app/_components/panel';
import { previewPruneAction, pruneAction } from '@/app/(console)/datastores/[id]/maintenance/actions';
import { ActionMessage, plainButton, primaryButton } from './action-message';

/** Prune: a dry-run preview (what goes, what is repacked, the space freed), then a job. */
export function PrunePanel({
  datastoreId,
  repository,
  maxUnused,
  maxRepack,
}: {
  datastoreId: number;
  repository: string;
  maxUnused: string;
  maxRepack?: string;
}) {
  const router = useRouter();
  const [preview, previewAction, previewing] = useActionState(previewPruneAction, IDLE as ActionState<PrunePreview>);
  const [run, runAction, starting] = useActionState(pruneAction, IDLE as ActionState<{ jobId: number }>);
  const jobId = run.status === 'ok' ? run.data?.jobId : undefined;
  useEffect(() => {
    if (jobId !== undefined) router.push(`/jobs/${jobId}`);
  }, [jobId, router]);
  const p = preview.status === 'ok' ? preview.data : undefined;
  const hidden = (
    <>
      <input type="hidden" name="datastoreId" value={datastoreId} />
      <input type="hidden" name="repository" value={repository} />
    </>
  );
  return (
    <Panel title="Prune" testId="prune-panel">
      <div className="space-y-3 px-4 py-3 text-sm">
        <p className="text-slate-600 dark:text-slate-400">
          Removes data no snapshot uses, with the datastore’s settings as OpenNebula’s driver applies them:{' '}
          <code>--max-unused={maxUnused}</code>
          {maxRepack ? (
            <>
              {' '}
              <code>--max-repack-size={maxRepack}</code>
            </>
          ) : null}
          . Refused while a backup on this datastore runs.
        </p>
        <form action={previewAction}>
          {hidden}
          <button type="submit" className={plainButton} disabled={previewing} data-testid="prune-preview">
            {previewing ? 'Previewing…' : 'Preview (dry run)'}
          </button>
        </form>
        <ActionMessage state={preview} testId="prune-preview-error" datastoreId={datastoreId} repository={repository} />
        {p && (
          <div className="space-y-3" data-testid="prune-plan">
            <dl className="grid grid-cols-2 gap-x-6 gap-y-1 sm:grid-cols-3">
              <dt className="text-slate-500">Space freed</dt>
              <dd
                className="font-semibold tabular-nums sm:col-span-2"
                data-testid="prune-free"
                data-bytes={p.totalPruneBytes}
              >
                {formatBytes(p.totalPruneBytes)}
              </dd>
              <dt className="text-slate-500">Unused data deleted</dt>
              <dd className="tabular-nums sm:col-span-2">
                {formatBytes(p.toDeleteBytes)} ({p.toDeleteBlobs} blobs)
              </dd>
              <dt className="text-slate-500">Repacked</dt>
              <dd className="tabular-nums sm:col-span-2">
                {formatBytes(p.toRepackBytes)} ({p.toRepackBlobs} blobs), of which {formatBytes(p.toRemoveBytes)}{' '}
                removed
              </dd>
              <dt className="text-slate-500">Remaining</dt>
              <dd className="tabular-nums sm:col-span-2">{formatBytes(p.remainingBytes)}</dd>
              {p.unusedAfterPruneBytes !== undefined && (
                <>
                  <dt className="text-slate-500">Unused after prune</dt>
                  <dd className="tabular-nums sm:col-span-2">{formatBytes(p.unusedAfterPruneBytes)}</dd>
                </>
              )}
            </dl>
            <form action={runAction}>
              {hidden}
              <button type="submit" className={primaryButton} disabled={starting} data-testid="prune-run">
                {starting ? 'Starting…' : `Prune now (frees ${formatBytes(p.totalPruneBytes)})`}
              </button>
            </form>
          </div>
        )}
        <ActionMessage state={run} testId="prune-message" datastoreId={datastoreId} repository={repository} />
      </div>
    </Panel>
  );
}
