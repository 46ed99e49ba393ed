import { FreshnessNote } from './freshness-note';
import { PageHeader } from './panel';
import { RefreshWhile } from './refresh-while';

/** A page whose object OpenNebula has not shown yet (oned is slow): it says so and asks again. */
export function StillReadingPage({ title, what }: { title: string; what: string }) {
  return (
    <div className="mx-auto max-w-7xl space-y-4">
      <PageHeader title={title} />
      <FreshnessNote freshness={{ state: 'reading' }} what={what} now={0} source="opennebula" />
      <RefreshWhile active />
    </div>
  );
}
