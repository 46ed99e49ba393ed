import type { Metadata } from 'next';
import Link from 'next/link';
import { alertHistory, keptConditions, type Delivery, type KeptCondition } from '@/lib/alerts';
import { requireAdmin } from '@/lib/auth';
import { Badge, type Tone } from '@/app/_components/badge';
import { formatDate } from '@/app/_components/format';
import { PageHeader, Panel } from '@/app/_components/panel';
import { SimpleTable, type SimpleColumn } from '@/app/_components/simple-table';

export const metadata: Metadata = { title: 'Alerts' };

// The open alerts and every message sent, failed or resolved, with its delivery outcome and
// tries. Admins only: alerts concern the whole cloud.

const STATUS_TONE: Record<Delivery['status'], Tone> = {
  sent: 'ok',
  retrying: 'warning',
  failed: 'error',
  queued: 'info',
};
const EVENT_TONE: Record<Delivery['event'], Tone> = { opened: 'error', resolved: 'ok', digest: 'info', test: 'muted' };
const SEVERITY_TONE: Record<KeptCondition['severity'], Tone> = { critical: 'error', warning: 'warning', info: 'info' };

const HISTORY: SimpleColumn<Delivery>[] = [
  {
    header: 'When',
    className: 'whitespace-nowrap tabular-nums',
    cell: (d) => formatDate(d.createdAt, { seconds: true }),
  },
  { header: 'Channel', cell: (d) => d.channel },
  { header: 'Message', cell: (d) => <Badge tone={EVENT_TONE[d.event]}>{d.event}</Badge> },
  {
    header: 'Condition',
    cell: (d) => (
      <div>
        <div>{d.subject.replace(/^\[Backstone\] /, '')}</div>
        <div className="font-mono text-xs text-slate-500 dark:text-slate-400">{d.conditionKey}</div>
      </div>
    ),
  },
  {
    header: 'Delivery',
    testId: (d) => `alert-delivery-${d.id}`,
    cell: (d) => (
      <div className="space-y-0.5">
        <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
        {d.sentAt !== undefined && (
          <div className="text-xs text-slate-500 tabular-nums dark:text-slate-400">
            {formatDate(d.sentAt, { seconds: true })}
          </div>
        )}
      </div>
    ),
  },
  { header: 'Tries', align: 'right', className: 'tabular-nums', cell: (d) => d.attempts },
  { header: 'Last error', className: 'text-slate-600 dark:text-slate-400', cell: (d) => d.lastError || '—' },
];

const OPEN: SimpleColumn<KeptCondition>[] = [
  { header: 'Severity', cell: (c) => <Badge tone={SEVERITY_TONE[c.severity]}>{c.severity}</Badge> },
  {
    header: 'Alert',
    cell: (c) => (
      <Link href={c.href} className="text-sky-700 hover:underline dark:text-sky-400">
        {c.title}
      </Link>
    ),
  },
  { header: 'Condition', className: 'font-mono text-xs', cell: (c) => c.key },
  {
    header: 'Since',
    className: 'whitespace-nowrap tabular-nums',
    cell: (c) => formatDate(c.openedAt ?? c.firstSeenAt),
  },
];

export default async function AlertsPage() {
  await requireAdmin('/alerts');
  const open = keptConditions().filter((c) => c.state === 'open');
  const history = alertHistory(500);
  return (
    <div className="mx-auto max-w-6xl space-y-4">
      <PageHeader
        title="Alerts"
        subtitle="Open alerts, and every message sent to the email and webhook channels, latest first."
        actions={
          <Link
            href="/alerts/settings"
            className="inline-flex h-8 items-center rounded-md bg-sky-600 px-3 text-sm font-medium text-white hover:bg-sky-700"
          >
            Settings
          </Link>
        }
      />
      <Panel title={`Open alerts (${open.length})`} testId="open-alerts">
        <SimpleTable
          testId="open-alerts-table"
          rows={open}
          rowKey={(c) => c.key}
          columns={OPEN}
          empty="Nothing is alerting."
        />
      </Panel>
      <Panel title="History" testId="alert-history">
        <SimpleTable
          testId="alert-history-table"
          rows={history}
          rowKey={(d) => d.id}
          rowTestId={(d) => `alert-history-row-${d.id}`}
          rowData={(d) => ({ 'data-channel': d.channel, 'data-event': d.event, 'data-status': d.status })}
          columns={HISTORY}
          empty="No message sent yet. Set up a channel in Settings, and press Send test."
        />
      </Panel>
    </div>
  );
}
