import 'server-only';
import { z } from 'zod';
import { registerSecret } from '@/lib/log/redact';
import { DATASTORE_STATES, DATASTORE_TYPES, enumName, type Datastore, type DecryptedDatastore } from '../models';
import { owner, parseXmlRoot, validateXml, xContainer, xIds, xInt, xList, xOwner, xTemplate, xText } from '../xml';

// DATASTORE (share/doc/xsd/datastore.xsd): the same shape on 6.10 and 7.x.

/** Attributes oned stores encrypted (DATASTORE_ENCRYPTED_ATTR); kept out of Datastore.template. */
export const SECRET_DATASTORE_ATTRIBUTES = ['RESTIC_PASSWORD', 'RESTIC_S3_SECRET_ACCESS_KEY'] as const;

export const OneDatastoreXmlSchema = z.object({
  ID: xInt,
  ...xOwner,
  NAME: xText,
  DS_MAD: xText,
  TM_MAD: xText,
  BASE_PATH: xText,
  TYPE: xInt,
  STATE: xInt,
  CLUSTERS: xIds,
  TOTAL_MB: xInt,
  FREE_MB: xInt,
  USED_MB: xInt,
  IMAGES: xIds,
  TEMPLATE: xTemplate,
});
export type OneDatastoreXml = z.output<typeof OneDatastoreXmlSchema>;

const PoolSchema = xContainer({ DATASTORE: xList(OneDatastoreXmlSchema) });

export function reshapeDatastore(raw: OneDatastoreXml): Datastore {
  const template = { ...raw.TEMPLATE.attributes };
  const secretAttributeNames: string[] = [];
  for (const name of SECRET_DATASTORE_ATTRIBUTES) {
    if (name in template) {
      secretAttributeNames.push(name);
      delete template[name];
    }
  }
  return {
    id: raw.ID,
    name: raw.NAME,
    ...owner(raw),
    type: enumName(DATASTORE_TYPES, raw.TYPE),
    dsMad: raw.DS_MAD,
    tmMad: raw.TM_MAD,
    basePath: raw.BASE_PATH,
    state: enumName(DATASTORE_STATES, raw.STATE),
    clusterIds: raw.CLUSTERS,
    totalMb: raw.TOTAL_MB,
    freeMb: raw.FREE_MB,
    usedMb: raw.USED_MB,
    imageIds: raw.IMAGES,
    template,
    templateVectors: raw.TEMPLATE.vectors,
    secretAttributeNames,
  };
}

/** `onedatastore show -x` output. */
export async function parseDatastoreXml(text: string): Promise<OneDatastoreXml> {
  return validateXml(OneDatastoreXmlSchema, await parseXmlRoot(text, 'DATASTORE'), 'DATASTORE');
}

export async function parseDatastore(text: string): Promise<Datastore> {
  return reshapeDatastore(await parseDatastoreXml(text));
}

/** `onedatastore list -x` output. */
export async function parseDatastorePool(text: string): Promise<Datastore[]> {
  const pool = validateXml(PoolSchema, await parseXmlRoot(text, 'DATASTORE_POOL'), 'DATASTORE_POOL');
  return pool.DATASTORE.map(reshapeDatastore);
}

/**
 * `onedatastore show -x --decrypt` output. Every secret attribute is registered for redaction
 * before anything else can fail, then moved out of the template into `secrets`.
 */
export async function parseDecryptedDatastore(text: string): Promise<DecryptedDatastore> {
  const root = await parseXmlRoot(text, 'DATASTORE');
  const secrets: Record<string, string> = {};
  const tmpl = root && typeof root === 'object' ? (root as Record<string, unknown>).TEMPLATE : undefined;
  for (const name of SECRET_DATASTORE_ATTRIBUTES) {
    const v = tmpl && typeof tmpl === 'object' ? (tmpl as Record<string, unknown>)[name] : undefined;
    const values = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
    values.forEach(registerSecret);
    if (values[0] !== undefined) secrets[name] = values[0];
  }
  const resticPassword = secrets.RESTIC_PASSWORD === undefined ? undefined : driverPassword(secrets.RESTIC_PASSWORD);
  if (resticPassword !== undefined) registerSecret(resticPassword);
  const datastore = reshapeDatastore(validateXml(OneDatastoreXmlSchema, root, 'DATASTORE'));
  return { ...datastore, secrets, ...(resticPassword !== undefined ? { resticPassword } : {}) };
}

/**
 * The password the restic driver really uses: it strips one pair of surrounding quotes
 * (`passwd.sub(/\A['"](.*)['"]\z/, '\1')` in restic.rb, a fix for values saved with quotes).
 */
export function driverPassword(stored: string): string {
  const m = /^['"](.*)['"]$/.exec(stored);
  return m ? m[1]! : stored;
}
