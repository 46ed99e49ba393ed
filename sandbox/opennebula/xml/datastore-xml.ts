// DATASTORE as Datastore::to_xml writes it (order of share/doc/xsd/datastore.xsd).
import { ENCRYPTED_DS_ATTRS } from '../crypto';
import type { Datastore, Db } from '../store/types';
import { templateXml } from './template-xml';
import { cel, el, ids } from './escape';
import { ownerHead, permsXml } from './common-xml';
import { setValue, getValue, type Template } from '../template/template';

export type ShowPassword = (cipherText: string) => string;

export function datastoreXml(db: Db, ds: Datastore, reveal?: ShowPassword): string {
  let template: Template = ds.template;
  for (const name of ENCRYPTED_DS_ATTRS) {
    const v = getValue(template, name);
    if (reveal && v !== undefined) template = setValue(template, name, reveal(v));
  }
  const images = db.images.filter((i) => i.datastoreId === ds.id).map((i) => i.id);
  return (
    '<DATASTORE>' +
    ownerHead(db, ds) +
    permsXml(ds.perms) +
    cel('DS_MAD', ds.dsMad) +
    cel('TM_MAD', ds.tmMad) +
    cel('BASE_PATH', ds.basePath) +
    el('TYPE', ds.type) +
    el('DISK_TYPE', ds.diskType) +
    el('STATE', ds.state) +
    ids('CLUSTERS', ds.clusters) +
    el('TOTAL_MB', ds.totalMb) +
    el('FREE_MB', ds.freeMb) +
    el('USED_MB', ds.usedMb) +
    ids('IMAGES', images) +
    templateXml('TEMPLATE', template) +
    '</DATASTORE>'
  );
}
