import 'server-only';
import { preflight } from '@/lib/backup-server';
import { ExecError } from '@/lib/exec';
import { listHosts, OneError, type OneCredential } from '@/lib/opennebula';
import type { PreflightReport, ReportCheck } from '@/lib/schemas/datastore-preflight';
import { checkHostCgroups } from './host-cgroups';

// The wizard's "Check backup server" step: the backup server's readiness (lib/backup-server) and,
// when a slice limit is set, cgroup delegation on each hypervisor of the chosen cluster.

export type PreflightInput = { server: string; user: string; cluster: number; sliceLimits: boolean };

async function hostChecks(credential: OneCredential, cluster: number): Promise<PreflightReport['hosts']> {
  let all;
  try {
    all = await listHosts(credential);
  } catch (err) {
    if (!(err instanceof OneError || err instanceof ExecError)) throw err;
    const detail = `The hosts of cluster ${cluster} could not be listed: ${err.message}`;
    return [{ host: `cluster ${cluster}`, checks: [{ id: 'hosts', label: 'Hosts', status: 'fail', detail }] }];
  }
  const hosts = all.filter((h) => h.clusterId === cluster);
  if (hosts.length === 0) {
    return [
      {
        host: `cluster ${cluster}`,
        checks: [
          {
            id: 'hosts',
            label: 'Hosts',
            status: 'warn',
            detail: `Cluster ${cluster} has no hosts yet; check cgroup delegation on each host you add.`,
          },
        ],
      },
    ];
  }
  return Promise.all(hosts.map(async (h) => ({ host: h.name, checks: [await checkHostCgroups(h.name)] })));
}

export async function runPreflight(credential: OneCredential, input: PreflightInput): Promise<PreflightReport> {
  const [server, hosts] = await Promise.all([
    preflight(input.server, input.user),
    input.sliceLimits ? hostChecks(credential, input.cluster) : Promise.resolve([]),
  ]);
  const checks: ReportCheck[] = server.checks;
  return {
    server: input.server,
    user: input.user,
    unknownHostKey:
      server.kind === 'host-key-unknown' ? { host: server.host, fingerprint: server.fingerprint } : undefined,
    checks,
    hosts,
  };
}
