import type { LockView } from '@/lib/schemas/maintenance';
import { Badge } from '@/app/_components/badge';
import { formatAge, formatDate } from '@/app/_components/format';
import { SimpleTable, type SimpleColumn } from '@/app/_components/simple-table';

const PROCESS: Record<LockView['process'], string> = {
  'restic-running': 'restic running',
  'other-process': 'PID reused',
  dead: 'not running',
  unknown: 'unknown',
};

function columns(now: number): SimpleColumn<LockView>[] {
  return [
    { header: 'Lock', className: 'font-mono text-xs', cell: (l) => l.shortId },
    {
      header: 'Kind',
      cell: (l) => (l.exclusive ? <Badge tone="warning">exclusive</Badge> : <Badge tone="muted">shared</Badge>),
    },
    {
      header: 'Host',
      testId: (l) => `lock-host-${l.shortId}`,
      cell: (l) => (
        <>
          {l.hostname}
          {l.checkedOn === 'backup-server' && <span className="block text-xs text-slate-500">backup server</span>}
          {l.checkedOn === 'opennebula-host' && <span className="block text-xs text-slate-500">OpenNebula host</span>}
        </>
      ),
    },
    { header: 'PID', className: 'tabular-nums', testId: (l) => `lock-pid-${l.shortId}`, cell: (l) => l.pid },
    { header: 'User', cell: (l) => l.username },
    {
      header: 'Created',
      className: 'text-xs',
      cell: (l) => (
        <>
          {formatDate(l.time)}
          <span className="block text-slate-500" data-testid={`lock-age-${l.shortId}`}>
            {formatAge(now - l.ageMs, now)}
          </span>
        </>
      ),
    },
    {
      header: 'Process',
      className: 'text-xs',
      testId: (l) => `lock-process-${l.shortId}`,
      cell: (l) =>
        `${PROCESS[l.process]}${l.processName && l.process === 'other-process' ? ` (${l.processName})` : ''}`,
    },
    {
      header: 'Verdict',
      cell: (l) => (
        <>
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
        </>
      ),
    },
  ];
}

/** Each lock: kind, host, PID, user, created, age, whether its PID lives, and the verdict. */
export function LockTable({ locks, now }: { locks: LockView[]; now: number }) {
  if (locks.length === 0)
    return (
      <p className="px-4 py-3 text-sm text-slate-500" data-testid="no-locks">
        No locks: nothing holds this repository.
      </p>
    );
  return (
    <SimpleTable rows={locks} rowKey={(l) => l.id} rowTestId={(l) => `lock-row-${l.shortId}`} columns={columns(now)} />
  );
}
