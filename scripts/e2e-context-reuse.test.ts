// The end-to-end tests share one browser context per worker (playwright.config.ts, reuseContext),
// which Playwright resets between tests except for permissions, geolocation, offline mode and extra
// HTTP headers set at run time. A spec that changed one of those on the shared context would leak
// it into the tests after it; such a test makes its own context with browser.newContext().
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@/sandbox/common/state';

const NOT_RESET = '(grantPermissions|setGeolocation|setOffline|setExtraHTTPHeaders)';
const ON_PAGE_CONTEXT = new RegExp(`\\.context\\(\\)\\s*\\.\\s*${NOT_RESET}\\s*\\(`);
const ON_CONTEXT_FIXTURE = new RegExp(`\\bcontext\\s*\\.\\s*${NOT_RESET}\\s*\\(`);
/** A test or hook that takes the `context` fixture: `async ({ page, context }) =>`. */
const TAKES_CONTEXT_FIXTURE = /async\s*\(\s*\{[^}]*\bcontext\b[^}]*\}/;

/** What in `text` changes the shared context in a way Playwright does not reset. */
function unresetContextChanges(text: string): string[] {
  const found: string[] = [];
  const onPage = ON_PAGE_CONTEXT.exec(text);
  if (onPage) found.push(onPage[0]);
  const onFixture = ON_CONTEXT_FIXTURE.exec(text);
  if (onFixture && TAKES_CONTEXT_FIXTURE.test(text)) found.push(onFixture[0]);
  return found;
}

describe('end-to-end specs and the reused browser context', () => {
  it('finds a change Playwright does not reset, on page.context() or the context fixture', () => {
    expect(unresetContextChanges('await page.context().grantPermissions(["clipboard-read"]);')).toHaveLength(1);
    expect(
      unresetContextChanges('test("x", async ({ page, context }) => { await context.setOffline(true); });'),
    ).toHaveLength(1);
    // A context of the test's own is not shared.
    expect(
      unresetContextChanges(
        'test("x", async ({ browser }) => { const context = await browser.newContext(); await context.setOffline(true); });',
      ),
    ).toEqual([]);
  });

  it('no spec changes the shared context in a way Playwright does not reset', () => {
    const dir = join(repoRoot, 'e2e');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    const found = files.flatMap((f) =>
      unresetContextChanges(readFileSync(join(dir, f), 'utf8')).map((c) => `${f}: ${c}`),
    );
    expect(found).toEqual([]);
  });
});
