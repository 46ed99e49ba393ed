import type { BackupChain } from '@/lib/catalog';
import { Badge } from '@/app/_components/badge';
import { formatDate, formatMb } from '@/app/_components/format';
import { Panel } from '@/app/_components/panel';
import { RestoreDialog, type RestoreDialogProps } from './restore-dialog';

/** Each backup image with its snapshots in order: FULL -> INCREMENT -> ... */
export function ChainsPanel({
  chains,
  restore,
}: {
  chains: BackupChain[];
  restore?: Omit<RestoreDialogProps, 'chain'>;
}) {
  return (
    <Panel title={`Backup images (${chains.length})`} testId="chains">
      {chains.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500">No OpenNebula backup image refers to this repository.</p>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {chains.map((c) => (
            <li key={c.imageId} className="px-4 py-3 text-sm" data-testid={`chain-${c.imageId}`}>
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-medium">Image {c.imageId}</span>
                <span className="text-slate-500">“{c.imageName}”</span>
                <Badge tone="muted">{c.mode}</Badge>
                {c.intact ? <Badge tone="ok">restorable</Badge> : <Badge tone="error">broken</Badge>}
                {restore && <RestoreDialog {...restore} chain={c} />}
              </div>
              <ol className="mt-2 flex flex-wrap items-center gap-1.5" aria-label={`Chain of image ${c.imageId}`}>
                {c.links.map((l, i) => (
                  <li key={l.incrementId} className="flex items-center gap-1.5">
                    {i > 0 && (
                      <span aria-hidden className="text-slate-400">
                        →
                      </span>
                    )}
                    <span
                      title={`${formatDate(l.date * 1000)} · ${formatMb(l.sizeMb)}`}
                      data-testid={`link-${c.imageId}-${l.incrementId}`}
                      className={`rounded border px-2 py-0.5 font-mono text-xs ${
                        l.snapshotId
                          ? 'border-slate-300 dark:border-slate-700'
                          : 'border-red-400 bg-red-50 text-red-800 dark:bg-red-950/40 dark:text-red-300'
                      }`}
                    >
                      {l.type === 'FULL' ? 'FULL' : 'INC'} {l.incrementId}: {l.source}
                      {!l.snapshotId && ' (missing)'}
                    </span>
                  </li>
                ))}
              </ol>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
