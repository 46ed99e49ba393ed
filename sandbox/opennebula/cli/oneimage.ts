// oneimage list | show | restore | delete
import { parseArgs, XML, idArg, type Parsed } from './args';
import { login, printXml, resolve, table, type Ctx } from './context';
import { OneError, actionError, notFound } from '../errors';
import { withDb } from '../store/db';
import { imageXml } from '../xml/image-xml';
import { visible, authorize } from '../permissions';
import { spawnJob } from '../ops/jobs';
import { planRestore } from '../ops/restore-image';
import { DS_TYPE, IMAGE_STATE, IMAGE_TYPE, inBackup } from '../ops/states';
import { isImageInUse, passHold } from '../ops/holds';

const TYPE_SHORT = ['OS', 'CD', 'DB', 'KL', 'RD', 'CX', 'BK', 'FS'];
const STATE_SHORT = ['init', 'rdy', 'used', 'disa', 'lock', 'err', 'clon', 'dele', 'used', 'lock', 'lock'];

export async function oneimage(ctx: Ctx, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const a = parseArgs(rest, [
    XML,
    { name: 'decrypt' },
    { name: 'datastore', short: 'd', value: true },
    { name: 'no_nic' },
    { name: 'no_ip' },
    { name: 'name', value: true },
    { name: 'increment', value: true },
    { name: 'disk_id', value: true },
  ]);
  switch (cmd) {
    case 'list':
      return list(ctx, a);
    case 'show':
      return passHold(ctx.paths, 'image-show').then(() => show(ctx, a));
    case 'restore':
      return restore(ctx, a);
    case 'delete':
      return del(ctx, a);
    default:
      throw new OneError(`oneimage: unknown command ${cmd ?? ''}`.trim());
  }
}

function list(ctx: Ctx, a: Parsed): number {
  const { db, s } = login(ctx, 'one.imagepool.info');
  const imgs = visible(s, db.images, 'IMAGE');
  if (a.options.xml) {
    printXml(ctx, `<IMAGE_POOL>${imgs.map((i) => imageXml(db, i)).join('')}</IMAGE_POOL>`);
    return 0;
  }
  const rows = imgs.map((i) => [
    i.id,
    db.users.find((u) => u.id === i.uid)?.name ?? '',
    db.groups.find((g) => g.id === i.gid)?.name ?? '',
    i.name,
    db.datastores.find((d) => d.id === i.datastoreId)?.name ?? '',
    `${i.size}M`,
    TYPE_SHORT[i.type] ?? '',
    i.persistent ? 'Yes' : 'No',
    STATE_SHORT[i.state] ?? '',
    i.vms.length,
  ]);
  ctx.out(table(['ID', 'USER', 'GROUP', 'NAME', 'DATASTORE', 'SIZE', 'TYPE', 'PER', 'STAT', 'RVMS'], rows));
  return 0;
}

function show(ctx: Ctx, a: Parsed): number {
  const M = 'one.image.info';
  const { db, s } = login(ctx, M);
  const img = resolve(db.images, a.positionals[0], 'IMAGE', M, 'IMAGE');
  authorize(s, M, img, 'USE', 'IMAGE');
  if (a.options.xml) printXml(ctx, imageXml(db, img));
  else
    ctx.out(
      [
        `IMAGE ${img.id} INFORMATION`,
        `ID             : ${img.id}`,
        `NAME           : ${img.name}`,
        `SOURCE         : ${img.source}`,
        `SIZE           : ${img.size}M`,
        `STATE          : ${STATE_SHORT[img.state]}`,
      ].join('\n'),
    );
  return 0;
}

async function restore(ctx: Ctx, a: Parsed): Promise<number> {
  const M = 'one.image.restore';
  if (a.options.datastore === undefined) {
    ctx.err('Datastore to restore the backup is mandatory: \n\t -d datastore_id | name');
    return 255;
  }
  const { db, s } = login(ctx, M);
  const img = resolve(db.images, a.positionals[0], 'IMAGE', M, 'IMAGE');
  const dst = resolve(db.datastores, String(a.options.datastore), 'DATASTORE', M, 'DATASTORE');
  authorize(s, M, img, 'USE', 'IMAGE');
  authorize(s, M, dst, 'USE', 'DATASTORE');
  // The real CLI prints a failed restore on stdout (`puts rc.message`), then exits -1.
  const fail = (msg: string) => new OneError(`[${M}] ${msg}`, true);
  if (img.type !== IMAGE_TYPE.BACKUP) throw fail('Image is not of type BACKUP');
  if (dst.type !== DS_TYPE.IMAGE_DS) throw fail('Destination datastore is not an image datastore');
  if (img.state !== IMAGE_STATE.READY) throw fail(`Wrong image state: ${STATE_SHORT[img.state]}`);
  try {
    // The driver's restore action (restic on the backup server) is under way until it answers.
    await passHold(ctx.paths, 'restore');
    const plan = await planRestore(ctx.paths, s.uid, s.gid, img.id, dst.id, {
      noNic: !!a.options.no_nic,
      noIp: !!a.options.no_ip,
      name: typeof a.options.name === 'string' ? a.options.name : undefined,
      incrementId: a.options.increment === undefined ? undefined : idArg(String(a.options.increment), 'increment'),
      diskId: a.options.disk_id === undefined ? undefined : idArg(String(a.options.disk_id), 'disk'),
      env: ctx.env,
    });
    spawnJob(ctx.paths, { kind: 'restore-copy', plan }, ctx.env);
    ctx.out(`VM Template: ${plan.templateId}`);
    if (plan.images.length) ctx.out(`Images: ${plan.images.map((i) => i.id).join(' ')}`);
    return 0;
  } catch (err) {
    if (err instanceof OneError) throw new OneError(err.message, true);
    throw fail(`Error restoring backup: ${(err as Error).message}`);
  }
}

function del(ctx: Ctx, a: Parsed): number {
  const M = 'one.image.delete';
  const { db, s } = login(ctx, M);
  for (const arg of a.positionals) {
    const img = resolve(db.images, arg, 'IMAGE', M, 'IMAGE');
    authorize(s, M, img, 'MANAGE', 'IMAGE');
    const dropped = withDb(ctx.paths, (d) => {
      const i = d.images.find((x) => x.id === img.id);
      if (!i) throw notFound(M, 'IMAGE', img.id);
      const vm = d.vms.find((v) => i.vms.includes(v.id));
      // ImageManager::delete_image: an image a running VM uses (a test marks one) is refused.
      if (isImageInUse(ctx.paths, i.id)) throw actionError(M, 'Cannot delete image. There are 1 VMs using it.');
      if (i.type === IMAGE_TYPE.BACKUP && vm && inBackup(vm.lcmState)) {
        throw actionError(M, `Active backup on the associated VM. Wait till it finish to delete the backup Image`);
      }
      // ImageManager::delete_image: a LOCKED image whose copy has not ended has no SOURCE yet, so
      // oned drops the record without asking the driver; the running copy is not stopped.
      if (i.state === IMAGE_STATE.LOCKED && i.source === '') {
        d.images = d.images.filter((x) => x.id !== i.id);
        return true;
      }
      if (i.state === IMAGE_STATE.LOCKED || i.state === IMAGE_STATE.DELETE)
        throw actionError(M, `Cannot delete image in state ${STATE_SHORT[i.state]}`);
      i.prevState = i.state;
      i.state = IMAGE_STATE.DELETE;
      return false;
    });
    if (!dropped) spawnJob(ctx.paths, { kind: 'delete-image', imageId: img.id }, ctx.env);
  }
  return 0;
}
