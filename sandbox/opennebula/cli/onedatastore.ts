// onedatastore create | list | show | delete
import { readFileSync } from 'node:fs';
import { parseArgs, XML, type Parsed } from './args';
import { callerPath, login, printXml, resolve, table, type Ctx } from './context';
import { OneError, allocateError, actionError, authorizationError } from '../errors';
import { parseTemplate, parseErrorText, TemplateSyntaxError } from '../template/parse';
import { getValue, removeAttr, setValue, type Template } from '../template/template';
import { withDb } from '../store/db';
import { DS_PERMS } from '../store/initial-db';
import { encrypt, decrypt, ENCRYPTED_DS_ATTRS } from '../crypto';
import { datastoreXml } from '../xml/datastore-xml';
import { visible, authorize } from '../permissions';
import { DS_TYPE } from '../ops/states';
import { checkName } from './names';
import { spawnJob } from '../ops/jobs';
import type { Datastore } from '../store/types';

const TYPES: Record<string, number> = { IMAGE_DS: 0, SYSTEM_DS: 1, FILE_DS: 2, BACKUP_DS: 3 };
const TYPE_SHORT = ['img', 'sys', 'fil', 'bck'];
/** DS_MAD_CONF REQUIRED_ATTRS of oned.conf for the drivers the sandbox knows. */
const REQUIRED_ATTRS: Record<string, string[]> = { restic: ['RESTIC_PASSWORD'], rsync: ['RSYNC_HOST', 'RSYNC_USER'] };

export function onedatastore(ctx: Ctx, argv: string[]): number {
  const [cmd, ...rest] = argv;
  const a = parseArgs(rest, [XML, { name: 'cluster', short: 'c', value: true }, { name: 'decrypt' }]);
  switch (cmd) {
    case 'create':
      return create(ctx, a);
    case 'list':
      return list(ctx, a);
    case 'show':
      return show(ctx, a);
    case 'delete':
      return del(ctx, a);
    default:
      throw new OneError(`onedatastore: unknown command ${cmd ?? ''}`.trim());
  }
}

function readTemplateFile(ctx: Ctx, file: string | undefined): string {
  if (!file) throw new OneError('one parameter to run');
  try {
    return readFileSync(callerPath(ctx, file), 'utf8');
  } catch {
    throw new OneError(`No such file or directory @ rb_sysopen - ${file}`);
  }
}

export function parseOrRefuse(method: string, text: string): Template {
  if (text.trimStart().startsWith('<')) throw actionError(method, 'Parse error: XML Template malformed.');
  try {
    return parseTemplate(text);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw actionError(method, parseErrorText(err));
    throw err;
  }
}

function create(ctx: Ctx, a: Parsed): number {
  const M = 'one.datastore.allocate';
  const { db, s } = login(ctx, M);
  const text = readTemplateFile(ctx, a.positionals[0]);
  if (!s.admin) throw authorizationError(M, s.uid, 'CREATE', 'DATASTORE');
  let t = parseOrRefuse(M, text);
  const clusterArg = typeof a.options.cluster === 'string' ? a.options.cluster : '0';
  const cluster = resolve(db.clusters, clusterArg, 'CLUSTER', M, 'CLUSTER');
  const name = getValue(t, 'NAME') ?? '';
  if (!name) throw allocateError(M, 'DATASTORE', 'No NAME in template.');
  checkName(M, 'DATASTORE', name);
  const typeName = (getValue(t, 'TYPE') ?? 'IMAGE_DS').toUpperCase();
  const type = TYPES[typeName];
  if (type === undefined) throw allocateError(M, 'DATASTORE', `Invalid DATASTORE TYPE: ${typeName}.`);
  const dsMad = getValue(t, 'DS_MAD') ?? (type === DS_TYPE.SYSTEM_DS ? '-' : '');
  if (!dsMad) throw allocateError(M, 'DATASTORE', 'No DS_MAD in template.');
  let tmMad = getValue(t, 'TM_MAD') ?? '';
  if (type === DS_TYPE.BACKUP_DS) tmMad = '-';
  if (!tmMad) throw allocateError(M, 'DATASTORE', 'No TM_MAD in template.');
  for (const attr of REQUIRED_ATTRS[dsMad] ?? []) {
    if (!getValue(t, attr))
      throw actionError(M, `Datastore template is missing the "${attr}" attribute or it's empty.`);
  }
  t = removeAttr(removeAttr(t, 'NAME'), 'BASE_PATH');
  if (type === DS_TYPE.BACKUP_DS) t = removeAttr(t, 'DISK_TYPE');
  if (getValue(t, 'SAFE_DIRS') === undefined) t = setValue(t, 'SAFE_DIRS', '/var/tmp');
  if (getValue(t, 'RESTRICTED_DIRS') === undefined) t = setValue(t, 'RESTRICTED_DIRS', '/');
  const encrypted: readonly string[] = ENCRYPTED_DS_ATTRS;
  t = t.map((x) =>
    encrypted.includes(x.name) && 'value' in x ? { name: x.name, value: encrypt(ctx.paths, x.value) } : x,
  );
  const id = withDb(ctx.paths, (d) => {
    const taken = d.datastores.find((x) => x.name === name);
    if (taken) throw allocateError(M, 'DATASTORE', `NAME is already taken by DATASTORE ${taken.id}.`);
    const newId = d.nextId.datastore++;
    const ds: Datastore = {
      id: newId,
      uid: s.uid,
      gid: s.gid,
      name,
      perms: DS_PERMS,
      dsMad,
      tmMad,
      // var_location + "/datastores": the double slash oned shows
      basePath: `${ctx.paths.oneHome}//datastores/${newId}`,
      type,
      diskType: 0,
      state: 0,
      clusters: [cluster.id],
      totalMb: 0,
      freeMb: 0,
      usedMb: 0,
      template: t,
    };
    d.datastores.push(ds);
    return newId;
  });
  ctx.out(`ID: ${id}`);
  // The first monitor cycle fills TOTAL_MB/FREE_MB/USED_MB shortly after creation.
  if (type === DS_TYPE.BACKUP_DS) spawnJob(ctx.paths, { kind: 'monitor' }, ctx.env);
  return 0;
}

