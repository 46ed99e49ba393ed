'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useActionState, useEffect, useRef, useState } from 'react';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import { restoreToBackupServerAction, restoreToOpenNebulaAction } from '@/app/(console)/jobs/actions';
import { formatDate } from '@/app/_components/format';
import { locksHref } from '@/app/_components/hrefs';
import type { RestoreDialogProps } from './restore-dialog-props';

const input =
  'mt-1 block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950';

/** Said before Restore is pressed: restic's restore waits on, then fails over, an exclusive lock. */
function LockedWarning({ datastoreId, repository, locks, isAdmin }: RestoreDialogProps) {
  if (locks === undefined || locks === 0) return null;
  return (
    <p
      role="status"
      data-testid="restore-locked-warning"
      className="mx-5 mt-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
    >
      This repository is locked ({locks} lock{locks === 1 ? '' : 's'}): a restore may fail while it stays locked.{' '}
      {isAdmin ? (
        <Link href={locksHref(datastoreId, repository)} className="font-medium underline">
          Open the Locks panel
        </Link>
      ) : (
        'Ask an administrator to look at its locks first.'
      )}
    </p>
  );
}

function Message({ state }: { state: ActionState<{ jobId: number }> }) {
  if (state.status === 'idle' || state.status === 'ok') return null;
  return (
    <p role="alert" data-testid="restore-error" className="text-sm text-red-600 dark:text-red-400">
      {state.message}
      {state.status === 'invalid' &&
        Object.entries(state.fieldErrors)
          .map(([k, v]) => ` ${k}: ${v?.[0] ?? ''}`)
          .join(';')}
    </p>
  );
}

/**
 * The restore dialog's forms, loaded when Restore is first clicked; the dialog opens as it mounts
 * and tells the button when it closes. One click restores with safe defaults: the first image
 * datastore, the latest increment, every disk, NICs and IPs kept. Admins may instead restore the
 * files onto the backup server.
 */
