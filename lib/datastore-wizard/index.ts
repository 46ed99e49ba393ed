import 'server-only';

// The datastore wizard's server side: preflight, host cgroup checks, host-key trust and creation
// at most once per wizard submission.
export { createDatastoreOnce, type CreateOutcome, type Who } from './create';
export { runPreflight, type PreflightInput } from './preflight';
export { s3Support, S3_NEEDS, type S3Support } from './s3-support';
export { runS3Preflight, s3SettingsOf, type S3PreflightInput } from './s3-preflight';
export { trustServerKey, type TrustOutcome } from './trust';
export { checkHostCgroups, evaluateCgroups } from './host-cgroups';
