import type { Db, Owned, Perms } from '../store/types';
import { el, text } from './escape';

const PERM_NAMES = ['OWNER_U', 'OWNER_M', 'OWNER_A', 'GROUP_U', 'GROUP_M', 'GROUP_A', 'OTHER_U', 'OTHER_M', 'OTHER_A'];

export function permsXml(p: Perms): string {
  return `<PERMISSIONS>${PERM_NAMES.map((n, i) => el(n, p[i] ?? 0)).join('')}</PERMISSIONS>`;
}

/** ID, UID, GID, UNAME, GNAME, NAME: the head every owned object starts with. */
export function ownerHead(db: Db, o: Owned): string {
  const uname = db.users.find((u) => u.id === o.uid)?.name ?? '';
  const gname = db.groups.find((g) => g.id === o.gid)?.name ?? '';
  return (
    el('ID', o.id) +
    el('UID', o.uid) +
    el('GID', o.gid) +
    el('UNAME', text(uname)) +
    el('GNAME', text(gname)) +
    el('NAME', text(o.name))
  );
}
