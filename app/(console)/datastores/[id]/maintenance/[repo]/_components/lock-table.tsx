import type { LockView } from '@/lib/schemas/maintenance';
import { Badge } from '@/app/_components/badge';
import { formatAge, formatDate } from '@/app/_components/format';

const PROCESS: Record<LockView['process'], string> = {
  'restic-running': 'restic running',
  'other-process': 'PID reused',
  dead: 'not running',
  unknown: 'unknown',
};

/** Each lock: kind, host, PID, user, created, age, whether its PID lives, and the verdict. */
export function LockTable({ locks, now }: { locks: LockView[]; now: number }) {
  if (locks.length === 0)
    return (
      <p className="px-4 py-3 text-sm text-slate-500" data-testid="no-locks">
        No locks: nothing holds this repository.
      </p>
    );
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-xs text-slate-500 uppercase dark:bg-slate-800/50">
          <tr>
            <th className="px-3 py-2">Lock</th>
            <th className="px-3 py-2">Kind</th>
            <th className="px-3 py-2">Host</th>
            <th className="px-3 py-2">PID</th>
            <th className="px-3 py-2">User</th>
            <th className="px-3 py-2">Created</th>
            <th className="px-3 py-2">Process</th>
            <th className="px-3 py-2">Verdict</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {locks.map((l) => (
            <tr key={l.id} data-testid={`lock-row-${l.shortId}`} className="align-top">
              <td className="px-3 py-2 font-mono text-xs">{l.shortId}</td>
              <td className="px-3 py-2">
                {l.exclusive ? <Badge tone="warning">exclusive</Badge> : <Badge tone="muted">shared</Badge>}
              </td>
              <td className="px-3 py-2" data-testid={`lock-host-${l.shortId}`}>
                {l.hostname}
                {l.checkedOn === 'backup-server' && <span className="block text-xs text-slate-500">backup server</span>}
                {l.checkedOn === 'opennebula-host' && (
                  <span className="block text-xs text-slate-500">OpenNebula host</span>
                )}
              </td>
              <td className="px-3 py-2 tabular-nums" data-testid={`lock-pid-${l.shortId}`}>
                {l.pid}
              </td>
              <td className="px-3 py-2">{l.username}</td>
              <td className="px-3 py-2 text-xs">
                {formatDate(l.time)}
                <span className="block text-slate-500" data-testid={`lock-age-${l.shortId}`}>
                  {formatAge(now - l.ageMs, now)}
                </span>
              </td>
              <td className="px-3 py-2 text-xs" data-testid={`lock-process-${l.shortId}`}>
                {PROCESS[l.process]}
                {l.processName && l.process === 'other-process' ? ` (${l.processName})` : ''}
              </td>
              <td className="px-3 py-2">
                <Badge
                  tone={l.verdict === 'stale' ? 'info' : 'error'}
                  testId={`lock-verdict-${l.shortId}`}
                  title={l.reasons.join(' ')}
                >
                  {l.verdict === 'stale' ? 'stale' : 'possibly active'}
                </Badge>
                <ul className="mt-1 list-disc pl-4 text-xs text-slate-600 dark:text-slate-400">
                  {l.reasons.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                  {l.verdict === 'stale' && !l.removableByUnlock && (
                    <li>restic unlock cannot prove it stale from the backup server: use Remove all locks.</li>
                  )}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
