// Prints the ten slowest tests of the Playwright run at its end (the JSON report keeps every
// test's duration for scripts/run-tests.ts's overall list).
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

const SHOWN = 10;

export default class SlowestReporter implements Reporter {
  private readonly times: { title: string; ms: number }[] = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    const file = test.location.file.replace(/^.*\/e2e\//, '');
    this.times.push({ title: `${file} › ${test.titlePath().slice(3).join(' › ')}`, ms: result.duration });
  }

  onEnd(): void {
    if (this.times.length === 0) return;
    const slowest = [...this.times].sort((a, b) => b.ms - a.ms).slice(0, SHOWN);
    console.log(`\nslowest ${slowest.length} end-to-end tests:`);
    for (const t of slowest) console.log(`  ${(t.ms / 1000).toFixed(1).padStart(7)} s  ${t.title}`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
