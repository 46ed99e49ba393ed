// oneimage restore: the driver's restore (file list and vm.xml from the backup server), then new
// images registered LOCKED with their restic:// PATH and a VM template from vm.xml; the data copy
// (the restic downloader) runs in the background and leaves each image READY or ERROR.
import { mkdirSync } from 'node:fs';
import { posix } from 'node:path';
import { createHash } from 'node:crypto';
import { parseStringPromise } from 'xml2js';
import type { FrontendPaths } from '../paths';
import { readDb, withDb } from '../store/db';
import type { Image } from '../store/types';
import { resticDs } from '../driver/datastore-context';
import { downloadDisk, readRestoreInfo, resticUrl, type ChainLink } from '../driver/restore';
import { imageBackupJobId, imageChain, imageRepoId } from './image-repo';
import { IMAGE_STATE, IMAGE_TYPE } from './states';
import { now } from '../clock';
import { OneError } from '../errors';
import type { Template } from '../template/template';
import { setValue } from '../template/template';
import { runOk } from '../../common/process';

export type RestoreOptions = {
  noNic: boolean;
  noIp: boolean;
  name?: string;
  incrementId?: number;
  diskId?: number;
  /** The caller's environment, for its pinned clock (ONE_SANDBOX_NOW). */
  env?: NodeJS.ProcessEnv;
};
export type RestorePlan = {
  templateId: number;
  images: { id: number; diskId: number; dest: string }[];
  chain: ChainLink[];
  dir: string;
  backupImageId: number;
};

type XmlNode = Record<string, unknown>;

function chainFor(img: Image, incrementId?: number): ChainLink[] {
  const all = imageChain(img).map((i) => ({ id: i.id, snap: i.source }));
  if (incrementId === undefined) return all;
  const upTo = all.filter((c) => c.id <= incrementId);
  if (!upTo.length || upTo[upTo.length - 1]!.id !== incrementId)
    throw new OneError(`[one.image.restore] Increment ${incrementId} not found in the backup chain`);
  return upTo;
}

/** VM TEMPLATE attributes of vm.xml worth keeping in a template (NIC/IP/context cleaned). */
async function templateFromVmXml(
  vmXmlText: string,
  opts: RestoreOptions,
  imageIds: Map<number, number>,
): Promise<Template> {
  const doc = (await parseStringPromise(vmXmlText, { explicitArray: false })) as { VM?: { TEMPLATE?: XmlNode } };
  const t = doc.VM?.TEMPLATE ?? {};
  const out: Template = [];
  const asList = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]) as XmlNode[];
  for (const k of ['CPU', 'MEMORY', 'VCPU']) if (typeof t[k] === 'string') out.push({ name: k, value: t[k] as string });
  for (const k of ['OS', 'GRAPHICS']) {
    const v = t[k];
    if (v && typeof v === 'object') out.push({ name: k, vector: v as Record<string, string> });
  }
  for (const d of asList(t.DISK)) {
    const diskId = Number(d.DISK_ID);
    const img = imageIds.get(diskId);
    if (img !== undefined) out.push({ name: 'DISK', vector: { IMAGE_ID: String(img) } });
  }
  if (!opts.noNic) {
    for (const n of asList(t.NIC)) {
      const nic: Record<string, string> = {};
      for (const key of ['NETWORK', 'NETWORK_UNAME', 'MODEL'])
        if (typeof n[key] === 'string') nic[key] = n[key] as string;
      if (!opts.noIp) for (const key of ['IP', 'MAC']) if (typeof n[key] === 'string') nic[key] = n[key] as string;
      out.push({ name: 'NIC', vector: nic });
    }
  }
  const ctx = t.CONTEXT;
  if (ctx && typeof ctx === 'object') {
    const c = Object.fromEntries(
      Object.entries(ctx as Record<string, string>).filter(([k]) => !/^(ETH\d+_|DISK_ID$|TARGET$)/.test(k)),
    );
    out.push({ name: 'CONTEXT', vector: c });
  }
  return out;
}

export async function planRestore(
  paths: FrontendPaths,
  uid: number,
  gid: number,
  imageId: number,
  dstDsId: number,
  opts: RestoreOptions,
): Promise<RestorePlan> {
  const db = readDb(paths);
  const img = db.images.find((i) => i.id === imageId)!;
  const ds = db.datastores.find((d) => d.id === img.datastoreId)!;
  const dst = db.datastores.find((d) => d.id === dstDsId)!;
  const chain = chainFor(img, opts.incrementId);
  const repo = imageRepoId(img);
  const rds = resticDs(paths, ds);
  // A missing --increment means increment 0 while it exists (nil.to_i): its vm.xml, its file names.
  const named =
    opts.incrementId === undefined
      ? (chain.find((c) => c.id === 0) ?? chain[chain.length - 1]!)
      : chain[chain.length - 1]!;
  const info = await readRestoreInfo(paths, rds, repo, named.snap);
  const vmId = img.vms[0] ?? Number(repo.replace(/\D/g, ''));
  const base = opts.name ?? `${vmId}-${named.snap}`;
  const disks = opts.diskId === undefined ? info.diskIds : info.diskIds.filter((d) => d === opts.diskId);
  if (!disks.length) throw new OneError(`[one.image.restore] Disk ${opts.diskId} not found in backup`);
  const t = now(opts.env);
  mkdirSync(dst.basePath, { recursive: true });
  return register(paths, {
    uid,
    gid,
    img,
    dst: dst.id,
    dstBase: dst.basePath,
    chain,
    named,
    base,
    disks,
    info,
    opts,
    t,
    bj: imageBackupJobId(img),
  });
}

