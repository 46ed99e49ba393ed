// Which repository and which snapshots an image's backup lives in, as the driver derives them.
import type { Image, Increment } from '../store/types';
import { getValue } from '../template/template';

export function imageRepoId(img: Image): string {
  const bj = getValue(img.template, 'BACKUP_JOB_ID');
  if (bj !== undefined && bj !== '') return `job_${bj}`;
  const vm = img.vms[0];
  if (vm !== undefined) return String(vm);
  const m = /(\d+)\/backup\/[^/]+$/.exec(img.path);
  if (m) return m[1]!;
  throw new Error(`cannot tell the repository of image ${img.id}`);
}

/** `@increments[0] = SOURCE if @increments.empty?` (TransferManager::BackupImage). */
export function imageChain(img: Image): Increment[] {
  if (img.increments.length) return img.increments;
  return [{ id: 0, parentId: -1, type: 'FULL', source: img.source, size: img.size, date: img.regtime }];
}

export function imageBackupJobId(img: Image): number | undefined {
  const bj = getValue(img.template, 'BACKUP_JOB_ID');
  return bj !== undefined && /^\d+$/.test(bj) ? Number(bj) : undefined;
}
