// A cross-process lock around every read-modify-write of the front-end state: an atomic mkdir
// holding the owner's PID (so a lock left by a dead process is taken over), with a bounded retry.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const WAIT = new Int32Array(new SharedArrayBuffer(4));

function pause(ms: number): void {
  // The CLI is synchronous; Atomics.wait blocks this process only, without spinning.
  Atomics.wait(WAIT, 0, 0, ms);
}

/** True when the lock's owner is gone (or it never wrote its PID and the lock is old). */
function isStale(lockDir: string): boolean {
  let pid = 0;
  try {
    pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
  } catch {
    pid = 0;
  }
  if (!Number.isInteger(pid) || pid <= 0) {
    try {
      return Date.now() - statSync(lockDir).mtimeMs > 5_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function withLock<T>(lockDir: string, fn: () => T, timeoutMs = 30_000): T {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (isStale(lockDir)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the state lock ${lockDir}`);
      pause(delay);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
