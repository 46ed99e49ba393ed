import type { Metadata } from 'next';
import { recentAudit, requireAdmin, type AuditEntry } from '@/lib/auth';
import { formatDate } from '@/app/_components/format';
import { SimpleTable, type SimpleColumn } from '@/app/_components/simple-table';

export const metadata: Metadata = { title: 'Audit log' };

const OUTCOME_STYLE = {
  ok: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300',
  failed: 'bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-300',
  refused: 'bg-amber-100 text-amber-800 dark:bg-amber-900/50 dark:text-amber-300',
} as const;

const COLUMNS: SimpleColumn<AuditEntry>[] = [
  { header: 'When', className: 'whitespace-nowrap tabular-nums', cell: (e) => formatDate(e.at, { seconds: true }) },
  { header: 'Who', cell: (e) => e.actor },
  { header: 'Action', className: 'font-mono text-xs', cell: (e) => e.action },
  { header: 'Target', className: 'font-mono text-xs', cell: (e) => e.target },
  {
    header: 'Outcome',
    cell: (e) => (
      <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${OUTCOME_STYLE[e.outcome]}`}>{e.outcome}</span>
    ),
  },
  { header: 'Detail', className: 'text-slate-600 dark:text-slate-400', cell: (e) => e.detail },
  { header: 'Address', className: 'font-mono text-xs', cell: (e) => e.address },
];

export default async function AuditPage() {
  await requireAdmin('/audit');
  const entries = recentAudit(500);
  return (
    <div className="mx-auto max-w-6xl space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Audit log</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Sign-ins and every write action: who, what, when and how it ended. Latest first.
        </p>
      </div>
      <div className="overflow-hidden rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <SimpleTable
          testId="audit-table"
          rows={entries}
          rowKey={(e) => e.id}
          columns={COLUMNS}
          empty="Nothing recorded yet."
        />
      </div>
    </div>
  );
}
