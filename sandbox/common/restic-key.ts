// restic key files with a cheap scrypt cost, for the sandbox's repositories.
//
// restic derives each repository key from the password with scrypt at the cost it calibrated at
// `restic init` (about 0.5 s on this machine, N=2^15, r=8, p up to 9), and pays it again in every
// process that opens the repository. The test suite starts over a thousand restic processes: that
// cost alone was about a tenth of its CPU. The cost is a parameter of the key file (N, r, p beside
// the salt), so the sandbox's keys have N=2^10, r=8, p=1: a new repository's key (restic-new-repo.ts),
// or the key of one restic's init made, rewritten with the same master key. restic opens either
// as any other. Format: restic's design document, "Keys, Encryption and MAC".
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { shq } from './shell-quote';

export const CHEAP_KDF = { N: 1024, r: 8, p: 1 } as const;

type KeyFile = {
  created: string;
  username: string;
  hostname: string;
  kdf: string;
  N: number;
  r: number;
  p: number;
  salt: string;
  data: string;
};

/** Poly1305 of `msg` under the one-time key r||s (RFC 8439 §2.5), with BigInt: the messages are tiny. */
function poly1305(msg: Buffer, key: Buffer): Buffer {
  const le = (b: Buffer) => BigInt(`0x${Buffer.from(b).reverse().toString('hex') || '0'}`);
  const r = le(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = le(key.subarray(16, 32));
  const p = (1n << 130n) - 5n;
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const block = msg.subarray(i, i + 16);
    acc = ((acc + le(block) + (1n << BigInt(8 * block.length))) * r) % p;
  }
  const tag = (acc + s) & ((1n << 128n) - 1n);
  return Buffer.from(tag.toString(16).padStart(32, '0'), 'hex').reverse();
}

/** restic's MAC: Poly1305 with r from the MAC key and s = AES-128(k, nonce). */
function resticMac(ciphertext: Buffer, nonce: Buffer, macKey: Buffer): Buffer {
  const k = macKey.subarray(0, 16);
  const aes = createCipheriv('aes-128-ecb', k, null).setAutoPadding(false);
  const s = Buffer.concat([aes.update(nonce), aes.final()]);
  return poly1305(ciphertext, Buffer.concat([macKey.subarray(16, 32), s]));
}

/** restic's two keys: AES-256 for encryption, and the MAC key as k||r (16 bytes each). */
export type CipherKeys = { enc: Buffer; mac: Buffer };

/** The 32-byte AES-256 key and the 32-byte MAC key (k||r) scrypt derives from the password. */
function derive(password: string, salt: Buffer, N: number, r: number, p: number): CipherKeys {
  const out = scryptSync(password, salt, 64, { N, r, p, maxmem: 256 * N * r * (p + 1) + 64 * 1024 * 1024 });
  return { enc: out.subarray(0, 32), mac: out.subarray(32, 64) };
}

function open(data: Buffer, keys: CipherKeys): Buffer {
  const nonce = data.subarray(0, 16);
  const ciphertext = data.subarray(16, data.length - 16);
  if (!resticMac(ciphertext, nonce, keys.mac).equals(data.subarray(data.length - 16)))
    throw new Error('restic key: wrong password or damaged key file');
  const d = createDecipheriv('aes-256-ctr', keys.enc, nonce);
  return Buffer.concat([d.update(ciphertext), d.final()]);
}

/** nonce || AES-256-CTR ciphertext || MAC: how restic encrypts every file but the key files. */
export function seal(plain: Buffer, keys: CipherKeys): Buffer {
  const nonce = randomBytes(16);
  const c = createCipheriv('aes-256-ctr', keys.enc, nonce);
  const ciphertext = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([nonce, ciphertext, resticMac(ciphertext, nonce, keys.mac)]);
}

/** A key file's content and its name under keys/ (the SHA-256 of the content, as restic names every file). */
export type NamedKeyFile = { name: string; content: string };

/** Who made a key, as `restic key list` shows it. */
export type KeyOwner = { created: string; username: string; hostname: string };

