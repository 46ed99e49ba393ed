import type { ExecOptions, ExecResult, Target, TempFile } from '@/lib/exec';
import type { OneRunner } from '../cli';

export type RecordedCall = {
  target: Target;
  argv: readonly string[];
  opts: ExecOptions;
  /** The temp files that existed while the command ran (name -> content). */
  tempFiles: Record<string, string>;
};

type Respond = (argv: readonly string[]) => ExecResult | Promise<ExecResult>;

/** A stand-in for lib/exec that records every command instead of running it. */
export function fakeRunner(options: {
  respond: Respond;
  target?: Target;
  cliDir?: string;
  oneAuthFile?: string;
  serviceAuth?: string;
}): OneRunner & { calls: RecordedCall[]; removedTempDirs: number; localReads: string[] } {
  const target = options.target ?? { kind: 'local' };
  const oneAuthFile = options.oneAuthFile ?? '/home/backstone/.one/one_auth';
  let live: Record<string, string> = {};
  let dirs = 0;
  const fake = {
    calls: [] as RecordedCall[],
    removedTempDirs: 0,
    localReads: [] as string[],
    frontend: () => ({ target, cliDir: options.cliDir, oneAuthFile }),
    async readLocalFile(path: string) {
      fake.localReads.push(path);
      return `${options.serviceAuth ?? 'oneadmin:service-pass'}\n`;
    },
    async exec(t: Target, argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
      fake.calls.push({ target: t, argv: [...argv], opts, tempFiles: { ...live } });
      return options.respond(argv);
    },
    async withTempFiles<T>(
      _t: Target,
      files: readonly TempFile[],
      fn: (paths: Record<string, string>) => Promise<T>,
    ): Promise<T> {
      const dir = `/tmp/backstone-fake${++dirs}`;
      const paths: Record<string, string> = {};
      live = {};
      for (const f of files) {
        paths[f.name] = `${dir}/${f.name}`;
        live[paths[f.name]!] = f.content.toString();
      }
      try {
        return await fn(paths);
      } finally {
        live = {};
        fake.removedTempDirs++;
      }
    },
  };
  return fake;
}

export const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
export const fail = (stderr: string, stdout = '', exitCode = 255): ExecResult => ({ exitCode, stdout, stderr });
