import type { Metadata } from 'next';
import Link from 'next/link';
import { emailChannelView, readRules, webhookChannelView } from '@/lib/alerts';
import { requireAdmin } from '@/lib/auth';
import { PageHeader, Panel } from '@/app/_components/panel';
import { EmailForm } from './_components/email-form';
import { RulesForm } from './_components/rules-form';
import { SendTest } from './_components/send-test';
import { WebhookForm } from './_components/webhook-form';

export const metadata: Metadata = { title: 'Alert settings' };

// Admins set the rules' thresholds, the digest and the two channels. The channels' secrets are
// shown as "set" or "not set", never as themselves.
export default async function AlertSettingsPage() {
  await requireAdmin('/alerts/settings');
  const rules = readRules();
  const email = emailChannelView();
  const webhook = webhookChannelView();
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <PageHeader
        title="Alert settings"
        subtitle="When Backstone alerts, and where the alerts go. Checked every minute."
        actions={
          <Link href="/alerts" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
            Alert history
          </Link>
        }
      />
      <Panel title="Rules" testId="alert-rules">
        <RulesForm rules={rules} />
      </Panel>
      <Panel title="Email (SMTP)" testId="alert-email">
        <EmailForm channel={email} />
        <div className="border-t border-slate-200 px-4 py-3 dark:border-slate-800">
          <SendTest channel="email" disabled={!email?.enabled} />
        </div>
      </Panel>
      <Panel title="Webhook" testId="alert-webhook">
        <WebhookForm channel={webhook} />
        <div className="border-t border-slate-200 px-4 py-3 dark:border-slate-800">
          <SendTest channel="webhook" disabled={!webhook?.enabled} />
        </div>
      </Panel>
    </div>
  );
}
