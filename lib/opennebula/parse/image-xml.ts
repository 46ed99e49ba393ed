import 'server-only';
import { z } from 'zod';
import { enumName, IMAGE_STATES, IMAGE_TYPES, type BackupIncrement, type Image } from '../models';
import {
  intAttr,
  owner,
  parseXmlRoot,
  validateXml,
  xContainer,
  xIds,
  xInt,
  xList,
  xOwner,
  xTemplate,
  xText,
} from '../xml';

// IMAGE (share/doc/xsd/image.xsd). 6.10 images have no MODTIME and no BACKUP_DISK_IDS; both are
// optional here. Increment fields are CDATA text in the XML and become numbers below.

const OneIncrementXmlSchema = z.object({
  ID: xInt,
  PARENT_ID: xInt.optional(),
  TYPE: z.enum(['FULL', 'INCREMENT']),
  SOURCE: xText,
  SIZE: xInt,
  DATE: xInt,
});

export const OneImageXmlSchema = z.object({
  ID: xInt,
  ...xOwner,
  NAME: xText,
  TYPE: xInt,
  PERSISTENT: xInt,
  REGTIME: xInt,
  MODTIME: xInt.optional(),
  SOURCE: xText,
  PATH: xText,
  FORMAT: xText.optional(),
  SIZE: xInt,
  STATE: xInt,
  RUNNING_VMS: xInt,
  DATASTORE_ID: xInt,
  DATASTORE: xText,
  VMS: xIds,
  TEMPLATE: xTemplate,
  BACKUP_INCREMENTS: xContainer({ INCREMENT: xList(OneIncrementXmlSchema) })
    .optional()
    .transform((v) => v?.INCREMENT ?? []),
  // Absent (6.10) and empty (<BACKUP_DISK_IDS/>) mean different things, so xIds is not used directly.
  BACKUP_DISK_IDS: xContainer({ ID: xList(xInt) }).optional(),
});
export type OneImageXml = z.output<typeof OneImageXmlSchema>;

const PoolSchema = xContainer({ IMAGE: xList(OneImageXmlSchema) });

function reshapeIncrement(raw: z.output<typeof OneIncrementXmlSchema>): BackupIncrement {
  return {
    id: raw.ID,
    parentId: raw.PARENT_ID === undefined || raw.PARENT_ID < 0 ? null : raw.PARENT_ID,
    type: raw.TYPE,
    source: raw.SOURCE,
    sizeMb: raw.SIZE,
    date: raw.DATE,
  };
}

export function reshapeImage(raw: OneImageXml): Image {
  const attrs = raw.TEMPLATE.attributes;
  const diskIds = raw.BACKUP_DISK_IDS;
  return {
    id: raw.ID,
    name: raw.NAME,
    ...owner(raw),
    type: enumName(IMAGE_TYPES, raw.TYPE),
    state: enumName(IMAGE_STATES, raw.STATE),
    persistent: raw.PERSISTENT === 1,
    regtime: raw.REGTIME,
    ...(raw.MODTIME !== undefined ? { modtime: raw.MODTIME } : {}),
    source: raw.SOURCE,
    path: raw.PATH,
    format: raw.FORMAT ?? '',
    sizeMb: raw.SIZE,
    datastoreId: raw.DATASTORE_ID,
    datastoreName: raw.DATASTORE,
    vmIds: raw.VMS,
    runningVms: raw.RUNNING_VMS,
    ...(intAttr(attrs, 'BACKUP_JOB_ID') !== undefined ? { backupJobId: intAttr(attrs, 'BACKUP_JOB_ID') } : {}),
    increments: raw.BACKUP_INCREMENTS.map(reshapeIncrement),
    ...(diskIds !== undefined ? { backupDiskIds: diskIds.ID } : {}),
    template: attrs,
    templateVectors: raw.TEMPLATE.vectors,
  };
}

/** `oneimage show -x` output. */
export async function parseImage(text: string): Promise<Image> {
  return reshapeImage(validateXml(OneImageXmlSchema, await parseXmlRoot(text, 'IMAGE'), 'IMAGE'));
}

/** `oneimage list -x` output. */
export async function parseImagePool(text: string): Promise<Image[]> {
  const pool = validateXml(PoolSchema, await parseXmlRoot(text, 'IMAGE_POOL'), 'IMAGE_POOL');
  return pool.IMAGE.map(reshapeImage);
}
