import Link from 'next/link';
import type { Metadata } from 'next';
import { requireViewer } from '@/lib/auth';
import { isExpectedError } from '@/lib/errors';
import { applyVmQuery, readVmProtection, type VmProtectionReport } from '@/lib/protection';
import { parseVmsQuery } from '@/lib/schemas/vms';
import { PageHeader, Panel } from '@/app/_components/panel';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { answerDeadline } from '@/app/_components/load';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { VmsTable } from './_components/vms-table';

export const metadata: Metadata = { title: 'VMs' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function VmsPage({ searchParams }: Props) {
  const viewer = await requireViewer('/vms');
  const { at } = answerDeadline();
  const parsed = parseVmsQuery(await searchParams);
  let report: VmProtectionReport | undefined;
  try {
    report = await readVmProtection(viewer);
  } catch (err) {
    // Not answered yet (still reading): the page says so and asks again.
    if (!isExpectedError(err, 'unavailable')) throw err;
  }
  const header = (
    <PageHeader
      title="VMs"
      subtitle={
        viewer.isAdmin
          ? 'Every VM and whether its backups are where they should be.'
          : 'Your VMs and whether their backups are where they should be.'
      }
    />
  );
  if (!parsed.ok)
    return (
      <div className="mx-auto max-w-7xl space-y-4">
        {header}
        <p
          role="alert"
          data-testid="vms-bad-query"
          className="rounded-lg border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/40 dark:text-red-200"
        >
          {parsed.message}{' '}
          <Link href="/vms" className="underline">
            Show every VM
          </Link>
        </p>
      </div>
    );
  if (!report)
    return (
      <div className="mx-auto max-w-7xl space-y-4">
        {header}
        <FreshnessNote freshness={{ state: 'reading' }} what="the VMs" now={0} source="opennebula" />
        <RefreshWhile active />
      </div>
    );
  const rows = applyVmQuery(report.vms, parsed.query);
  const stale = report.freshness.state !== 'fresh';
  return (
    <div className="mx-auto max-w-[100rem] space-y-4">
      {header}
      <FreshnessNote freshness={report.freshness} what="the VMs" now={at} source="opennebula" />
      <RefreshWhile active={stale} />
      <Panel>
        <VmsTable rows={rows} counts={report.counts} query={parsed.query} now={report.asOf} />
      </Panel>
    </div>
  );
}
