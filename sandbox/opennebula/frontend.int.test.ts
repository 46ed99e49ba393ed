// The sandbox front-end against one seeded demo cloud (seeded once, shared by every check): XML
// valid against OpenNebula's XSDs, authentication and authorization as oned answers them, real
// restores equal to the source disks, deletions that prune, consistent state under concurrency.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, waitFor } from '../common/process';
import { stopSandbox } from '../status';
import { seedDemoCloud, type SeedReport } from '../seed/seed-demo-cloud';
import { startFrontend, type FrontendInfo } from './frontend';
import { frontendPaths } from './paths';
import { readDb } from './store/db';
import { readConfig } from './config';
import { resticDs } from './driver/datastore-context';
import { imageChain, imageRepoId } from './ops/image-repo';
import { vmDir } from './vm/disks';
import { one, validate } from './test-support';
import { CHEAP_KDF } from '../common/restic-key';

let stateDir: string;
let info: FrontendInfo;
let seed: SeedReport;
const paths = () => frontendPaths(stateDir);

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'backstone-frontend-'));
  chmodSync(stateDir, 0o755);
  info = await startFrontend(stateDir);
  seed = (await seedDemoCloud(stateDir))!;
  // How long the seed took is a figure, not a test: printed for whoever watches the run.
  console.log(`the demo cloud was seeded in ${seed.seconds} s`);
}, 170_000);

afterAll(async () => {
  // Background workers end by themselves; wait for them (bounded) before removing their files.
  await waitFor(() => readDb(paths()).images.every((i) => i.state !== 4 && i.state !== 7), 60_000, 100);
  await stopSandbox(stateDir);
  rmSync(stateDir, { recursive: true, force: true });
});

async function snapshotsOf(repoId: string): Promise<string[]> {
  const p = paths();
  const ds = resticDs(
    p,
    readDb(p).datastores.find((d) => d.id === 100)!,
  );
  const r = await run(
    readConfig(p).restic,
    ['--no-lock', '--json', '-r', posix.join(ds.basePath, repoId), 'snapshots'],
    {
      input: ds.password,
      env: { ...process.env, RESTIC_PASSWORD_COMMAND: 'cat', RESTIC_CACHE_DIR: join(stateDir, 'test-cache') },
    },
  );
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { short_id: string }[]).map((s) => s.short_id);
}

