// A restic repository in an S3 bucket (restic's S3 layout: <bucket>/<repo>/config and
// <repo>/keys/<id>), with the datastore's own settings and key, as restic reaches it from the
// front-end. Used only for the sandbox's two shortcuts (repo-shortcuts.ts): writing a new
// repository without restic, and giving one restic made the cheap key.
//
// The AWS SDK is the repository's own dependency, loaded from its node_modules where it is needed:
// the CLI is a bundle in the state folder, and most commands never need S3.
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import type * as ClientS3 from '@aws-sdk/client-s3';
import { repoRoot } from '../../common/state';
import type { RepoKeys } from '../../common/restic-key';
import type { NewRepoFiles } from '../../common/restic-new-repo';
import type { S3Settings } from './restic-command';

type Sdk = typeof ClientS3;

function sdk(): Sdk {
  // The SDK warns once in every process that its later versions need Node 22: not this CLI's news.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return createRequire(join(repoRoot, 'package.json'))('@aws-sdk/client-s3') as Sdk;
}

export type BucketRepo = {
  keys: RepoKeys;
  /**
   * Writes a new repository's key, then its config, as restic's init does (making the bucket when
   * it is missing), unless its config is there already. false, writing nothing, when the bucket is
   * neither there nor made with the datastore's key: restic's own init then fails with the driver's error.
   */
  create(files: NewRepoFiles): Promise<boolean>;
};

/** Runs `work` with repository `repoId` in the datastore's bucket, then closes the client. */
export async function withBucketRepo<T>(
  s3: S3Settings,
  repoId: string,
  work: (repo: BucketRepo) => Promise<T>,
): Promise<T> {
  const {
    S3Client,
    HeadBucketCommand,
    CreateBucketCommand,
    HeadObjectCommand,
    ListObjectsV2Command,
    GetObjectCommand,
    PutObjectCommand,
    DeleteObjectCommand,
  } = sdk();
  const ca = s3.cacert ? readFileSync(s3.cacert) : undefined;
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.pathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestHandler: {
      httpsAgent: new HttpsAgent({
        rejectUnauthorized: !s3.insecureTls,
        ...(ca ? { ca: [...rootCertificates, ca] } : {}),
      }),
    },
  });
  const Bucket = s3.bucket;
  const prefix = `${repoId}/keys/`;
  const where = `${s3.bucket}/${prefix}`;
  const keys: RepoKeys = {
    async readOnly() {
      const list = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix }));
      const found = (list.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
      if (found.length !== 1) throw new Error(`expected one key in ${where}, found ${found.length}`);
      const name = found[0]!.slice(prefix.length);
      if (!/^[0-9a-f]{64}$/.test(name)) throw new Error(`unexpected key ${JSON.stringify(name)} in ${where}`);
      const got = await client.send(new GetObjectCommand({ Bucket, Key: `${prefix}${name}` }));
      return { name, content: (await got.Body?.transformToString()) ?? '' };
    },
    async replace(oldName, next) {
      await client.send(new PutObjectCommand({ Bucket, Key: `${prefix}${next.name}`, Body: next.content }));
      await client.send(new DeleteObjectCommand({ Bucket, Key: `${prefix}${oldName}` }));
    },
  };
  const status = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  /** The bucket is there, or made as restic's init makes it (minio's MakeBucket: no location for us-east-1). */
  const bucketReady = async (): Promise<boolean> => {
    try {
      await client.send(new HeadBucketCommand({ Bucket }));
      return true;
    } catch (err) {
      if (status(err) !== 404) return false;
    }
    // The SDK's type lists AWS's regions; an S3 server names its own.
    const LocationConstraint = s3.region as ClientS3.BucketLocationConstraint;
    const location = s3.region && s3.region !== 'us-east-1' ? { LocationConstraint } : undefined;
    try {
      await client.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: location }));
      return true;
    } catch {
      return false;
    }
  };
  const create = async (files: NewRepoFiles): Promise<boolean> => {
    if (!(await bucketReady())) return false;
    const config = `${repoId}/config`;
    try {
      await client.send(new HeadObjectCommand({ Bucket, Key: config }));
      return true;
    } catch (err) {
      if (status(err) !== 404) throw err;
    }
    await client.send(new PutObjectCommand({ Bucket, Key: `${prefix}${files.key.name}`, Body: files.key.content }));
    await client.send(new PutObjectCommand({ Bucket, Key: config, Body: files.config }));
    return true;
  };
  try {
    return await work({ keys, create });
  } finally {
    client.destroy();
  }
}
