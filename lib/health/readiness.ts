import 'server-only';
import { sharedCache } from '@/lib/cache/shared-cache';
import { isResticBackupDatastore, backupServerOf } from '@/lib/catalog/access';
import { exec, type SshTarget } from '@/lib/exec';
import { serverKey } from '@/lib/exec/server-key';
import { logger } from '@/lib/log';
import { listDatastores } from '@/lib/opennebula';
import { getDb } from '@/lib/store';

// What GET /api/ready reports to systemd, load balancers and monitoring. Anyone may ask (no
// session), so the answer says only "ok" or "failing" per part and names backup servers by the
// host name their datastore's template already shows: no paths, no keys, no error text (the reason
// goes to the log, which only the admin reads).

export type PartState = 'ok' | 'failing';

export type Readiness = {
  status: PartState;
  store: PartState;
  opennebula: PartState;
  /** Each backup server of a restic datastore, by host name: whether its SSH connection works. */
  backupServers: { host: string; ssh: PartState }[];
};

export type ReadinessChecks = {
  store: () => Promise<void> | void;
  /** The backup servers named by the restic datastores; throws when OpenNebula does not answer. */
  backupServers: () => Promise<SshTarget[]>;
  ssh: (server: SshTarget) => Promise<void>;
};

/** Each part is bounded: a probe that hangs must not hold the prober's connection open. */
export const PART_TIMEOUT_MS = 5_000;

const log = logger('health');

function bounded<T>(what: string, work: () => Promise<T> | T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what}: no answer within ${PART_TIMEOUT_MS} ms`)),
      PART_TIMEOUT_MS,
    );
    Promise.resolve()
      .then(work)
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

async function state(what: string, work: () => Promise<unknown> | unknown): Promise<PartState> {
  try {
    await bounded(what, work);
    return 'ok';
  } catch (err) {
    log.warn('readiness check failing', { part: what, error: err instanceof Error ? err.message : String(err) });
    return 'failing';
  }
}

export const defaultChecks: ReadinessChecks = {
  store: () => {
    getDb().prepare('SELECT 1').get();
  },
  backupServers: async () => {
    const datastores = await listDatastores({ kind: 'service' }, { timeoutMs: PART_TIMEOUT_MS });
    return datastores.filter(isResticBackupDatastore).flatMap((ds) => backupServerOf(ds) ?? []);
  },
  ssh: async (server) => {
    // The pooled interactive connection: opened when needed, reused when it is up.
    const r = await exec(server, ['true'], { timeoutMs: PART_TIMEOUT_MS });
    if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}`);
  },
};

/** One probe per server (account, host and port): datastores sharing a backup server share it. */
function distinctServers(servers: SshTarget[]): SshTarget[] {
  return [...new Map(servers.map((s) => [serverKey(s), s])).values()];
}

/** Checks every part side by side; ready only when all are ok. */
export async function readiness(checks: ReadinessChecks = defaultChecks): Promise<Readiness> {
  let servers: SshTarget[] = [];
  const [store, opennebula] = await Promise.all([
    state('store', checks.store),
    state('opennebula', async () => {
      servers = distinctServers(await checks.backupServers());
    }),
  ]);
  const backupServers = await Promise.all(
    servers.map(async (s) => ({ host: s.host, ssh: await state(`ssh ${s.host}`, () => checks.ssh(s)) })),
  );
  const all = [store, opennebula, ...backupServers.map((s) => s.ssh)];
  return { status: all.every((s) => s === 'ok') ? 'ok' : 'failing', store, opennebula, backupServers };
}

// Probes come every few seconds from several places; concurrent ones share one round of checks
// (freshMs 0: a probe after the round ended starts a new one).
const rounds = sharedCache<Readiness>('health.readiness', { freshMs: 0, max: 1 });

export function sharedReadiness(): Promise<Readiness> {
  return rounds.read('readiness', () => readiness());
}
