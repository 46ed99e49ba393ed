import { z } from 'zod';
import { IdSchema } from './ids';
import { EXPECTED_INTERVAL_MAX_HOURS } from './vms';

// The expected backup interval of a backup datastore (how often its VMs should be backed up when
// no schedule says so), as the datastore page's form sends it: whole hours, 1 h to a year.
export const ExpectedIntervalSchema = z.object({
  datastoreId: IdSchema,
  hours: z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, { error: 'Give the interval in whole hours, e.g. 24 or 168.' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: 'The interval is at least 1 hour.' })
        .max(EXPECTED_INTERVAL_MAX_HOURS, { error: `The interval is at most ${EXPECTED_INTERVAL_MAX_HOURS} hours.` }),
    ),
});
export type ExpectedIntervalInput = z.output<typeof ExpectedIntervalSchema>;
