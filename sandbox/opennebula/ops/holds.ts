// Test holds: a moment of the front-end's work (a restore's driver action, an image copy, oned's
// answer to `oneimage show`, to any pool listing or to any `show`) can be held while a file exists, as a slow
// backup server or a busy oned would hold it, so tests can act "while it happens" without sleeping.
// Nothing holds unless a test creates the file; a hold lasts at most HOLD_LIMIT_MS, then the work
// goes on. Likewise an image can be marked as used by a VM, so `oneimage delete` refuses it as oned
// refuses an image in use.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrontendPaths } from '../paths';

/**
 * 'list': every `list` of every command (a busy oned answering its pools slowly); 'show': every
 * `show` of every command (a busy oned answering its one-object reads slowly: `onevm show`,
 * `onedatastore show [--decrypt]`, `onebackupjob show`, ...).
 */
export type HoldPoint = 'restore' | 'copy' | 'image-show' | 'backup' | 'restore-vm' | 'list' | 'show';

const HOLD_LIMIT_MS = 10 * 60_000;
const POLL_MS = 20;

const holdsDir = (paths: FrontendPaths) => join(paths.one, 'holds');
const holdFile = (paths: FrontendPaths, point: HoldPoint) => join(holdsDir(paths), point);
// One marker per wait, not per process: the CLI service waits for many commands at once.
const waitingFile = (paths: FrontendPaths, point: HoldPoint) =>
  join(holdsDir(paths), `${point}.waiting.${process.pid}.${randomUUID()}`);

/** Waits while `point` is held; while it waits, a marker file says so (see isWaitingAt). */
export async function passHold(paths: FrontendPaths, point: HoldPoint): Promise<void> {
  if (!existsSync(holdFile(paths, point))) return;
  const marker = waitingFile(paths, point);
  writeFileSync(marker, '');
  try {
    const deadline = Date.now() + HOLD_LIMIT_MS;
    while (existsSync(holdFile(paths, point)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, POLL_MS));
  } finally {
    rmSync(marker, { force: true });
  }
}

/** Holds `point` until the returned function is called. */
export function hold(paths: FrontendPaths, point: HoldPoint): () => void {
  mkdirSync(holdsDir(paths), { recursive: true });
  writeFileSync(holdFile(paths, point), '');
  return () => rmSync(holdFile(paths, point), { force: true });
}

/** Whether some process waits at `point` now. */
export function isWaitingAt(paths: FrontendPaths, point: HoldPoint): boolean {
  if (!existsSync(holdsDir(paths))) return false;
  return readdirSync(holdsDir(paths)).some((n) => n.startsWith(`${point}.waiting.`));
}

const inUseFile = (paths: FrontendPaths, imageId: number) => join(holdsDir(paths), `image-in-use.${imageId}`);

/**
 * Marks image `imageId` as used by a running VM until the returned function is called: meanwhile
 * `oneimage delete` refuses it as oned's ImageManager::delete_image refuses an image in use.
 */
export function markImageInUse(paths: FrontendPaths, imageId: number): () => void {
  mkdirSync(holdsDir(paths), { recursive: true });
  writeFileSync(inUseFile(paths, imageId), '');
  return () => rmSync(inUseFile(paths, imageId), { force: true });
}

export function isImageInUse(paths: FrontendPaths, imageId: number): boolean {
  return existsSync(inUseFile(paths, imageId));
}
