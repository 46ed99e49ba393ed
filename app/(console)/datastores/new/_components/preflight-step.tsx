'use client';

import { useState, useTransition } from 'react';
import type { ActionState } from '@/lib/schemas/action-state';
import type { PreflightReport } from '@/lib/schemas/datastore-preflight';
import { trustHostKeyAction } from '../actions';
import { CheckList } from './check-list';
import { BUTTON, PRIMARY } from './styles';

type Props = {
  state: ActionState<PreflightReport> | undefined;
  running: boolean;
  onRun: () => void;
};

/** Step 5: the backup server's checks, the host-key decision and the hosts' cgroup delegation. */
export function PreflightStep({ state, running, onRun }: Props) {
  const [trusting, startTrust] = useTransition();
  const [trustMessage, setTrustMessage] = useState<string>();
  const report = state?.status === 'ok' ? state.data : undefined;
  const trust = (host: string, fingerprint: string) =>
    startTrust(async () => {
      const r = await trustHostKeyAction({ RESTIC_SFTP_SERVER: host, fingerprint });
      setTrustMessage(r.status === 'ok' || r.status === 'idle' ? undefined : r.message);
      if (r.status === 'ok') onRun();
    });
  return (
    <div className="space-y-4" aria-busy={running}>
      <div className="flex items-center gap-3">
        <button type="button" className={BUTTON} onClick={onRun} disabled={running}>
          {running ? 'Checking…' : report ? 'Check again' : 'Run the checks'}
        </button>
        {report && (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {report.target ?? `${report.user}@${report.server}`}
          </p>
        )}
      </div>
      {state && state.status !== 'ok' && state.status !== 'idle' && (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400" data-testid="preflight-message">
          {state.message}
        </p>
      )}
      {report?.unknownHostKey && (
        <div
          className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950/40"
          data-testid="host-key-unknown"
        >
          <p className="font-medium">Backstone does not know the host key of {report.unknownHostKey.host} yet.</p>
          <p className="mt-1">
            It presents{' '}
            <code className="font-mono" data-testid="host-key-fingerprint">
              {report.unknownHostKey.fingerprint}
            </code>
            . Compare it with the server (
            <code className="font-mono">ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>) before trusting it.
          </p>
          <button
            type="button"
            className={`${PRIMARY} mt-2`}
            disabled={trusting}
            onClick={() => trust(report.unknownHostKey!.host, report.unknownHostKey!.fingerprint)}
          >
            {trusting ? 'Trusting…' : 'Trust this key'}
          </button>
          {trustMessage && (
            <p role="alert" className="mt-2 text-red-600 dark:text-red-400">
              {trustMessage}
            </p>
          )}
        </div>
      )}
      {report && (
        <section aria-label={report.target ? 'Bucket checks' : 'Backup server checks'}>
          <h3 className="text-sm font-semibold">{report.target ? 'S3 bucket' : 'Backup server'}</h3>
          <CheckList checks={report.checks} testId="preflight-checks" />
        </section>
      )}
      {report && report.hosts.length > 0 && (
        <section aria-label="Host checks">
          <h3 className="text-sm font-semibold">Hypervisor hosts (systemd slice limits)</h3>
          {report.hosts.map((h) => (
            <div key={h.host} data-testid={`host-${h.host}`}>
              <p className="mt-2 text-sm font-medium">{h.host}</p>
              <CheckList checks={h.checks} testId={`host-checks-${h.host}`} />
            </div>
          ))}
        </section>
      )}
    </div>
  );
}
