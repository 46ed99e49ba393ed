import { z } from 'zod';
import { IdSchema } from './ids';

// The forms of a Backup Job's page: Run now and Retry failed name the job; Cancel also carries the
// job's name as typed by the person (the server compares it with OpenNebula's name again).

export const BackupJobActionSchema = z.object({ jobId: IdSchema });
export type BackupJobActionInput = z.output<typeof BackupJobActionSchema>;

export const BackupJobCancelSchema = z.object({
  jobId: IdSchema,
  confirm: z.string().max(256, 'Type the Backup Job’s name.'),
});
export type BackupJobCancelInput = z.output<typeof BackupJobCancelSchema>;
