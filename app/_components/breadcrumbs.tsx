'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { PATHS_WITHOUT_PAGE, SEGMENT_LABELS } from './nav';

/** A segment's label: its name in the app (own keys only: "__proto__" is a segment like any other), else its text. */
function labelOf(seg: string): string {
  if (Object.hasOwn(SEGMENT_LABELS, seg)) return SEGMENT_LABELS[seg]!;
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg; // malformed escapes ("%zz") are shown as typed
  }
}

export function Breadcrumbs() {
  const pathname = usePathname();
  const segments = pathname.split('/').filter(Boolean);
  const crumbs = [
    { href: '/', label: 'Dashboard' },
    ...segments.map((seg, i) => ({
      href: `/${segments.slice(0, i + 1).join('/')}`,
      label: labelOf(seg),
    })),
  ];
  return (
    <nav aria-label="Breadcrumb" data-testid="breadcrumbs">
      <ol className="flex items-center gap-1.5 text-sm text-slate-500 dark:text-slate-400">
        {crumbs.map((c, i) => {
          const last = i === crumbs.length - 1;
          const page = !PATHS_WITHOUT_PAGE.some((re) => re.test(c.href));
          return (
            <li key={c.href} className="flex items-center gap-1.5">
              {i > 0 && <span aria-hidden>/</span>}
              {last ? (
                <span aria-current="page" className="font-medium text-slate-900 dark:text-slate-100">
                  {c.label}
                </span>
              ) : !page ? (
                <span>{c.label}</span>
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
