import Link from 'next/link';
import type { Problem } from '@/lib/catalog';
import { Badge } from '@/app/_components/badge';
import { Panel } from '@/app/_components/panel';

const TITLES: Record<Problem['kind'], string> = {
  'orphan-snapshot': 'Orphan snapshot',
  'dangling-image': 'Dangling backup image',
  'dangling-increment': 'Dangling increment',
  'broken-chain': 'Broken increment chain',
  uninitialized: 'Not a repository',
  unreadable: 'Repository restic cannot read',
};

/** Consistency findings in plain words, each with what to do. */
export function ProblemsList({
  problems,
  datastoreId,
  pending = 0,
}: {
  problems: Problem[];
  datastoreId: number;
  /** Repositories not read yet: "all consistent" cannot be said while there are any. */
  pending?: number;
}) {
  const unread = `${pending} repositor${pending === 1 ? 'y is' : 'ies are'} still being read`;
  const verdict =
    problems.length > 0 ? `${problems.length} to look at` : pending > 0 ? 'none found yet' : 'all consistent';
  return (
    <Panel title={`Consistency (${verdict})`} testId="problems">
      {problems.length === 0 ? (
        <p className="px-4 py-4 text-sm text-slate-600 dark:text-slate-400">
          {pending > 0
            ? `No problem in the repositories read so far; ${unread}.`
            : 'Every backup image and increment has its snapshot, every chain is whole, and no old snapshot is left without an image.'}
        </p>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {problems.map((p, i) => (
            <li
              key={`${p.kind}-${p.repository}-${p.snapshotId ?? ''}-${p.imageId ?? ''}-${p.incrementId ?? ''}-${i}`}
              className="px-4 py-3 text-sm"
              data-testid={`problem-${p.kind}`}
            >
              <div className="flex flex-wrap items-center gap-2">
                <Badge tone={p.severity === 'error' ? 'error' : 'warning'}>{TITLES[p.kind]}</Badge>
                <Link
                  href={`/datastores/${datastoreId}/repos/${p.repository}`}
                  className="font-mono text-xs text-brand-600 hover:underline"
                >
                  {p.repository}
                </Link>
              </div>
              <p className="mt-1">{p.message}</p>
              <p className="mt-0.5 text-slate-600 dark:text-slate-400">
                <span className="font-medium">What to do: </span>
                {p.action}
              </p>
            </li>
          ))}
          {pending > 0 && (
            <li className="px-4 py-3 text-sm text-slate-600 dark:text-slate-400">Not yet known: {unread}.</li>
          )}
        </ul>
      )}
    </Panel>
  );
}
