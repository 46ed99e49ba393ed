import { z } from 'zod';
import { ExpectedError } from '@/lib/errors/expected-error';
import { redact } from '@/lib/log/redact';
import {
  ResticConfigJson,
  ResticDiffLineJson,
  ResticLockJson,
  ResticLsNodeJson,
  ResticRestoreLineJson,
  ResticSnapshotJson,
  ResticStatsJson,
} from './schemas';
import type {
  CheckResult,
  FileNode,
  Lock,
  PrunePlan,
  RepositoryStats,
  RestoreProgress,
  Snapshot,
  SnapshotDiff,
} from './types';

// Pure parsers: restic's output text -> validated raw JSON -> domain shapes. Each is checked
// against fixtures captured from restic 0.14 and 0.18 (scripts/capture-restic-fixtures.sh).

/**
 * Output a parser does not understand (Backstone's bug or an unknown restic): a failure of the
 * backup server's side like any restic failure. The person reads what could not be read; restic's
 * own output (`output`, bounded and redacted) stays in the message, for the log only.
 */
export class ResticOutputError extends ExpectedError {
  override name = 'ResticOutputError';
  readonly kind = 'failed';
  constructor(
    readonly detail: string,
    output?: string,
  ) {
    super(redact(output === undefined ? detail : `${detail}: ${output.slice(0, 100)}`));
  }

  override get userMessage(): string {
    return `restic's answer could not be read: ${this.detail}.`;
  }
}

function json(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ResticOutputError(`restic ${what} did not print JSON`);
  }
}

/** JSON lines, skipping anything that is not a JSON object (restic may print warnings). */
function jsonLines(text: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      out.push(JSON.parse(t));
    } catch {
      /* a partial or non-JSON line */
    }
  }
  return out;
}

export function reshapeSnapshot(raw: z.infer<typeof ResticSnapshotJson>): Snapshot {
  return {
    id: raw.id,
    shortId: raw.id.slice(0, 8),
    time: raw.time,
    paths: raw.paths,
    hostname: raw.hostname,
    username: raw.username,
    tags: raw.tags ?? [],
    programVersion: raw.program_version,
    summary: raw.summary && {
      backupStart: raw.summary.backup_start,
      backupEnd: raw.summary.backup_end,
      dataAdded: raw.summary.data_added,
      dataAddedPacked: raw.summary.data_added_packed,
      totalFilesProcessed: raw.summary.total_files_processed,
      totalBytesProcessed: raw.summary.total_bytes_processed,
    },
  };
}

export function parseSnapshots(text: string): Snapshot[] {
  const raw = z.array(ResticSnapshotJson).nullable().parse(json(text, 'snapshots'));
  return (raw ?? []).map(reshapeSnapshot);
}

/** `ls --json`: the snapshot line first (struct_type or message_type "snapshot"), then one line per node. */
export function parseLs(text: string): FileNode[] {
  const nodes: FileNode[] = [];
  for (const line of jsonLines(text)) {
    const o = line as { struct_type?: string; message_type?: string };
    if (o.struct_type === 'snapshot' || o.message_type === 'snapshot') continue;
    const n = ResticLsNodeJson.parse(line);
    nodes.push({
      path: n.path,
      name: n.name,
      type: n.type === 'file' ? 'file' : n.type === 'dir' ? 'dir' : 'other',
      size: n.size ?? 0,
      mtime: n.mtime,
    });
  }
  return nodes;
}

export function parseStats(text: string, mode: RepositoryStats['mode']): RepositoryStats {
  const s = ResticStatsJson.parse(json(text, 'stats'));
  return {
    mode,
    totalSize: s.total_size,
    totalFileCount: s.total_file_count,
    totalBlobCount: s.total_blob_count,
    snapshotsCount: s.snapshots_count,
    totalUncompressedSize: s.total_uncompressed_size,
    compressionRatio: s.compression_ratio,
  };
}

export function parseDiff(text: string): SnapshotDiff {
  const diff: SnapshotDiff = {
    changes: [],
    added: { files: 0, bytes: 0 },
    removed: { files: 0, bytes: 0 },
    changedFiles: 0,
  };
  for (const line of jsonLines(text)) {
    const m = ResticDiffLineJson.safeParse(line);
    if (!m.success) continue;
    if (m.data.message_type === 'change') {
      const mod = m.data.modifier;
      diff.changes.push({
        path: m.data.path,
        modifier: (['+', '-', 'M', 'T', 'U'].includes(mod) ? mod : '?') as SnapshotDiff['changes'][number]['modifier'],
      });
    } else {
      diff.added = { files: m.data.added.files, bytes: m.data.added.bytes };
      diff.removed = { files: m.data.removed.files, bytes: m.data.removed.bytes };
      diff.changedFiles = m.data.changed_files;
    }
  }
  return diff;
}

