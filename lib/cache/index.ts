import 'server-only';

// The one in-memory cache mechanism of Backstone (see shared-cache.ts for its rules).
export {
  sharedCache,
  valueWithin,
  waitOrAbort,
  type Answer,
  type Freshness,
  type Known,
  type ReadOptions,
  type SharedCache,
} from './shared-cache';
