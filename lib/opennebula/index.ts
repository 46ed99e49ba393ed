import 'server-only';

// The OpenNebula front-end CLI as typed verbs. Callers never see argv, XML or CLI text.

export type { OneCredential, OneCallOptions, OneRunner } from './cli';
export { OneCredentialError } from './cli';
export * from './errors';
export * from './models';
export { listDatastores, getDatastore, getDatastoreDecrypted, createDatastore, deleteDatastore } from './datastores';
export { listImages, listBackupImages, getImage, restoreImage, deleteImage, type RestoreImageInput } from './images';
export { listVms, getVm } from './vms';
export {
  backupVm,
  cancelVmBackup,
  powerOffVm,
  resumeVm,
  restoreVmInPlace,
  updateVmBackupConfig,
  type BackupConfigUpdate,
  type RestoreInPlaceOptions,
} from './vm-actions';
export { deleteTemplate, getTemplate } from './templates';
export { listBackupJobs, getBackupJob, runBackupJob, retryBackupJob, cancelBackupJob } from './backup-jobs';
export { listClusters, listHosts } from './infrastructure';
export { getZone } from './zones';
export { oneVersion, parseOneVersion, versionAtLeast, type OneVersion } from './version';
export { whoami, getUser, createLoginToken, revokeLoginToken, type TokenRevocation } from './users';
export {
  serializeTemplate,
  parseTemplate,
  attributesFrom,
  unrepresentableReason,
  TemplateSyntaxError,
  TemplateValueError,
  type TemplateAttribute,
  type TemplateVectorEntry,
} from '@/lib/schemas/template-syntax';
export { OneXmlError } from './xml';
// For XML obtained elsewhere, e.g. the vm.xml a backup stores (OpenNebula's VM XML at backup time).
export { parseVm as parseVmXml, parseStoredVm, type StoredVm } from './parse/vm-xml';
