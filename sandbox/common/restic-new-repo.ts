// A new restic repository written without restic, for the sandbox's driver: the files `restic
// init` writes (restic's design document, "Repository Format"), with the key at the sandbox's
// cheap scrypt cost from the start. restic calibrates scrypt at every init (a second or more of
// CPU, beyond any flag), and the suite's sandboxes create a repository for each VM they back up.
//   config        {"version":2,"id":...,"chunker_polynomial":...} encrypted with the master key
//   keys/<sha256> the master key, encrypted with a key derived from the password
//   data/00..ff, index, keys, locks, snapshots: folders (a filesystem's layout; S3 has none)
import { randomBytes } from 'node:crypto';
import { randomChunkerPolynomial } from './chunker-polynomial';
import { newMasterKey, seal, type KeyOwner, type NamedKeyFile, type ScriptRunner } from './restic-key';
import { shq } from './shell-quote';

export type NewRepoFiles = { id: string; config: Buffer; key: NamedKeyFile };

/** The config and the one key of a new repository (format version 2, as restic 0.14 and later init it). */
export function newRepoFiles(password: string, owner: Omit<KeyOwner, 'created'>): NewRepoFiles {
  const master = newMasterKey(password, { created: new Date().toISOString(), ...owner });
  const id = randomBytes(32).toString('hex');
  // Go's json.Marshal of restic's Config: these fields in this order, no newline; never compressed.
  const config = JSON.stringify({ version: 2, id, chunker_polynomial: randomChunkerPolynomial() });
  return { id, config: seal(Buffer.from(config), master.keys), key: master.file };
}

const DATA_FOLDERS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The script's exit code when another writer's config got there first. */
const TAKEN = 3;

/**
 * Writes a new repository into `repoDir` through scripts run as the account that owns the
 * repositories, with the modes restic's SFTP backend gives (folders 0755 under umask 022, files
 * 0600). The key first and the config last, as restic does; the config is linked into place, so
 * of two writers racing for one repository, one wins and the other takes its key back.
 * 'exists' when the other writer won.
 */
export async function writeRepoFolder(
  run: ScriptRunner,
  repoDir: string,
  files: NewRepoFiles,
): Promise<'created' | 'exists'> {
  const dir = shq(repoDir);
  const staged = `config.new-${files.id}`;
  const script = [
    'set -e',
    'umask 022',
    `mkdir -p -- ${['data', 'index', 'keys', 'locks', 'snapshots'].map((f) => shq(`${repoDir}/${f}`)).join(' ')}`,
    `cd -- ${shq(`${repoDir}/data`)}`,
    `mkdir -p -- ${DATA_FOLDERS.join(' ')}`,
    `cd -- ${dir}`,
    'umask 077',
    `printf '%s' ${shq(files.key.content)} > keys/${files.key.name}`,
    `printf '%s' ${files.config.toString('base64')} | base64 -d > ${staged}`,
    `if ln ${staged} config 2>/dev/null; then rm -f ${staged}; exit 0; fi`,
    `rm -f ${staged} keys/${files.key.name}`,
    `if [ -e config ]; then exit ${TAKEN}; fi`,
    "echo 'could not link the config into place' >&2",
    'exit 1',
    '',
  ].join('\n');
  const r = await run(script);
  if (r.code === 0) return 'created';
  if (r.code === TAKEN) return 'exists';
  throw new Error(`writing the new repository ${repoDir} failed: ${r.stderr.trim()}`);
}
