import 'server-only';
import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { Canceled } from '@/lib/exec';
import { s3Client } from './client';
import { classifyS3Error, type S3Error } from './errors';
import { BACKSTONE_PREFIX, endpointUrl, REPOSITORY_NAME, type S3Settings } from './settings';

// The S3 bucket of an S3 restic datastore as typed verbs: which repositories it holds, what each
// repository's snapshots/ and locks/ keys are and how many bytes it stores, the bucket's usage,
// and checks for the wizard. Objects are listed, never read: no restic and no password needed to
// see that snapshots exist. Every call is bounded by a deadline and the caller's AbortSignal.

export * from './settings';
export * from './errors';
export { S3CaCertUnreadable, forgetS3Clients } from './client';

export type S3CallOptions = { signal?: AbortSignal; timeoutMs?: number };

const DEFAULT_TIMEOUT_MS = 15_000;
const HEAD_CONCURRENCY = 8;

async function bounded<T>(
  s: S3Settings,
  what: string,
  o: S3CallOptions,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ms = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(ms);
  const signal = o.signal ? AbortSignal.any([o.signal, deadline]) : deadline;
  try {
    return await fn(signal);
  } catch (err) {
    if (o.signal?.aborted) throw new Canceled(`S3 ${what}`);
    throw classifyS3Error(err, s, what, deadline.aborted ? ms : undefined);
  }
}

