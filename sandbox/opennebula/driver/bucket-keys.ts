// The keys/ of a restic repository in an S3 bucket (restic's S3 layout: <bucket>/<repo>/keys/<id>),
// with the datastore's own settings and key, as restic reaches it from the front-end. Used only to
// give a new repository the sandbox's cheap key (cheap-key.ts).
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
import type { S3Settings } from './restic-command';

type Sdk = typeof ClientS3;

function sdk(): Sdk {
  // The SDK warns once in every process that its later versions need Node 22: not this CLI's news.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return createRequire(join(repoRoot, 'package.json'))('@aws-sdk/client-s3') as Sdk;
}

/** Runs `work` with the keys/ of repository `repoId` in the datastore's bucket, then closes the client. */
export async function withBucketKeys<T>(
  s3: S3Settings,
  repoId: string,
  work: (keys: RepoKeys) => Promise<T>,
): Promise<T> {
  const { S3Client, ListObjectsV2Command, GetObjectCommand, PutObjectCommand, DeleteObjectCommand } = sdk();
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
  try {
    return await work(keys);
  } finally {
    client.destroy();
  }
}
