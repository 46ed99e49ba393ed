'use client';

import { useRouter } from 'next/navigation';
import { useActionState, useEffect } from 'react';
import { ActionOutcome } from '@/app/_components/action-outcome';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import { pruneAllAction, verifyAllAction } from '../schedules/actions';
import { plainButton } from '@/app/_components/form-classes';
import { ConfirmByTyping } from '@/app/_components/confirm-by-typing';

type Submitted = ActionState<{ jobId: number }>;

function useFollowJob(state: Submitted) {
  const router = useRouter();
  const jobId = state.status === 'ok' ? state.data?.jobId : undefined;
  useEffect(() => {
    if (jobId !== undefined) router.push(`/jobs/${jobId}`);
  }, [jobId, router]);
}

/** "Verify all" and "Prune all": the schedules' jobs, now; prune confirmed by typing the datastore's name. */
export function RunAllForms({ datastoreId, datastoreName }: { datastoreId: number; datastoreName: string }) {
  const [verify, verifyAction, verifying] = useActionState(verifyAllAction, IDLE as Submitted);
  const [prune, pruneAction, pruning] = useActionState(pruneAllAction, IDLE as Submitted);
  useFollowJob(verify);
  useFollowJob(prune);
  return (
    <div className="grid gap-4 px-4 py-3 text-sm md:grid-cols-2">
      <form action={verifyAction} className="space-y-2">
        <input type="hidden" name="datastoreId" value={datastoreId} />
        <p className="text-slate-600 dark:text-slate-400">
          <code>restic check</code> of every repository, reading the next subset of the rotation.
        </p>
        <button type="submit" className={plainButton} disabled={verifying} data-testid="verify-all">
          {verifying ? 'Starting…' : 'Verify all'}
        </button>
        <ActionOutcome state={verify} testId="verify-all-result" />
      </form>
      <form action={pruneAction} className="space-y-2">
        <input type="hidden" name="datastoreId" value={datastoreId} />
        <p className="text-slate-600 dark:text-slate-400">
          <code>restic prune</code> of every repository with the datastore’s RESTIC_PRUNE_* values; refused while a
          backup to this datastore runs.
        </p>
        <ConfirmByTyping
          expected={datastoreName}
          prompt={
            <>
              Type <span className="font-mono">{datastoreName}</span> to prune every repository
            </>
          }
          inputTestId="prune-all-confirm"
          buttonTestId="prune-all"
          pending={pruning}
          buttonLabel={pruning ? 'Starting…' : 'Prune all'}
        />
        <ActionOutcome state={prune} testId="prune-all-result" />
      </form>
    </div>
  );
}
