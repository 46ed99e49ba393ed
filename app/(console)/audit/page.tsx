import type { Metadata } from 'next';
import { recentAudit, requireAdmin } from '@/lib/auth';
import { formatDate } from '@/app/_components/format';

export const metadata: Metadata = { title: 'Audit log' };

const OUTCOME_STYLE = {
  ok: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300',
  failed: 'bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-300',
  refused: 'bg-amber-100 text-amber-800 dark:bg-amber-900/50 dark:text-amber-300',
} as const;

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
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="min-w-full text-sm" data-testid="audit-table">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50 dark:text-slate-400">
            <tr>
              <th className="px-3 py-2">When</th>
              <th className="px-3 py-2">Who</th>
              <th className="px-3 py-2">Action</th>
              <th className="px-3 py-2">Target</th>
              <th className="px-3 py-2">Outcome</th>
              <th className="px-3 py-2">Detail</th>
              <th className="px-3 py-2">Address</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {entries.map((e) => (
              <tr key={e.id}>
                <td className="px-3 py-2 whitespace-nowrap tabular-nums">{formatDate(e.at, { seconds: true })}</td>
                <td className="px-3 py-2">{e.actor}</td>
                <td className="px-3 py-2 font-mono text-xs">{e.action}</td>
                <td className="px-3 py-2 font-mono text-xs">{e.target}</td>
                <td className="px-3 py-2">
                  <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${OUTCOME_STYLE[e.outcome]}`}>
                    {e.outcome}
                  </span>
                </td>
                <td className="px-3 py-2 text-slate-600 dark:text-slate-400">{e.detail}</td>
                <td className="px-3 py-2 font-mono text-xs">{e.address}</td>
              </tr>
            ))}
            {entries.length === 0 && (
              <tr>
                <td colSpan={7} className="px-3 py-6 text-center text-slate-500">
                  Nothing recorded yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
