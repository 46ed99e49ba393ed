// Samples every process's command line on the machine, ten times a second, for the whole
// end-to-end run, and records any that holds a secret (names only, never the value).
// Usage: secrets-sampler.ts <secrets file> <hits file> <stats file>; stopped by PID (SIGTERM).
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { findSecrets, patternsOf, readSecrets } from './secrets';

const [secretsPath, hitsPath, statsPath] = process.argv.slice(2) as [string, string, string];
let patterns = readSecrets(secretsPath).flatMap(patternsOf);
let samples = 0;
let commandLines = 0;
const reported = new Set<string>();

function sample(): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd: Buffer;
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`);
    } catch {
      continue; // gone meanwhile
    }
    commandLines++;
    for (const name of findSecrets(cmd, patterns)) {
      const key = `${entry}:${name}`;
      if (reported.has(key)) continue;
      reported.add(key);
      // The program's name only: the rest of the line holds the secret.
      const program = cmd.subarray(0, Math.max(0, cmd.indexOf(0))).toString() || '?';
      appendFileSync(hitsPath, `${JSON.stringify({ pid: Number(entry), secret: name, program, at: Date.now() })}\n`);
    }
  }
  samples++;
}

const timer = setInterval(sample, 100);
const stats = setInterval(() => {
  patterns = readSecrets(secretsPath).flatMap(patternsOf);
  writeFileSync(statsPath, JSON.stringify({ samples, commandLines, secrets: patterns.length }));
}, 1_000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  clearInterval(stats);
  writeFileSync(statsPath, JSON.stringify({ samples, commandLines, secrets: patterns.length }));
  process.exit(0);
});
