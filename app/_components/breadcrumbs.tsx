'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { PATHS_WITHOUT_PAGE, SEGMENT_LABELS } from './nav';

const SNAPSHOT_ID = /^[0-9a-f]{64}$/;

/** A segment's label: its name in the app (own keys only: "__proto__" is a segment like any other), else its text. */
export function labelOf(seg: string): string {
  if (Object.hasOwn(SEGMENT_LABELS, seg)) return SEGMENT_LABELS[seg]!;
  // A snapshot ID is shown short, as restic does; the full one is the crumb's title.
  if (SNAPSHOT_ID.test(seg)) return seg.slice(0, 8);
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg; // malformed escapes ("%zz") are shown as typed
  }
}

function fullText(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

export function Breadcrumbs() {
  const pathname = usePathname();
  const segments = pathname.split('/').filter(Boolean);
  const crumbs = [
    { href: '/', label: 'Dashboard', title: 'Dashboard' },
    ...segments.map((seg, i) => ({
      href: `/${segments.slice(0, i + 1).join('/')}`,
      label: labelOf(seg),
      title: fullText(seg),
    })),
  ];
  return (
    <nav aria-label="Breadcrumb" data-testid="breadcrumbs" className="min-w-0">
      <ol className="flex min-w-0 items-center gap-1.5 text-sm whitespace-nowrap text-slate-500 dark:text-slate-400">
        {crumbs.map((c, i) => {
          const last = i === crumbs.length - 1;
          const page = !PATHS_WITHOUT_PAGE.some((re) => re.test(c.href));
          return (
            // On a phone only the page's own crumb shows; the menu button leads everywhere else.
            <li key={c.href} className={`min-w-0 items-center gap-1.5 ${last ? 'flex' : 'hidden sm:flex'}`}>
              {i > 0 && (
                <span aria-hidden className={last ? 'hidden sm:inline' : undefined}>
                  /
                </span>
              )}
              {last ? (
                <span
                  aria-current="page"
                  title={c.title}
                  className="block max-w-[16rem] truncate font-medium text-slate-900 dark:text-slate-100"
                >
                  {c.label}
                </span>
              ) : !page ? (
                <span title={c.title} className="block max-w-[10rem] truncate">
                  {c.label}
                </span>
              ) : (
                <Link
                  href={c.href}
                  title={c.title}
                  className="block max-w-[10rem] truncate hover:text-brand-600 hover:underline"
                >
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
