import 'server-only';
import { z } from 'zod';
import type { User } from '../models';
import { parseXmlRoot, validateXml, xIds, xInt, xText } from '../xml';

// USER (share/doc/xsd/user.xsd). The XML also carries PASSWORD (a hash) and the user's LOGIN_TOKENs,
// which are live credentials: the schema does not read them, so they never reach a model.

const ONEADMIN_GROUP_ID = 0;

export const OneUserXmlSchema = z.object({
  ID: xInt,
  GID: xInt,
  GROUPS: xIds,
  GNAME: xText,
  NAME: xText,
  AUTH_DRIVER: xText.optional(),
  ENABLED: xInt.optional(),
});
export type OneUserXml = z.output<typeof OneUserXmlSchema>;

export function reshapeUser(raw: OneUserXml): User {
  const groupIds = raw.GROUPS.includes(raw.GID) ? raw.GROUPS : [raw.GID, ...raw.GROUPS];
  return {
    id: raw.ID,
    name: raw.NAME,
    gid: raw.GID,
    gname: raw.GNAME,
    groupIds,
    authDriver: raw.AUTH_DRIVER ?? '',
    enabled: raw.ENABLED !== 0,
    isAdmin: groupIds.includes(ONEADMIN_GROUP_ID),
  };
}

/** `oneuser show -x` output. */
export async function parseUser(text: string): Promise<User> {
  return reshapeUser(validateXml(OneUserXmlSchema, await parseXmlRoot(text, 'USER'), 'USER'));
}
