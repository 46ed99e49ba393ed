'use client';

import { useRouter } from 'next/navigation';
import { useActionState, useEffect } from 'react';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import type { DanglingImage } from '@/lib/schemas/maintenance';
import { Panel } from '@/app/_components/panel';
import { deleteDanglingImageAction } from '@/app/(console)/datastores/[id]/maintenance/actions';
import { ActionMessage } from './action-message';
import { ConfirmByTyping } from '@/app/_components/confirm-by-typing';

type Deleted = ActionState<{ imageId: number }>;

/** Backup images whose snapshot is gone, each deleted in OpenNebula after its ID is typed. */
export function DanglingPanel({
  datastoreId,
  repository,
  images,
}: {
  datastoreId: number;
  repository: string;
  images: DanglingImage[];
}) {
  const router = useRouter();
  // One outcome for the panel, not per row: the row goes as soon as OpenNebula starts deleting
  // the image (the page refreshes meanwhile), and its outcome must stay on screen.
  const [state, action, pending] = useActionState(deleteDanglingImageAction, IDLE as Deleted);
  useEffect(() => {
    if (state.status === 'ok') router.refresh();
  }, [state, router]);
  return (
    <Panel title="Dangling backup images" testId="dangling-panel">
      <div className="space-y-3 px-4 py-3 text-sm">
        <p className="text-slate-600 dark:text-slate-400">
          Backup images whose snapshot is no longer in this repository: nothing can be restored from them. Deleting one
          runs <code>oneimage delete</code> as you; OpenNebula drops the record (its snapshot is already gone).
        </p>
        <ActionMessage state={state} testId="dangling-message" datastoreId={datastoreId} repository={repository} />
        {images.length === 0 ? (
          <p data-testid="no-dangling" className="text-slate-500">
            No dangling backup images.
          </p>
        ) : (
          <ul className="space-y-3">
            {images.map((i) => (
              <DanglingRow
                key={i.imageId}
                datastoreId={datastoreId}
                repository={repository}
                image={i}
                action={action}
                pending={pending}
              />
            ))}
          </ul>
        )}
      </div>
    </Panel>
  );
}

function DanglingRow({
  datastoreId,
  repository,
  image,
  action,
  pending,
}: {
  datastoreId: number;
  repository: string;
  image: DanglingImage;
  action: (formData: FormData) => void;
  pending: boolean;
}) {
  const id = String(image.imageId);
  return (
    <li data-testid={`dangling-${image.imageId}`} className="rounded border border-slate-200 p-3 dark:border-slate-700">
      <form action={action} className="space-y-2">
        <input type="hidden" name="datastoreId" value={datastoreId} />
        <input type="hidden" name="repository" value={repository} />
        <input type="hidden" name="imageId" value={image.imageId} />
        <p>
          Backup image <span className="font-mono">{image.imageId}</span> “{image.name}”
          {image.vmId !== undefined ? <> of VM {image.vmId}</> : null} names snapshot{' '}
          <span className="font-mono">{image.source}</span>, which is not in repository {repository}.
        </p>
        <ConfirmByTyping
          expected={id}
          prompt={
            <>
              Type the image’s ID (<code>{id}</code>) to delete it
            </>
          }
          inputTestId={`dangling-confirm-${image.imageId}`}
          buttonTestId={`dangling-delete-${image.imageId}`}
          pending={pending}
          buttonLabel={pending ? 'Deleting…' : `Delete backup image ${id}`}
        />
      </form>
    </li>
  );
}
