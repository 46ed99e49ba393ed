import 'server-only';
import type { Image, RestoreResult } from './models';
import { checkId, readOne, runOne, type OneCallOptions, type OneCredential } from './cli';
import { OneCliError } from './errors';
import { parseImage, parseImagePool } from './parse/image-xml';

/** `oneimage list -x`: every image the credentials may see. */
export async function listImages(cred: OneCredential, opts?: OneCallOptions): Promise<Image[]> {
  return readOne(cred, { program: 'oneimage', args: ['list', '-x'] }, parseImagePool, opts);
}

/** BACKUP images (TYPE 6) with their increments, optionally those of one backup datastore only. */
export async function listBackupImages(
  cred: OneCredential,
  datastoreId?: number,
  opts?: OneCallOptions,
): Promise<Image[]> {
  if (datastoreId !== undefined) checkId(datastoreId, 'datastore ID');
  return (await listImages(cred, opts)).filter(
    (i) => i.type === 'BACKUP' && (datastoreId === undefined || i.datastoreId === datastoreId),
  );
}

/** `oneimage show -x ID`. */
export async function getImage(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<Image> {
  return readOne(cred, { program: 'oneimage', args: ['show', '-x', checkId(id, 'image ID')] }, parseImage, opts);
}

export type RestoreImageInput = {
  imageId: number;
  /** The IMAGE_DS that receives the restored disk images. */
  datastoreId: number;
  noNic?: boolean;
  noIp?: boolean;
  /** Name of the new template and images; defaults to oned's `<VM_ID>-<snapshot>`. */
  name?: string;
  /** Restore up to this increment instead of the last one. */
  incrementId?: number;
  /** Restore only this disk (no VM template is created then). */
  diskId?: number;
};

// oned waits up to 180 s for the driver's restore action; leave room for the CLI round trip.
const RESTORE_TIMEOUT_MS = 240_000;

/**
 * `oneimage restore IMG -d DS [--no_nic] [--no_ip] [--name=N] [--increment N] [--disk_id N]`, run as
 * the given user (the new images belong to them). Returns the new template and image IDs.
 */
export async function restoreImage(
  cred: OneCredential,
  input: RestoreImageInput,
  opts?: OneCallOptions,
): Promise<RestoreResult> {
  const args = ['restore', checkId(input.imageId, 'image ID'), '-d', checkId(input.datastoreId, 'datastore ID')];
  if (input.noNic) args.push('--no_nic');
  if (input.noIp) args.push('--no_ip');
  if (input.name !== undefined) args.push(`--name=${checkRestoreName(input.name)}`);
  if (input.incrementId !== undefined) args.push('--increment', checkId(input.incrementId, 'increment ID'));
  if (input.diskId !== undefined) args.push('--disk_id', checkId(input.diskId, 'disk ID'));
  const out = await runOne(cred, { program: 'oneimage', args, defaultTimeoutMs: RESTORE_TIMEOUT_MS }, opts);
  return parseRestoreOutput(out);
}

/** `oneimage delete ID` (for a backup image oned runs `restic forget --prune` on its snapshots). */
export async function deleteImage(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<void> {
  await runOne(cred, { program: 'oneimage', args: ['delete', checkId(id, 'image ID')] }, opts);
}

// The CLI pastes the name into `NAME="<name>"` of the restore options, unescaped: a quote,
// backslash or line break would change that template, so they are refused.
function checkRestoreName(name: string): string {
  if (!name.trim() || /["\\\p{Cc}]/u.test(name)) {
    throw new RangeError('A restore name must not be empty or contain quotes, backslashes or control characters.');
  }
  return name;
}

/** The CLI prints `VM Template: <id>` and `Images: <id> <id> ...` from the driver's `<tmpl> <imgs...>`. */
export function parseRestoreOutput(stdout: string): RestoreResult {
  const tmpl = /^VM Template:\s*(-?\d+)\s*$/m.exec(stdout);
  const imgs = /^Images:\s*([\d\s]*)$/m.exec(stdout);
  if (!tmpl && !imgs) throw new OneCliError('oneimage restore did not print the restored template or images.');
  const templateId = tmpl ? Number(tmpl[1]) : undefined;
  return {
    ...(templateId !== undefined && templateId >= 0 ? { templateId } : {}),
    imageIds: imgs ? imgs[1]!.trim().split(/\s+/).filter(Boolean).map(Number) : [],
  };
}
