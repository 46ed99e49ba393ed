import 'server-only';
import { redact } from './redact';

export { redact, registerSecret } from './redact';

type Level = 'info' | 'warn' | 'error';

function write(level: Level, scope: string, message: string, fields?: Record<string, unknown>): void {
  const line = redact(JSON.stringify({ t: new Date().toISOString(), level, scope, msg: message, ...fields }));
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
}

/** A logger whose every line is redacted. One JSON object per line. */
export function logger(scope: string) {
  return {
    info: (m: string, f?: Record<string, unknown>) => write('info', scope, m, f),
    warn: (m: string, f?: Record<string, unknown>) => write('warn', scope, m, f),
    error: (m: string, f?: Record<string, unknown>) => write('error', scope, m, f),
  };
}
