import 'server-only';
import type { Vm } from './models';
import { checkId, readOne, type OneCallOptions, type OneCredential } from './cli';
import { parseVm, parseVmPool } from './parse/vm-xml';

/** `onevm list -x`: the VMs the credentials may see, with their backup configuration. */
export async function listVms(cred: OneCredential, opts?: OneCallOptions): Promise<Vm[]> {
  return readOne(cred, { program: 'onevm', args: ['list', '-x'] }, parseVmPool, opts);
}

/** `onevm show -x ID`. */
export async function getVm(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<Vm> {
  return readOne(cred, { program: 'onevm', args: ['show', '-x', checkId(id, 'VM ID')] }, parseVm, opts);
}
