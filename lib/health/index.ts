import 'server-only';

// The health home page: what needs attention now across every restic datastore the reader sees.
export { readHealth, type HealthReport, type DatastoreHealth } from './collect';
export {
  DEFAULT_THRESHOLDS,
  LOCK_STALE_AFTER_MS,
  type AttentionItem,
  type AttentionKind,
  type Severity,
  type HealthThresholds,
} from './attention';
