// VM as VirtualMachine::to_xml writes it (order of share/doc/xsd/vm.xsd), with the BACKUPS section.
import type { Db, SchedAction, Vm } from '../store/types';
import { schedActionXml } from './other-xml';
import { templateXml } from './template-xml';
import { cel, el, ids, text } from './escape';
import { ownerHead, permsXml } from './common-xml';

function historyXml(db: Db, vm: Vm): string {
  const host = db.hosts.find((h) => h.id === vm.hostId);
  if (!host) return '<HISTORY_RECORDS/>';
  const f = [
    el('OID', vm.id),
    el('SEQ', 0),
    el('HOSTNAME', text(host.name)),
    el('HID', host.id),
    el('CID', host.clusterId),
    el('STIME', vm.stime),
    el('ETIME', 0),
    cel('VM_MAD', 'kvm'),
    cel('TM_MAD', 'ssh'),
    el('DS_ID', vm.systemDsId),
    el('PLAN_ID', -1),
    el('ACTION_ID', -1),
    el('PSTIME', vm.stime),
    el('PETIME', vm.stime),
    el('RSTIME', vm.stime),
    el('RETIME', 0),
    el('ESTIME', 0),
    el('EETIME', 0),
    el('ACTION', 0),
    el('UID', -1),
    el('GID', -1),
    el('REQUEST_ID', -1),
  ];
  return `<HISTORY_RECORDS><HISTORY>${f.join('')}</HISTORY></HISTORY_RECORDS>`;
}

function backupsXml(vm: Vm): string {
  const cfg = Object.keys(vm.backupConfig)
    .sort()
    .map((k) => cel(k, vm.backupConfig[k] ?? ''))
    .join('');
  return `<BACKUPS>${cfg ? `<BACKUP_CONFIG>${cfg}</BACKUP_CONFIG>` : '<BACKUP_CONFIG/>'}${ids('BACKUP_IDS', vm.backupIds)}</BACKUPS>`;
}

/**
 * VirtualMachine::to_xml. `one.vm.info` (show) puts the full SCHED_ACTION elements last in TEMPLATE
 * (vm.xsd); pool bodies (list) and the vm.xml of a backup carry only SCHED_ACTIONS/ID.
 */
export function vmXml(db: Db, vm: Vm, withSchedActions = false): string {
  const host = db.hosts.find((h) => h.id === vm.hostId);
  const saIds = vm.schedActionIds ?? [];
  const sas = withSchedActions
    ? saIds
        .map((id) => db.schedActions?.find((a) => a.id === id))
        .filter((a): a is SchedAction => a !== undefined)
        .map(schedActionXml)
        .join('')
    : '';
  const template = templateXml('TEMPLATE', vm.template);
  return (
    '<VM>' +
    ownerHead(db, vm) +
    permsXml(vm.perms) +
    el('LAST_POLL', vm.stime) +
    el('STATE', vm.state) +
    el('LCM_STATE', vm.lcmState) +
    el('PREV_STATE', vm.prevState) +
    el('PREV_LCM_STATE', vm.prevLcmState) +
    el('RESCHED', 0) +
    el('STIME', vm.stime) +
    el('ETIME', 0) +
    el('DEPLOY_ID', host ? `one-${vm.id}` : '') +
    '<MONITORING/>' +
    ids('SCHED_ACTIONS', saIds) +
    (sas ? template.replace(/<\/TEMPLATE>$/, `${sas}</TEMPLATE>`) : template) +
    templateXml('USER_TEMPLATE', vm.userTemplate) +
    historyXml(db, vm) +
    backupsXml(vm) +
    '</VM>'
  );
}
