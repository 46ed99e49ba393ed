import 'server-only';
import { notFound } from 'next/navigation';
import { ANSWER_WITHIN_MS } from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors';

/** Runs a page's read; what does not exist, or may not be seen, is a plain 404. */
export async function loadOr404<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    // Answered 404 by the API too (not found, or refused by OpenNebula: the same to the viewer).
    if (isExpectedError(err) && err.status === 404) notFound();
    // A read refused by a rule is a page under a datastore that holds no restic repositories (a
    // read changes nothing, so no other rule refuses it): nothing is there.
    if (isExpectedError(err, 'conflict')) notFound();
    throw err;
  }
}

/**
 * When a page's reads of the backup server must have answered (ANSWER_WITHIN_MS from now), and
 * the time it was asked: what is not known by then shows as stale or still reading.
 */
export function answerDeadline(): { at: number; deadline: number } {
  const at = Date.now();
  return { at, deadline: at + ANSWER_WITHIN_MS };
}

/**
 * As loadOr404, and undefined while what the page reads is not known yet (StillReading: OpenNebula
 * or the backup server has not answered within the bound and nothing was read before): the page
 * says so (StillReadingPage) and asks again.
 */
export async function loadOr404OrReading<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await loadOr404(read);
  } catch (err) {
    if (isExpectedError(err, 'unavailable')) return undefined;
    throw err;
  }
}
