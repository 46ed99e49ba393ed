// PID files for the processes a sandbox started. Each holds the PID and a marker that its command
// line must still contain, so stopping never hits a recycled PID.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, commandLine, stopPid } from './process';
import type { SandboxPaths } from './state';

type PidEntry = { pid: number; marker: string };

export function writePid(paths: SandboxPaths, name: string, entry: PidEntry): void {
  mkdirSync(paths.pidsDir, { recursive: true });
  writeFileSync(join(paths.pidsDir, `${name}.json`), JSON.stringify(entry));
}

export function readPid(paths: SandboxPaths, name: string): PidEntry | undefined {
  try {
    const v = JSON.parse(readFileSync(join(paths.pidsDir, `${name}.json`), 'utf8')) as PidEntry;
    return typeof v.pid === 'number' && typeof v.marker === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The PID of a component when it is running (alive and still the process we started). */
export function runningPid(paths: SandboxPaths, name: string): number | undefined {
  const e = readPid(paths, name);
  if (!e || !isAlive(e.pid)) return undefined;
  return commandLine(e.pid)?.includes(e.marker) ? e.pid : undefined;
}

export function componentNames(paths: SandboxPaths): string[] {
  try {
    return readdirSync(paths.pidsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
  } catch {
    return [];
  }
}

/** Stops one component by its recorded PID and forgets the PID file. */
export async function stopComponent(paths: SandboxPaths, name: string): Promise<boolean> {
  const e = readPid(paths, name);
  let stopped = false;
  if (e) stopped = await stopPid(e.pid, e.marker);
  rmSync(join(paths.pidsDir, `${name}.json`), { force: true });
  return stopped;
}
