import { test, expect, type Browser } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signIn } from './pages';

// 等保 2.0 on a phone: the auditor filters the trail, verifies its chain and exports it as CSV;
// the security administrator sees a locked account and lifts the lock.

const shots = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

async function wrongPassword(browser: Browser, login: string, times: number) {
  const context = await browser.newContext();
  const page = await context.newPage();
  for (let i = 0; i < times; i++) {
    await page.request.post('/api/login', {
      form: { login, password: 'not-the-password' },
      headers: { Accept: 'application/json' },
    });
  }
  await context.close();
}

test('the auditor finds a failed sign-in, verifies the chain and exports the rows', async ({ page, browser }) => {
  await wrongPassword(browser, 'cadre10', 1);
  await signIn(page, 'auditor');
  await expect(page).toHaveURL(/\/audit$/);
  // The auditor's navigation holds the trail only.
  await expect(page.getByRole('navigation', { name: '主导航' }).getByRole('link')).toHaveText(['审计']);

  await page.getByLabel('操作人（用户名）').fill('cadre10');
  await page.getByLabel('结果').selectOption({ label: '失败' });
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(page).toHaveURL(/actor=cadre10/);
  const rows = page.getByTestId('audit-rows').locator('li');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-event', 'login');
  await expect(rows.first()).toHaveAttribute('data-result', 'failure');
  await expect(rows.first()).toContainText('cadre10');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, 'auditor-audit-phone.png') });

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('audit-csv').click(),
  ]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toContain('id,seq,at,actor_id,actor,role,ip,event,object,result,details');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain('"cadre10"');
  expect(lines[1]).toContain('failure');

  await page.getByTestId('audit-verify').click();
  await expect(page.getByTestId('audit-chain')).toHaveAttribute('data-ok', 'true');
  await expect(page.getByTestId('audit-chain')).toContainText('完整');
  // The export and the verification are on the record themselves.
  await page.goto('/audit?actor=auditor');
  // (newest first: the verification, then the export before it)
  const mine = page.getByTestId('audit-rows').locator('li');
  await expect(mine.nth(0)).toHaveAttribute('data-event', 'audit_verify');
  await expect(mine.nth(1)).toHaveAttribute('data-event', 'audit_export');
  await expect(mine.nth(1)).toContainText('actor=cadre10 result=failure');
});

test('the security administrator lifts a sign-in lock', async ({ page, browser }) => {
  await wrongPassword(browser, 'cadre10', 7);
  await signIn(page, 'secadmin');
  // The security administrator starts on the security policy.
  await expect(page).toHaveURL(/\/admin\/security$/);
  await expect(page.getByLabel('连续失败几次后锁定')).toHaveValue('5');
  await page.getByLabel('最短长度').fill('4');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.locator('.field.invalid')).toContainText('8');
  await page.getByLabel('最短长度').fill('10');
  await page.getByLabel('分管领导须使用双因素认证').check();
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('已保存')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('最短长度')).toHaveValue('10');
  await expect(page.getByLabel('分管领导须使用双因素认证')).toBeChecked();
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, 'secadmin-security-phone.png'), fullPage: true });
  // Back to the defaults: the other tests sign in as they always have.
  await page.getByLabel('最短长度').fill('8');
  await page.getByLabel('分管领导须使用双因素认证').uncheck();
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('已保存')).toBeVisible();

  await page.goto('/admin/users');
  await page.getByRole('searchbox').fill('cadre10');
  await page.getByRole('button', { name: '搜索' }).click();
  const card = page.locator('li.account[data-username="cadre10"]');
  await expect(card.getByTestId('locked')).toBeVisible();
  // Phone numbers show masked to every administrator.
  await expect(card).toContainText(/1\d\d\*\*\*\*\d{4}/);
  await card.getByRole('button', { name: '解锁' }).click();
  await expect(page.locator('li.account[data-username="cadre10"]').getByTestId('locked')).toHaveCount(0);
  await page.context().clearCookies();
  await signIn(page, 'cadre10');
  await expect(page).toHaveURL(/\/$/);
});
