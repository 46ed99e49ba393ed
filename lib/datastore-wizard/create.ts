import 'server-only';
import { setTimeout as sleep } from 'node:timers/promises';
import { audit } from '@/lib/auth';
import { isExpectedError } from '@/lib/errors';
import { logger, registerSecret } from '@/lib/log';
import { createDatastore, type OneCredential } from '@/lib/opennebula';
import { templateAttributes } from '@/lib/schemas/datastore-template';
import type { DatastoreWizardValues } from '@/lib/schemas/datastore-wizard';
import { getDb, type Db } from '@/lib/store';

// Creates the wizard's datastore at most once per wizard submission. The request ID is made when
// the wizard loads; a second submit with the same ID (double click, resent request, a retry after
// a lost response) gets the first result instead of a second datastore. A failed attempt created
// nothing, so it may be retried with the same ID.

export type Who = { actor: string; address: string; credential: OneCredential };

export type CreateOutcome =
  { kind: 'created'; datastoreId: number; repeated: boolean } | { kind: 'failed'; message: string };

type Row = { actor: string; datastore_id: number | null; error: string | null };

const WAIT_FOR_OTHER_MS = 120_000;
const log = logger('datastore-wizard');

/** Takes the request ID for this attempt; false when another attempt holds or has used it. */
function claim(db: Db, requestId: string, actor: string): boolean {
  const now = Date.now();
  const inserted = db
    .prepare('INSERT OR IGNORE INTO datastore_create_requests (request_id, actor, created_at) VALUES (?, ?, ?)')
    .run(requestId, actor, now);
  if (inserted.changes === 1) return true;
  // Only a failed attempt may be taken over, and only by one caller (the UPDATE is atomic).
  const retried = db
    .prepare(
      'UPDATE datastore_create_requests SET error = NULL, created_at = ? WHERE request_id = ? AND actor = ? AND error IS NOT NULL AND datastore_id IS NULL',
    )
    .run(now, requestId, actor);
  return retried.changes === 1;
}

function row(db: Db, requestId: string): Row | undefined {
  return db
    .prepare<[string], Row>('SELECT actor, datastore_id, error FROM datastore_create_requests WHERE request_id = ?')
    .get(requestId);
}

/** The outcome of an attempt that another caller runs, once it has one (bounded wait). */
async function outcomeOfOther(db: Db, requestId: string, actor: string): Promise<CreateOutcome> {
  const deadline = Date.now() + WAIT_FOR_OTHER_MS;
  for (;;) {
    const r = row(db, requestId);
    if (!r || r.actor !== actor)
      return { kind: 'failed', message: 'This form was sent by another session. Reload the page.' };
    if (r.datastore_id !== null) return { kind: 'created', datastoreId: r.datastore_id, repeated: true };
    if (r.error !== null) return { kind: 'failed', message: r.error };
    if (Date.now() > deadline)
      return {
        kind: 'failed',
        message: 'This form is still being processed. Look for the datastore in the list before trying again.',
      };
    await sleep(200);
  }
}

/** A message for a person; never raw stderr, never the password (every message is redacted). */
export function describeFailure(err: unknown): string {
  if (isExpectedError(err)) return err.userMessage;
  log.error('datastore creation failed unexpectedly', { error: err instanceof Error ? err.message : String(err) });
  return 'Creating the datastore failed unexpectedly; the server log has the details.';
}

/** Where the repositories go, for the audit log (never a key). */
function where(v: DatastoreWizardValues): string {
  return v.RESTIC_BACKEND === 'S3'
    ? `S3 bucket ${v.RESTIC_S3_BUCKET} at ${v.RESTIC_S3_ENDPOINT ?? 's3.amazonaws.com'}`
    : `backup server ${v.RESTIC_SFTP_USER}@${v.RESTIC_SFTP_SERVER}`;
}

export async function createDatastoreOnce(
  who: Who,
  requestId: string,
  values: DatastoreWizardValues,
  db: Db = getDb(),
): Promise<CreateOutcome> {
  registerSecret(values.RESTIC_PASSWORD);
  if (values.RESTIC_S3_SECRET_ACCESS_KEY) registerSecret(values.RESTIC_S3_SECRET_ACCESS_KEY);
  if (!claim(db, requestId, who.actor)) return outcomeOfOther(db, requestId, who.actor);
  const cluster = values.cluster === '' ? undefined : Number(values.cluster);
  const target = `datastore ${values.NAME}`;
  try {
    const id = await createDatastore(who.credential, templateAttributes(values), cluster);
    db.prepare('UPDATE datastore_create_requests SET datastore_id = ? WHERE request_id = ?').run(id, requestId);
    audit({
      actor: who.actor,
      action: 'datastore-create',
      target: `datastore ${id} (${values.NAME})`,
      outcome: 'ok',
      detail: `${where(values)}${cluster === undefined ? '' : `, cluster ${cluster}`}`,
      address: who.address,
    });
    return { kind: 'created', datastoreId: id, repeated: false };
  } catch (err) {
    const message = describeFailure(err);
    db.prepare('UPDATE datastore_create_requests SET error = ? WHERE request_id = ?').run(message, requestId);
    audit({
      actor: who.actor,
      action: 'datastore-create',
      target,
      outcome: 'failed',
      detail: message,
      address: who.address,
    });
    return { kind: 'failed', message };
  }
}
