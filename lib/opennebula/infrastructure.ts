import 'server-only';
import type { Cluster, Host } from './models';
import { runOne, type OneCallOptions, type OneCredential } from './cli';
import { parseClusterPool, parseHostPool } from './parse/cluster-host-xml';

/** `onecluster list -x`. */
export async function listClusters(cred: OneCredential, opts?: OneCallOptions): Promise<Cluster[]> {
  return parseClusterPool(await runOne(cred, { program: 'onecluster', args: ['list', '-x'], effect: 'read' }, opts));
}

/** `onehost list -x`. */
export async function listHosts(cred: OneCredential, opts?: OneCallOptions): Promise<Host[]> {
  return parseHostPool(await runOne(cred, { program: 'onehost', args: ['list', '-x'], effect: 'read' }, opts));
}
