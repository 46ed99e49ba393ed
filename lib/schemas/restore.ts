import { z } from 'zod';
import { IdSchema, OptionalIdSchema, RepositoryNameSchema } from './ids';
import { INVISIBLE_OR_BIDI, INVISIBLE_OR_BIDI_MESSAGE } from './text-rules';

// Shared by the restore dialog (client) and the restore actions (server).

const id = IdSchema;
const optionalId = OptionalIdSchema;
const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean());

export const ImageRestoreSchema = z.object({
  imageId: id,
  datastoreId: id,
  // oneimage restore pastes the name into NAME="..." unescaped: quotes and backslashes would break it.
  name: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .trim()
      .max(128, 'At most 128 characters.')
      .regex(/^[^"\\\p{Cc}]+$/u, 'A name cannot contain quotes, backslashes or control characters.')
      .refine((v) => !INVISIBLE_OR_BIDI.test(v), { message: INVISIBLE_OR_BIDI_MESSAGE })
      .optional(),
  ),
  noNic: checkbox,
  noIp: checkbox,
  incrementId: optionalId,
  diskId: optionalId,
});
export type ImageRestoreInput = z.infer<typeof ImageRestoreSchema>;

export const ServerRestoreSchema = z.object({
  datastoreId: id,
  repository: RepositoryNameSchema,
  imageId: id,
  incrementId: optionalId,
  folder: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'A new folder name: letters, digits, dot, dash and underscore.'),
});
export type ServerRestoreInput = z.infer<typeof ServerRestoreSchema>;

export const JobIdSchema = id;
