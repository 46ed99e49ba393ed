'use client';

import Link from 'next/link';
import { useState } from 'react';
import { formatDate } from '@/app/_components/format';
import { ConfirmByTyping } from '@/app/_components/confirm-by-typing';
import { powerOffAction, restoreInPlaceAction } from '../actions';
import { useRefreshingAction } from './use-refreshing-action';
import { dangerButton, inputClass, labelClass, Outcome, plainButton } from './form-bits';

type RestorableImage = {
  imageId: number;
  name: string;
  mode: 'FULL' | 'INCREMENT';
  regtime: number;
  increments: { id: number; date: number; type: 'FULL' | 'INCREMENT' }[];
};

/**
 * `onevm restore` in place: only while the VM is powered off (oned's rule), so otherwise the
 * separately confirmed "Power off" comes first. The VM's name must be typed: its disks are replaced.
 */
export function RestoreInPlace({
  vmId,
  vmName,
  poweredOff,
  running,
  busy,
  diskIds,
  images,
}: {
  vmId: number;
  vmName: string;
  poweredOff: boolean;
  running: boolean;
  busy?: 'backup' | 'restore';
  diskIds: number[];
  images: RestorableImage[];
}) {
  const [state, action, pending] = useRefreshingAction(restoreInPlaceAction);
  const [imageId, setImageId] = useState<number | undefined>(images[0]?.imageId);
  const image = images.find((i) => i.imageId === imageId);
  if (images.length === 0) {
    return <p className="px-4 py-3 text-sm text-slate-500">There is no backup of this VM to restore.</p>;
  }
  return (
    <div className="space-y-3 px-4 py-3 text-sm">
      <p className="text-slate-600 dark:text-slate-400">
        Replaces the VM’s disks with a backup’s, in place; OpenNebula deletes the VM’s snapshots and the next
        incremental backup starts a new chain. To keep the VM as it is, restore into new images from the backup’s
        repository page instead (linked below each backup).
      </p>
      {busy === 'restore' && (
        <p role="status" className="text-sky-700 dark:text-sky-300" data-testid="restore-running">
          The VM is in RESTORE: its disks are being replaced. This page follows it until it is powered off again.
        </p>
      )}
      {!poweredOff && busy !== 'restore' && <PowerOff vmId={vmId} vmName={vmName} running={running} />}
      <form action={action} className="space-y-3" data-testid="restore-in-place-form">
        <input type="hidden" name="vmId" value={vmId} />
        <div className="grid gap-3 sm:grid-cols-3">
          <label className={labelClass}>
            Backup image
            <select
              name="imageId"
              value={imageId}
              onChange={(e) => setImageId(Number(e.target.value))}
              className={`mt-1 ${inputClass}`}
              data-testid="restore-image"
            >
              {images.map((i) => (
                <option key={i.imageId} value={i.imageId}>
                  {i.imageId}: {i.name} ({i.mode}, {formatDate(i.regtime * 1000)})
                </option>
              ))}
            </select>
          </label>
          {image?.mode === 'INCREMENT' ? (
            <label className={labelClass}>
              Increment
              <select
                key={image.imageId}
                name="incrementId"
                defaultValue=""
                className={`mt-1 ${inputClass}`}
                data-testid="restore-increment"
              >
                <option value="">the last one</option>
                {image.increments.map((n) => (
                  <option key={n.id} value={n.id}>
                    {n.id} ({n.type}, {formatDate(n.date * 1000)})
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span />
          )}
          <label className={labelClass}>
            Disk
            <select name="diskId" defaultValue="" className={`mt-1 ${inputClass}`} data-testid="restore-disk">
              <option value="">every disk in the backup</option>
              {diskIds.map((d) => (
                <option key={d} value={d}>
                  disk {d} only
                </option>
              ))}
            </select>
          </label>
        </div>
        {poweredOff ? (
          <ConfirmByTyping
            expected={vmName}
            prompt={
              <>
                This replaces the VM’s disks. Type the VM’s name, <span className="font-mono">{vmName}</span>, to
                confirm.
              </>
            }
            inputTestId="restore-confirm-input"
            buttonTestId="restore-in-place"
            pending={pending}
            buttonLabel={pending ? 'Starting…' : 'Restore in place'}
          />
        ) : (
          <button type="button" className={dangerButton} disabled data-testid="restore-in-place">
            Restore in place (power the VM off first)
          </button>
        )}
        <Outcome state={state} testId="restore-outcome" />
      </form>
      <p className="text-xs text-slate-500">
        Restoring into new images (the VM left as it is) runs from the repository page:{' '}
        <Link href="#vm-backups" className="text-brand-600 hover:underline">
          see each backup below
        </Link>
        .
      </p>
    </div>
  );
}

/** Power off, confirmed on its own: a running VM's guest is shut down. */
function PowerOff({ vmId, vmName, running }: { vmId: number; vmName: string; running: boolean }) {
  const [state, action, pending] = useRefreshingAction(powerOffAction);
  const [confirming, setConfirming] = useState(false);
  return (
    <form action={action} className="space-y-2 rounded-md border border-amber-300 p-3 dark:border-amber-800">
      <input type="hidden" name="vmId" value={vmId} />
      <p>
        OpenNebula restores in place only a powered-off VM.{' '}
        {running ? 'Power it off first.' : 'It can be powered off once it is running again.'}
      </p>
      {!confirming ? (
        <button
          type="button"
          className={plainButton}
          disabled={!running || pending}
          onClick={() => setConfirming(true)}
          data-testid="poweroff"
        >
          Power off…
        </button>
      ) : (
        <div className="flex flex-wrap items-center gap-2">
          <span>
            Power off VM {vmId} “{vmName}” now? Its guest is shut down.
          </span>
          <button
            type="submit"
            name="confirm"
            value="poweroff"
            className={dangerButton}
            disabled={pending}
            data-testid="poweroff-confirm"
          >
            {pending ? 'Powering off…' : 'Power off'}
          </button>
          <button type="button" className={plainButton} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
      <Outcome state={state} testId="poweroff-outcome" />
    </form>
  );
}