/** Every key under a prefix (all pages), with its size and time. */
async function listAll(
  s: S3Settings,
  prefix: string,
  signal: AbortSignal,
  each: (o: { key: string; size: number; lastModified?: Date }) => void,
): Promise<void> {
  const client = s3Client(s);
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await client.send(
      new ListObjectsV2Command({ Bucket: s.bucket, Prefix: prefix, ContinuationToken: token }),
      { abortSignal: signal },
    );
    for (const o of page.Contents ?? [])
      if (o.Key) each({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/**
 * The bucket exists and the credentials may list it. A one-key listing rather than HeadBucket:
 * a HEAD answer has no body, so it cannot tell a wrong key ID from a wrong secret or a denial.
 */
export function headBucket(s: S3Settings, o: S3CallOptions = {}): Promise<void> {
  return bounded(s, 'reading the bucket', o, async (signal) => {
    await s3Client(s).send(new ListObjectsV2Command({ Bucket: s.bucket, MaxKeys: 1 }), { abortSignal: signal });
  });
}

/** The top-level names that could be repositories (VM IDs, job_N), from one delimited listing. */
async function candidateNames(s: S3Settings, signal: AbortSignal): Promise<string[]> {
  const client = s3Client(s);
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await client.send(
      new ListObjectsV2Command({ Bucket: s.bucket, Delimiter: '/', ContinuationToken: token }),
      { abortSignal: signal },
    );
    for (const p of page.CommonPrefixes ?? []) {
      const name = p.Prefix?.replace(/\/$/, '');
      if (name && REPOSITORY_NAME.test(name)) names.push(name);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return names;
}

async function hasConfig(s: S3Settings, name: string, signal: AbortSignal): Promise<boolean> {
  try {
    await s3Client(s).send(new HeadObjectCommand({ Bucket: s.bucket, Key: `${name}/config` }), {
      abortSignal: signal,
    });
    return true;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

/**
 * The repositories in the bucket: top-level prefixes named as the driver names repositories (a VM
 * ID, or job_<Backup Job ID>) that hold a restic `config`. Sorted as the SFTP listing is.
 */
export function listRepositories(s: S3Settings, o: S3CallOptions = {}): Promise<string[]> {
  return bounded(s, 'listing the bucket', o, async (signal) => {
    const names = await candidateNames(s, signal);
    const found: string[] = [];
    for (let i = 0; i < names.length; i += HEAD_CONCURRENCY) {
      const batch = names.slice(i, i + HEAD_CONCURRENCY);
      const seen = await Promise.all(batch.map((n) => hasConfig(s, n, signal)));
      batch.forEach((n, j) => seen[j] && found.push(n));
    }
    return found.sort(byRepositoryName);
  });
}

/** VM IDs in numeric order, then job_N in numeric order. */
export function byRepositoryName(a: string, b: string): number {
  const rank = (n: string) => (n.startsWith('job_') ? [1, Number(n.slice(4))] : [0, Number(n)]) as [number, number];
  const [ra, na] = rank(a);
  const [rb, nb] = rank(b);
  return ra - rb || na - nb;
}

export type S3Lock = { id: string; lastModified?: string; size: number };

export type RepositoryObjects = {
  name: string;
  hasConfig: boolean;
  /** Snapshot IDs from `snapshots/` keys (restic names each snapshot file by its ID). */
  snapshotIds: string[];
  locks: S3Lock[];
  /** Names of the objects in index/ (content hashes): they change when packs may have. */
  indexIds: string[];
  /** Sum of the sizes of every object under the repository's prefix. */
  storedBytes: number;
  objectCount: number;
};

const ID = /^[0-9a-f]{64}$/;

/** Reads one repository's keys: snapshot IDs, locks (with their time) and stored bytes. */
export function repositoryObjects(s: S3Settings, name: string, o: S3CallOptions = {}): Promise<RepositoryObjects> {
  if (!REPOSITORY_NAME.test(name)) throw new TypeError(`not a repository name: ${name}`);
  return bounded(s, `listing repository ${name}`, o, async (signal) => {
    const out = emptyRepository(name);
    await listAll(s, `${name}/`, signal, (o) => addObject(out, o.key.slice(name.length + 1), o.size, o.lastModified));
    out.snapshotIds.sort();
    return out;
  });
}

function emptyRepository(name: string): RepositoryObjects {
  return { name, hasConfig: false, snapshotIds: [], locks: [], indexIds: [], storedBytes: 0, objectCount: 0 };
}

/** Counts one object of a repository, by its key below the repository's prefix. */
function addObject(r: RepositoryObjects, rest: string, size: number, lastModified?: Date): void {
  r.storedBytes += size;
  r.objectCount += 1;
  if (rest === 'config') r.hasConfig = true;
  const [dir, file, extra] = rest.split('/');
  if (extra !== undefined || !file || !ID.test(file)) return;
  if (dir === 'snapshots') r.snapshotIds.push(file);
  else if (dir === 'index') r.indexIds.push(file);
  else if (dir === 'locks') r.locks.push({ id: file, size, lastModified: lastModified?.toISOString() });
}

export type BucketInventory = {
  /** Repositories (named as the driver names them) that hold a restic config, in people's order. */
  repositories: RepositoryObjects[];
  usage: BucketUsage;
};

/**
 * The whole bucket (or one repository) in one paginated listing: every repository's snapshot
 * IDs, index names, locks and stored bytes, and the bucket's real usage.
 */
export function bucketInventory(s: S3Settings, o: S3CallOptions & { only?: string } = {}): Promise<BucketInventory> {
  if (o.only !== undefined && !REPOSITORY_NAME.test(o.only)) throw new TypeError(`not a repository name: ${o.only}`);
  return bounded(s, 'listing the bucket', { timeoutMs: 30_000, ...o }, async (signal) => {
    const byName = new Map<string, RepositoryObjects>();
    const usage: BucketUsage = { bytes: 0, objects: 0 };
    await listAll(s, o.only ? `${o.only}/` : '', signal, ({ key, size, lastModified }) => {
      usage.bytes += size;
      usage.objects += 1;
      const slash = key.indexOf('/');
      const name = key.slice(0, slash);
      if (slash < 0 || !REPOSITORY_NAME.test(name)) return;
      let r = byName.get(name);
      if (!r) byName.set(name, (r = emptyRepository(name)));
      addObject(r, key.slice(slash + 1), size, lastModified);
    });
    const repositories = [...byName.values()].filter((r) => r.hasConfig);
    for (const r of repositories) r.snapshotIds.sort();
    repositories.sort((a, b) => byRepositoryName(a.name, b.name));
    return { repositories, usage };
  });
}

export type BucketUsage = { bytes: number; objects: number };

/** The bucket's real usage: every object's size summed (the monitor reports image sizes instead). */
export function bucketUsage(s: S3Settings, o: S3CallOptions = {}): Promise<BucketUsage> {
  return bounded(s, 'measuring the bucket', { timeoutMs: 60_000, ...o }, async (signal) => {
    const u: BucketUsage = { bytes: 0, objects: 0 };
    await listAll(s, '', signal, ({ size }) => {
      u.bytes += size;
      u.objects += 1;
    });
    return u;
  });
}

/**
 * The credentials may write and delete in the bucket: puts a small object under Backstone's own
 * prefix, then deletes it (also when the put half-failed).
 */
export function probeWrite(s: S3Settings, o: S3CallOptions = {}): Promise<void> {
  return bounded(s, 'writing a probe object', o, async (signal) => {
    const key = `${BACKSTONE_PREFIX}probe-${randomUUID()}`;
    const client = s3Client(s);
    await client.send(
      new PutObjectCommand({ Bucket: s.bucket, Key: key, Body: 'backstone write probe\n', ContentType: 'text/plain' }),
      { abortSignal: signal },
    );
    // A delete refused after a put that worked is a finding in itself: it is not swallowed.
    await client.send(new DeleteObjectCommand({ Bucket: s.bucket, Key: key }), { abortSignal: signal });
  });
}

/**
 * Deletes every object under a prefix of Backstone's own (a throwaway repository of the wizard's
 * check): refuses any other prefix, so no repository can be touched. Returns how many went.
 */
export function removeBackstoneObjects(s: S3Settings, prefix: string, o: S3CallOptions = {}): Promise<number> {
  if (!prefix.startsWith(BACKSTONE_PREFIX) || prefix.length <= BACKSTONE_PREFIX.length || prefix.includes('..'))
    throw new TypeError(`not a prefix of Backstone's own: ${prefix}`);
  return bounded(s, 'removing the check repository', { timeoutMs: 60_000, ...o }, async (signal) => {
    const keys: string[] = [];
    await listAll(s, prefix, signal, ({ key }) => keys.push(key));
    const client = s3Client(s);
    for (let i = 0; i < keys.length; i += HEAD_CONCURRENCY) {
      await Promise.all(
        keys
          .slice(i, i + HEAD_CONCURRENCY)
          .map((Key) => client.send(new DeleteObjectCommand({ Bucket: s.bucket, Key }), { abortSignal: signal })),
      );
    }
    return keys.length;
  });
}

/** The endpoint's host name resolves (a literal address always does); the reason when it does not. */
export async function endpointResolves(s: Pick<S3Settings, 'endpoint'>): Promise<string | undefined> {
  const host = new URL(endpointUrl(s)).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return undefined;
  try {
    await lookup(host);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `${host} does not resolve`
      : `${host} could not be resolved (${code ?? 'unknown error'})`;
  }
}

/** What a caller that only wants to know "does the endpoint work" reads. */
export async function checkBucket(s: S3Settings, o: S3CallOptions = {}): Promise<S3Error | undefined> {
  try {
    await headBucket(s, o);
    return undefined;
  } catch (err) {
    if (err instanceof Canceled) throw err;
    return classifyS3Error(err, s, 'reading the bucket');
  }
}
