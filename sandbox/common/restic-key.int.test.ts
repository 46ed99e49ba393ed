// The cheap key against real restic 0.18 and 0.14: a repository restic initialised, its key
// rewritten, is opened by restic with the same password and refused with another.
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run, runOk } from './process';
import { RESTIC_VERSIONS, resticBinary } from './restic-binaries';
import { cheapKeyFile, CHEAP_KDF } from './restic-key';

const dir = mkdtempSync(join(tmpdir(), 'backstone-restic-key-'));
const PASSWORD = `pä$$ "w0rd" $(x)`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (password: string) => ({ PATH: process.env.PATH, HOME: dir, RESTIC_PASSWORD: password });

describe.each(RESTIC_VERSIONS)('a cheap key with restic %s', (version) => {
  const restic = resticBinary(version);
  const repo = join(dir, `repo-${version}`);

  it('opens the repository with the same password, at the cheap cost, and refuses another', async () => {
    await runOk(restic, ['init', '-q', '--repo', repo], { env: env(PASSWORD) });
    writeFileSync(join(dir, 'file'), 'some data\n');
    await runOk(restic, ['backup', '-q', '--repo', repo, join(dir, 'file')], { env: env(PASSWORD) });
    const keys = join(repo, 'keys');
    const [old] = readdirSync(keys);
    const next = cheapKeyFile(readFileSync(join(keys, old!), 'utf8'), PASSWORD);
    writeFileSync(join(keys, next.name), next.content, { mode: 0o400 });
    unlinkSync(join(keys, old!));

    expect(JSON.parse(readFileSync(join(keys, next.name), 'utf8'))).toMatchObject(CHEAP_KDF);
    const snapshots = JSON.parse(
      await runOk(restic, ['snapshots', '--json', '--no-cache', '--repo', repo], { env: env(PASSWORD) }),
    ) as unknown[];
    expect(snapshots).toHaveLength(1);
    const refused = await run(restic, ['snapshots', '--no-cache', '--repo', repo], { env: env('another') });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/wrong password|no key found/);
    await runOk(restic, ['check', '-q', '--no-cache', '--repo', repo], { env: env(PASSWORD) });
  });

  it('is refused for a wrong password, so a mistake never writes a key nobody can open', () => {
    const [key] = readdirSync(join(repo, 'keys'));
    expect(() => cheapKeyFile(readFileSync(join(repo, 'keys', key!), 'utf8'), 'another')).toThrow(/wrong password/);
  });
});
