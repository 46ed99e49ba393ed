// No 'use client': the datastore page's Maintenance tab (a Server Component) shows it too, and
// importing it from check-panel.tsx would put the whole check form into that page's JavaScript.
import type { CheckRecord } from '@/lib/schemas/maintenance';
import { Badge } from '@/app/_components/badge';
import { formatAge, formatDate } from '@/app/_components/format';

/** The last check's verdict, kept per repository. */
export function CheckVerdict({ last, now }: { last?: CheckRecord; now: number }) {
  if (!last) return <span className="text-xs text-slate-500">never checked</span>;
  const scope = last.readDataPercent ? `, read ${last.readDataPercent} % of the data` : ', structure';
  return last.ok ? (
    <Badge tone="ok" testId="check-verdict" title={formatDate(last.at)}>
      verified {formatAge(last.at, now)}
      {scope}
    </Badge>
  ) : (
    <Badge tone="error" testId="check-verdict" title={formatDate(last.at)}>
      damaged ({last.errors.length} error{last.errors.length === 1 ? '' : 's'}, {formatAge(last.at, now)})
    </Badge>
  );
}
