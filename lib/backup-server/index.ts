import 'server-only';

// What lives on a backup server: repository discovery, snapshot-ID fingerprints, locks, df and
// preflight checks.
export * from './inventory';
export * from './preflight';
export { forgetStoredSizes } from './stored-sizes';
