import 'server-only';
import { isExpectedError } from '@/lib/errors';
import { oneVersion, versionAtLeast, type OneCredential } from '@/lib/opennebula';

// Whether the front-end may have S3 restic datastores: RESTIC_BACKEND = "S3" arrived in
// OpenNebula 7.4; earlier drivers fail every action of such a datastore.

export type S3Support = { available: true; version: string } | { available: false; reason: string };

export const S3_NEEDS = 'S3 datastores need OpenNebula 7.4 or later';

export async function s3Support(cred: OneCredential, timeoutMs = 5_000): Promise<S3Support> {
  try {
    const v = await oneVersion(cred, { timeoutMs });
    if (!v) return { available: false, reason: `${S3_NEEDS}; the front-end's version could not be read.` };
    return versionAtLeast(v, 7, 4)
      ? { available: true, version: v.text }
      : { available: false, reason: `${S3_NEEDS}; this front-end runs OpenNebula ${v.text}.` };
  } catch (err) {
    if (!isExpectedError(err)) throw err;
    return { available: false, reason: `${S3_NEEDS}; the front-end's version could not be read (${err.userMessage})` };
  }
}
