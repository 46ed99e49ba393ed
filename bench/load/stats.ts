// Figures of the load run: latency percentiles (nearest rank over every recorded request) and
// the report in Markdown.

/** `partial`: a good answer saying it shows stale data or is still reading (browse.ts). */
export type Sample = { endpoint: string; status: number; ms: number; error?: string; at: number; partial?: boolean };

export type Percentiles = { count: number; p50: number; p90: number; p95: number; p99: number; max: number };

export type EndpointFigures = Percentiles & { errors: number; partial: number; rps: number };

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted.length === 0 ? 0 : sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    count: sorted.length,
    p50: round(rank(50)),
    p90: round(rank(90)),
    p95: round(rank(95)),
    p99: round(rank(99)),
    max: round(sorted.at(-1) ?? 0),
  };
}

export function figures(samples: readonly Sample[], seconds: number): EndpointFigures {
  return {
    ...percentiles(samples.map((s) => s.ms)),
    errors: samples.filter((s) => s.error !== undefined).length,
    partial: samples.filter((s) => s.partial).length,
    rps: Math.round((samples.length / seconds) * 10) / 10,
  };
}

export type RssFigures = { samples: number; startKiB: number; peakKiB: number; meanKiB: number; endKiB: number };

export function rssFigures(kib: readonly number[]): RssFigures {
  return {
    samples: kib.length,
    startKiB: kib[0] ?? 0,
    peakKiB: Math.max(0, ...kib),
    meanKiB: kib.length ? Math.round(kib.reduce((a, b) => a + b, 0) / kib.length) : 0,
    endKiB: kib.at(-1) ?? 0,
  };
}

export type Window = { fromSecond: number; requests: number; errors: number; p50: number; p95: number };

/** Requests by the 10-second window they started in: shows the cold start (caches filling) apart. */
export function timeline(samples: readonly Sample[], windowMs = 10_000): Window[] {
  const out: Window[] = [];
  const last = Math.max(0, ...samples.map((s) => s.at));
  for (let from = 0; from <= last; from += windowMs) {
    const inside = samples.filter((s) => s.at >= from && s.at < from + windowMs);
    const p = percentiles(inside.map((s) => s.ms));
    out.push({
      fromSecond: from / 1000,
      requests: inside.length,
      errors: inside.filter((s) => s.error !== undefined).length,
      p50: p.p50,
      p95: p.p95,
    });
  }
  return out;
}

/** One run: `clients` clients for `durationSeconds`. */
export type RunReport = {
  clients: number;
  durationSeconds: number;
  measuredSeconds: number;
  timeoutMs: number;
  endpoints: string[];
  totals: EndpointFigures;
  perEndpoint: Record<string, EndpointFigures>;
  timeline: Window[];
  statuses: Record<string, number>;
  errors: { count: number; examples: { endpoint: string; status: number; error: string }[] };
  rss: RssFigures & { source: string };
  cpu: { appSeconds: number; commandsSeconds: number };
  serverLogErrors: number;
};

export type LoadReport = {
  generatedAt: string;
  command: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; loadAverageAtStart: number[] };
  app: { url: string; pid: number; build: string };
  sessions: { how: string; count: number; byUser: Record<string, number>; signInSeconds: number };
  runs: RunReport[];
  stall?: StallReport;
  notes: string[];
};

const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

function row(name: string, f: EndpointFigures): string {
  return `| ${name} | ${f.count} | ${f.rps} | ${f.p50} | ${f.p90} | ${f.p95} | ${f.p99} | ${f.max} | ${f.partial} | ${f.errors} |`;
}

function runSection(r: RunReport, cpus: number): string[] {
  return [
    `## ${r.clients} concurrent clients`,
    '',
    `${r.clients} concurrent signed-in clients, each looping over the pages below for ${r.durationSeconds} s ` +
      `(requests still in flight at the end were waited for: ${r.measuredSeconds} s measured).`,
    '',
    `**Errors: ${r.errors.count}** of ${r.totals.count} requests (${r.totals.rps} requests/s); ` +
      `${r.totals.partial} partial answers (stale or still reading, see the notes).`,
    '',
    '| endpoint | requests | req/s | p50 ms | p90 ms | p95 ms | p99 ms | max ms | partial | errors |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...Object.entries(r.perEndpoint).map(([k, f]) => row(`\`${k}\``, f)),
    row('**all**', r.totals),
    '',
    'By the 10 s window a request started in (snapshot facts are cached after their first read, OpenNebula reads for a few seconds per identity):',
    '',
    '| from s | requests | errors | p50 ms | p95 ms |',
    '|---|---|---|---|---|',
    ...r.timeline.map((w) => `| ${w.fromSecond} | ${w.requests} | ${w.errors} | ${w.p50} | ${w.p95} |`),
    '',
    `Status codes: ${Object.entries(r.statuses)
      .map(([s, n]) => `${s} x ${n}`)
      .join(', ')}.`,
    '',
    `Server memory (${r.rss.source}, ${r.rss.samples} samples): start ${mib(r.rss.startKiB)}, ` +
      `mean ${mib(r.rss.meanKiB)}, peak ${mib(r.rss.peakKiB)}, end ${mib(r.rss.endKiB)}.`,
    '',
    `CPU: the app process used ${r.cpu.appSeconds} CPU seconds in ${r.measuredSeconds} s (of ` +
      `${Math.round(cpus * r.measuredSeconds)} available), the commands it ran ${r.cpu.commandsSeconds} more.`,
    '',
    `Error lines in the app's log during the run: ${r.serverLogErrors}.`,
    '',
    ...(r.errors.examples.length
      ? [
          '### Errors (first ones)',
          '',
          ...r.errors.examples.map((e) => `- \`${e.endpoint}\`: ${e.status || 'no status'} ${e.error}`),
          '',
        ]
      : []),
  ];
}

