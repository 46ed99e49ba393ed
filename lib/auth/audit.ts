import 'server-only';
import { redact } from '@/lib/log/redact';
import { getDb, type Db } from '@/lib/store';

// Who did what, when, and how it ended: every sign-in (success and failure) and every write action.

export type AuditOutcome = 'ok' | 'failed' | 'refused';
export type AuditEntry = {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  outcome: AuditOutcome;
  detail: string;
  address: string;
};

export type AuditInput = Omit<AuditEntry, 'id' | 'at'> & { at?: number };

export function audit(entry: AuditInput, db: Db = getDb()): void {
  db.prepare(
    'INSERT INTO audit_log (at, actor, action, target, outcome, detail, address) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(
    entry.at ?? Date.now(),
    entry.actor.slice(0, 200),
    entry.action,
    entry.target.slice(0, 500),
    entry.outcome,
    redact(entry.detail).slice(0, 2000),
    entry.address.slice(0, 100),
  );
}

export function recentAudit(limit = 500, db: Db = getDb()): AuditEntry[] {
  return db
    .prepare<[number], AuditEntry>(
      'SELECT id, at, actor, action, target, outcome, detail, address FROM audit_log ORDER BY id DESC LIMIT ?',
    )
    .all(Math.min(Math.max(1, limit), 5_000));
}
