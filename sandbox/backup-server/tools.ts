// The programs the backup account finds on its PATH over SSH: a mirror of /usr/bin made of
// symlinks, so a test can take one away (a server without qemu-img or jq) and give it back.
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxPaths, type SandboxPaths } from '../common/state';

const SYSTEM_BIN = '/usr/bin';

export function mirrorDir(paths: SandboxPaths): string {
  return join(paths.root, 'usr', 'bin');
}

/** Fills the mirror with a link to every program of /usr/bin (idempotent). */
export function mirrorSystemPath(paths: SandboxPaths): void {
  const dir = mirrorDir(paths);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const present = new Set(readdirSync(dir));
  for (const name of readdirSync(SYSTEM_BIN)) {
    if (!present.has(name)) symlinkSync(join(SYSTEM_BIN, name), join(dir, name));
  }
}

function checkName(tool: string): void {
  if (!/^[A-Za-z0-9._+-]+$/.test(tool)) throw new Error(`not a program name: ${tool}`);
}

/** Makes a program disappear from the backup account's PATH. */
export function hideTool(stateDir: string, tool: string): void {
  checkName(tool);
  rmSync(join(mirrorDir(sandboxPaths(stateDir)), tool), { force: true });
}

/** Puts a hidden program back. */
export function showTool(stateDir: string, tool: string): void {
  checkName(tool);
  const link = join(mirrorDir(sandboxPaths(stateDir)), tool);
  if (!existsSync(link) && existsSync(join(SYSTEM_BIN, tool))) symlinkSync(join(SYSTEM_BIN, tool), link);
}
