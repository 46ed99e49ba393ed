// BACKUPJOB (share/doc/xsd/backupjob.xsd), USER, VMTEMPLATE, CLUSTER and HOST.
import type { BackupJob, Cluster, Db, Host, SchedAction, User, VmTemplate } from '../store/types';
import { templateXml } from './template-xml';
import { cel, el, ids, text } from './escape';
import { ownerHead, permsXml } from './common-xml';

/** ScheduledAction::to_xml (plain values, no CDATA). */
export function schedActionXml(sa: SchedAction): string {
  return (
    '<SCHED_ACTION>' +
    el('ID', sa.id) +
    el('PARENT_ID', sa.parentId) +
    el('TYPE', sa.type) +
    el('ACTION', text(sa.action)) +
    el('ARGS', text(sa.args)) +
    el('TIME', sa.time) +
    el('REPEAT', sa.repeat) +
    el('DAYS', text(sa.days)) +
    el('END_TYPE', sa.endType) +
    el('END_VALUE', sa.endValue) +
    el('DONE', sa.done) +
    el('MESSAGE', text(sa.message)) +
    el('WARNING', sa.warning) +
    '</SCHED_ACTION>'
  );
}

/**
 * BackupJob::to_xml_extended. `one.backupjob.info` (show) puts the full SCHED_ACTION elements last
 * in TEMPLATE; pool bodies (list) carry only SCHED_ACTIONS/ID.
 */
export function backupJobXml(db: Db, bj: BackupJob, withSchedActions = false): string {
  const saIds = bj.schedActionIds ?? [];
  const sas = withSchedActions
    ? saIds
        .map((id) => db.schedActions?.find((a) => a.id === id))
        .filter((a): a is SchedAction => a !== undefined)
        .map(schedActionXml)
        .join('')
    : '';
  const template = templateXml('TEMPLATE', bj.template);
  return (
    '<BACKUPJOB>' +
    ownerHead(db, bj) +
    permsXml(bj.perms) +
    el('PRIORITY', bj.priority) +
    el('LAST_BACKUP_TIME', bj.lastBackupTime) +
    el('LAST_BACKUP_DURATION', bj.lastBackupDuration) +
    ids('SCHED_ACTIONS', saIds) +
    ids('UPDATED_VMS', bj.updatedVms) +
    ids('OUTDATED_VMS', bj.outdatedVms) +
    ids('BACKING_UP_VMS', bj.backingUpVms) +
    ids('ERROR_VMS', bj.errorVms) +
    (sas ? template.replace(/<\/TEMPLATE>$/, `${sas}</TEMPLATE>`) : template) +
    '</BACKUPJOB>'
  );
}

export function userXml(db: Db, u: User, showTokens: boolean): string {
  const gname = db.groups.find((g) => g.id === u.gid)?.name ?? '';
  const tokens = showTokens
    ? u.tokens
        .map(
          (t) =>
            `<LOGIN_TOKEN>${el('TOKEN', t.token)}${el('EXPIRATION_TIME', t.expiration)}${el('EGID', t.egid)}</LOGIN_TOKEN>`,
        )
        .join('')
    : '';
  return (
    '<USER>' +
    el('ID', u.id) +
    el('GID', u.gid) +
    ids('GROUPS', [u.gid]) +
    el('GNAME', text(gname)) +
    el('NAME', text(u.name)) +
    el('PASSWORD', u.password) +
    el('AUTH_DRIVER', 'core') +
    el('ENABLED', 1) +
    tokens +
    templateXml('TEMPLATE', []) +
    '<DATASTORE_QUOTA/><NETWORK_QUOTA/><VM_QUOTA/><IMAGE_QUOTA/>' +
    '</USER>'
  );
}

export function vmTemplateXml(db: Db, t: VmTemplate): string {
  return (
    '<VMTEMPLATE>' +
    ownerHead(db, t) +
    permsXml(t.perms) +
    el('REGTIME', t.regtime) +
    templateXml('TEMPLATE', t.template) +
    '</VMTEMPLATE>'
  );
}

export function clusterXml(db: Db, c: Cluster): string {
  const hosts = db.hosts.filter((h) => h.clusterId === c.id).map((h) => h.id);
  const dss = db.datastores.filter((d) => d.clusters.includes(c.id)).map((d) => d.id);
  return (
    '<CLUSTER>' +
    el('ID', c.id) +
    el('NAME', text(c.name)) +
    ids('HOSTS', hosts) +
    ids('DATASTORES', dss) +
    '<VNETS/>' +
    templateXml('TEMPLATE', [
      { name: 'RESERVED_CPU', value: '' },
      { name: 'RESERVED_MEM', value: '' },
    ]) +
    '</CLUSTER>'
  );
}

export function hostXml(db: Db, h: Host): string {
  const cluster = db.clusters.find((c) => c.id === h.clusterId)?.name ?? '';
  const vms = db.vms.filter((v) => v.hostId === h.id).map((v) => v.id);
  return (
    '<HOST>' +
    el('ID', h.id) +
    el('NAME', text(h.name)) +
    el('STATE', h.state) +
    el('PREV_STATE', h.state) +
    cel('IM_MAD', 'kvm') +
    cel('VM_MAD', 'kvm') +
    el('CLUSTER_ID', h.clusterId) +
    el('CLUSTER', text(cluster)) +
    '<HOST_SHARE><MEM_USAGE>0</MEM_USAGE><CPU_USAGE>0</CPU_USAGE><TOTAL_MEM>8388608</TOTAL_MEM><TOTAL_CPU>400</TOTAL_CPU>' +
    `<MAX_MEM>8388608</MAX_MEM><MAX_CPU>400</MAX_CPU><RUNNING_VMS>${vms.length}</RUNNING_VMS><VMS_THREAD>0</VMS_THREAD></HOST_SHARE>` +
    ids('VMS', vms) +
    templateXml('TEMPLATE', [
      { name: 'HOSTNAME', value: h.name },
      { name: 'HYPERVISOR', value: 'kvm' },
    ]) +
    '<MONITORING/>' +
    '</HOST>'
  );
}