type Reg = {
  uid: number;
  gid: number;
  img: Image;
  dst: number;
  dstBase: string;
  chain: ChainLink[];
  named: ChainLink;
  base: string;
  disks: number[];
  info: { dir: string; vmXml: string };
  opts: RestoreOptions;
  t: number;
  bj?: number;
};

async function register(paths: FrontendPaths, r: Reg): Promise<RestorePlan> {
  const images: RestorePlan['images'] = [];
  withDb(paths, (db) => {
    for (const diskId of r.disks) {
      const id = db.nextId.image++;
      const dest = posix.join(
        posix.normalize(r.dstBase),
        createHash('md5').update(`${id}:${r.t}:${Math.random()}`).digest('hex'),
      );
      let template: Template = [{ name: 'FROM_BACKUP_DS', value: String(r.img.datastoreId) }];
      if (r.bj !== undefined) template = setValue(template, 'BACKUP_JOB_ID', String(r.bj));
      db.images.push({
        id,
        uid: r.uid,
        gid: r.gid,
        name: `${r.base}-disk-${diskId}`,
        perms: [1, 1, 0, 0, 0, 0, 0, 0, 0],
        type: diskId === 0 ? IMAGE_TYPE.OS : IMAGE_TYPE.DATABLOCK,
        diskType: 0,
        persistent: 0,
        regtime: r.t,
        modtime: r.t,
        // oned learns SOURCE from the datastore's cp when the copy ends; until then it is empty.
        source: '',
        path: resticUrl(r.img.datastoreId, r.bj, r.chain, `${r.info.dir}/disk.${diskId}.${r.named.id}`),
        format: 'qcow2',
        fs: '',
        size: 0,
        state: IMAGE_STATE.LOCKED,
        prevState: IMAGE_STATE.LOCKED,
        datastoreId: r.dst,
        vms: [],
        template,
        increments: [],
        backupDiskIds: null,
      });
      images.push({ id, diskId, dest });
    }
  });
  let templateId = -1;
  if (r.opts.diskId === undefined) {
    const tmpl = await templateFromVmXml(r.info.vmXml, r.opts, new Map(images.map((i) => [i.diskId, i.id])));
    templateId = withDb(paths, (db) => {
      const id = db.nextId.template++;
      db.templates.push({
        id,
        uid: r.uid,
        gid: r.gid,
        name: r.base,
        perms: [1, 1, 0, 0, 0, 0, 0, 0, 0],
        regtime: r.t,
        template: tmpl,
      });
      return id;
    });
  }
  return { templateId, images, chain: r.chain, dir: r.info.dir, backupImageId: r.img.id };
}

/** The background copy: one downloader run per disk, then READY (with SIZE) or ERROR. */
export async function copyRestoredImages(paths: FrontendPaths, plan: RestorePlan): Promise<void> {
  const db = readDb(paths);
  const img = db.images.find((i) => i.id === plan.backupImageId);
  for (const target of plan.images) {
    try {
      if (!img) throw new Error(`backup image ${plan.backupImageId} is gone`);
      const ds = db.datastores.find((d) => d.id === img.datastoreId)!;
      await downloadDisk(
        paths,
        resticDs(paths, ds),
        imageRepoId(img),
        plan.chain,
        plan.dir,
        target.diskId,
        target.dest,
      );
      const info = JSON.parse(await runOk('qemu-img', ['info', '--output=json', target.dest])) as {
        'virtual-size': number;
      };
      // Deleted during the copy: as oned logs, "CP operation succeeded but image no longer exists.
      // Source image: <dest>, may be left in datastore" — the copied file stays where it is.
      withDb(paths, (x) => {
        const i = x.images.find((y) => y.id === target.id);
        if (!i) return;
        Object.assign(i, {
          source: target.dest,
          state: IMAGE_STATE.READY,
          prevState: IMAGE_STATE.LOCKED,
          size: Math.ceil(info['virtual-size'] / 1048576),
        });
      });
    } catch (err) {
      withDb(paths, (x) => {
        const i = x.images.find((y) => y.id === target.id);
        if (!i) return;
        i.state = IMAGE_STATE.ERROR;
        i.template = setValue(i.template, 'ERROR', `Error copying image in the datastore: ${(err as Error).message}`);
      });
    }
  }
}
