import 'server-only';
import { s3Location } from '@/lib/backup-server';
import { capacityReading, recordCapacitySample, s3CapacityReading, sharedInventory } from '@/lib/catalog';
import { RunFound, submitRun, type RunEnd } from './submit';

// Capacity sample: the backup server's df of BASE_PATH (for an S3 datastore, OpenNebula's S3
// monitor: TOTAL_MB and its backup images' sizes) and the stored size of every repository,
// kept as the Capacity tab's history (one listing, shared with any page reading it meanwhile), so
// "estimated full" has data whether or not anyone opens the page.

export async function submitCapacitySample(datastoreId: number, trigger: 'schedule' | 'manual', actor: string) {
  return submitRun({
    datastoreId,
    kind: 'capacity',
    trigger,
    actor,
    title: (a) => `Record the capacity of datastore ${datastoreId} (“${a.datastore.name}”)`,
    work: async (ctx, access): Promise<RunEnd> => {
      const answer = await sharedInventory(access, undefined, undefined, ctx.signal);
      const reading =
        access.backend === 's3'
          ? s3CapacityReading(answer.value, answer.freshness, access.datastore, s3Location(access.s3))
          : capacityReading(answer.value, answer.freshness);
      if (!reading)
        throw new RunFound(
          access.backend === 's3'
            ? 'The bucket could not be listed.'
            : 'The backup server did not report the file system of BASE_PATH (df).',
        );
      const kept = recordCapacitySample(datastoreId, reading);
      const fs = reading.filesystem;
      const message = kept
        ? `Recorded: ${fs.usedBytes} of ${fs.totalBytes} bytes used, ${reading.storedBytes} bytes in repositories.`
        : 'A sample was recorded less than 15 minutes ago; none was needed.';
      ctx.log(message);
      return { outcome: 'ok', message, result: { kept, ...fs, storedBytes: reading.storedBytes } };
    },
  });
}
