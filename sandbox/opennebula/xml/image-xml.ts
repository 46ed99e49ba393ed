// IMAGE as Image::to_xml writes it (order of share/doc/xsd/image.xsd, 7.x with MODTIME and
// BACKUP_DISK_IDS).
import type { Db, Image, Increment } from '../store/types';
import { templateXml } from './template-xml';
import { cel, el, ids, text } from './escape';
import { ownerHead, permsXml } from './common-xml';

function incrementXml(i: Increment): string {
  return (
    '<INCREMENT>' +
    cel('DATE', String(i.date)) +
    cel('ID', String(i.id)) +
    cel('PARENT_ID', String(i.parentId)) +
    cel('SIZE', String(i.size)) +
    cel('SOURCE', i.source) +
    cel('TYPE', i.type) +
    '</INCREMENT>'
  );
}

export function imageXml(db: Db, img: Image): string {
  const dsName = db.datastores.find((d) => d.id === img.datastoreId)?.name ?? '';
  const incs = img.increments.length
    ? `<BACKUP_INCREMENTS>${img.increments.map(incrementXml).join('')}</BACKUP_INCREMENTS>`
    : '<BACKUP_INCREMENTS/>';
  return (
    '<IMAGE>' +
    ownerHead(db, img) +
    permsXml(img.perms) +
    el('TYPE', img.type) +
    el('DISK_TYPE', img.diskType) +
    el('PERSISTENT', img.persistent) +
    el('REGTIME', img.regtime) +
    el('MODTIME', img.modtime) +
    cel('SOURCE', img.source) +
    cel('PATH', img.path) +
    cel('FORMAT', img.format) +
    cel('FS', img.fs) +
    el('SIZE', img.size) +
    el('STATE', img.state) +
    el('PREV_STATE', img.prevState) +
    el('RUNNING_VMS', img.vms.length) +
    el('CLONING_OPS', 0) +
    el('CLONING_ID', -1) +
    el('TARGET_SNAPSHOT', -1) +
    el('DATASTORE_ID', img.datastoreId) +
    el('DATASTORE', text(dsName)) +
    ids('VMS', img.vms) +
    '<CLONES/><APP_CLONES/>' +
    templateXml('TEMPLATE', img.template) +
    `<SNAPSHOTS>${cel('ALLOW_ORPHANS', 'NO')}${cel('CURRENT_BASE', '-1')}${cel('NEXT_SNAPSHOT', '0')}</SNAPSHOTS>` +
    incs +
    (img.backupDiskIds ? ids('BACKUP_DISK_IDS', img.backupDiskIds) : '') +
    '</IMAGE>'
  );
}
