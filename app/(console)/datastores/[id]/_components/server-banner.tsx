import type { ServerStatus } from '@/lib/catalog';

/** Said plainly when the backup server (or an S3 datastore's bucket) cannot be reached: OpenNebula's side still shows. */
export function ServerBanner({ server }: { server?: ServerStatus }) {
  if (!server || server.reachable) return null;
  if (server.backend === 's3')
    return (
      <div
        role="alert"
        data-testid="server-unreachable"
        className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
      >
        <p className="font-semibold">The bucket {server.host} cannot be read.</p>
        <p className="mt-1">
          {server.message} Below is what OpenNebula knows; snapshots, sizes and locks will show again once Backstone can
          list the bucket and run restic on it.
        </p>
      </div>
    );
  return (
    <div
      role="alert"
      data-testid="server-unreachable"
      className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
    >
      <p className="font-semibold">
        The backup server {server.user}@{server.host} cannot be reached.
      </p>
      <p className="mt-1">
        {server.message} Below is what OpenNebula knows; snapshots, sizes on disk and locks will show again once
        Backstone can log in over SSH.
      </p>
    </div>
  );
}
