// A datastore's expected backup interval, set through the form admins use on its Info tab. The
// seed's backups are weeks old: with the default 24 h every VM without a schedule would be overdue.
import { expect, type Page } from '@playwright/test';

/** A year (2024 was a leap year: the form's bound). */
export const YEAR_HOURS = 8784;

export async function setExpectedInterval(page: Page, ds: number, hours: number): Promise<void> {
  await page.goto(`/datastores/${ds}?tab=info`);
  const form = page.getByTestId('expected-interval-form');
  await form.getByLabel('Expect a backup every').fill(String(hours));
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('expected-interval-result')).toContainText(`every ${hours} h`);
}
