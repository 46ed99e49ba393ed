// oned's authorization for the sandbox subset: the oneadmin group may do anything; others need the
// permission bit (owner, group, other) for USE/MANAGE/ADMIN. As with OpenNebula's default ACLs,
// the users group may USE every datastore.
import type { Session } from './auth';
import { authorizationError, type ObjectType, type Operation } from './errors';
import type { Owned } from './store/types';

const OP_INDEX: Record<Exclude<Operation, 'CREATE'>, number> = { USE: 0, MANAGE: 1, ADMIN: 2 };

export function allowed(s: Session, obj: Owned, op: Exclude<Operation, 'CREATE'>, type?: ObjectType): boolean {
  if (s.admin) return true;
  if (type === 'DATASTORE' && op === 'USE' && s.gid === 1) return true;
  const i = OP_INDEX[op];
  if (obj.uid === s.uid && obj.perms[i] === 1) return true;
  if (obj.gid === s.gid && obj.perms[3 + i] === 1) return true;
  return obj.perms[6 + i] === 1;
}

export function authorize(
  s: Session,
  method: string,
  obj: Owned,
  op: Exclude<Operation, 'CREATE'>,
  type: ObjectType,
): void {
  if (!allowed(s, obj, op, type)) throw authorizationError(method, s.uid, op, type, obj.id);
}

/** What a pool listing shows the caller: everything it may USE. */
export function visible<T extends Owned>(s: Session, list: readonly T[], type: ObjectType): T[] {
  return list.filter((o) => allowed(s, o, 'USE', type));
}