describe('the seeded demo cloud', () => {
  it('prints -x output that validates against the XSDs', async () => {
    const docs: [string, string[], string][] = [
      ['onedatastore', ['list', '-x'], 'datastore_pool.xsd'],
      ['onedatastore', ['show', '-x', '100'], 'datastore.xsd'],
      ['onedatastore', ['show', '-x', '--decrypt', '100'], 'datastore.xsd'],
      ['oneimage', ['list', '-x'], 'image_pool.xsd'],
      ['onevm', ['list', '-x'], 'vm_pool.xsd'],
      ['onebackupjob', ['list', '-x'], 'backupjob_pool.xsd'],
      ['onebackupjob', ['show', '-x', String(seed.backupJobId)], 'backupjob.xsd'],
    ];
    for (const vm of Object.values(seed.vms)) docs.push(['onevm', ['show', '-x', String(vm)], 'vm.xsd']);
    for (const img of readDb(paths()).images) docs.push(['oneimage', ['show', '-x', String(img.id)], 'image.xsd']);
    for (const [cmd, args, xsd] of docs) {
      const out = await one(info, 'oneadmin', cmd, ...args);
      expect(out.code, `${cmd} ${args.join(' ')}: ${out.stderr}`).toBe(0);
      const v = await validate(out.stdout, xsd);
      expect(v.code, `${cmd} ${args.join(' ')}: ${v.stderr}`).toBe(0);
    }
    for (const cmd of ['onecluster', 'onehost', 'oneuser']) {
      const out = await one(info, 'oneadmin', cmd, cmd === 'oneuser' ? 'show' : 'list', '-x');
      expect((await run('xmllint', ['--noout', '-'], { input: out.stdout })).code).toBe(0);
    }
  });

  it('has a daily Backup Job whose last run could not back up the VM being restored (ERROR_VMS)', async () => {
    const job = readDb(paths()).backupjobs.find((j) => j.id === seed.backupJobId)!;
    expect(job).toMatchObject({
      updatedVms: [seed.vms.app],
      errorVms: [seed.vms.ci],
      outdatedVms: [],
      backingUpVms: [],
    });
    const xml = (await one(info, 'oneadmin', 'onebackupjob', 'show', '-x', String(seed.backupJobId))).stdout;
    expect(xml).toMatch(
      new RegExp(
        `<ERROR><!\\[CDATA\\[.* : \\[backup\\] Could not create a new backup for VM ${seed.vms.ci}, wrong state RESTORE\\.\\]\\]></ERROR>`,
      ),
    );
    expect(xml).toMatch(/<SCHED_ACTION>[\s\S]*<REPEAT>0<\/REPEAT>[\s\S]*<DAYS>0,1,2,3,4,5,6<\/DAYS>/);
    // The restore has ended: the VM is powered off again, so a retry can back it up.
    const ci = readDb(paths()).vms.find((v) => v.id === seed.vms.ci)!;
    expect([ci.state, ci.lcmState]).toEqual([8, 0]);
  });

  it('keeps the password encrypted unless oneadmin asks for --decrypt', async () => {
    const enc = (await one(info, 'oneadmin', 'onedatastore', 'show', '-x', '100')).stdout;
    const dec = (await one(info, 'oneadmin', 'onedatastore', 'show', '-x', '--decrypt', '100')).stdout;
    expect(enc).not.toContain('sandbox-restic-pw');
    expect(dec).toContain('<RESTIC_PASSWORD><![CDATA[sandbox-restic-pw]]></RESTIC_PASSWORD>');
    expect((await one(info, 'alice', 'onedatastore', 'show', '-x', '--decrypt', '100')).stdout).not.toContain(
      'sandbox-restic-pw',
    );
  });

  it('names existing snapshots in every SOURCE, except what the seed broke on purpose', async () => {
    const db = readDb(paths());
    const byRepo = new Map<string, string[]>();
    for (const img of db.images.filter((i) => i.type === 6)) {
      const repo = imageRepoId(img);
      if (!byRepo.has(repo)) byRepo.set(repo, await snapshotsOf(repo));
      const sources = img.increments.length ? img.increments.map((i) => i.source) : [img.source];
      for (const s of sources) {
        if (img.id === seed.danglingImage.imageId) expect(byRepo.get(repo)).not.toContain(s);
        else expect(byRepo.get(repo), `image ${img.id} source ${s}`).toContain(s);
      }
    }
    const referenced = new Set(db.images.flatMap((i) => imageChain(i).map((c) => c.source)));
    const legacy = byRepo.get(String(seed.vms.legacy)) ?? [];
    expect(legacy.filter((s) => !referenced.has(s))).toEqual([seed.orphanSnapshot.snapshot]);
    expect(db.images.some((i) => i.increments.length > 0 && i.increments[0]!.id > 0)).toBe(true); // flattened
  });

  it("writes each repository the driver creates itself, with the sandbox's cheap scrypt cost", () => {
    const p = paths();
    const ds = resticDs(
      p,
      readDb(p).datastores.find((d) => d.id === 100)!,
    );
    const repos = readdirSync(ds.basePath);
    expect(repos.length).toBeGreaterThan(0);
    for (const repo of repos) {
      const keys = readdirSync(join(ds.basePath, repo, 'keys'));
      expect(keys, repo).toHaveLength(1);
      const key = JSON.parse(readFileSync(join(ds.basePath, repo, 'keys', keys[0]!), 'utf8')) as { created: string };
      expect(key).toMatchObject(CHEAP_KDF);
      // Not restic's init, whose keys say when in nanoseconds (repo-shortcuts.ts).
      expect(key.created, repo).toMatch(/T\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('authenticates from ONE_AUTH and authorizes as oned does', async () => {
    const bad = join(stateDir, 'bad_auth');
    writeFileSync(bad, 'alice:wrong\n');
    const r = await run(join(info.commandDir, 'onevm'), ['list', '-x'], { env: { ...process.env, ONE_AUTH: bad } });
    expect(r.code).toBe(255);
    expect(r.stderr.trim()).toBe("[one.vmpool.info] User couldn't be authenticated, aborting call.");
    const denied = await one(info, 'alice', 'onevm', 'show', '-x', String(seed.vms.web));
    expect(denied.code).toBe(255);
    expect(denied.stderr.trim()).toBe(`[one.vm.info] User [2] : Not authorized to perform USE VM [${seed.vms.web}].`);
    const mine = await one(info, 'alice', 'onevm', 'list', '-x');
    expect(mine.stdout).toContain('<NAME>db-primary</NAME>');
    expect(mine.stdout).not.toContain('<NAME>web-frontend</NAME>');
    const token = (await one(info, 'alice', 'oneuser', 'token-create', 'alice')).stdout.trim().split('\n')[1]!;
    const tokenFile = join(stateDir, 'token_auth');
    writeFileSync(tokenFile, `${token}\n`);
    // Without a user name the token replaces the ONE_AUTH file's contents, only with --force.
    const aliceCopy = join(stateDir, 'alice_copy');
    writeFileSync(aliceCopy, readFileSync(info.accounts.find((a) => a.name === 'alice')!.oneAuth));
    const refused = await run(join(info.commandDir, 'oneuser'), ['token-create'], {
      env: { ...process.env, ONE_AUTH: aliceCopy },
    });
    expect(refused.code).toBe(255);
    const forced = await run(join(info.commandDir, 'oneuser'), ['token-create', '--force'], {
      env: { ...process.env, ONE_AUTH: aliceCopy },
    });
    expect(readFileSync(aliceCopy, 'utf8').trim()).toBe(forced.stdout.trim().split('\n')[1]);
    const viaToken = await run(join(info.commandDir, 'oneuser'), ['show', '-x'], {
      env: { ...process.env, ONE_AUTH: tokenFile },
    });
    expect(viaToken.stdout).toContain('<NAME>alice</NAME>');
  });

  it('stores hostile template values exactly, and refuses what oned refuses', async () => {
    const value = `it's "q" \\ $(touch /tmp/pwned) \`id\`\nline2 ${'x'.repeat(5000)}`;
    const tpl = join(stateDir, 'hostile.tpl');
    writeFileSync(
      tpl,
      `NAME = "hostile"\nTYPE = "BACKUP_DS"\nDS_MAD = "restic"\nRESTIC_PASSWORD = "pw"\nRESTIC_SFTP_SERVER = "backup.sandbox"\nNOTE = "${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\n`,
    );
    const created = await one(info, 'oneadmin', 'onedatastore', 'create', tpl);
    expect(created.stdout).toMatch(/^ID: \d+\n$/);
    const id = created.stdout.trim().slice(4);
    const shown = (await one(info, 'oneadmin', 'onedatastore', 'show', '-x', id)).stdout;
    expect(shown).toContain(`<NOTE><![CDATA[${value}]]></NOTE>`);
    writeFileSync(tpl, 'NAME = "nopw"\nTYPE = "BACKUP_DS"\nDS_MAD = "restic"\n');
    const nopw = await one(info, 'oneadmin', 'onedatastore', 'create', tpl);
    expect([nopw.code, nopw.stderr.trim()]).toEqual([
      255,
      '[one.datastore.allocate] Datastore template is missing the "RESTIC_PASSWORD" attribute or it\'s empty.',
    ]);
    writeFileSync(tpl, 'NAME = "cdata"\nX = "a]]>b"\n');
    expect((await one(info, 'oneadmin', 'onedatastore', 'create', tpl)).stderr).toMatch(
      /^\[one\.datastore\.allocate\] Parse error/,
    );
    expect((await one(info, 'oneadmin', 'onedatastore', 'delete', id)).code).toBe(0);
  });

  it.each([
    ['FULL', 'web'],
    ['INCREMENT', 'db'],
  ] as const)('restores a %s backup equal to the source disks', async (_mode, key) => {
    const db = readDb(paths());
    const vmId = seed.vms[key];
    const vm = db.vms.find((v) => v.id === vmId)!;
    const latest = Math.max(...vm.backupIds);
    const r = await one(info, 'oneadmin', 'oneimage', 'restore', String(latest), '-d', '1');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^VM Template: \d+\nImages: [\d ]+\n$/);
    const ids = r.stdout.split('\n')[1]!.slice('Images: '.length).split(' ').map(Number);
    expect(
      await waitFor(
        () =>
          readDb(paths())
            .images.filter((i) => ids.includes(i.id))
            .every((i) => i.state === 1),
        60_000,
        100,
      ),
    ).toBe(true);
    const dir = vmDir(db.datastores.find((d) => d.id === 0)!.basePath, vmId);
    for (const [k, id] of ids.entries()) {
      const img = readDb(paths()).images.find((i) => i.id === id)!;
      const cmp = await run('qemu-img', ['compare', img.source, join(dir, `disk.${k}`)]);
      expect(cmp.code, cmp.stdout + cmp.stderr).toBe(0);
    }
  });

  it('deletes a backup image: its snapshots are forgotten and prune frees the space', async () => {
    const db = readDb(paths());
    const img = db.images.find((i) => i.vms.includes(seed.vms.web) && i.type === 6)!;
    const repo = posix.join(posix.normalize(db.datastores.find((d) => d.id === 100)!.basePath), imageRepoId(img));
    const size = async () => Number((await run('du', ['-sb', repo])).stdout.split('\t')[0]);
    const before = await size();
    expect((await one(info, 'oneadmin', 'oneimage', 'delete', String(img.id))).code).toBe(0);
    expect(await waitFor(() => !readDb(paths()).images.some((i) => i.id === img.id), 60_000, 100)).toBe(true);
    expect(await snapshotsOf(imageRepoId(img))).not.toContain(img.source);
    expect(await size()).toBeLessThan(before);
  });

  it('stays consistent when several commands change it at once', async () => {
    const tpls = Array.from({ length: 8 }, (_, i) => {
      const f = join(stateDir, `c${i}.tpl`);
      writeFileSync(f, `NAME = "conc${i}"\nTYPE = "IMAGE_DS"\nDS_MAD = "fs"\nTM_MAD = "ssh"\n`);
      return f;
    });
    const results = await Promise.all(tpls.map((f) => one(info, 'oneadmin', 'onedatastore', 'create', f)));
    const ids = results.map((r) => Number(r.stdout.trim().slice(4)));
    expect(new Set(ids).size).toBe(8);
    const names = readDb(paths()).datastores.map((d) => d.name);
    for (let i = 0; i < 8; i++) expect(names).toContain(`conc${i}`);
    await Promise.all(ids.map((id) => one(info, 'oneadmin', 'onedatastore', 'delete', String(id))));
    expect(readDb(paths()).datastores.filter((d) => d.name.startsWith('conc'))).toEqual([]);
  });
});
