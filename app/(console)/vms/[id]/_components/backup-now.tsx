'use client';

import { useRouter } from 'next/navigation';
import { startTransition, useActionState, useState } from 'react';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import { backupNowAction } from '../actions';
import { inputClass, labelClass, Outcome, plainButton, primaryButton } from './form-bits';

/**
 * Back up now: a backup datastore (the VM's own first), "start a new chain" for incremental VMs,
 * then a confirmation. After oned accepts, the page follows the VM (BACKUP / BACKUP_POWEROFF; the
 * page's FollowWhile) until it is idle again, by which time oned has recorded the new image or
 * increment; this form then says so.
 */
export function BackupNow({
  vmId,
  incremental,
  busy,
  datastores,
  latestBackup,
}: {
  vmId: number;
  incremental: boolean;
  busy?: 'backup' | 'restore';
  datastores: { id: number; name: string; hint?: string }[];
  latestBackup: string;
}) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  // The newest backup when this backup was started: following ends once another one is listed.
  const [startedAfter, setStartedAfter] = useState<string | undefined>(undefined);
  const [state, action, pending] = useActionState(async (prev: ActionState, fd: FormData) => {
    const baseline = latestBackup;
    setStartedAfter(undefined);
    const r = await backupNowAction(prev, fd);
    if (r.status === 'ok') {
      setConfirming(false);
      setStartedAfter(baseline);
      // The page then shows the VM in BACKUP / BACKUP_POWEROFF and follows it.
      startTransition(() => router.refresh());
    }
    return r;
  }, IDLE as ActionState);
  const following = startedAfter !== undefined && (busy === 'backup' || latestBackup === startedAfter);
  if (datastores.length === 0) {
    return <p className="px-4 py-3 text-sm text-slate-500">There is no backup datastore you may use.</p>;
  }
  return (
    <form action={action} className="space-y-3 px-4 py-3 text-sm">
      <input type="hidden" name="vmId" value={vmId} />
      <label className={labelClass}>
        Backup datastore
        <select name="datastoreId" className={`mt-1 ${inputClass}`} data-testid="backup-datastore">
          {datastores.map((d) => (
            <option key={d.id} value={d.id}>
              {d.id}: {d.name}
              {d.hint ? ` (${d.hint})` : ''}
            </option>
          ))}
        </select>
      </label>
      {incremental && (
        <label className="flex items-center gap-2 text-xs">
          <input type="checkbox" name="reset" data-testid="backup-reset" />
          Start a new chain (a FULL backup in a new image; --reset)
        </label>
      )}
      {!confirming ? (
        <button
          type="button"
          className={primaryButton}
          disabled={pending || busy !== undefined}
          onClick={() => setConfirming(true)}
          data-testid="backup-now"
        >
          Back up now
        </button>
      ) : (
        <div className="flex flex-wrap items-center gap-2">
          <span>Back up VM {vmId} now?</span>
          <button type="submit" className={primaryButton} disabled={pending} data-testid="backup-confirm">
            {pending ? 'Starting…' : 'Start the backup'}
          </button>
          <button type="button" className={plainButton} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
      {busy === 'backup' && (
        <p role="status" className="text-sky-700 dark:text-sky-300" data-testid="backup-running">
          A backup of this VM is running; this page follows it.
        </p>
      )}
      {startedAfter !== undefined && !following && (
        <p role="status" className="text-emerald-700 dark:text-emerald-300" data-testid="backup-done">
          The new backup is listed below.
        </p>
      )}
      <Outcome state={state} testId="backup-outcome" />
    </form>
  );
}
