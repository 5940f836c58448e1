import { test, expect, type Page } from '@playwright/test';
import { DEMO_PASSWORD, LoginPage } from './pages';

const HEADER = '姓名,性别,出生年份,手机号,微信号,所属组织,单位/学校,领域,政治面貌,团干部,标签,备注';

async function signIn(page: Page, login: string) {
  const l = new LoginPage(page);
  await l.open();
  await l.signIn(login, DEMO_PASSWORD);
  await expect(page).not.toHaveURL(/\/login/);
}

/** A filled-in template: `n` youths with phone numbers of their own (UTF-8 with a BOM). */
function roster(n: number, bad?: (i: number) => boolean): Buffer {
  const lines = [HEADER];
  for (let i = 0; i < n; i++) {
    const phone = bad?.(i) ? '12345' : `1991234${String(i).padStart(4, '0')}`;
    lines.push(`导入青年${i},${i % 2 ? '女' : '男'},2000,${phone},,,滨江街道,务工青年,团员,,导入测试,`);
  }
  return Buffer.from('\ufeff' + lines.join('\r\n') + '\r\n', 'utf8');
}

async function check(page: Page, name: string, buffer: Buffer) {
  await page.goto('/admin/import');
  await page.locator('#import-file').setInputFiles({ name, mimeType: 'text/csv', buffer });
  await page.getByRole('button', { name: '预检' }).click();
  await expect(page).toHaveURL(/\/admin\/import\?run=\d+$/);
}

test.describe('roster import on a phone', () => {
  test('a file with a bad row is named line by line and cannot be imported', async ({ page }) => {
    await signIn(page, 'sysadmin');
    await check(page, '有错误.csv', roster(5, (i) => i === 1));
    await expect(page.getByTestId('import-counts')).toContainText('共 5 行');
    const errors = page.getByTestId('import-errors');
    // The header is line 1: the second youth is line 3.
    await expect(errors.locator('tbody tr')).toHaveCount(1);
    await expect(errors.locator('tbody tr').first()).toContainText('3');
    await expect(errors.locator('tbody tr').first()).toContainText('手机号');
    await expect(page.getByRole('button', { name: /^导入/ })).toHaveCount(0);
  });

  test('an admin checks a template file of 200 youths, imports it, and a second import changes nothing', async ({ page }) => {
    await signIn(page, 'sysadmin');
    await page.goto('/admin/import');
    // The templates are there to download.
    const [template] = await Promise.all([page.waitForEvent('download'), page.getByTestId('template-xlsx').click()]);
    expect(template.suggestedFilename()).toMatch(/\.xlsx$/);

    await check(page, '名单.csv', roster(200));
    await expect(page.getByTestId('import-counts')).toHaveText('共 200 行：新增 200 · 更新 0 · 不变 0');
    await page.getByRole('button', { name: '导入（新增 200，更新 0）' }).click();
    await expect(page.getByRole('status')).toContainText('已保存');
    await expect(page.getByTestId('import-applied')).toContainText('已导入：新增 200');

    await check(page, '名单.csv', roster(200));
    await expect(page.getByTestId('import-counts')).toHaveText('共 200 行：新增 0 · 更新 0 · 不变 200');
    await expect(page.getByTestId('import-nothing')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
