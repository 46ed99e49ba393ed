import { CopyButton } from '@/app/_components/copy-button';
import type { CheckStatus, ReportCheck } from '@/lib/schemas/datastore-preflight';

const STYLE: Record<CheckStatus, string> = {
  pass: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300',
  warn: 'bg-amber-100 text-amber-800 dark:bg-amber-900/50 dark:text-amber-300',
  fail: 'bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-300',
};

/** Checks as pass / warning / fail, each failing one with the exact command that fixes it. */
export function CheckList({ checks, testId }: { checks: readonly ReportCheck[]; testId: string }) {
  return (
    <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid={testId}>
      {checks.map((c, i) => (
        <li key={`${c.id}-${i}`} className="py-2" data-testid={`check-${c.id}`} data-status={c.status}>
          <div className="flex items-start gap-2">
            <span className={`rounded px-1.5 py-0.5 text-xs font-semibold uppercase ${STYLE[c.status]}`}>
              {c.status === 'warn' ? 'warning' : c.status}
            </span>
            <div className="min-w-0 flex-1">
              <p className="text-sm font-medium">{c.label}</p>
              <p className="text-sm text-slate-600 dark:text-slate-400">{c.detail}</p>
              {c.fix && (
                <div className="mt-1">
                  <p className="text-xs font-medium text-slate-500">Fix:</p>
                  <pre
                    className="mt-0.5 overflow-x-auto rounded bg-slate-100 px-2 py-1 font-mono text-xs whitespace-pre-wrap dark:bg-slate-800"
                    data-testid="check-fix"
                  >
                    {c.fix}
                  </pre>
                </div>
              )}
              {c.copy && (
                <div className="mt-1 space-y-1">
                  <p className="text-xs font-medium text-slate-500">{c.copy.label}:</p>
                  <code
                    className="block overflow-x-auto rounded bg-slate-100 px-2 py-1 font-mono text-xs break-all dark:bg-slate-800"
                    data-testid="check-copy-value"
                  >
                    {c.copy.value}
                  </code>
                  <CopyButton value={c.copy.value} label={c.copy.label} testId="check-copy" />
                </div>
              )}
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}
