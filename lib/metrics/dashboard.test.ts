import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMetrics } from './render';

// The Grafana dashboard in docs/ asks only for metrics /metrics writes, and docs/metrics.md names
// every one of them.

const ROOT = join(import.meta.dirname, '..', '..');

async function written(): Promise<Set<string>> {
  const text = await renderMetrics({ datastores: [], repositories: [], jobs: [], incomplete: false, generatedAt: 0 });
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
}

describe('docs for /metrics', () => {
  it('the Grafana dashboard uses only metrics Backstone writes', async () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs', 'grafana-backstone.json'), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/backstone_[a-z_]+/g) ?? []));
    expect(used.length).toBeGreaterThan(5);
    const names = await written();
    expect(used.filter((m) => !names.has(m))).toEqual([]);
  });

  it('docs/metrics.md describes every metric', async () => {
    const doc = readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8');
    expect([...(await written())].filter((m) => !doc.includes(`\`${m}\``))).toEqual([]);
  });
});
