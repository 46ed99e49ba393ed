import 'server-only';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  deleteImage,
  deleteTemplate,
  getImage,
  OneNotFound,
  type Image,
  type OneCallOptions,
  type OneCredential,
} from '@/lib/opennebula';
import { describeObjects, leftText, type Leftover } from './cancel-report';
import { JobCanceled, type JobContext } from './runner';

// Undoing `oneimage restore` after a cancel: the VM template is deleted at once; each image once
// OpenNebula has finished copying it. oned accepts `oneimage delete` of a LOCKED image, but while
// the copy runs the image has no SOURCE yet, so oned only drops the record and the copy then
// leaves its data in the image datastore with nothing pointing at it ("CP operation succeeded but
// image no longer exists ... may be left in datastore"). So the job waits for the copy, says so,
// and deletes the image when it is READY or in ERROR; whatever is still there at the bound is
// listed with the command that removes it.

export type Created = { templateId?: number; imageIds: number[] };

const POLL_MS = 1_000;
/** Each CLI call of the cleanup: its own bound (the job's signal is already aborted). */
const CALL_MS = 120_000;

const COPYING = new Set(['INIT', 'LOCKED', 'CLONE']);

// A fresh signal per call: never the job's (aborted), and it keeps the read out of the shared cache.
const call = (): OneCallOptions => ({ signal: AbortSignal.timeout(CALL_MS) });

async function imageOrGone(cred: OneCredential, id: number): Promise<Image | undefined> {
  try {
    return await getImage(cred, id, call());
  } catch (err) {
    if (err instanceof OneNotFound) return undefined;
    throw err;
  }
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/\.$/, '');

/** Removes what the restore created and throws the JobCanceled that says what was and what is left. */
export async function undoImageRestore(
  ctx: JobContext,
  cred: OneCredential,
  created: Created,
  limitMs: number,
): Promise<never> {
  const deadline = Date.now() + limitMs;
  const removedTemplates: number[] = [];
  const removedImages: number[] = [];
  const left: Leftover[] = [];
  ctx.progress({ message: 'Canceling: removing what the job created in OpenNebula.' });

  if (created.templateId !== undefined) {
    const id = created.templateId;
    try {
      await deleteTemplate(cred, id, call());
      ctx.log(`Deleted VM template ${id}.`);
      removedTemplates.push(id);
    } catch (err) {
      if (err instanceof OneNotFound) {
        ctx.log(`VM template ${id} was already gone.`);
        removedTemplates.push(id);
      } else {
        ctx.log(`Could not delete VM template ${id}: ${reasonOf(err)}.`);
        left.push({ what: `VM template ${id}`, reason: reasonOf(err), command: `onetemplate delete ${id}` });
      }
    }
  }

  // Each image: wait while it is copied, ask once for its deletion, follow it until it is gone.
  const pending = new Map<number, { asked: boolean; said?: string }>(
    created.imageIds.map((id) => [id, { asked: false }]),
  );
  const say = (id: number, line: string) => {
    const p = pending.get(id)!;
    if (p.said !== line) ctx.log(line);
    p.said = line;
  };
  while (pending.size > 0) {
    for (const [id, p] of [...pending]) {
      let image: Image | undefined;
      try {
        image = await imageOrGone(cred, id);
      } catch (err) {
        say(id, `Could not read image ${id}: ${reasonOf(err)}.`);
        continue;
      }
      if (!image) {
        ctx.log(p.asked ? `Deleted image ${id}.` : `Image ${id} was already gone.`);
        removedImages.push(id);
        pending.delete(id);
      } else if (COPYING.has(image.state)) {
        say(id, `Image ${id}: OpenNebula is still copying it (${image.state}); it is deleted when the copy ends.`);
      } else if (p.asked && image.state === 'ERROR') {
        left.push({
          what: `image ${id}`,
          reason: 'OpenNebula could not delete it (state ERROR; see its error message in OpenNebula)',
          command: `oneimage delete ${id}`,
        });
        pending.delete(id);
      } else if (!p.asked && image.state !== 'DELETE') {
        try {
          await deleteImage(cred, id, call());
          p.asked = true;
          say(id, `Image ${id} (${image.state}): oneimage delete ${id}`);
        } catch (err) {
          left.push({ what: `image ${id}`, reason: reasonOf(err), command: `oneimage delete ${id}` });
          pending.delete(id);
        }
      }
    }
    if (pending.size === 0) break;
    const copying = [...pending.keys()].filter((id) => !pending.get(id)!.asked);
    ctx.progress({
      message:
        copying.length > 0
          ? `Canceling: waiting for OpenNebula to finish copying image${copying.length > 1 ? 's' : ''} ${copying.join(', ')}, then deleting ${copying.length > 1 ? 'them' : 'it'} (deleting during the copy would leave its data in the datastore).`
          : `Canceling: OpenNebula is deleting image${pending.size > 1 ? 's' : ''} ${[...pending.keys()].join(', ')}.`,
    });
    if (Date.now() > deadline) {
      for (const [id, p] of pending)
        left.push({
          what: `image ${id}`,
          reason: p.asked
            ? `its deletion had not ended after ${Math.round(limitMs / 60_000)} minutes`
            : `OpenNebula was still copying it after ${Math.round(limitMs / 60_000)} minutes`,
          command: `oneimage delete ${id}`,
        });
      break;
    }
    await sleep(POLL_MS);
  }

  const removed = describeObjects(removedTemplates, removedImages);
  const parts = [
    'Canceled.',
    removed.length > 0 ? `Removed what the job had created in OpenNebula: ${removed.join(', ')}.` : '',
    left.length > 0 ? leftText('in OpenNebula', left) : '',
  ];
  throw new JobCanceled(parts.filter(Boolean).join(' '), {
    removed: { templateIds: removedTemplates, imageIds: removedImages },
    left,
  });
}