export function parseLock(id: string, text: string): Lock {
  const l = ResticLockJson.parse(json(text, 'cat lock'));
  return { id, time: l.time, exclusive: l.exclusive, hostname: l.hostname, username: l.username, pid: l.pid };
}

/** `list locks`: one 64-hex ID per line. */
export function parseIdList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[0-9a-f]{64}$/.test(l));
}

/** `restore --json` status and summary lines (restic >= 0.17). */
export function parseRestoreLine(line: string): RestoreProgress | undefined {
  if (!line.trim().startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const m = ResticRestoreLineJson.safeParse(parsed);
  if (!m.success || (m.data.message_type !== 'status' && m.data.message_type !== 'summary')) return undefined;
  const d = m.data;
  const percent = d.percent_done ?? (d.message_type === 'summary' ? 1 : undefined);
  return {
    percent: percent === undefined ? undefined : Math.round(percent * 1000) / 10,
    bytesDone: d.bytes_restored ?? 0,
    bytesTotal: d.total_bytes,
    filesDone: d.files_restored,
    filesTotal: d.total_files,
  };
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

export function parseSize(text: string): number {
  const m = /^([\d.]+)\s*(B|KiB|MiB|GiB|TiB)$/.exec(text.trim());
  if (!m?.[1] || !m[2]) return 0;
  return Math.round(Number(m[1]) * (UNITS[m[2]] ?? 1));
}

/** The summary `prune` prints (the same with --dry-run). */
export function parsePrunePlan(text: string): PrunePlan {
  const row = (label: string) => {
    const m = new RegExp(`^${label}:\\s+(\\d+) blobs / ([\\d.]+ [KMGT]?i?B)`, 'm').exec(text);
    return { blobs: Number(m?.[1] ?? 0), bytes: parseSize(m?.[2] ?? '0 B') };
  };
  const unused = /^unused size after prune: ([\d.]+ [KMGT]?i?B)/m.exec(text);
  return {
    toRepack: row('to repack'),
    toRemove: row('this removes'),
    toDelete: row('to delete'),
    totalPrune: row('total prune'),
    remaining: row('remaining'),
    unusedAfterPrune: unused?.[1] ? parseSize(unused[1]) : undefined,
  };
}

/** `check` prints text only; errors are the lines between the progress and the final verdict. */
export function parseCheck(exitCode: number, stdout: string, stderr: string): CheckResult {
  const ok = exitCode === 0 && /no errors were found/.test(stdout);
  const noise =
    /^(using temporary cache|create exclusive lock|load indexes|check all packs|check snapshots|read all data|read [\d.]+% of data packs|read group #\d+ of \d+ data packs|\[\d+:\d+\]|repo already locked, waiting|no errors were found)/;
  const errors = `${stdout}\n${stderr}`
    .split('\n')
    .map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim())
    .filter((l) => l && !noise.test(l));
  const subset = /read ([\d.]+)% of data packs/.exec(stdout);
  return {
    ok,
    errors: ok ? [] : errors.slice(0, 50),
    readDataPercent: subset?.[1] ? Number(subset[1]) : /read all data/.test(stdout) ? 100 : undefined,
  };
}

export function parseConfig(text: string): z.infer<typeof ResticConfigJson> {
  return ResticConfigJson.parse(json(text, 'cat config'));
}

/** "restic 0.18.0 compiled with go1.24.4 on linux/amd64" -> [0, 18, 0]. */
export function parseVersion(text: string): { version: string; major: number; minor: number; patch: number } {
  const m = /restic (\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) throw new ResticOutputError("unexpected 'restic version' output", text);
  return { version: `${m[1]}.${m[2]}.${m[3]}`, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** The summary line of `backup --json`; snapshot_id is short in 0.14 and long from 0.16. */
export function parseBackupSummary(text: string): { snapshotId: string; totalBytesProcessed: number } | undefined {
  for (const line of jsonLines(text).reverse()) {
    const o = line as { message_type?: string; snapshot_id?: string; total_bytes_processed?: number };
    if (o.message_type === 'summary' && o.snapshot_id)
      return { snapshotId: o.snapshot_id, totalBytesProcessed: o.total_bytes_processed ?? 0 };
  }
  return undefined;
}
