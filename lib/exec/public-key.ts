import 'server-only';
import { readFile } from 'node:fs/promises';
import { utils } from 'ssh2';
import { resolveTarget } from './ssh-pool';
import type { SshTarget } from './types';

/**
 * The public half of the key Backstone logs in to `target` with ("ssh-ed25519 AAAA..."), for an
 * admin to add to the account's authorized_keys: `<identity>.pub` when it is there, else derived
 * from the private key. Never the private key; undefined when neither can be read.
 */
export async function loginPublicKey(target: SshTarget): Promise<string | undefined> {
  const r = await resolveTarget(target);
  const pub = await readFile(`${r.identityFile}.pub`, 'utf8').catch(() => undefined);
  const fromPub = pub ? /^(\S+ [A-Za-z0-9+/=]+)/.exec(pub.trim())?.[1] : undefined;
  if (fromPub) return fromPub;
  const priv = await readFile(r.identityFile).catch(() => undefined);
  if (!priv) return undefined;
  const parsed = utils.parseKey(priv);
  if (parsed instanceof Error) return undefined;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key ? `${key.type} ${key.getPublicSSH().toString('base64')}` : undefined;
}
