/*
 * Relative times ("3 days ago") are rendered by the server and again by the browser as it hydrates.
 * When the two disagree (a minute boundary passed meanwhile on a busy machine, or the browser's
 * clock differs), React 19 throws the server's HTML away and renders the whole document again:
 * the theme the boot script set on <html> is lost (a dark page flashes light) and the page
 * flickers. Here the browser runs three days ahead of the server, so every relative time differs.
 */
import { test, expect, addSession } from './fixtures';

const DS = 100;

for (const path of [`/datastores/${DS}`, '/jobs']) {
  test(`${path}: relative times that differ in the browser keep the server's page (no second render, the theme stays)`, async ({
    page,
    sandbox,
  }) => {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await addSession(page, 'admin');
    // A job in the list: a structure check of a seeded repository.
    await page.goto(`/datastores/${DS}/maintenance/${sandbox.seed.vms.web}`);
    await page.getByTestId('check-run').click();
    await expect(page).toHaveURL(/\/jobs\/\d+$/, { timeout: 30_000 });
    await page.clock.setFixedTime(Date.now() + 3 * 86_400_000);
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'system');
    expect(errors.filter((e) => /hydrat|#418|#425|#423/i.test(e))).toEqual([]);
  });
}