/** A key file opening the master key `masterJson` with `password`, at CHEAP_KDF cost. */
function cheapKeyFor(masterJson: Buffer, password: string, owner: KeyOwner): NamedKeyFile {
  const salt = randomBytes(64);
  const data = seal(masterJson, derive(password, salt, CHEAP_KDF.N, CHEAP_KDF.r, CHEAP_KDF.p));
  const next: KeyFile = {
    ...owner,
    kdf: 'scrypt',
    ...CHEAP_KDF,
    salt: salt.toString('base64'),
    data: data.toString('base64'),
  };
  const content = JSON.stringify(next);
  return { name: createHash('sha256').update(content).digest('hex'), content };
}

/** The same key (the same master key, opened by the same password, made by the same owner) at CHEAP_KDF cost. */
export function cheapKeyFile(keyFileJson: string, password: string): NamedKeyFile {
  const old = JSON.parse(keyFileJson) as KeyFile;
  if (old.kdf !== 'scrypt') throw new Error(`restic key: unknown KDF ${old.kdf}`);
  const master = open(
    Buffer.from(old.data, 'base64'),
    derive(password, Buffer.from(old.salt, 'base64'), old.N, old.r, old.p),
  );
  return cheapKeyFor(master, password, { created: old.created, username: old.username, hostname: old.hostname });
}

/**
 * A new random master key, as restic's NewRandomKey makes it (r is stored as drawn: like restic's,
 * the MAC clamps it where it uses it), and its key file for `password` at CHEAP_KDF cost.
 */
export function newMasterKey(password: string, owner: KeyOwner): { keys: CipherKeys; file: NamedKeyFile } {
  const enc = randomBytes(32);
  const k = randomBytes(16);
  const r = randomBytes(16);
  const json = JSON.stringify({
    mac: { k: k.toString('base64'), r: r.toString('base64') },
    encrypt: enc.toString('base64'),
  });
  return { keys: { enc, mac: Buffer.concat([k, r]) }, file: cheapKeyFor(Buffer.from(json), password, owner) };
}

/** A repository's keys/ where they are stored: read its one key, replace it by another. */
export type RepoKeys = {
  /** The one key file (its name under keys/ and its content); more or fewer is an error. */
  readOnly(): Promise<NamedKeyFile>;
  /** Writes `next`, then removes `oldName`: the repository always has a key that opens it. */
  replace(oldName: string, next: NamedKeyFile): Promise<void>;
};

/** Rewrites the one key of a repository restic has just initialised at CHEAP_KDF cost. */
export async function cheapenKey(keys: RepoKeys, password: string): Promise<void> {
  const old = await keys.readOnly();
  await keys.replace(old.name, cheapKeyFile(old.content, password));
}

/** Runs a shell script where the repository lives (the backup server's account); stdout and exit code. */
export type ScriptRunner = (script: string) => Promise<{ code: number | null; stdout: string; stderr: string }>;

/** The keys/ folder of a repository on a filesystem, through shell scripts run where it lives. */
export function folderKeys(run: ScriptRunner, repoDir: string): RepoKeys {
  const keys = shq(`${repoDir}/keys`);
  return {
    async readOnly() {
      const read = await run(`cd ${keys} && set -- * && [ $# -eq 1 ] && printf '%s\\n' "$1" && cat -- "$1"\n`);
      if (read.code !== 0) throw new Error(`reading the key of ${repoDir} failed: ${read.stderr.trim()}`);
      const newline = read.stdout.indexOf('\n');
      const name = read.stdout.slice(0, newline);
      if (!/^[0-9a-f]{64}$/.test(name))
        throw new Error(`unexpected key file name ${JSON.stringify(name)} in ${repoDir}`);
      return { name, content: read.stdout.slice(newline + 1) };
    },
    async replace(oldName, next) {
      const write = await run(
        [
          `cd ${keys}`,
          `printf '%s' ${shq(next.content)} > ${next.name}.tmp`,
          `chmod --reference=${oldName} ${next.name}.tmp`,
          `mv ${next.name}.tmp ${next.name}`,
          `rm -f -- ${oldName}\n`,
        ].join(' && '),
      );
      if (write.code !== 0) throw new Error(`writing the cheap key of ${repoDir} failed: ${write.stderr.trim()}`);
    },
  };
}

/** cheapenKey for a repository folder reached through `run`. */
export function cheapenRepoKey(run: ScriptRunner, repoDir: string, password: string): Promise<void> {
  return cheapenKey(folderKeys(run, repoDir), password);
}