export function RestoreForms(p: RestoreDialogProps & { onClose: () => void }) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [mode, setMode] = useState<'opennebula' | 'server'>('opennebula');
  const [one, oneAction, onePending] = useActionState(
    restoreToOpenNebulaAction,
    IDLE as ActionState<{ jobId: number }>,
  );
  const [srv, srvAction, srvPending] = useActionState(
    restoreToBackupServerAction,
    IDLE as ActionState<{ jobId: number }>,
  );
  const done = one.status === 'ok' ? one.data?.jobId : srv.status === 'ok' ? srv.data?.jobId : undefined;
  useEffect(() => {
    if (done !== undefined) router.push(`/jobs/${done}`);
  }, [done, router]);
  const latest = p.chain.links.at(-1);
  const defaultFolder = `restore-image-${p.chain.imageId}-${new Date().toISOString().slice(0, 10)}`;
  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  return (
    <dialog
      ref={dialog}
      onClose={p.onClose}
      aria-labelledby={`restore-title-${p.chain.imageId}`}
      className="m-auto w-full max-w-lg rounded-xl bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100"
    >
      <div className="border-b border-slate-200 px-5 py-3 dark:border-slate-800">
        <h2 id={`restore-title-${p.chain.imageId}`} className="font-semibold">
          Restore backup image {p.chain.imageId}
        </h2>
        <p className="text-xs text-slate-500">“{p.chain.imageName}”</p>
      </div>
      <LockedWarning {...p} />
      {p.isAdmin && (
        <div className="flex gap-1 px-5 pt-3 text-sm" role="tablist">
          {(['opennebula', 'server'] as const).map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              onClick={() => setMode(m)}
              className={`rounded-md px-2.5 py-1 ${mode === m ? 'bg-brand-50 font-medium text-brand-700 dark:bg-brand-700/30 dark:text-brand-100' : 'text-slate-600'}`}
            >
              {m === 'opennebula'
                ? 'Into OpenNebula'
                : p.onBackstoneUnder
                  ? "Onto Backstone's machine"
                  : 'Onto the backup server'}
            </button>
          ))}
        </div>
      )}
      {mode === 'opennebula' ? (
        <form action={oneAction} className="space-y-3 px-5 py-4" data-testid="restore-opennebula-form">
          <input type="hidden" name="imageId" value={p.chain.imageId} />
          <label className="block text-sm">
            Image datastore
            <select name="datastoreId" className={input} defaultValue={p.imageDatastores[0]?.id}>
              {p.imageDatastores.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} (#{d.id})
                </option>
              ))}
            </select>
          </label>
          <label className="block text-sm">
            Name{' '}
            <span className="text-xs text-slate-500">(optional; OpenNebula names it after the VM and the backup)</span>
            <input name="name" className={input} maxLength={128} />
          </label>
          {p.chain.mode === 'INCREMENT' && (
            <label className="block text-sm">
              Increment
              <select name="incrementId" className={input} defaultValue={latest?.incrementId}>
                {[...p.chain.links].reverse().map((l, i) => (
                  <option key={l.incrementId} value={l.incrementId}>
                    {i === 0 ? 'Latest: ' : ''}
                    {l.type} {l.incrementId} — {formatDate(l.date * 1000)} ({l.source})
                  </option>
                ))}
              </select>
            </label>
          )}
          <label className="block text-sm">
            Disks
            <select name="diskId" className={input} defaultValue="">
              <option value="">All disks, with a VM template</option>
              {p.diskIds.map((d) => (
                <option key={d} value={d}>
                  Only disk {d} (no VM template)
                </option>
              ))}
            </select>
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="noNic" /> Do not restore NIC attributes
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="noIp" /> Do not restore IP attributes
          </label>
          <Message state={one} />
          <div className="flex justify-end gap-2 pt-2">
            <button type="button" onClick={() => dialog.current?.close()} className="rounded-md px-3 py-1.5 text-sm">
              Close
            </button>
            <button
              type="submit"
              disabled={onePending || p.imageDatastores.length === 0}
              data-testid="restore-submit"
              className="rounded-md bg-brand-500 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-600 disabled:opacity-50"
            >
              {onePending ? 'Starting…' : 'Restore'}
            </button>
          </div>
        </form>
      ) : (
        <form action={srvAction} className="space-y-3 px-5 py-4" data-testid="restore-server-form">
          <input type="hidden" name="imageId" value={p.chain.imageId} />
          <input type="hidden" name="datastoreId" value={p.datastoreId} />
          <input type="hidden" name="repository" value={p.repository} />
          {p.chain.mode === 'INCREMENT' && <input type="hidden" name="incrementId" value={latest?.incrementId} />}
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {p.onBackstoneUnder ? (
              <>
                The disks are restored (increments flattened with qemu-img) into a new folder under{' '}
                <span className="font-mono">{p.onBackstoneUnder}</span> on Backstone&apos;s machine, where restic runs
                for S3 datastores. An existing folder is never written over.
              </>
            ) : (
              <>
                The disks are restored (increments flattened with qemu-img) into a new folder under the datastore&apos;s
                RESTIC_TMP_DIR on the backup server. An existing folder is never written over.
              </>
            )}
          </p>
          <label className="block text-sm">
            New folder
            <input name="folder" className={input} defaultValue={defaultFolder} required />
          </label>
          <Message state={srv} />
          <div className="flex justify-end gap-2 pt-2">
            <button type="button" onClick={() => dialog.current?.close()} className="rounded-md px-3 py-1.5 text-sm">
              Close
            </button>
            <button
              type="submit"
              disabled={srvPending}
              data-testid="restore-server-submit"
              className="rounded-md bg-brand-500 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-600 disabled:opacity-50"
            >
              {srvPending
                ? 'Starting…'
                : p.onBackstoneUnder
                  ? "Restore onto Backstone's machine"
                  : 'Restore onto the backup server'}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
