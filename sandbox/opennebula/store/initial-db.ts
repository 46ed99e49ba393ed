// A fresh OpenNebula: groups oneadmin and users, users oneadmin/serveradmin/alice/bob, cluster default
// with the sandbox hypervisors, and the usual datastores 0 (system), 1 (default), 2 (files).
import { createHash, randomBytes } from 'node:crypto';
import { DEMO_ACCOUNTS } from '../accounts';
import { HYPERVISOR_HOSTS } from '../../backup-server/keys';
import type { FrontendPaths } from '../paths';
import type { Datastore, Db, Perms } from './types';

export const DS_PERMS: Perms = [1, 1, 0, 1, 0, 0, 0, 0, 0];

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function defaultDatastore(
  paths: FrontendPaths,
  id: number,
  name: string,
  type: number,
  attrs: Record<string, string>,
): Datastore {
  return {
    id,
    uid: 0,
    gid: 0,
    name,
    perms: DS_PERMS,
    dsMad: attrs.DS_MAD ?? '-',
    tmMad: attrs.TM_MAD ?? 'ssh',
    // var_location + "/datastores": oned shows the double slash
    basePath: `${paths.oneHome}//datastores/${id}`,
    type,
    diskType: 0,
    state: 0,
    clusters: [0],
    totalMb: 0,
    freeMb: 0,
    usedMb: 0,
    template: Object.entries(attrs).map(([n, value]) => ({ name: n, value })),
  };
}

export function initialDb(paths: FrontendPaths): Db {
  const users = DEMO_ACCOUNTS.map((a) => ({
    id: a.id,
    name: a.name,
    gid: a.gid,
    password: sha256(a.password),
    tokens: [],
  }));
  users.splice(1, 0, {
    id: 1,
    name: 'serveradmin',
    gid: 0,
    password: sha256(randomBytes(16).toString('hex')),
    tokens: [],
  });
  return {
    nextId: {
      datastore: 100,
      image: 0,
      vm: 0,
      backupjob: 0,
      template: 0,
      user: Math.max(...users.map((u) => u.id)) + 1,
    },
    users,
    groups: [
      { id: 0, name: 'oneadmin' },
      { id: 1, name: 'users' },
    ],
    datastores: [
      defaultDatastore(paths, 0, 'system', 1, {
        ALLOW_ORPHANS: 'YES',
        DS_MIGRATE: 'YES',
        SHARED: 'NO',
        TM_MAD: 'ssh',
        TYPE: 'SYSTEM_DS',
      }),
      defaultDatastore(paths, 1, 'default', 0, {
        ALLOW_ORPHANS: 'YES',
        CLONE_TARGET: 'SYSTEM',
        DISK_TYPE: 'FILE',
        DS_MAD: 'fs',
        LN_TARGET: 'SYSTEM',
        RESTRICTED_DIRS: '/',
        SAFE_DIRS: '/var/tmp',
        TM_MAD: 'ssh',
        TYPE: 'IMAGE_DS',
      }),
      defaultDatastore(paths, 2, 'files', 2, {
        DS_MAD: 'fs',
        RESTRICTED_DIRS: '/',
        SAFE_DIRS: '/var/tmp',
        TM_MAD: 'ssh',
        TYPE: 'FILE_DS',
      }),
    ],
    images: [],
    vms: [],
    backupjobs: [],
    templates: [],
    hosts: HYPERVISOR_HOSTS.map((name, id) => ({ id, name, clusterId: 0, state: 2 })),
    clusters: [{ id: 0, name: 'default' }],
  };
}
