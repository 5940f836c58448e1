import { test, expect, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import { DEMO_PASSWORD, LoginPage } from './pages';

async function signIn(page: Page, login: string) {
  const l = new LoginPage(page);
  await l.open();
  await l.signIn(login, DEMO_PASSWORD);
  await expect(page).not.toHaveURL(/\/login/);
}

/** Starts an export of the supervisor's district for this quarter in `format` (its label). */
async function start(page: Page, format: string) {
  await page.goto('/exports');
  await expect(page.getByRole('heading', { name: '导出台账' })).toBeVisible();
  const form = page.locator('form#export');
  await form.getByLabel(format).check();
  await form.getByRole('button', { name: '开始生成' }).click();
  await expect(page.getByRole('status')).toContainText('已保存');
  return page.getByTestId('exports').locator('li.export-job').first();
}

test.describe('exports on a phone', () => {
  test('a supervisor exports the quarter; the bar moves to 100 % without a reload; the workbook downloads', async ({ page }) => {
    await signIn(page, 'supervisor');
    // The dashboard links to the exports of the organisation it shows.
    await page.getByTestId('export-link').click();
    await expect(page).toHaveURL(/\/exports\?org_id=\d+$/);
    const job = await start(page, 'Excel (XLSX)');
    // A mark on this page: still there when the job is done means nothing reloaded it.
    await page.evaluate(() => ((window as unknown as { mark: number }).mark = 42));
    await expect(job.getByTestId('progress')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await expect(job.getByTestId('rows')).toContainText('（100%）');
    expect(await page.evaluate(() => (window as unknown as { mark?: number }).mark)).toBe(42);
    const [download] = await Promise.all([page.waitForEvent('download'), job.getByTestId('download').click()]);
    expect(download.suggestedFilename()).toMatch(/^台账-.*-\d{4}Q[1-4]\.xlsx$/);
    const bytes = fs.readFileSync((await download.path())!);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    // No sideways scroll at 390 px.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  test('the printable summary is a PDF', async ({ page }) => {
    await signIn(page, 'supervisor');
    const job = await start(page, 'PDF');
    await expect(job.getByTestId('progress')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), job.getByTestId('download').click()]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const bytes = fs.readFileSync((await download.path())!);
    expect(bytes.subarray(0, 4).toString()).toBe('%PDF');
  });
});

test.describe('exports without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the page refreshes itself until the CSV files are ready', async ({ page }) => {
    await signIn(page, 'supervisor2');
    const job = await start(page, 'CSV (ZIP)');
    // The meta refresh reloads the page every 2 s while the job runs; then the link is there.
    await expect(job.getByTestId('download')).toBeVisible({ timeout: 30_000 });
    await expect(job.getByTestId('progress')).toHaveAttribute('data-state', 'done');
    const href = await job.getByTestId('download').getAttribute('href');
    expect(href).toMatch(/^\/exports\/\d+\/download$/);
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/zip');
  });
});
