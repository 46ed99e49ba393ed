import { allocateError, type ObjectType } from '../errors';

/** PoolObjectSQL::name_is_valid: names may not hold these characters. */
const INVALID = '&|:\\";/\'#{}$<>';

export function checkName(method: string, type: ObjectType, name: string): void {
  for (const c of name)
    if (INVALID.includes(c)) throw allocateError(method, type, `Invalid NAME, char '${c}' is not allowed.`);
  if (name.length > 128) throw allocateError(method, type, 'Invalid NAME, max length is 128 chars.');
}
