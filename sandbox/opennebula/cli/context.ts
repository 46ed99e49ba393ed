// What every command gets: the state paths, the caller's session (authenticated as oned would),
// the clock, and stdout.
import { resolve as pathResolve } from 'node:path';
import type { FrontendPaths } from '../paths';
import { authenticate, readCredentials, type Session } from '../auth';
import { readDb } from '../store/db';
import type { Db } from '../store/types';
import { now } from '../clock';
import { OneError, notFound, type ObjectType } from '../errors';
import { prettyXml } from '../xml/pretty';

export type Ctx = {
  paths: FrontendPaths;
  /** The caller's environment (ONE_AUTH, HOME, ONE_SANDBOX_NOW). */
  env: NodeJS.ProcessEnv;
  /** The caller's working folder: relative file arguments are read from there. */
  cwd: string;
  /** The caller's stdin, read whole; undefined when it is a terminal. */
  readStdin: (() => string) | undefined;
  out: (line: string) => void;
  err: (line: string) => void;
};

/** A file argument as the caller named it, relative to the caller's working folder. */
export function callerPath(ctx: Ctx, file: string): string {
  return pathResolve(ctx.cwd, file);
}

export function login(ctx: Ctx, method: string): { db: Db; s: Session } {
  const credentials = readCredentials(ctx.env);
  const db = readDb(ctx.paths);
  return { db, s: authenticate(db, credentials, method, now(ctx.env)) };
}

export function printXml(ctx: Ctx, xml: string): void {
  ctx.out(prettyXml(xml));
}

type Named = { id: number; name: string };

/** An ID, or a name the CLI looks up in the pool (OpenNebulaHelper#rname_to_id). */
export function resolve<T extends Named>(
  list: readonly T[],
  arg: string | undefined,
  type: ObjectType,
  method: string,
  label: string,
): T {
  if (arg === undefined) throw new OneError(`one parameter to run`);
  if (/^\d+$/.test(arg)) {
    const hit = list.find((o) => o.id === Number(arg));
    if (!hit) throw notFound(method, type, Number(arg));
    return hit;
  }
  const hits = list.filter((o) => o.name === arg);
  if (hits.length === 0) throw new OneError(`${label} named ${arg} not found.`);
  if (hits.length > 1) throw new OneError(`There are multiple ${label}s with name ${arg}.`);
  return hits[0]!;
}

/** A fixed-width table like the CLI's list output. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells: (string | number)[]) =>
    cells
      .map((c, i) =>
        String(c)
          .padStart(i === 0 ? widths[i]! : 0)
          .padEnd(widths[i]!),
      )
      .join(' ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
