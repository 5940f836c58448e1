import { test, expect, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signIn } from './pages';

// Personal information on a phone: a masked number revealed on purpose with a reason that the
// auditor then reads; a youth under 14 saved only with a guardian's consent; a rights request
// recorded and answered with a copy.

const shots = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');
const shotDir = process.env.LIAISON_SCREENSHOT_DIR ?? shots;

async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as unknown as { __hydrateIsland?: unknown }).__hydrateIsland !== undefined);
  await page.waitForLoadState('networkidle');
}

async function noOverflow(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'nothing wider than the phone').toBeLessThanOrEqual(0);
}

test('a supervisor reveals a phone number with a reason, and the auditor sees who, whose and why', async ({ page, browser }) => {
  await signIn(page, 'supervisor');
  await page.goto('/supervise?q=李明');
  await page.locator('table a', { hasText: '李明' }).first().click();
  await expect(page.getByRole('heading', { name: '李明', exact: true })).toBeVisible();
  await hydrated(page);
  const first = page.getByTestId('supervised-roster').locator('li').first();
  const youth = (await first.locator('.name').innerText()).trim();
  await expect(first.getByTestId('masked-phone')).toHaveText(/^1\d\d\*\*\*\*\d{4}$/);
  await first.getByText('查看完整号码').click();
  // Without a reason nothing is shown.
  await first.getByRole('button', { name: '查看', exact: true }).click();
  await expect(first.locator('.field-error')).toContainText('请填写');
  await expect(first.getByTestId('revealed')).toBeHidden();
  await first.getByLabel('查看原因（将记入审计日志）').fill('核实后电话回访');
  await first.getByRole('button', { name: '查看', exact: true }).click();
  await expect(first.getByTestId('revealed')).toHaveText(/^1\d{10}$/);
  await expect(first.getByTestId('revealed')).toBeVisible();
  await noOverflow(page);
  fs.mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: path.join(shotDir, 'supervisor-reveal-phone.png') });

  const context = await browser.newContext();
  const auditor = await context.newPage();
  await signIn(auditor, 'auditor');
  await auditor.goto('/audit?event=reveal');
  const rows = auditor.getByTestId('audit-rows').locator('li');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-event', 'reveal');
  await expect(rows.first()).toContainText('supervisor');
  await expect(rows.first()).toContainText('reason=核实后电话回访');
  await expect(rows.first()).toContainText('field=phone');
  // The object names the youth: one filter lists every reveal of that person.
  const object = (await rows.first().getByTestId('audit-object').innerText()).trim();
  expect(object).toMatch(/^youth:\d+$/);
  await auditor.goto(`/audit?event=reveal&object=${object}`);
  await expect(rows).toHaveCount(1);
  await noOverflow(auditor);
  await auditor.screenshot({ path: path.join(shotDir, 'auditor-reveals-phone.png') });
  await context.close();
  expect(youth.length).toBeGreaterThan(0);
});

test('a youth under 14 is saved only with a guardian\'s consent, and the roster marks them', async ({ page }) => {
  await signIn(page, 'cadre02');
  await page.goto('/youth/new');
  await hydrated(page);
  const form = page.locator('form#youth-new');
  const year = new Date().getFullYear();
  const phone = `136${String(Date.now()).slice(-8)}`;
  await form.getByLabel('姓名', { exact: true }).fill('小明');
  await form.getByLabel('性别').selectOption({ label: '男' });
  await form.getByLabel('手机号').fill(phone);
  await form.getByLabel('出生年份').fill(String(year - 12));
  await form.getByLabel('领域').selectOption({ label: '学生' });
  await form.getByLabel('政治面貌').selectOption({ label: '群众' });
  // The notice in force is there to show the youth.
  await expect(form.getByTestId('privacy-notice')).toContainText('第 1 版');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(form.locator('.field.invalid').first()).toContainText('监护人同意');
  await noOverflow(page);
  await page.screenshot({ path: path.join(shotDir, 'cadre-minor-guardian.png'), fullPage: true });
  await form.getByLabel('监护人姓名').fill('王丽');
  await form.getByLabel('与青年关系').selectOption({ label: '母亲' });
  await form.getByLabel('监护人同意日期').fill(new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10));
  await form.getByRole('button', { name: '保存' }).click();
  await expect(page).toHaveURL(/\/youth\/\d+\?saved=1$/);
  await expect(page.getByTestId('guardian')).toContainText('王丽');
  await expect(page.getByTestId('basis')).toContainText('已出示第 1 版告知');
  await page.goto('/youth?q=小明');
  await expect(page.getByTestId('roster').locator('li', { hasText: '小明' }).locator('.minor')).toHaveText('未满14岁');
});

test('the system administrator records a rights request, downloads the copy and closes it', async ({ page }) => {
  await signIn(page, 'sysadmin');
  await page.goto('/admin/pi-requests');
  await page.getByRole('searchbox').fill('张');
  await page.getByRole('button', { name: '查找' }).click();
  const found = page.getByTestId('found-youths').locator('li').first();
  await expect(found).toBeVisible();
  await found.getByText('登记请求').click();
  await found.getByLabel('请求类型').selectOption({ label: '查阅复制' });
  await found.getByLabel('请求内容').fill('本人来电要求提供副本');
  await found.getByRole('button', { name: '保存' }).click();
  const request = page.getByTestId('pi-request').first();
  await expect(request).toContainText('查阅复制');
  await expect(request).toContainText('天后到期');
  await noOverflow(page);
  await page.screenshot({ path: path.join(shotDir, 'sysadmin-pi-requests.png'), fullPage: true });
  await request.getByText('处理', { exact: true }).click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    request.getByTestId('copy-json').click(),
  ]);
  const copy = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  expect(copy['个人信息']['姓名']).toContain('张');
  expect(copy['个人信息']['手机号']).toMatch(/^1\d{10}$/);
  await request.getByRole('button', { name: '提供副本' }).click();
  await expect(page.getByTestId('pi-request').first()).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('pi-done').first()).toContainText('提供副本');
});
