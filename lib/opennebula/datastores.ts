import 'server-only';
import type { Datastore, DecryptedDatastore } from './models';
import { checkId, readOne, runOne, type OneCallOptions, type OneCredential } from './cli';
import { OneCliError } from './errors';
import { parseDatastore, parseDatastorePool, parseDecryptedDatastore } from './parse/datastore-xml';
import { parseTemplate, serializeTemplate, type TemplateAttribute } from '@/lib/schemas/template-syntax';

/** `onedatastore list -x`: every datastore the credentials may see. */
export async function listDatastores(cred: OneCredential, opts?: OneCallOptions): Promise<Datastore[]> {
  return readOne(cred, { program: 'onedatastore', args: ['list', '-x'] }, parseDatastorePool, opts);
}

/** `onedatastore show -x ID`. */
export async function getDatastore(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<Datastore> {
  return readOne(
    cred,
    { program: 'onedatastore', args: ['show', '-x', checkId(id, 'datastore ID')] },
    parseDatastore,
    opts,
  );
}

/**
 * `onedatastore show -x --decrypt ID` (oned decrypts for admins only). The clear RESTIC_PASSWORD is
 * registered for redaction as soon as it is read and is returned only in `secrets`/`resticPassword`.
 */
export async function getDatastoreDecrypted(
  cred: OneCredential,
  id: number,
  opts?: OneCallOptions,
): Promise<DecryptedDatastore> {
  return readOne(
    cred,
    { program: 'onedatastore', args: ['show', '-x', '--decrypt', checkId(id, 'datastore ID')] },
    parseDecryptedDatastore,
    opts,
  );
}

/**
 * `onedatastore create FILE [-c CLUSTER]` with the template in a 0600 temp file on the front-end
 * (removed afterwards). The text is checked with oned's grammar first. Returns the new ID.
 */
export async function createDatastore(
  cred: OneCredential,
  template: string | readonly TemplateAttribute[],
  clusterId?: number,
  opts?: OneCallOptions,
): Promise<number> {
  const text = typeof template === 'string' ? template : serializeTemplate(template);
  parseTemplate(text);
  const cluster = clusterId === undefined ? [] : ['-c', checkId(clusterId, 'cluster ID')];
  const out = await runOne(
    cred,
    {
      program: 'onedatastore',
      files: [{ name: 'datastore.tpl', content: text }],
      args: (p) => ['create', p['datastore.tpl']!, ...cluster],
    },
    opts,
  );
  return parseCreatedId('onedatastore', out);
}

/** `onedatastore delete ID`. */
export async function deleteDatastore(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<void> {
  await runOne(cred, { program: 'onedatastore', args: ['delete', checkId(id, 'datastore ID')] }, opts);
}

/** `OneHelper#create_resource` prints `ID: <n>`. */
export function parseCreatedId(program: string, stdout: string): number {
  const m = /^ID:\s*(\d+)\s*$/m.exec(stdout);
  if (!m) throw new OneCliError(`${program} create did not print the new ID.`);
  return Number(m[1]);
}
