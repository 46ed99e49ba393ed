'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useActionState, useEffect, useState } from 'react';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import type { CheckRecord } from '@/lib/schemas/maintenance';
import { formatDate } from '@/app/_components/format';
import { Panel } from '@/app/_components/panel';
import { checkAction } from '@/app/(console)/datastores/[id]/maintenance/actions';
import { ActionMessage, inputClass, primaryButton } from './action-message';
import { CheckVerdict } from './check-verdict';

export function CheckPanel({
  datastoreId,
  repository,
  last,
  now,
}: {
  datastoreId: number;
  repository: string;
  last?: CheckRecord;
  now: number;
}) {
  const router = useRouter();
  const [mode, setMode] = useState<'structure' | 'read-data'>('structure');
  const [state, action, pending] = useActionState(checkAction, IDLE as ActionState<{ jobId: number }>);
  const jobId = state.status === 'ok' ? state.data?.jobId : undefined;
  useEffect(() => {
    if (jobId !== undefined) router.push(`/jobs/${jobId}`);
  }, [jobId, router]);
  return (
    <Panel title="Integrity check" testId="check-panel" actions={<CheckVerdict last={last} now={now} />}>
      <div className="space-y-3 px-4 py-3 text-sm">
        {last && !last.ok && (
          <div
            data-testid="check-errors"
            className="rounded-md border border-red-200 bg-red-50 p-2 dark:border-red-900 dark:bg-red-950/40"
          >
            <p className="font-medium text-red-800 dark:text-red-200">
              The last check ({formatDate(last.at)}
              {last.jobId !== undefined && (
                <>
                  ,{' '}
                  <Link href={`/jobs/${last.jobId}`} className="underline">
                    job {last.jobId}
                  </Link>
                </>
              )}
              ) found:
            </p>
            <ul className="mt-1 list-disc pl-5 font-mono text-xs text-red-800 dark:text-red-200">
              {last.errors.map((e, i) => (
                <li key={i}>{e}</li>
              ))}
            </ul>
          </div>
        )}
        <p className="text-slate-600 dark:text-slate-400">
          <code>restic check</code> verifies the repository’s structure; reading data also verifies that share of the
          pack files byte for byte. It locks the repository exclusively, so it is refused while a backup into it runs.
        </p>
        <form action={action} className="flex flex-wrap items-end gap-3">
          <input type="hidden" name="datastoreId" value={datastoreId} />
          <input type="hidden" name="repository" value={repository} />
          <label className="flex items-center gap-1.5">
            <input
              type="radio"
              name="mode"
              value="structure"
              checked={mode === 'structure'}
              onChange={() => setMode('structure')}
              data-testid="check-structure"
            />
            Structure only
          </label>
          <label className="flex items-center gap-1.5">
            <input
              type="radio"
              name="mode"
              value="read-data"
              checked={mode === 'read-data'}
              onChange={() => setMode('read-data')}
              data-testid="check-read-data"
            />
            Also read
          </label>
          <label className="flex items-center gap-1.5">
            <input
              name="percent"
              type="number"
              min={0.1}
              max={100}
              step="any"
              defaultValue={10}
              disabled={mode !== 'read-data'}
              className={`w-24 ${inputClass}`}
              aria-label="Percent of the data to read"
              data-testid="check-percent"
            />
            % of the data
          </label>
          <button type="submit" className={primaryButton} disabled={pending} data-testid="check-run">
            {pending ? 'Starting…' : 'Run check'}
          </button>
        </form>
        <ActionMessage state={state} testId="check-message" datastoreId={datastoreId} repository={repository} />
      </div>
    </Panel>
  );
}
