// The sandbox backup server as a test sees it from outside: commands over OpenSSH, its processes.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSandbox } from '../sandbox-env';

type ServerInfo = { name: string; sshConfig: string; uid: number; datastoresRoot: string };

export function serverInfo(): ServerInfo {
  return (JSON.parse(readFileSync(join(loadSandbox().stateDir, 'info.json'), 'utf8')) as { backupServer: ServerInfo })
    .backupServer;
}

/** argv run on the backup server through the sandbox's OpenSSH client config (each word quoted). */
export function onServer(...argv: string[]): string {
  const s = serverInfo();
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return execFileSync('ssh', ['-F', s.sshConfig, s.name, quoted], { encoding: 'utf8' });
}

/** PIDs of the backup account's processes whose command line matches. */
export function accountProcesses(match: RegExp): number[] {
  const uid = serverInfo().uid;
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const owner = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${e}/status`, 'utf8'))?.[1]);
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (owner === uid && match.test(cmd)) pids.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/**
 * Samples this sandbox's restic processes (its repositories and binary are under the state folder)
 * until stopped; returns those that started meanwhile.
 */
export function watchResticProcesses(): { stop: () => string[] } {
  const state = loadSandbox().stateDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const restic = new RegExp(`(^|/)restic( |$)[^\\n]*${state}|${state}[^ ]*/restic( |$)`);
  const before = new Set(accountProcesses(restic));
  const seen = new Map<number, string>();
  const timer = setInterval(() => {
    for (const pid of accountProcesses(restic)) {
      if (before.has(pid) || seen.has(pid)) continue;
      try {
        seen.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
      } catch {
        seen.set(pid, '(gone)');
      }
    }
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      return [...seen.entries()].map(([pid, cmd]) => `${pid}: ${cmd}`);
    },
  };
}
