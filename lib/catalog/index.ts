import 'server-only';

// The domain: OpenNebula's backup images joined with the restic facts behind them.
export * from './types';
export {
  datastoreOverview,
  readDatastore,
  type DatastoreOverview,
  type DatastoreInfo,
  type Reader,
  type ServerStatus,
} from './overview';
export { repositoryDetail, RepositoryNotFound, REPOSITORY_NAME, type RepositoryDetail } from './repository';
export { listDatastoreSummaries } from './datastores';
export { capacityReport, type CapacityReport } from './capacity-report';
export { NotAResticDatastore } from './access';
