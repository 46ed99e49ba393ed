// What startFrontend learned about its world, saved for the CLI and its workers: the backup
// account (the hypervisors' and backup server's oneadmin), restic's path, the server's name.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrontendPaths } from './paths';

export type FrontendConfig = {
  account: { name: string; uid: number; gid: number; home: string };
  /** run scripts as the account (root sandbox) or as ourselves (the account is the current user) */
  switchUser: boolean;
  restic: string;
  backupServer: string;
  version: string;
  monitorIntervalS: number;
};

const file = (paths: FrontendPaths) => join(paths.one, 'frontend.json');

export function writeConfig(paths: FrontendPaths, cfg: FrontendConfig): void {
  writeFileSync(file(paths), JSON.stringify(cfg, null, 2));
}

export function readConfig(paths: FrontendPaths): FrontendConfig {
  return JSON.parse(readFileSync(file(paths), 'utf8')) as FrontendConfig;
}
