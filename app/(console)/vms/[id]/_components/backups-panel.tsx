import Link from 'next/link';
import type { VmBackupImage } from '@/lib/catalog';
import { Badge } from '@/app/_components/badge';
import { formatDate, formatMb } from '@/app/_components/format';
import { repositoryHref, snapshotHref } from '@/app/_components/hrefs';
import { Panel } from '@/app/_components/panel';
import { SIZE_TERMS, type SizeTerm } from '@/app/_components/size-terms';

/** A size's shared name with its one-line hint, as the repository pages name it. */
function Term({ term }: { term: SizeTerm }) {
  return (
    <abbr title={term.hint} className="cursor-help">
      {term.label}
    </abbr>
  );
}

/**
 * The VM's backup images across datastores, each with its chain FULL -> INCREMENT -> ... and the
 * restic snapshot behind every link. Restores into new images stay on the repository page.
 */
/**
 * What the newest backup of an incremental image backed up (its increment's SIZE): the VMs list's
 * figure for the VM's last backup. A full image's is its own size, already shown.
 */
const newest = (i: VmBackupImage): number | undefined => (i.mode === 'INCREMENT' ? i.links.at(-1)?.sizeMb : undefined);

export function BackupsPanel({ vmId, images }: { vmId: number; images: VmBackupImage[] }) {
  return (
    <div id="vm-backups">
      <Panel title={`Backups (${images.length})`} testId="vm-backups">
        {images.length === 0 ? (
          <p className="px-4 py-3 text-sm text-slate-500">No backups of VM {vmId} that you may see.</p>
        ) : (
          <ul className="divide-y divide-slate-100 dark:divide-slate-800">
            {images.map((i) => (
              <li key={i.imageId} className="px-4 py-3 text-sm" data-testid={`vm-image-${i.imageId}`}>
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-medium">Image {i.imageId}</span>
                  <span className="text-slate-500">“{i.name}”</span>
                  <Badge tone="muted">{i.mode}</Badge>
                  {i.intact === true && <Badge tone="ok">restorable</Badge>}
                  {i.intact === false && <Badge tone="error">broken</Badge>}
                  {i.state !== 'READY' && <Badge tone="warning">{i.state}</Badge>}
                  <span className="text-slate-500">
                    {formatDate(i.regtime * 1000)} ·{' '}
                    <span data-testid={`vm-image-size-${i.imageId}`}>
                      <Term term={SIZE_TERMS.backupImages} /> {formatMb(i.sizeMb)}
                    </span>
                    {newest(i) !== undefined && (
                      // The figure the VMs list shows for the VM's last backup, under the same name.
                      <span data-testid={`vm-image-newest-${i.imageId}`}>
                        {' '}
                        · <Term term={SIZE_TERMS.snapshotSize} /> by the newest backup {formatMb(newest(i)!)}
                      </span>
                    )}{' '}
                    · datastore{' '}
                    <Link href={`/datastores/${i.datastoreId}`} className="text-brand-600 hover:underline">
                      {i.datastoreName}
                    </Link>
                    {i.backupJobId !== undefined && <> · Backup Job {i.backupJobId}</>}
                  </span>
                  {i.repository !== undefined && (
                    <Link
                      href={repositoryHref(i.datastoreId, i.repository)}
                      className="ml-auto text-brand-600 hover:underline"
                      data-testid={`vm-image-repo-${i.imageId}`}
                      title="The repository page also restores this backup into new images"
                    >
                      Repository {i.repository} · restore into new images
                    </Link>
                  )}
                </div>
                <ol className="mt-2 flex flex-wrap items-center gap-1.5" aria-label={`Chain of image ${i.imageId}`}>
                  {i.links.map((l, n) => {
                    const label = (
                      <>
                        {l.type === 'FULL' ? 'FULL' : 'INC'} {l.incrementId}: {l.snapshotId?.slice(0, 8) ?? l.source}
                      </>
                    );
                    return (
                      <li key={l.incrementId} className="flex items-center gap-1.5">
                        {n > 0 && (
                          <span aria-hidden className="text-slate-400">
                            →
                          </span>
                        )}
                        {l.snapshotId && i.repository !== undefined ? (
                          <Link
                            href={snapshotHref(i.datastoreId, i.repository, l.snapshotId)}
                            title={`${formatDate(l.date * 1000)} · ${SIZE_TERMS.snapshotSize.label} ${formatMb(l.sizeMb)} · snapshot ${l.snapshotId}`}
                            data-testid={`vm-link-${i.imageId}-${l.incrementId}`}
                            className="rounded border border-slate-300 px-2 py-0.5 font-mono text-xs text-brand-600 hover:underline dark:border-slate-700"
                          >
                            {label}
                          </Link>
                        ) : (
                          <span
                            title={`${formatDate(l.date * 1000)} · ${SIZE_TERMS.snapshotSize.label} ${formatMb(l.sizeMb)}`}
                            data-testid={`vm-link-${i.imageId}-${l.incrementId}`}
                            className={`rounded border px-2 py-0.5 font-mono text-xs ${
                              i.intact === false
                                ? 'border-red-400 bg-red-50 text-red-800 dark:bg-red-950/40 dark:text-red-300'
                                : 'border-dashed border-slate-300 text-slate-500 dark:border-slate-700'
                            }`}
                          >
                            {label}
                            {i.intact === false && ' (missing)'}
                          </span>
                        )}
                      </li>
                    );
                  })}
                </ol>
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}
