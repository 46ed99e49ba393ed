import type { Freshness } from '@/lib/catalog';
import { formatAge } from './format';

const SOURCE = {
  'backup-server': { from: 'the backup server', subject: 'The backup server' },
  opennebula: { from: 'OpenNebula', subject: 'OpenNebula' },
} as const;

/**
 * The honest state of what a page shows from the backup server (or from OpenNebula): nothing when
 * it is fresh, its age when the source is slow or failing, "still reading" when nothing was read
 * yet. The page refreshes itself meanwhile (RefreshWhile).
 */
export function FreshnessNote({
  freshness,
  what,
  now,
  source = 'backup-server',
}: {
  freshness: Freshness;
  what: string;
  now: number;
  source?: keyof typeof SOURCE;
}) {
  if (freshness.state === 'fresh') return null;
  const { from, subject } = SOURCE[source];
  const tone =
    'rounded-lg border px-4 py-2 text-sm border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200';
  if (freshness.state === 'reading') {
    return (
      <p role="status" aria-live="polite" data-testid="still-reading" className={tone}>
        Still reading {what} from {from}; this page updates by itself.
      </p>
    );
  }
  const age = formatAge(freshness.readAt, now);
  return (
    <p role="status" aria-live="polite" data-testid="stale-data" className={tone}>
      {freshness.reason === 'slow'
        ? `${subject} is slow: showing ${what} as read ${age}.`
        : `${subject} did not answer (${freshness.message ?? 'no reply'}): showing ${what} as read ${age}.`}{' '}
      This page updates by itself.
    </p>
  );
}
