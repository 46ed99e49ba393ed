// A watch over every process's command line on the machine, for the integration tests that check
// no secret is ever in one (lib/opennebula, lib/restic). Fifty times a second it reads the command
// line of each process it has not seen, and of each it saw in the last half second (a fork shows its
// parent's command line until it execs); a process it knows is read again every tenth sample. While
// the suites run there are hundreds of processes: reading each one fifty times a second was a tenth
// of a core for each file.
import { readdirSync, readFileSync } from 'node:fs';

const INTERVAL_MS = 20;
const YOUNG_MS = 500;
const KNOWN_EVERY = 10;

export type ArgvWatch = {
  /** Stops sampling; how many samples were taken and every command line `holdsSecret` matched. */
  stop: () => { samples: number; leaks: string[] };
};

/** Samples until stopped; `holdsSecret(pid, cmd)` says whether a command line (NUL-separated) leaks. */
export function watchCommandLines(holdsSecret: (pid: string, cmd: string) => boolean): ArgvWatch {
  const firstSeen = new Map<string, number>();
  const leaks: string[] = [];
  let samples = 0;
  const sample = () => {
    samples++;
    const now = Date.now();
    const alive = new Set<string>();
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      alive.add(pid);
      const since = firstSeen.get(pid);
      if (since === undefined) firstSeen.set(pid, now);
      else if (now - since > YOUNG_MS && samples % KNOWN_EVERY !== 0) continue;
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (holdsSecret(pid, cmd)) leaks.push(cmd.replace(/\0/g, ' '));
      } catch {
        /* gone meanwhile */
      }
    }
    // A PID that ended may come back as another process: young again.
    for (const pid of firstSeen.keys()) if (!alive.has(pid)) firstSeen.delete(pid);
  };
  const timer = setInterval(sample, INTERVAL_MS);
  return {
    stop: () => {
      clearInterval(timer);
      return { samples, leaks };
    },
  };
}
