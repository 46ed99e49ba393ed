import type { Metadata } from 'next';
import { requireAdmin } from '@/lib/auth';
import { getConfig } from '@/lib/config';
import { describeConfig, type ConfigRow } from '@/lib/config/describe';

export const metadata: Metadata = { title: 'System' };
// The configuration is read at request time, from the running server's environment.
export const dynamic = 'force-dynamic';

function StatusBadge({ status }: { status: ConfigRow['status'] }) {
  if (!status) return null;
  return status === 'ok' ? (
    <span className="rounded bg-emerald-100 px-1.5 py-0.5 text-xs font-medium text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300">
      found
    </span>
  ) : (
    <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-800 dark:bg-amber-900/50 dark:text-amber-300">
      missing
    </span>
  );
}

/** The effective configuration and the service's paths: an admin's business (issue 22 §7). */
export default async function SystemPage() {
  await requireAdmin('/system');
  const sections = describeConfig(getConfig());
  return (
    <div className="mx-auto max-w-5xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">System</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          How this Backstone reaches OpenNebula and the backup servers. Secrets are never shown.
        </p>
      </div>
      {sections.map((section) => (
        <section
          key={section.title}
          aria-labelledby={`cfg-${section.title}`}
          className="overflow-hidden rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900"
        >
          <h2
            id={`cfg-${section.title}`}
            className="border-b border-slate-200 bg-slate-50 px-4 py-2.5 text-sm font-semibold dark:border-slate-800 dark:bg-slate-800/50"
          >
            {section.title}
          </h2>
          <dl className="divide-y divide-slate-100 dark:divide-slate-800">
            {section.rows.map((row) => (
              <div key={row.label} className="grid grid-cols-3 gap-4 px-4 py-2.5 text-sm">
                <dt className="text-slate-500 dark:text-slate-400">{row.label}</dt>
                <dd className="col-span-2">
                  <div className="flex flex-wrap items-center gap-2">
                    <code className="break-all font-mono text-[13px]">{row.value}</code>
                    <StatusBadge status={row.status} />
                  </div>
                  {row.note && <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{row.note}</p>}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </div>
  );
}
