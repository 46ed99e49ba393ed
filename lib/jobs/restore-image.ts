import 'server-only';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  getDatastore,
  getImage,
  getTemplate,
  OneNotFound,
  restoreImage,
  type Image,
  type OneCredential,
} from '@/lib/opennebula';
import { backupServerOf } from '@/lib/catalog';
import { serverKey } from '@/lib/exec';
import { imagesBytes } from './chain-progress';
import { restoreImageTitle } from './job-titles';
import { RestoreRefused } from './restore-server';
import { JobCanceled, JobFailed, submitJob } from './runner';
import { undoImageRestore } from './undo-image-restore';

// One-click restore into OpenNebula: `oneimage restore` as the signed-in person (so OpenNebula's
// ACLs decide), then the job follows the new images until they are READY or in ERROR. Canceled,
// it removes the template and images it created (undo-image-restore.ts), or lists what is left.

export type ImageRestoreRequest = {
  imageId: number;
  datastoreId: number;
  name?: string;
  noNic: boolean;
  noIp: boolean;
  incrementId?: number;
  diskId?: number;
};

const FOLLOW_LIMIT_MS = 6 * 3600_000;
const POLL_MS = 1_000;

/** Queues the restore; the backup image's backup server is what the per-server limit counts. */
export async function submitImageRestore(
  person: { username: string; credential: OneCredential },
  req: ImageRestoreRequest,
): Promise<number> {
  const image = await getImage(person.credential, req.imageId);
  // Refused before a job exists: `oneimage restore` would only fail later, inside the job.
  if (image.type !== 'BACKUP') throw new RestoreRefused(`Image ${image.id} (“${image.name}”) is not a backup.`);
  const target = await getDatastore({ kind: 'service' }, req.datastoreId).catch((err: unknown) => {
    if (err instanceof OneNotFound) throw new RestoreRefused(`There is no datastore ${req.datastoreId}.`);
    throw err;
  });
  if (target.type !== 'IMAGE_DS')
    throw new RestoreRefused(`Datastore ${target.id} (“${target.name}”) is not an image datastore: restore into one.`);
  const backupDs = await getDatastore({ kind: 'service' }, image.datastoreId);
  // The per-server job limit counts the backup server the image is read from (one per datastore
  // when its template names none).
  const server = backupServerOf(backupDs);
  return submitJob({
    kind: 'restore-image',
    title: restoreImageTitle(image, target),
    actor: person.username,
    serverKey: server ? serverKey(server) : `datastore-${backupDs.id}`,
    params: { ...req, backupDatastoreId: image.datastoreId, vmIds: image.vmIds },
    run: async (ctx) => {
      ctx.log(
        `oneimage restore ${req.imageId} -d ${req.datastoreId}${req.noNic ? ' --no_nic' : ''}${req.noIp ? ' --no_ip' : ''}${req.name ? ` --name ${req.name}` : ''}${req.incrementId !== undefined ? ` --increment ${req.incrementId}` : ''}${req.diskId !== undefined ? ` --disk_id ${req.diskId}` : ''}`,
      );
      if (ctx.signal.aborted)
        throw new JobCanceled('Canceled before OpenNebula was asked to restore; nothing was created.', { left: [] });
      ctx.progress({ percent: 0, message: 'OpenNebula is registering the restored images.' });
      // Never aborted: oned would go on registering what the CLI asked for, and the IDs of what it
      // made (printed at the end) would be lost. A cancel meanwhile is acted on once they are known.
      const r = await restoreImage(person.credential, {
        imageId: req.imageId,
        datastoreId: req.datastoreId,
        name: req.name,
        noNic: req.noNic,
        noIp: req.noIp,
        incrementId: req.incrementId,
        diskId: req.diskId,
      });
      if (r.templateId !== undefined) ctx.log(`VM Template: ${r.templateId}`);
      ctx.log(`Images: ${r.imageIds.join(' ')}`);
      const undo = () => undoImageRestore(ctx, person.credential, r, FOLLOW_LIMIT_MS);
      if (ctx.signal.aborted) return undo();
      if (r.imageIds.length === 0) throw new JobFailed('OpenNebula restored no image.');
      // OpenNebula copies the data in the background: follow the images until they settle.
      const deadline = Date.now() + FOLLOW_LIMIT_MS;
      const images = new Map<number, Image>();
      for (;;) {
        if (ctx.signal.aborted) return undo();
        for (const id of r.imageIds) {
          const img = await getImage(person.credential, id);
          if (images.get(id)?.state !== img.state) ctx.log(`Image ${id}: ${img.state}`);
          images.set(id, img);
        }
        // oned gives no byte progress of a copy: bytes are those of the images copied, by SIZE.
        const p = imagesBytes([...images.values()]);
        ctx.progress({
          percent: p.bytesTotal
            ? Math.round((p.bytesDone / p.bytesTotal) * 100)
            : Math.round((p.settled / r.imageIds.length) * 100),
          bytesDone: p.bytesDone,
          bytesTotal: p.bytesTotal,
          message:
            p.copying.length > 0
              ? `Image${p.copying.length > 1 ? 's' : ''} ${p.copying.join(', ')} copying; ${p.settled} of ${r.imageIds.length} images copied.`
              : `${p.settled} of ${r.imageIds.length} images copied.`,
        });
        // Settled or not, a cancel asked meanwhile is honoured: the images are removed.
        if (ctx.signal.aborted) return undo();
        if (p.copying.length === 0) break;
        if (Date.now() > deadline) throw new JobFailed('The images were still being copied after 6 hours.');
        // A cancel ends the pause early (the timer rejects with an AbortError); the next turn undoes.
        await sleep(POLL_MS, undefined, { signal: ctx.signal }).catch(() => undefined);
      }
      const states = new Map([...images].map(([id, img]) => [id, img.state]));
      const failed = [...states.entries()].filter(([, s]) => s === 'ERROR').map(([id]) => id);
      // Named as the person sees them; a template they may not read (or gone meanwhile) keeps its ID.
      const templateName =
        r.templateId === undefined
          ? undefined
          : await getTemplate(person.credential, r.templateId).then(
              (t) => t.name,
              () => undefined,
            );
      const result = {
        templateId: r.templateId,
        templateName,
        imageIds: r.imageIds,
        images: r.imageIds.map((id) => {
          const img = images.get(id)!;
          return { id, name: img.name, sizeMb: img.sizeMb, datastoreId: img.datastoreId };
        }),
        states: Object.fromEntries(states),
      };
      if (failed.length > 0)
        throw new JobFailed(
          `OpenNebula could not copy image${failed.length > 1 ? 's' : ''} ${failed.join(', ')} (state ERROR); see the image's error message in OpenNebula.`,
        );
      return {
        message: `Restored: ${r.templateId !== undefined ? `VM template ${r.templateId}${templateName ? ` (“${templateName}”)` : ''}, ` : ''}image${r.imageIds.length > 1 ? 's' : ''} ${result.images.map((i) => `${i.id} (“${i.name}”)`).join(', ')}.`,
        result,
      };
    },
  });
}
