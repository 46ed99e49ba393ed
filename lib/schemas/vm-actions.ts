import { z } from 'zod';
import { IdSchema, OptionalIdSchema } from './ids';

// Shared by the VM page's forms (client) and their server actions: Back up now, power off,
// restore in place and the backup configuration (BACKUP_CONFIG as `onevm updateconf` takes it).

export const BACKUP_MODES = ['FULL', 'INCREMENT'] as const;
export const INCREMENT_MODES = ['CBT', 'SNAPSHOT'] as const;
export const FS_FREEZE_MODES = ['NONE', 'AGENT', 'SUSPEND'] as const;

/** The highest KEEP_LAST the form accepts: oned takes any int, nobody keeps more. */
export const MAX_KEEP_LAST = 1000;

const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean());

export const VmBackupNowSchema = z.object({
  vmId: IdSchema,
  datastoreId: IdSchema,
  /** `--reset`: start a new incremental chain. */
  reset: checkbox,
});
export type VmBackupNowInput = z.infer<typeof VmBackupNowSchema>;

export const VmPowerOffSchema = z.object({
  vmId: IdSchema,
  /** The second, separate confirmation of a power off. */
  confirm: z.literal('poweroff', { error: 'Confirm the power off.' }),
});

export const VmRestoreInPlaceSchema = z.object({
  vmId: IdSchema,
  imageId: IdSchema,
  incrementId: OptionalIdSchema,
  diskId: OptionalIdSchema,
  /** The VM's name, typed; the action compares it with the name OpenNebula has now. */
  confirm: z.string().trim().min(1, "Type the VM's name to confirm."),
});
export type VmRestoreInPlaceInput = z.infer<typeof VmRestoreInPlaceSchema>;

export const VmBackupConfigSchema = z
  .object({
    vmId: IdSchema,
    mode: z.enum(BACKUP_MODES, { error: 'Choose FULL or INCREMENT.' }),
    incrementMode: z.preprocess(
      (v) => (v === '' || v === null ? undefined : v),
      z.enum(INCREMENT_MODES, { error: 'Choose CBT or SNAPSHOT.' }).optional(),
    ),
    // Empty keeps every backup (KEEP_LAST 0, as oned reads it).
    keepLast: z
      .preprocess(
        (v) => (v === '' || v === null || v === undefined ? 0 : v),
        z.union([
          z.number(),
          z
            .string()
            .regex(/^(0|[1-9]\d{0,3})$/, 'A whole number of backups, or empty to keep all.')
            .transform(Number),
        ]),
      )
      .pipe(
        z
          .number()
          .int('A whole number of backups.')
          .min(0, 'A whole number of backups, or empty to keep all.')
          .max(MAX_KEEP_LAST, `At most ${MAX_KEEP_LAST}.`),
      ),
    fsFreeze: z.enum(FS_FREEZE_MODES, { error: 'Choose NONE, AGENT or SUSPEND.' }),
    backupVolatile: checkbox,
  })
  // oned reads INCREMENT_MODE only beside MODE=INCREMENT; for FULL it means nothing.
  .transform((c) =>
    c.mode === 'FULL' ? { ...c, incrementMode: undefined } : { ...c, incrementMode: c.incrementMode ?? 'CBT' },
  );
export type VmBackupConfigInput = z.infer<typeof VmBackupConfigSchema>;
