import type { Metadata } from 'next';
import Link from 'next/link';
import { requireViewer } from '@/lib/auth';
import { getConfig } from '@/lib/config';
import { describeConfig, type ConfigRow } from '@/lib/config/describe';

export const metadata: Metadata = { title: 'Dashboard' };
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

/** What a VM owner sees: where to go. The service's paths are an admin's business (issue 22 §7). */
function Welcome({ username }: { username: string }) {
  const links = [
    {
      href: '/datastores',
      title: 'Datastores',
      text: 'The backups of your VMs: snapshots, files, downloads and restores.',
    },
    { href: '/jobs', title: 'Jobs', text: 'Restores you started and how far they got.' },
  ];
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Welcome, {username}</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Backstone shows the backups OpenNebula lets you see, and restores them.
        </p>
      </div>
      <ul className="grid gap-4 sm:grid-cols-2">
        {links.map((l) => (
          <li key={l.href}>
            <Link
              href={l.href}
              className="block rounded-lg border border-slate-200 bg-white p-4 hover:border-brand-500 dark:border-slate-800 dark:bg-slate-900"
            >
              <span className="font-semibold text-brand-600">{l.title}</span>
              <span className="mt-1 block text-sm text-slate-600 dark:text-slate-400">{l.text}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

export default async function HomePage() {
  const viewer = await requireViewer('/');
  if (!viewer.isAdmin) return <Welcome username={viewer.username} />;
  const sections = describeConfig(getConfig());
  return (
    <div className="mx-auto max-w-5xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Dashboard</h1>
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