export function markdown(r: LoadReport): string {
  const m = r.machine;
  return [
    '# Backstone under load',
    '',
    `Generated ${r.generatedAt} by \`${r.command}\` on ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ` +
      `Node ${m.node}; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
    '',
    `Runs of ${r.runs.map((x) => x.clients).join(' then ')} concurrent signed-in clients against a ` +
      `production build (server.js over \`next build\`, as scripts/app-server.ts starts it) on loopback, backed by the seeded sandbox (backup server over SSH on ` +
      `127.0.0.1, OpenNebula front-end simulator).`,
    '',
    '| clients | requests | errors | partial | p50 ms | p95 ms |',
    '|---|---|---|---|---|---|',
    ...r.runs.map(
      (x) =>
        `| ${x.clients} | ${x.totals.count} | ${x.errors.count} | ${x.totals.partial} | ${x.totals.p50} | ${x.totals.p95} |`,
    ),
    '',
    `Sessions: ${r.sessions.how} (${Object.entries(r.sessions.byUser)
      .map(([u, n]) => `${u} x ${n}`)
      .join(', ')}; ${r.sessions.signInSeconds} s to sign in all).`,
    '',
    ...r.runs.flatMap((x) => runSection(x, m.cpus)),
    ...(r.stall ? stallSection(r.stall) : []),
    '## Notes',
    '',
    ...r.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

/** The stalled-download phase (bench/load/stall.ts): downloads above every limit, other clients browsing. */
export type StallReport = {
  app: {
    url: string;
    pid: number;
    idleSeconds: number;
    perUser: number;
    perServer: number;
    env: Record<string, string>;
  };
  file: { datastoreId: number; sizeBytes: Record<string, number> };
  requests: number;
  byUser: Record<string, number>;
  admitted: number;
  refused: number;
  refusedWithRetryAfter: number;
  refusedByScope: Record<string, number>;
  otherFailures: string[];
  dumpsWhenStalled: number;
  dumpsDuringBrowse: { samples: number; min: number; max: number };
  browse: RunReport;
  /** ms from the idle bound (the last client's stop plus the bound) until no `restic dump` remained; null: not within the bound. */
  dumpsGoneAfterIdleBoundMs: number | null;
  dumpsGoneWaitBoundMs: number;
  downloads: {
    user: string;
    status: number;
    ms: number;
    retryAfter?: string;
    scope?: string;
    readBytes?: number;
    ended?: string;
    error?: string;
  }[];
  targets: { what: string; target: string; value: string; met: boolean }[];
};

export function stallSection(s: StallReport): string[] {
  return [
    '## Stalled downloads',
    '',
    `A separately started app (same build, same sandbox; PID ${s.app.pid}) with ` +
      `${Object.entries(s.app.env)
        .map(([k, v]) => `\`${k}=${v}\``)
        .join(
          ', ',
        )}: per user ${s.app.perUser}, per backup server ${s.app.perServer}, idle bound ${s.app.idleSeconds} s. ` +
      `${s.requests} download requests (${Object.entries(s.byUser)
        .map(([u, n]) => `${u} x ${n}`)
        .join(', ')}, one after another, round robin) of the largest disk each user may see in datastore ` +
      `${s.file.datastoreId} (${Object.entries(s.file.sizeBytes)
        .map(([u, b]) => `${u}: ${(b / MIB).toFixed(1)} MiB`)
        .join(', ')}); each admitted one reads 1 MiB, then stops reading with its socket left open. ` +
      `Meanwhile ${s.browse.clients} other clients browse the pages as in the runs above for ${s.browse.durationSeconds} s.`,
    '',
    '| target | wanted | measured | met |',
    '|---|---|---|---|',
    ...s.targets.map((t) => `| ${t.what} | ${t.target} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    `Downloads: ${s.admitted} admitted and stalled, ${s.refused} refused with 429 (${s.refusedWithRetryAfter} with ` +
      `Retry-After; by the limit named: ${Object.entries(s.refusedByScope)
        .map(([k, n]) => `${k} x ${n}`)
        .join(', ')})` +
      `${s.otherFailures.length ? `; other failures: ${s.otherFailures.join('; ')}` : ''}. ` +
      `\`restic dump\` processes of the downloaded repositories on the backup server when all were stalled: ${s.dumpsWhenStalled}; while the others browsed: ` +
      `${s.dumpsDuringBrowse.min}..${s.dumpsDuringBrowse.max} (${s.dumpsDuringBrowse.samples} samples).`,
    '',
    `Every \`restic dump\` gone: ${
      s.dumpsGoneAfterIdleBoundMs === null
        ? `**not** within ${s.dumpsGoneWaitBoundMs} ms of the idle bound`
        : `${s.dumpsGoneAfterIdleBoundMs} ms after the idle bound`
    } (the bound counted from the moment the last client stopped reading; /proc polled every 50 ms).`,
    '',
    '| # | user | status | ms to headers | Retry-After | limit | read | how it ended |',
    '|---|---|---|---|---|---|---|---|',
    ...s.downloads.map(
      (d, i) =>
        `| ${i + 1} | ${d.user} | ${d.status || 'none'} | ${d.ms} | ${d.retryAfter ?? ''} | ${d.scope ?? ''} | ` +
        `${d.readBytes === undefined ? '' : `${(d.readBytes / MIB).toFixed(2)} MiB`} | ${d.error ?? d.ended ?? ''} |`,
    ),
    '',
    ...runSection(s.browse, 0)
      .slice(2)
      .filter((l) => !l.startsWith('CPU: '))
      .map((l) => (l.startsWith('### ') ? `#${l}` : l)),
  ];
}

const MIB = 1024 * 1024;
