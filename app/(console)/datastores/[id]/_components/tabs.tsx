import Link from 'next/link';
import { LinkPending } from '@/app/_components/link-pending';

export const TABS = [
  { id: 'repositories', label: 'Repositories' },
  { id: 'capacity', label: 'Capacity' },
  { id: 'info', label: 'Info' },
  { id: 'maintenance', label: 'Maintenance' },
] as const;
export type TabId = (typeof TABS)[number]['id'];

export function tabOf(v: string | string[] | undefined): TabId {
  return TABS.find((t) => t.id === v)?.id ?? 'repositories';
}

export function DatastoreTabs({ id, active, admin = false }: { id: number; active: TabId; admin?: boolean }) {
  return (
    <nav aria-label="Datastore sections" className="flex gap-1 border-b border-slate-200 dark:border-slate-800">
      {TABS.filter((t) => admin || t.id !== 'maintenance').map((t) => (
        <Link
          key={t.id}
          href={`/datastores/${id}?tab=${t.id}`}
          aria-current={t.id === active ? 'page' : undefined}
          data-testid={`tab-${t.id}`}
          className={`-mb-px border-b-2 px-4 py-2 text-sm font-medium ${
            t.id === active
              ? 'border-brand-500 text-brand-700 dark:text-brand-100'
              : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100'
          }`}
        >
          {t.label}
          <LinkPending />
        </Link>
      ))}
    </nav>
  );
}
