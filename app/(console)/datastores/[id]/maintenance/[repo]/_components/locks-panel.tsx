'use client';

import { useRouter } from 'next/navigation';
import { useActionState, useEffect, useState } from 'react';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import type { LockInspection } from '@/lib/schemas/maintenance';
import { Panel } from '@/app/_components/panel';
import { removeAllLocksAction, removeStaleLocksAction } from '@/app/(console)/datastores/[id]/maintenance/actions';
import { ActionMessage, plainButton, primaryButton } from './action-message';
import { ConfirmByTyping } from '@/app/_components/confirm-by-typing';
import { LockTable } from './lock-table';

type Unlocked = { removed: string[]; remaining: string[] };

/**
 * The Locks panel: each lock with its verdict; "Remove stale locks" (restic unlock) is one
 * confirmed click; "Remove all locks" (--remove-all) needs the repository's name typed, and a
 * second confirmation while a backup or a live restic may hold a lock.
 */
export function LocksPanel({ inspection }: { inspection: LockInspection }) {
  const router = useRouter();
  const { datastoreId, repository } = inspection;
  const [confirming, setConfirming] = useState(false);
  const [stale, staleAction, stalePending] = useActionState(removeStaleLocksAction, IDLE as ActionState<Unlocked>);
  const [all, allAction, allPending] = useActionState(removeAllLocksAction, IDLE as ActionState<Unlocked>);
  useEffect(() => {
    if (stale.status === 'ok' || all.status === 'ok') router.refresh();
  }, [stale, all, router]);
  const staleCount = inspection.locks.filter((l) => l.verdict === 'stale').length;
  const blockers = inspection.removeAllBlockers;
  // The override tick is held in state, so the page's refresh after another action cannot untick it
  // between the tick and the click. It answers one question once: it clears when the blockers
  // change and after every "Remove all locks" answer, so each override is a new, explicit tick.
  const [override, setOverride] = useState(false);
  const blockersKey = blockers.join('\n');
  const [askedFor, setAskedFor] = useState({ blockersKey, all });
  if (askedFor.blockersKey !== blockersKey || askedFor.all !== all) {
    setAskedFor({ blockersKey, all });
    setOverride(false);
  }
  // Which action answered last: once the last lock is gone the forms go too, and the refresh that
  // follows a removal must not take its answer ("Removed 1 lock: …") away with them.
  const [answers, setAnswers] = useState({ stale, all, latest: 'none' as 'none' | 'stale' | 'all' });
  if (answers.stale !== stale || answers.all !== all)
    setAnswers({ stale, all, latest: answers.all !== all ? 'all' : 'stale' });
  return (
    <Panel
      title={
        <span id="locks">
          Locks{' '}
          <span className="font-normal text-slate-500">
            ({inspection.locks.length}
            {inspection.backupsRunning.length > 0 ? `, ${inspection.backupsRunning.length} backup running` : ''})
          </span>
        </span>
      }
      testId="locks-panel"
    >
      {inspection.backupsRunning.length > 0 && (
        <p
          className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-200"
          data-testid="backups-running"
        >
          OpenNebula is backing up{' '}
          {inspection.backupsRunning
            .map((b) => `VM ${b.vmId}${b.vmName ? ` “${b.vmName}”` : ''} (${b.state})`)
            .join(', ')}
          .
        </p>
      )}
      <LockTable locks={inspection.locks} now={inspection.inspectedAt} />
      {inspection.locks.length === 0 && answers.latest !== 'none' && (
        <div className="border-t border-slate-200 px-4 py-3 dark:border-slate-800" data-testid="locks-last-answer">
          {answers.latest === 'all' ? (
            <ActionMessage state={all} testId="remove-all-message" datastoreId={datastoreId} repository={repository} />
          ) : (
            <ActionMessage state={stale} testId="unlock-message" datastoreId={datastoreId} repository={repository} />
          )}
        </div>
      )}
      {inspection.locks.length > 0 && (
        <div className="grid gap-4 border-t border-slate-200 px-4 py-3 md:grid-cols-2 dark:border-slate-800">
          <form action={staleAction} className="space-y-2">
            <input type="hidden" name="datastoreId" value={datastoreId} />
            <input type="hidden" name="repository" value={repository} />
            <h3 className="text-sm font-semibold">Remove stale locks</h3>
            <p className="text-xs text-slate-600 dark:text-slate-400">
              Runs <code>restic unlock</code>, which removes only the locks restic can prove stale (a dead process on
              the backup server, or not refreshed for 30 minutes). Always safe.
              {staleCount > 0 ? ` ${staleCount} lock${staleCount === 1 ? ' looks' : 's look'} stale.` : ''}
            </p>
            {confirming ? (
              <div className="flex gap-2">
                <button
                  type="submit"
                  className={primaryButton}
                  disabled={stalePending}
                  data-testid="confirm-remove-stale-locks"
                  onClick={() => setTimeout(() => setConfirming(false), 0)}
                >
                  Yes, remove stale locks
                </button>
                <button type="button" className={plainButton} onClick={() => setConfirming(false)} autoFocus>
                  No
                </button>
              </div>
            ) : (
              <button
                type="button"
                className={primaryButton}
                disabled={stalePending}
                data-testid="remove-stale-locks"
                onClick={() => setConfirming(true)}
              >
                {stalePending ? 'Removing…' : 'Remove stale locks'}
              </button>
            )}
            <ActionMessage state={stale} testId="unlock-message" datastoreId={datastoreId} repository={repository} />
          </form>
          <form action={allAction} className="space-y-2">
            <input type="hidden" name="datastoreId" value={datastoreId} />
            <input type="hidden" name="repository" value={repository} />
            <h3 className="text-sm font-semibold text-red-700 dark:text-red-300">Remove all locks</h3>
            <p className="text-xs text-slate-600 dark:text-slate-400">
              Runs <code>restic unlock --remove-all</code>: every lock goes, a live one too. If a restic still runs, two
              processes may then change the repository at once.
            </p>
            <ConfirmByTyping
              expected={repository}
              prompt={
                <>
                  Type the repository’s name (<code>{repository}</code>) to confirm
                </>
              }
              inputTestId="remove-all-confirm"
              buttonTestId="remove-all-locks"
              pending={allPending}
              buttonLabel={allPending ? 'Removing…' : 'Remove all locks'}
            >
              {blockers.length > 0 && (
                <label className="flex items-start gap-2 text-xs text-red-700 dark:text-red-300">
                  <input
                    type="checkbox"
                    name="override"
                    checked={override}
                    onChange={(e) => setOverride(e.target.checked)}
                    data-testid="remove-all-override"
                    className="mt-0.5"
                  />
                  <span>
                    Something may still be using this repository ({blockers.join(' ')}). I checked: nothing runs; remove
                    them anyway.
                  </span>
                </label>
              )}
            </ConfirmByTyping>
            <ActionMessage state={all} testId="remove-all-message" datastoreId={datastoreId} repository={repository} />
          </form>
        </div>
      )}
    </Panel>
  );
}
