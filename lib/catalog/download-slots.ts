import 'server-only';
import { getConfig } from '@/lib/config';
import { ExpectedError } from '@/lib/errors/expected-error';
import { processWide } from '@/lib/config/process-wide';
import { serverKey, type SshTarget } from '@/lib/exec';

// Admission of downloads: each one holds a command (and an SSH channel) on its backup server for as
// long as it streams, so there are at most a few per person and per server. Over a limit a download
// is refused at once with a time to come back, never queued: a queued download would hold the
// person's browser for an unknown time, and a queue of them would only move the pile-up.

/** What a refused download is told to wait: about what a short download, or the idle bound, takes. */
export const DOWNLOAD_RETRY_AFTER_SECONDS = 30;

export class TooManyDownloads extends ExpectedError {
  override name = 'TooManyDownloads';
  readonly kind = 'throttled';
  override readonly retryAfterSeconds = DOWNLOAD_RETRY_AFTER_SECONDS;
  constructor(
    readonly scope: 'user' | 'server',
    readonly limit: number,
    host: string,
  ) {
    super(
      scope === 'user'
        ? `You already have ${limit} downloads running, the most Backstone serves one person at once. Let one finish (or cancel it), then try again.`
        : `The backup server ${host} is already serving ${limit} downloads, the most it serves at once. Try again in ${DOWNLOAD_RETRY_AFTER_SECONDS} seconds.`,
    );
  }
}

const running = processWide('catalog.downloads', () => ({
  byUser: new Map<string, number>(),
  byServer: new Map<string, number>(),
}));

function add(map: Map<string, number>, key: string, n: number): void {
  const v = (map.get(key) ?? 0) + n;
  if (v > 0) map.set(key, v);
  else map.delete(key);
}

/**
 * Takes a download slot for `holder` (the signed-in user) on `server`, or throws TooManyDownloads.
 * Synchronous, so concurrent requests are counted in the order they came. The returned function
 * gives the slot back (once, however often it is called).
 */
export function takeDownloadSlot(holder: string, server: Pick<SshTarget, 'host' | 'port' | 'user'>): () => void {
  const { perUser, perServer } = getConfig().downloads;
  const key = serverKey(server);
  if ((running.byUser.get(holder) ?? 0) >= perUser) throw new TooManyDownloads('user', perUser, server.host);
  if ((running.byServer.get(key) ?? 0) >= perServer) throw new TooManyDownloads('server', perServer, server.host);
  add(running.byUser, holder, 1);
  add(running.byServer, key, 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    add(running.byUser, holder, -1);
    add(running.byServer, key, -1);
  };
}

/** Downloads running now (for tests and the status page). */
export function runningDownloads(): { byUser: Record<string, number>; byServer: Record<string, number> } {
  return { byUser: Object.fromEntries(running.byUser), byServer: Object.fromEntries(running.byServer) };
}
