'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { SEGMENT_LABELS } from './nav';

export function Breadcrumbs() {
  const pathname = usePathname();
  const segments = pathname.split('/').filter(Boolean);
  const crumbs = [
    { href: '/', label: 'Dashboard' },
    ...segments.map((seg, i) => ({
      href: `/${segments.slice(0, i + 1).join('/')}`,
      label: SEGMENT_LABELS[seg] ?? decodeURIComponent(seg),
    })),
  ];
  return (
    <nav aria-label="Breadcrumb" data-testid="breadcrumbs">
      <ol className="flex items-center gap-1.5 text-sm text-slate-500 dark:text-slate-400">
        {crumbs.map((c, i) => {
          const last = i === crumbs.length - 1;
          return (
            <li key={c.href} className="flex items-center gap-1.5">
              {i > 0 && <span aria-hidden>/</span>}
              {last ? (
                <span aria-current="page" className="font-medium text-slate-900 dark:text-slate-100">
                  {c.label}
                </span>
              ) : (
                <Link href={c.href} className="hover:text-brand-600 hover:underline">
                  {c.label}
                </Link>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
