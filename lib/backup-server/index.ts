import 'server-only';

// What lives on a backup server: repository discovery, snapshot-ID fingerprints, locks, df and
// preflight checks.
export * from './inventory';
export * from './preflight';
export { s3Inventory, s3Location, type S3Inventory } from './s3-inventory';
export { forgetStoredSizes } from './stored-sizes';
