'use client';

import { useRouter } from 'next/navigation';
import { useActionState, useEffect } from 'react';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import { plainButton, primaryButton } from '@/app/_components/form-classes';
import { ConfirmByTyping } from '@/app/_components/confirm-by-typing';
import { ActionOutcome } from '@/app/_components/action-outcome';
import { cancelBackupJobAction, retryBackupJobAction, runBackupJobAction } from '../actions';

/**
 * Run now, Retry failed (only with VMs in ERROR_VMS) and Cancel (only while the run goes on,
 * after the job's name is typed). OpenNebula decides; its reason is shown when it refuses.
 */
export function JobActions({
  jobId,
  name,
  hasErrors,
  running,
}: {
  jobId: number;
  name: string;
  hasErrors: boolean;
  running: boolean;
}) {
  const router = useRouter();
  const [run, runAction, runPending] = useActionState(runBackupJobAction, IDLE as ActionState);
  const [retry, retryAction, retryPending] = useActionState(retryBackupJobAction, IDLE as ActionState);
  const [cancel, cancelAction, cancelPending] = useActionState(cancelBackupJobAction, IDLE as ActionState);
  useEffect(() => {
    if ([run, retry, cancel].some((s) => s.status === 'ok')) router.refresh();
  }, [run, retry, cancel, router]);
  const pending = runPending || retryPending || cancelPending;
  return (
    <div className="space-y-3" data-testid="backup-job-actions">
      <div className="flex flex-wrap items-center gap-2">
        <form action={runAction}>
          <input type="hidden" name="jobId" value={jobId} />
          <button
            type="submit"
            className={primaryButton}
            disabled={pending || running}
            title={
              running ? 'The current run has not ended yet' : 'onebackupjob backup: back every VM of the job up now'
            }
            data-testid="run-now"
          >
            {runPending ? 'Starting…' : 'Run now'}
          </button>
        </form>
        {hasErrors && (
          <form action={retryAction}>
            <input type="hidden" name="jobId" value={jobId} />
            <button
              type="submit"
              className={plainButton}
              disabled={pending}
              title="onebackupjob retry: back up again the VMs in ERROR_VMS"
              data-testid="retry-failed"
            >
              {retryPending ? 'Retrying…' : 'Retry failed'}
            </button>
          </form>
        )}
      </div>
      {running && (
        <form
          action={cancelAction}
          className="max-w-md space-y-2 rounded border border-red-200 p-3 dark:border-red-900/60"
        >
          <input type="hidden" name="jobId" value={jobId} />
          <p className="text-xs text-slate-600 dark:text-slate-400">
            Cancel stops the VMs backing up now (their backups fail and land in ERROR) and drops the VMs still waiting.
          </p>
          <ConfirmByTyping
            expected={name}
            prompt={
              <>
                Type <strong>{name}</strong> to cancel this run
              </>
            }
            inputTestId="cancel-confirm"
            buttonTestId="cancel-run"
            pending={pending}
            buttonLabel={cancelPending ? 'Canceling…' : 'Cancel run'}
          />
        </form>
      )}
      <ActionOutcome state={run} testId="run-message" />
      <ActionOutcome state={retry} testId="retry-message" />
      <ActionOutcome state={cancel} testId="cancel-message" />
    </div>
  );
}