function list(ctx: Ctx, a: Parsed): number {
  const { db, s } = login(ctx, 'one.datastorepool.info');
  const dss = visible(s, db.datastores, 'DATASTORE');
  if (a.options.xml) {
    printXml(ctx, `<DATASTORE_POOL>${dss.map((d) => datastoreXml(db, d)).join('')}</DATASTORE_POOL>`);
    return 0;
  }
  const rows = dss.map((d) => [
    d.id,
    d.name,
    `${(d.totalMb / 1024).toFixed(1)}G`,
    d.totalMb ? `${Math.round((d.freeMb / d.totalMb) * 100)}%` : '-',
    d.clusters.join(','),
    db.images.filter((i) => i.datastoreId === d.id).length,
    TYPE_SHORT[d.type] ?? '-',
    d.dsMad,
    d.tmMad,
    d.state === 0 ? 'on' : 'off',
  ]);
  ctx.out(table(['ID', 'NAME', 'SIZE', 'AVA', 'CLUSTERS', 'IMAGES', 'TYPE', 'DS', 'TM', 'STAT'], rows));
  return 0;
}

function show(ctx: Ctx, a: Parsed): number {
  const M = 'one.datastore.info';
  const { db, s } = login(ctx, M);
  const ds = resolve(db.datastores, a.positionals[0], 'DATASTORE', M, 'DATASTORE');
  authorize(s, M, ds, 'USE', 'DATASTORE');
  // SharedAPI: decrypt && att.is_admin()
  const reveal = a.options.decrypt && s.admin ? (c: string) => decrypt(ctx.paths, c) : undefined;
  const encrypted: readonly string[] = ENCRYPTED_DS_ATTRS;
  if (a.options.xml) {
    printXml(ctx, datastoreXml(db, ds, reveal));
    return 0;
  }
  const lines = [
    `DATASTORE ${ds.id} INFORMATION`,
    `ID             : ${ds.id}`,
    `NAME           : ${ds.name}`,
    `USER           : ${db.users.find((u) => u.id === ds.uid)?.name ?? ''}`,
    `GROUP          : ${db.groups.find((g) => g.id === ds.gid)?.name ?? ''}`,
    `CLUSTERS       : ${ds.clusters.join(',')}`,
    `TYPE           : ${Object.keys(TYPES)[ds.type]}`,
    `DS_MAD         : ${ds.dsMad}`,
    `TM_MAD         : ${ds.tmMad}`,
    `BASE PATH      : ${ds.basePath}`,
    `DISK_TYPE      : FILE`,
    `STATE          : ${ds.state === 0 ? 'READY' : 'DISABLED'}`,
    '',
    'DATASTORE CAPACITY',
    `TOTAL:         : ${ds.totalMb}M`,
    `FREE:          : ${ds.freeMb}M`,
    `USED:          : ${ds.usedMb}M`,
    '',
    'DATASTORE TEMPLATE',
    ...ds.template.map((x) =>
      'value' in x
        ? `${x.name}="${reveal && encrypted.includes(x.name) ? reveal(x.value) : x.value}"`
        : `${x.name}=[...]`,
    ),
  ];
  ctx.out(lines.join('\n'));
  return 0;
}

function del(ctx: Ctx, a: Parsed): number {
  const M = 'one.datastore.delete';
  const { db, s } = login(ctx, M);
  for (const arg of a.positionals) {
    const ds = resolve(db.datastores, arg, 'DATASTORE', M, 'DATASTORE');
    authorize(s, M, ds, 'ADMIN', 'DATASTORE');
    withDb(ctx.paths, (d) => {
      if (d.images.some((i) => i.datastoreId === ds.id))
        throw actionError(M, 'Cannot delete datastore. The datastore is not empty.');
      if (ds.id < 3) throw actionError(M, 'Cannot delete datastore. System datastores cannot be deleted.');
      d.datastores = d.datastores.filter((x) => x.id !== ds.id);
    });
  }
  return 0;
}
